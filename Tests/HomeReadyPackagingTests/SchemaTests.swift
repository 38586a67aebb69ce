import Foundation
import HomeReadyJudging
import HomeReadyModel
import HomeReadyProfiles
import HomeReadyTestSupport
import Testing

/// The JSON Schemas of the profile and report formats (`Sources/HomeReadyServer/Resources/schemas/`) against
/// the shipped profiles, example reports, the agent's own `check --json` output and broken documents, through a
/// real validator (Python's jsonschema, via `Scripts/validate-schemas`), and against the Swift types' enums.
@Suite("JSON Schemas of profiles and reports")
struct SchemaTests {
    static let root = TestEnvironment.packageRoot
    static let schemaDirectory = root.appendingPathComponent("Sources/HomeReadyServer/Resources/schemas")

    /// Runs `Scripts/validate-schemas KIND FILES...`.
    static func validate(_ kind: String, _ files: [String]) throws -> ProcessOutput {
        try TestEnvironment.require([.python3])
        let result = try Subprocess.run(
            [root.appendingPathComponent("Scripts/validate-schemas").path, kind] + files, timeout: 600)
        if result.status == 2 { throw TestSupportError("validate-schemas could not run: \(result.stdout)\(result.stderr)") }
        return result
    }

    static func schema(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: schemaDirectory.appendingPathComponent("\(name).json"))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestSupportError("\(name).json is not a JSON object")
        }
        return object
    }

    static func shippedProfileFiles() throws -> [URL] {
        let folder = root.appendingPathComponent("Profiles")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
            .map { folder.appendingPathComponent($0) }
    }

    @Test("every shipped profile validates against profile.json")
    func shippedProfilesValidate() throws {
        let files = try Self.shippedProfileFiles()
        #expect(files.count >= 6)
        let result = try Self.validate("profile", files.map(\.path))
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.components(separatedBy: ": valid\n").count == files.count + 1, "\(result.stdout)")
    }

    @Test("every shipped profile names the schema for editors on its first line")
    func shippedProfilesCarryTheEditorHint() throws {
        for file in try Self.shippedProfileFiles() {
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(
                text.hasPrefix("# yaml-language-server: $schema=../Sources/HomeReadyServer/Resources/schemas/profile.json\n"),
                "\(file.lastPathComponent)")
        }
    }

    @Test("a broken profile fails validation, each mistake at its line and column")
    func brokenProfileFails() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("broken.yaml", """
            id: broken
            title: Broken
            version: one
            network:
              max_jiter_ms: 30
              min_download_mbps: fast
            vpn:
              gateways:
                - {name: corp, host: vpn.example.com, transport: ipsec}
            posture:
              - id: sshd
                title: No SSH server
                severity: critical
                remediation: Remove it.
                rules:
                  - {kind: process, target: sshd, operator: matches, value: x}
            equipment:
              - kind: headphones
            """)
        let result = try Self.validate("profile", [file.path])
        #expect(result.status == 1)
        let out = result.stdout
        #expect(out.contains("broken.yaml:3:10: version: 'one' is not of type 'integer'"), "\(out)")
        #expect(out.contains("'max_jiter_ms' was unexpected"), "\(out)")
        #expect(out.contains("broken.yaml:6:22: network.min_download_mbps:"), "\(out)")
        #expect(out.contains("broken.yaml:9:54: vpn.gateways[0].transport: 'ipsec' is not one of"), "\(out)")
        #expect(out.contains("posture[0].rules[0].operator: 'matches' is not one of ['running', 'not_running']"), "\(out)")
        #expect(out.contains("equipment[0].kind: 'headphones' is not one of"), "\(out)")
        #expect(!out.contains(": valid"))
    }

    @Test("a profile without remediation for a critical check, or with a made-up fact, fails")
    func semanticMistakesFail() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("checks.yaml", """
            id: checks
            title: Checks
            version: 1
            posture:
              - id: disk
                title: Disk encrypted
                rules:
                  - {kind: fact, target: disk.root.encrypt, operator: equals, value: true}
            """)
        let result = try Self.validate("profile", [file.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("posture[0]: 'remediation' is a required property"), "\(result.stdout)")
        #expect(result.stdout.contains("posture[0].rules[0].target: 'disk.root.encrypt'"), "\(result.stdout)")
    }

    @Test("example reports validate against report.json: fixtures, judged, every field, browser, docs, the agent's own")
    func exampleReportsValidate() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var files: [String] = []
        func add(_ name: String, _ report: CheckReport) throws {
            let data = try ReportCoding.encoder(pretty: true).encode(report)
            files.append(try dir.write(name, String(decoding: data, as: UTF8.self)).path)
        }
        let loader = ProfileLoader()
        for file in try Self.shippedProfileFiles() {
            let profile = try loader.load(file: file)
            for outcome in [ReportFixtures.Outcome.passing, .failing] {
                let report = ReportFixtures.complete(for: profile, employeeID: "E1001", outcome: outcome)
                try add("\(profile.id)-\(outcome)-judged.json", ReportJudge.judged(report, profile: profile))
            }
        }
        try add("every-field.json", ExampleReports.everyField)
        try add("browser.json", ExampleReports.browser)
        // The example in docs/report.md and the fuzzing seed.
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/report.md"), encoding: .utf8)
        let example = try #require(doc.components(separatedBy: "## Example\n```json\n").last?.components(separatedBy: "```").first)
        files.append(try dir.write("docs-example.json", example).path)
        files.append(Self.root.appendingPathComponent("Fuzz/corpus/report/doc-1.json").path)
        // What the built agent prints with --json (posture and equipment: no network needed).
        let homeready = TestEnvironment.productsDirectory.appendingPathComponent("homeready").path
        let check = try Subprocess.run(
            [homeready, "check", "--json", "--only", "posture,equipment", "--profile", "linux-baseline"], timeout: 300)
        #expect([0, 1, 3].contains(check.status), "\(check.stderr)")
        files.append(try dir.write("agent-check.json", check.stdout).path)

        let result = try Self.validate("report", files)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.components(separatedBy: ": valid\n").count == files.count + 1, "\(result.stdout)")
    }

    @Test("a broken report fails validation and says where")
    func brokenReportFails() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var object = try #require(
            try JSONSerialization.jsonObject(with: ReportCoding.encoder().encode(ExampleReports.everyField)) as? [String: Any])
        object["verdict"] = "maybe"
        object.removeValue(forKey: "report_id")
        var network = try #require(object["network"] as? [String: Any])
        network["download_mbps"] = "fast"
        object["network"] = network
        object["colour"] = "blue"
        let file = try dir.write("broken.json", String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        let result = try Self.validate("report", [file.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("(top level): 'report_id' is a required property"), "\(result.stdout)")
        #expect(result.stdout.contains("verdict: 'maybe' is not one of"), "\(result.stdout)")
        #expect(result.stdout.contains("network.download_mbps: 'fast' is not of type 'number'"), "\(result.stdout)")
        #expect(result.stdout.contains("'colour' was unexpected"), "\(result.stdout)")
    }

    // MARK: The schemas against the Swift types

    /// The `enum` list at a path of `definitions`/`properties` keys.
    static func enumeration(_ schema: [String: Any], _ path: [String]) throws -> [String] {
        var node: Any = schema
        for key in path {
            guard let next = (node as? [String: Any])?[key] else {
                throw TestSupportError("the schema has no \(path.joined(separator: "/"))")
            }
            node = next
        }
        guard let values = (node as? [String: Any])?["enum"] as? [String] else {
            throw TestSupportError("\(path.joined(separator: "/")) has no enum")
        }
        return values
    }

    @Test("the report schema's enumerations are the Swift types' cases")
    func reportEnumsMatchTheModel() throws {
        let schema = try Self.schema("report")
        let d = "definitions"
        #expect(try Self.enumeration(schema, [d, "verdict"]) == Verdict.allCases.map(\.rawValue))
        #expect(try Self.enumeration(schema, [d, "severity"]) == Severity.allCases.map(\.rawValue))
        #expect(try Self.enumeration(schema, [d, "status"]) == FindingStatus.allCases.map(\.rawValue))
        #expect(try Self.enumeration(schema, [d, "finding", "properties", "section"]) == Finding.Section.allCases.map(\.rawValue))
        #expect(try Self.enumeration(schema, [d, "vpn_state"]) == VPNState.allCases.map(\.rawValue))
        #expect(try Self.enumeration(schema, [d, "vpn_gateway", "properties", "transport"]) == VPNTransport.allCases.map(\.rawValue))
        #expect(try Self.enumeration(schema, ["properties", "source"]) == ReportSource.allCases.map(\.rawValue))
        #expect(
            try Self.enumeration(schema, ["properties", "posture_context", "properties", "collection"])
                == PostureCollection.allCases.map(\.rawValue))
        #expect(try Self.enumeration(schema, [d, "relay_transport"]) == RelayTransport.allCases.map(\.rawValue))
        #expect(
            try Self.enumeration(schema, [d, "browser", "properties", "microphone", "properties", "status"])
                == MicrophoneStatus.allCases.map(\.rawValue))
        #expect(
            try Self.enumeration(schema, [d, "browser", "properties", "speaker", "properties", "status"])
                == SpeakerStatus.allCases.map(\.rawValue))
    }

    @Test("the profile schema's enumerations, operators per rule kind and facts are the Swift types'")
    func profileEnumsMatchTheModel() throws {
        let schema = try Self.schema("profile")
        let d = "definitions"
        #expect(try Self.enumeration(schema, [d, "severity"]) == Severity.allCases.map(\.rawValue))
        #expect(try Self.enumeration(schema, [d, "condition"]) == PostureCondition.allCases.map(\.rawValue))
        #expect(try Self.enumeration(schema, [d, "network", "properties", "codec"]) == VoiceCodec.allCases.map(\.rawValue))
        #expect(try Self.enumeration(schema, [d, "gateway", "properties", "transport"]) == VPNTransport.allCases.map(\.rawValue))
        #expect(try Self.enumeration(schema, [d, "equipment", "properties", "kind"]) == EquipmentKind.allCases.map(\.rawValue))
        #expect(try Self.enumeration(schema, [d, "posture_check", "properties", "fixed_by"]) == FixedBy.allCases.map(\.rawValue))
        // The translation paths name every equipment kind the judge writes a finding for.
        let table = try #require((schema[d] as? [String: Any])?["translation_table"] as? [String: Any])
        let pathPattern = try #require((table["propertyNames"] as? [String: Any])?["pattern"] as? String)
        #expect(pathPattern.contains("equipment\\.(\(EquipmentKind.allCases.map(\.rawValue).joined(separator: "|")))"))
        let kinds = PostureRuleKind.allCases.filter { $0 != .group }
        #expect(try Self.enumeration(schema, [d, "plain_rule", "properties", "kind"]) == kinds.map(\.rawValue))
        #expect(
            Set(try Self.enumeration(schema, [d, "plain_rule", "properties", "operator"]))
                == Set(PostureOperator.allCases.map(\.rawValue)))
        // One if/then per kind, allowing exactly the operators the loader accepts for it.
        let plain = try #require((schema[d] as? [String: Any])?["plain_rule"] as? [String: Any])
        let branches = try #require(plain["allOf"] as? [[String: Any]])
        for kind in kinds {
            let branch = branches.first {
                (($0["if"] as? [String: Any])?["properties"] as? [String: Any]).flatMap {
                    ($0["kind"] as? [String: Any])?["const"] as? String
                } == kind.rawValue
            }
            let then = try #require(branch?["then"] as? [String: Any], "no if/then for kind \(kind.rawValue)")
            let operators = try Self.enumeration(then, ["properties", "operator"])
            #expect(operators == kind.operators.map(\.rawValue), "operators of \(kind.rawValue)")
            if kind == .fact {
                let target = try #require((then["properties"] as? [String: Any])?["target"] as? [String: Any])
                let facts = try #require(((target["anyOf"] as? [[String: Any]])?.first)?["enum"] as? [String])
                #expect(facts == PostureFactCatalog.facts.map(\.name))
            }
        }
    }
}
