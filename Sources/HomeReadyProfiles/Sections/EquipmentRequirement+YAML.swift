import HomeReadyModel
import Yams

extension EquipmentRequirement {
    /// Reads `equipment:` items (`{kind, severity, remediation, roles}`).
    static func readList(_ items: [(node: Node, field: String)], diagnostics: YAMLDiagnostics) -> [EquipmentRequirement] {
        var read: [(item: EquipmentRequirement, node: Node, field: String)] = []
        for (node, field) in items {
            guard let item = MappingReader(node, path: field, diagnostics: diagnostics) else { continue }
            let kind = item.oneOf("kind", EquipmentKind.self, required: true)
            let severity = item.oneOf("severity", Severity.self) ?? .critical
            let remediation = item.string("remediation", expected: "what the agent or IT should do")
            let roles = item.stringList("roles", expected: "a list of role names") ?? []
            item.rejectUnknownKeys()
            if let kind {
                read.append((EquipmentRequirement(kind: kind, severity: severity, remediation: remediation, roles: roles), node, field))
            }
        }
        rejectDuplicates(read, key: \.kind.rawValue, what: "equipment kind", diagnostics: diagnostics)
        return read.map(\.item)
    }
}
