import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyProfiles

@Suite("Profile loading and validation")
struct ProfileLoaderTests {
    /// A loader that only searches `directory` (no user, system or built-in profiles).
    func loader(_ directory: TemporaryDirectory) -> ProfileLoader {
        ProfileLoader(searchPath: ProfileSearchPath(directories: [directory.url], includeBuiltin: false))
    }

    func diagnostics(_ yaml: String) throws -> [ProfileDiagnostic] {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("p.yaml", yaml)
        return loader(dir).lint(file: file)
    }

    @Test func validProfileLoadsWithThresholdsInBothForms() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("voice.yaml", """
            id: voice
            title: Voice
            version: 3
            network:
              min_download_mbps: 10
              max_jitter_ms: {limit: 20, severity: warning, remediation: Use the cable.}
              codec: g729
            vpn:
              gateways:
                - {name: ssl, host: 127.0.0.1, transport: tls}
                - {name: ike, host: 127.0.0.1, transport: ikev2, required: false}
            stun_servers: ["127.0.0.1:3478", {host: 127.0.0.1}]
            equipment:
              - kind: usb_headset
                remediation: Plug in the headset.
            """)
        let profile = try loader(dir).load(file: file)
        #expect(profile.id == "voice")
        #expect(profile.version == 3)
        #expect(profile.network.minDownloadMbps == Threshold(10))
        #expect(profile.network.maxJitterMs == Threshold(20, severity: .warning, remediation: "Use the cable."))
        #expect(profile.network.codec == .g729)
        #expect(profile.vpn.gateways.map(\.port) == [443, 500])
        #expect(profile.vpn.gateways[1].required == false)
        #expect(profile.stunServers == [STUNServer(host: "127.0.0.1", port: 3478), STUNServer(host: "127.0.0.1", port: 3478)])
        #expect(profile.equipment.map(\.kind) == [.usbHeadset])
    }

    @Test func threeMistakesAreAllReportedWithLineAndColumn() throws {
        let found = try diagnostics("""
            id: broken
            title: Broken
            version: 1
            network:
              max_jiter_ms: 30
              min_download_mbps: fast
              max_loss_percent: 140
            """)
        #expect(found.count == 3)
        let byField = Dictionary(uniqueKeysWithValues: found.map { ($0.field, $0) })
        #expect(byField["network.max_jiter_ms"]?.location?.line == 5)
        #expect(byField["network.max_jiter_ms"]?.location?.column == 3)
        #expect(byField["network.max_jiter_ms"]?.message.contains("did you mean `max_jitter_ms`") == true)
        #expect(byField["network.min_download_mbps"]?.location?.line == 6)
        #expect(byField["network.min_download_mbps"]?.message.contains("got \"fast\"") == true)
        #expect(byField["network.max_loss_percent"]?.location?.line == 7)
        #expect(byField["network.max_loss_percent"]?.message.contains("from 0 to 100") == true)
        #expect(found.allSatisfy { $0.location?.file.hasSuffix("p.yaml") == true })
    }

    @Test func unknownTopLevelKeyIsRejected() throws {
        let found = try diagnostics("id: x\ntitle: X\nversion: 1\nnetwrok: {}\n")
        #expect(found.map(\.field) == ["netwrok"])
        #expect(found[0].message.contains("did you mean `network`"))
    }

    @Test func wrongTypesAreNamed() throws {
        let found = try diagnostics("""
            id: x
            title: X
            version: one
            network: [1, 2]
            equipment: {kind: usb_headset}
            """)
        #expect(Set(found.map(\.field)) == ["version", "network", "equipment"])
        #expect(found.first { $0.field == "network" }?.message.contains("must be a mapping") == true)
        #expect(found.first { $0.field == "equipment" }?.message.contains("must be a list") == true)
    }

    @Test func impossibleValuesAreRejected() throws {
        let found = try diagnostics("""
            id: x
            title: X
            version: 1
            network:
              max_latency_idle_ms: 100
              max_latency_loaded_ms: 50
              min_mos: 5
              concurrent_calls: 0
            vpn:
              corporate_networks: [10.0.0.0/33, not-a-net]
              gateways:
                - {name: a, host: 127.0.0.1, transport: tcp}
                - {name: b, host: 127.0.0.1, transport: tls, pin_sha256: short}
            """)
        let fields = found.map(\.field)
        #expect(fields.contains("network.max_latency_loaded_ms"))
        #expect(fields.contains("network.min_mos"))
        #expect(fields.contains("network.concurrent_calls"))
        #expect(fields.filter { $0 == "vpn.corporate_networks" }.count == 2)
        #expect(fields.contains("vpn.gateways[0].port"))
        #expect(fields.contains("vpn.gateways[1].pin_sha256"))
    }

    @Test func duplicateIdsAreRejected() throws {
        let found = try diagnostics("""
            id: x
            title: X
            version: 1
            vpn:
              gateways:
                - {name: corp, host: 127.0.0.1, transport: tls}
                - {name: corp, host: 127.0.0.2, transport: tls}
            equipment:
              - {kind: usb_headset}
              - {kind: usb_headset}
            posture:
              - {id: fw, title: Firewall, remediation: Enable it., rules: [{kind: process, target: nft, operator: running}]}
              - {id: fw, title: Firewall again, remediation: Enable it., rules: [{kind: process, target: ufw, operator: running}]}
            """)
        #expect(found.count == 3)
        #expect(found.allSatisfy { $0.message.contains("unique") })
        #expect(found.first { $0.field == "vpn.gateways[1]" }?.message.contains("first at line 6") == true)
    }

    @Test func duplicateKeysInAMappingAreReported() throws {
        let found = try diagnostics("id: x\ntitle: X\nversion: 1\nversion: 2\n")
        #expect(found.count == 1)
        #expect(found[0].message.contains("twice"))
    }

    @Test func yamlSyntaxErrorsCarryTheirLocation() throws {
        let found = try diagnostics("id: x\n  title: X\n")
        #expect(found.count == 1)
        #expect(found[0].location?.line == 2)
        #expect(found[0].message.contains("not valid YAML"))
    }

    @Test func brokenPostureRulesAreLintErrors() throws {
        let found = try diagnostics("""
            id: x
            title: X
            version: 1
            posture:
              - id: a
                title: A
                remediation: Fix.
                rules:
                  - {kind: file, target: /etc/x, operator: matches, value: '[unclosed'}
                  - {kind: registry, target: HKLM, operator: exists}
                  - {kind: command, operator: matches, value: ok}
                  - {kind: process, target: sshd, operator: matches, value: x}
            """)
        let fields = found.map(\.field)
        #expect(fields.contains("posture[0].rules[0].value"))
        #expect(fields.contains("posture[0].rules[1].kind"))
        #expect(fields.contains("posture[0].rules[2].argv"))
        #expect(fields.contains("posture[0].rules[3].operator"))
        #expect(found.first { $0.field == "posture[0].rules[0].value" }?.location?.line == 9)
    }

    @Test func childOverridesParentAndMergesListsByKey() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("base.yaml", """
            id: base
            title: Base
            version: 1
            network:
              min_download_mbps: 10
              max_jitter_ms: 30
              min_mos: 3.6
            vpn:
              gateways:
                - {name: ssl, host: 127.0.0.1, transport: tls}
                - {name: ike, host: 127.0.0.1, transport: ikev2}
            equipment:
              - {kind: usb_headset}
            """)
        let child = try dir.write("child.yaml", """
            id: child
            version: 2
            extends: base
            network:
              max_jitter_ms: 20
              min_mos: null
            vpn:
              gateways:
                - {name: ike, host: 127.0.0.9, transport: ikev2, required: false}
                - {name: ovpn, host: 127.0.0.1, transport: openvpn-udp, tls_auth: true}
            equipment:
              - {kind: wired_link, severity: warning}
            """)
        let profile = try loader(dir).load(file: child)
        #expect(profile.id == "child")
        #expect(profile.title == "Base")
        #expect(profile.version == 2)
        #expect(profile.extends == "base")
        #expect(profile.network.minDownloadMbps?.limit == 10)
        #expect(profile.network.maxJitterMs?.limit == 20)
        #expect(profile.network.minMOS == nil)
        #expect(profile.vpn.gateways.map(\.name) == ["ssl", "ike", "ovpn"])
        #expect(profile.vpn.gateways[1].host == "127.0.0.9")
        #expect(profile.equipment.map(\.kind) == [.usbHeadset, .wiredLink])
    }

    @Test func inheritanceCyclesAreRejected() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let a = try dir.write("a.yaml", "id: a\ntitle: A\nversion: 1\nextends: b\n")
        try dir.write("b.yaml", "id: b\ntitle: B\nversion: 1\nextends: c\n")
        try dir.write("c.yaml", "id: c\ntitle: C\nversion: 1\nextends: a\n")
        let found = loader(dir).lint(file: a)
        #expect(found.count == 1)
        #expect(found[0].field == "extends")
        #expect(found[0].message.contains("a → b → c → a"))
        let selfCycle = try dir.write("s.yaml", "id: s\ntitle: S\nversion: 1\nextends: s\n")
        #expect(loader(dir).lint(file: selfCycle).first?.message.contains("cycle") == true)
    }

    @Test func missingParentIsReportedAtTheExtendsLine() throws {
        let found = try diagnostics("id: x\ntitle: X\nversion: 1\nextends: nowhere\n")
        #expect(found.count == 1)
        #expect(found[0].location?.line == 4)
        #expect(found[0].message.contains("\"nowhere\", which was not found"))
    }

    @Test func errorsInTheParentNameTheParentFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("base.yaml", "id: base\ntitle: Base\nversion: 1\nnetwork: {max_jitter_ms: -1}\n")
        let child = try dir.write("child.yaml", "id: child\nversion: 1\nextends: base\n")
        let found = loader(dir).lint(file: child)
        #expect(found.count == 1)
        #expect(found[0].location?.file.hasSuffix("base.yaml") == true)
    }

    @Test func profilesAreFoundByIdAlongTheSearchPath() throws {
        let first = try TemporaryDirectory()
        let second = try TemporaryDirectory()
        defer { first.remove(); second.remove() }
        try second.write("team.yaml", "id: team\ntitle: From second\nversion: 1\n")
        let loader = ProfileLoader(searchPath: ProfileSearchPath(directories: [first.url, second.url], includeBuiltin: false))
        #expect(try loader.load("team").title == "From second")
        try first.write("team.yaml", "id: team\ntitle: From first\nversion: 1\n")
        #expect(try loader.load("team").title == "From first")
        #expect(throws: ProfileError.self) { try loader.load("absent") }
    }

    @Test func builtinProfilesWorkWithoutAnyFolder() throws {
        let loader = ProfileLoader(searchPath: ProfileSearchPath(directories: [], includeBuiltin: true))
        let profile = try loader.load("outbound-payments")
        #expect(profile.id == "outbound-payments")
        #expect(profile.network.maxJitterMs?.limit == 20)
        #expect(profile.equipment.first { $0.kind == .wiredLink }?.severity == .critical)
        #expect(loader.availableProfiles().contains("linux-baseline"))
    }

    @Test func shippedProfilesLintClean() throws {
        let directory = TestEnvironment.packageRoot.appendingPathComponent("Profiles")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 5)
        let loader = ProfileLoader(searchPath: ProfileSearchPath(directories: [directory], includeBuiltin: false))
        for file in files {
            let found = loader.lint(file: directory.appendingPathComponent(file))
            #expect(found.isEmpty, "\(file): \(found)")
        }
    }
}
