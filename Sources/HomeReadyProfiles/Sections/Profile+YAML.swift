import Foundation
import HomeReadyModel
import Yams

/// How strictly a document is read: a single file may leave out what its parent provides.
enum ProfileReadMode {
    /// One file on its own, before `extends` is applied.
    case partial
    /// The document after inheritance: everything required must be there.
    case resolved
}

extension Profile {
    /// Reads a profile document, reporting every problem to `diagnostics`. Returns nil when the result would be
    /// incomplete (the diagnostics then say why).
    static func read(_ root: Node, mode: ProfileReadMode, diagnostics: YAMLDiagnostics) -> Profile? {
        guard let doc = MappingReader(root, path: "", diagnostics: diagnostics) else { return nil }
        let before = diagnostics.diagnostics.count
        let id = doc.string("id", required: true, expected: "a profile id such as `inbound-voice`")
        if let id, id.range(of: #"^[a-z0-9][a-z0-9._-]*$"#, options: .regularExpression) == nil {
            diagnostics.report(doc.value("id"), field: "id", "must use lower-case letters, digits, `-`, `_` or `.` (it names the file: `\(id).yaml`), got \"\(id)\"")
        }
        let extends = doc.string("extends", expected: "the id of the profile to inherit from")
        let title = doc.string("title", required: mode == .resolved || extends == nil, expected: "a short human title")
        let version = doc.int("version", required: true, range: 1...1_000_000, expected: "the profile's version, a whole number")
        let description = doc.string("description")
        let requirements = doc.value("requirements").flatMap {
            PostureRequirements.read($0, field: "requirements", diagnostics: diagnostics)
        }
        let network = doc.mapping("network").map { NetworkThresholds.read($0) } ?? NetworkThresholds()
        let vpn = doc.mapping("vpn").map { VPNSettings.read($0) } ?? VPNSettings()
        let stun = doc.list("stun_servers").map { STUNServer.readList($0, diagnostics: diagnostics) } ?? []
        let voice = doc.mapping("voice").map { VoicePathSettings.read($0) } ?? VoicePathSettings()
        let posture = doc.list("posture").map { PostureCheck.readList($0, diagnostics: diagnostics) } ?? []
        let equipment = doc.list("equipment").map { EquipmentRequirement.readList($0, diagnostics: diagnostics) } ?? []
        let translations = doc.mapping("translations").map { readTranslations($0, diagnostics: diagnostics) }
        doc.rejectUnknownKeys()
        guard diagnostics.diagnostics.count == before, let id, let version else { return nil }
        return Profile(
            id: id, title: title ?? id, version: version, extends: extends, description: description,
            requirements: requirements, network: network, vpn: vpn, stunServers: stun, voice: voice, posture: posture,
            equipment: equipment, translations: translations)
    }

    /// Reads `translations:`: language code → `<finding id>.title|remediation` → text.
    static func readTranslations(_ doc: MappingReader, diagnostics: YAMLDiagnostics) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for language in doc.keys {
            guard language.range(of: #"^[a-z]{2}(-[A-Z]{2})?$"#, options: .regularExpression) != nil else {
                diagnostics.report(
                    doc.value(language), field: doc.field(language),
                    "must be a language code such as `es` or `es-MX`, got \"\(language)\"")
                continue
            }
            guard let table = doc.mapping(language) else { continue }
            var texts: [String: String] = [:]
            for path in table.keys {
                guard path.range(of: #"^(network|voice|vpn|posture|equipment)\.[A-Za-z0-9_.:-]+\.(title|remediation)$"#, options: .regularExpression) != nil
                    || path == "posture.requirements.title"
                else {
                    diagnostics.report(
                        table.value(path), field: table.field(path),
                        "must name a profile text as `<finding id>.title` or `<finding id>.remediation`, e.g. `posture.disk-encryption.remediation`")
                    continue
                }
                if let text = table.string(path, required: true, expected: "the text in this language") {
                    texts[path] = text
                }
            }
            result[language] = texts
        }
        return result
    }
}

/// Reports list items whose key repeats (duplicate ids), naming both places.
func rejectDuplicates<Item>(
    _ items: [(item: Item, node: Node, field: String)], key: (Item) -> String, what: String, diagnostics: YAMLDiagnostics
) {
    var seen: [String: Node] = [:]
    for entry in items {
        let value = key(entry.item)
        if let first = seen[value] {
            let firstPlace = diagnostics.location(of: first).map { " (first at line \($0.line))" } ?? ""
            diagnostics.report(entry.node, field: entry.field, "repeats the \(what) \"\(value)\"\(firstPlace): each must be unique")
        } else {
            seen[value] = entry.node
        }
    }
}
