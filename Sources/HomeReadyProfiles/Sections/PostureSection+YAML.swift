import Foundation
import HomeReadyModel
import Yams

// YAML reading of the `posture:` and `requirements:` sections (rule language reference: docs/posture.md).

extension PostureCheck {
    /// Reads the `posture:` list of checks.
    static func readList(_ items: [(node: Node, field: String)], diagnostics: YAMLDiagnostics) -> [PostureCheck] {
        var checks: [(item: PostureCheck, node: Node, field: String)] = []
        for (node, field) in items {
            if let check = read(node, field: field, diagnostics: diagnostics) { checks.append((check, node, field)) }
        }
        rejectDuplicates(checks, key: \.id, what: "check id", diagnostics: diagnostics)
        return checks.map(\.item)
    }

    static func read(_ node: Node, field: String, diagnostics: YAMLDiagnostics) -> PostureCheck? {
        guard let item = MappingReader(node, path: field, diagnostics: diagnostics) else { return nil }
        let before = diagnostics.diagnostics.count
        let id = item.string("id", required: true, expected: "a check id such as `disk-encryption`")
        let title = item.string("title", required: true, expected: "a short title")
        let rationale = item.string("rationale")
        let severity = item.oneOf("severity", Severity.self) ?? .critical
        let remediation = item.string("remediation", expected: "what the agent or IT should do when it fails")
        let references = item.stringList("references", expected: "a list of requirement ids such as `PCI-DSS-4.0:8.2.8`") ?? []
        let condition = item.oneOf("condition", PostureCondition.self) ?? .all
        let rules = PostureRule.readList(item, "rules", required: true)
        let appliesWhen = PostureRule.readList(item, "applies_when", required: false)
        item.rejectUnknownKeys()
        if remediation == nil, severity != .info {
            diagnostics.report(node, field: item.field("remediation"), "is required for \(severity.rawValue) checks: tell the agent or IT how to fix a failure")
        }
        guard diagnostics.diagnostics.count == before, let id, let title else { return nil }
        return PostureCheck(
            id: id, title: title, rationale: rationale, severity: severity, remediation: remediation,
            references: references, condition: condition, rules: rules, appliesWhen: appliesWhen,
            source: diagnostics.location(of: node))
    }
}

extension PostureRequirements {
    /// Reads the profile-level `requirements:` gate.
    static func read(_ node: Node, field: String, diagnostics: YAMLDiagnostics) -> PostureRequirements? {
        guard let item = MappingReader(node, path: field, diagnostics: diagnostics) else { return nil }
        let title = item.string("title")
        let condition = item.oneOf("condition", PostureCondition.self) ?? .all
        let rules = PostureRule.readList(item, "rules", required: true)
        item.rejectUnknownKeys()
        return PostureRequirements(title: title, condition: condition, rules: rules)
    }
}

extension PostureRule {
    static func readList(_ parent: MappingReader, _ key: String, required: Bool) -> [PostureRule] {
        guard let items = parent.list(key, required: required) else { return [] }
        if required && items.isEmpty {
            parent.diagnostics.report(parent.value(key), field: parent.field(key), "must hold at least one rule")
        }
        return items.compactMap { read($0.node, field: $0.field, diagnostics: parent.diagnostics) }
    }

    /// Operators each rule kind accepts.
    static func operators(for kind: PostureRuleKind) -> [PostureOperator] {
        let comparisons: [PostureOperator] = [.lessThan, .lessOrEqual, .numericEqual, .greaterOrEqual, .greaterThan]
        let text: [PostureOperator] = [.matches, .notMatches, .equals, .notEquals, .contains]
        switch kind {
        case .file: return [.exists, .notExists, .modeAtMost, .ownedBy] + text
        case .directory: return [.exists, .notExists, .contains, .matches, .notMatches, .modeAtMost, .ownedBy]
        case .command: return [.exists] + text + comparisons
        case .process: return [.running, .notRunning]
        case .package: return [.installed, .notInstalled, .versionAtLeast, .versionLessThan]
        case .sysctl, .fact: return [.exists, .notExists] + text + comparisons
        case .kernelModule: return [.exists, .notExists]
        case .port: return [.listening, .notListening]
        }
    }

    static func read(_ node: Node, field: String, diagnostics: YAMLDiagnostics) -> PostureRule? {
        guard let item = MappingReader(node, path: field, diagnostics: diagnostics) else { return nil }
        let before = diagnostics.diagnostics.count
        let kind = item.oneOf("kind", PostureRuleKind.self, required: true)
        let target = item.string("target", required: kind != nil && kind != .command, expected: targetHint(kind))
        let argv = item.stringList("argv", expected: "the command as a list: [program, argument, ...] (no shell)")
        if kind == .command {
            if argv == nil || argv?.isEmpty == true { item.missing("argv", "the command as a list: [program, argument, ...] (no shell)") }
        } else if argv != nil {
            diagnostics.report(item.value("argv"), field: item.field("argv"), "only applies to `kind: command` rules")
        }
        let op = item.oneOf("operator", PostureOperator.self, required: true)
        let value = item.string("value", expected: "the operand: a regex, text, number or version")
        let exitStatus = item.int("exit_status", range: 0...255, expected: "the expected exit status")
        let timeout = item.double("timeout_seconds", range: 0.1...60, expected: "a number of seconds")
        item.rejectUnknownKeys()
        if let kind, let op {
            let allowed = operators(for: kind)
            if !allowed.contains(op) {
                diagnostics.report(item.value("operator"), field: item.field("operator"),
                                   "`\(op.rawValue)` does not apply to `\(kind.rawValue)` rules; use one of \(allowed.map { "`\($0.rawValue)`" }.joined(separator: ", "))")
            }
            validateOperand(op: op, value: value, item: item)
        }
        guard diagnostics.diagnostics.count == before, let kind, let op else { return nil }
        return PostureRule(
            kind: kind, target: target, argv: argv, op: op, value: value, exitStatus: exitStatus,
            timeoutSeconds: timeout, source: diagnostics.location(of: node))
    }

    private static func targetHint(_ kind: PostureRuleKind?) -> String {
        switch kind {
        case .file: return "the file's path"
        case .directory: return "the directory's path"
        case .process: return "the process name"
        case .package: return "the package name"
        case .sysctl: return "the sysctl key, e.g. net.ipv4.ip_forward"
        case .kernelModule: return "the module name"
        case .port: return "a port number, optionally with /tcp or /udp"
        case .fact: return "the fact's name, e.g. disk.root_encrypted"
        case .command, nil: return "what the rule inspects"
        }
    }

    private static func validateOperand(op: PostureOperator, value: String?, item: MappingReader) {
        let field = item.field("value")
        let node = item.value("value")
        switch op {
        case .matches, .notMatches:
            guard let value else { return item.missing("value", "a regular expression") }
            do { _ = try NSRegularExpression(pattern: value) } catch {
                item.diagnostics.report(node, field: field, "is not a valid regular expression: \"\(value)\" (check brackets, escapes and quantifiers; in YAML prefer single quotes)")
            }
        case .lessThan, .lessOrEqual, .numericEqual, .greaterOrEqual, .greaterThan:
            guard let value else { return item.missing("value", "a number to compare with") }
            if Double(value) == nil { item.diagnostics.report(node, field: field, "must be a number for `\(op.rawValue)`, got \"\(value)\"") }
        case .equals, .notEquals, .contains, .ownedBy, .versionAtLeast, .versionLessThan:
            if value == nil { item.missing("value", "the text to compare with") }
        case .modeAtMost:
            guard let value else { return item.missing("value", "an octal mode such as '0640'") }
            if Int(value, radix: 8) == nil || value.count > 5 {
                item.diagnostics.report(node, field: field, "must be an octal mode such as '0640' (quote it), got \"\(value)\"")
            }
        case .exists, .notExists, .running, .notRunning, .installed, .notInstalled, .listening, .notListening:
            break
        }
    }
}
