import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyProfiles

@Suite("Profile translations and fixed_by")
struct ProfileTranslationTests {
    func loader(_ directory: TemporaryDirectory) -> ProfileLoader {
        ProfileLoader(searchPath: ProfileSearchPath(directories: [directory.url], includeBuiltin: false))
    }

    static let base = """
        id: base
        title: Base
        version: 1
        requirements:
          title: The endpoint runs Linux
          rules:
            - {kind: fact, target: os.family, operator: equals, value: linux}
        network:
          max_jitter_ms: {limit: 30, remediation: Use the cable.}
          max_loss_percent: 1
        posture:
          - id: disk-encryption
            title: Disk encrypted
            remediation: Ask IT to re-image the laptop.
            rules:
              - {kind: fact, target: disk.root.encrypted, operator: equals, value: true}
          - id: screen-lock
            title: Screen locks
            severity: info
            fixed_by: agent
            rules:
              - {kind: fact, target: screen_lock.enabled, operator: equals, value: true}
        equipment:
          - {kind: usb_headset, remediation: Plug in the headset.}

        """

    @Test func translationsAndFixedByAreRead() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("base.yaml", Self.base + """
            translations:
              es:
                posture.requirements.title: La computadora usa Linux
                posture.disk-encryption.title: Disco cifrado
                posture.disk-encryption.remediation: Pide a TI que reinstale la laptop.
                network.jitter.remediation: Usa el cable.
                equipment.usb_headset.remediation: Conecta la diadema.
            """)
        let profile = try loader(dir).load(file: file)
        #expect(profile.translations?["es"]?.count == 5)
        #expect(profile.posture.map(\.fixedBy) == [.it, .agent])
        #expect(profile.text("posture.disk-encryption.title", written: "Disk encrypted")?.translations["es"] == "Disco cifrado")
    }

    @Test func aTranslationOfNoTextIsAnErrorAtItsLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("base.yaml", Self.base + """
            translations:
              es:
                posture.disk-encription.title: Disco cifrado
                posture.screen-lock.remediation: Activa el bloqueo.
                network.jitter.title: Variación
                network.loss.remediation: Usa el cable.
                network.dns.remediation: Reinicia el módem.
                voice.latency.remediation: Nada.
                equipment.webcam.remediation: Conecta la cámara.
                equipment.headphones.remediation: Conecta los audífonos.
                vpn.corp.remediation: Conecta la VPN.
            """)
        let found = loader(dir).lint(file: file)
        let byField = Dictionary(uniqueKeysWithValues: found.map { ($0.field, $0) })
        #expect(found.count == 9, "\(found)")
        let typo = try #require(byField["translations.es.posture.disk-encription.title"])
        #expect(typo.location?.file.hasSuffix("base.yaml") == true)
        #expect(typo.location?.line == 27)
        #expect(typo.location?.column == 5)
        #expect(typo.message.hasPrefix("names no posture check `disk-encription` (did you mean `disk-encryption`?); checks: disk-encryption, screen-lock"))
        #expect(typo.description.contains("base.yaml:27:5: `translations.es.posture.disk-encription.title` names no posture check"))
        #expect(byField["translations.es.posture.screen-lock.remediation"]?.message.contains("which has none") == true)
        #expect(byField["translations.es.network.jitter.title"]?.message.contains("only `network.jitter.remediation`") == true)
        #expect(byField["translations.es.network.loss.remediation"]?.message.contains("`network.max_loss_percent`, which has none") == true)
        #expect(byField["translations.es.network.dns.remediation"]?.message.contains("does not set") == true)
        #expect(byField["translations.es.voice.latency.remediation"]?.message.contains("names no network threshold") == true)
        #expect(byField["translations.es.equipment.webcam.remediation"]?.message.contains("does not require; equipment: usb_headset") == true)
        #expect(byField["translations.es.equipment.headphones.remediation"]?.message.contains("names no equipment kind") == true)
        #expect(byField["translations.es.vpn.corp.remediation"] != nil)
    }

    @Test func aChildMayTranslateInheritedTextsAndItsErrorsNameTheChildFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("base.yaml", Self.base)
        let good = try dir.write("good.yaml", """
            id: good
            version: 1
            extends: base
            translations:
              es:
                posture.disk-encryption.title: Disco cifrado
            """)
        #expect(try loader(dir).load(file: good).translations?["es"]?["posture.disk-encryption.title"] == "Disco cifrado")
        let bad = try dir.write("bad.yaml", """
            id: bad
            version: 1
            extends: base
            translations:
              es:
                posture.firewall.title: Firewall
            """)
        let found = loader(dir).lint(file: bad)
        #expect(found.count == 1)
        #expect(found.first?.location?.file.hasSuffix("bad.yaml") == true)
        #expect(found.first?.location?.line == 6)
        #expect(found.first?.field == "translations.es.posture.firewall.title")
    }

    @Test func aParentsBadTranslationIsReportedInTheParentFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("base.yaml", Self.base + "translations: {es: {posture.firewall.title: Firewall}}\n")
        let child = try dir.write("child.yaml", """
            id: child
            version: 1
            extends: base
            posture:
              - id: firewall
                title: Firewall on
                remediation: Turn it on.
                rules:
                  - {kind: fact, target: firewall.active, operator: equals, value: true}
            """)
        // The check exists once the child is applied, but the parent on its own translates a check it lacks.
        let found = loader(dir).lint(file: child)
        #expect(found.count == 1)
        #expect(found.first?.location?.file.hasSuffix("base.yaml") == true)
    }

    @Test func fixedByTakesOnlyAgentOrIT() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("p.yaml", Self.base.replacingOccurrences(of: "fixed_by: agent", with: "fixed_by: agnet"))
        let found = loader(dir).lint(file: file)
        #expect(found.map(\.field) == ["posture[1].fixed_by"])
        #expect(found.first?.message.contains("did you mean `agent`") == true)
    }

    // MARK: The shipped profiles

    static let profilesDirectory = TestEnvironment.packageRoot.appendingPathComponent("Profiles")

    static func shippedFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: profilesDirectory.path).filter { $0.hasSuffix(".yaml") }
            .sorted().map { profilesDirectory.appendingPathComponent($0) }
    }

    @Test("every shipped profile has Spanish for every title and remediation it resolves to")
    func shippedProfilesAreTranslatedToSpanish() throws {
        let loader = ProfileLoader(searchPath: ProfileSearchPath(directories: [Self.profilesDirectory], includeBuiltin: false))
        let files = try Self.shippedFiles()
        #expect(files.count >= 6)
        for file in files {
            let profile = try loader.load(file: file)
            let spanish = profile.translations?["es"] ?? [:]
            let missing = profile.translatablePaths.filter { spanish[$0]?.isEmpty ?? true }
            #expect(missing.isEmpty, "\(file.lastPathComponent) has no `es` text for: \(missing.joined(separator: ", "))")
        }
    }

    @Test("every shipped profile translates the texts it writes itself, not only inherits a parent's translation")
    func shippedProfilesTranslateTheirOwnTexts() throws {
        for file in try Self.shippedFiles() {
            let node = try ProfileSource.file(file).parse()
            let diagnostics = YAMLDiagnostics(file: file.lastPathComponent)
            let own = try #require(Profile.read(node, mode: .partial, diagnostics: diagnostics), "\(diagnostics.diagnostics)")
            let spanish = own.translations?["es"] ?? [:]
            let missing = own.translatablePaths.filter { spanish[$0] == nil }
            #expect(missing.isEmpty, "\(file.lastPathComponent) writes these texts but not their `es` text: \(missing.joined(separator: ", "))")
        }
    }

    @Test("shipped checks an agent can fix without administrator rights say fixed_by: agent")
    func shippedFixedBy() throws {
        let loader = ProfileLoader(searchPath: ProfileSearchPath(directories: [Self.profilesDirectory], includeBuiltin: false))
        func agentFixed(_ id: String) throws -> [String] {
            try loader.load(id).posture.filter { $0.fixedBy == .agent }.map(\.id)
        }
        #expect(try agentFixed("linux-baseline") == ["screen-lock", "wifi-signal"])
        #expect(try agentFixed("outbound-payments") == ["screen-lock", "wifi-signal"])
        #expect(try agentFixed("macos-baseline") == ["screen-lock"])
        // No remediation asks IT on its own: the agent's screen already prefixes "Ask IT:" for fixed_by: it.
        for file in try Self.shippedFiles() {
            for check in try loader.load(file: file).posture {
                #expect(check.remediation?.hasPrefix("Ask IT") != true, "\(file.lastPathComponent): \(check.id)")
            }
        }
    }
}
