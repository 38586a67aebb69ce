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
        let fixedBy = item.oneOf("fixed_by", FixedBy.self) ?? .it
        let references =
            item.stringList("references", expected: "a list of requirement ids such as `PCI-DSS-4.0:8.2.8`") ?? []
        let condition = item.oneOf("condition", PostureCondition.self) ?? .all
        let rules = PostureRule.readList(item, "rules", required: true)
        let appliesWhen = PostureRule.readList(item, "applies_when", required: false)
        item.rejectUnknownKeys()
        if remediation == nil, severity != .info {
            diagnostics.report(
                node, field: item.field("remediation"),
                "is required for \(severity.rawValue) checks: tell the agent or IT how to fix a failure")
        }
        guard diagnostics.diagnostics.count == before, let id, let title else { return nil }
        return PostureCheck(
            id: id, title: title, rationale: rationale, severity: severity, remediation: remediation, fixedBy: fixedBy,
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

    static func read(_ node: Node, field: String, diagnostics: YAMLDiagnostics) -> PostureRule? {
        guard let item = MappingReader(node, path: field, diagnostics: diagnostics) else { return nil }
        let before = diagnostics.diagnostics.count
        let groups = PostureCondition.allCases.filter { item.has($0.rawValue) }
        if let condition = groups.first {
            // A nested group: `any: [rule, ...]` (also `all:` and `none:`).
            for extra in groups.dropFirst() {
                diagnostics.report(
                    item.value(extra.rawValue), field: item.field(extra.rawValue),
                    "cannot be combined with `\(condition.rawValue)` in one group; nest a second group instead")
            }
            let rules = readList(item, condition.rawValue, required: true)
            item.rejectUnknownKeys()
            guard diagnostics.diagnostics.count == before else { return nil }
            return .group(condition, rules, source: diagnostics.location(of: node))
        }
        let kind = item.oneOf("kind", PostureRuleKind.self, required: true)
        if kind == .group {
            diagnostics.report(
                item.value("kind"), field: item.field("kind"),
                "`group` is written as `all: [rules]`, `any: [rules]` or `none: [rules]` instead of a `kind`")
            return nil
        }
        let target = item.string("target", required: kind != nil && kind != .command, expected: targetHint(kind))
        let argv = item.stringList("argv", expected: "the command as a list: [program, argument, ...] (no shell)")
        if kind == .command {
            if argv == nil || argv?.isEmpty == true {
                item.missing("argv", "the command as a list: [program, argument, ...] (no shell)")
            }
            if target != nil {
                diagnostics.report(
                    item.value("target"), field: item.field("target"),
                    "does not apply to `kind: command` rules; put the program and its arguments in `argv`")
            }
        } else if argv != nil {
            diagnostics.report(item.value("argv"), field: item.field("argv"), "only applies to `kind: command` rules")
        }
        let exitStatus = item.int("exit_status", range: 0...255, expected: "the expected exit status")
        let timeout = item.double("timeout_seconds", range: 0.1...60, expected: "a number of seconds")
        for (key, present) in [("exit_status", exitStatus != nil), ("timeout_seconds", timeout != nil)]
        where present && kind != nil && kind != .command {
            diagnostics.report(item.value(key), field: item.field(key), "only applies to `kind: command` rules")
        }
        let needsOperator = kind != .command || exitStatus == nil
        if needsOperator, let kind, !item.has("operator") {
            let choices = kind.operators.map { "`\($0.rawValue)`" }.joined(separator: ", ")
            item.missing(
                "operator",
                "for `\(kind.rawValue)` rules one of \(choices)\(kind == .command ? " (or give `exit_status` alone)" : "")"
            )
        }
        let op = item.oneOf(
            "operator", PostureOperator.self, required: needsOperator && (kind == nil || item.has("operator")))
        let value = item.string("value", expected: "the operand: a regex, text, number or version")
        let capture = item.string("capture", expected: "a regular expression whose first group is the compared value")
        let files = item.string("files", expected: "a regular expression on file names")
        item.rejectUnknownKeys()
        if let kind, let op {
            let allowed = kind.operators
            if !allowed.contains(op) {
                diagnostics.report(
                    item.value("operator"), field: item.field("operator"),
                    "`\(op.rawValue)` does not apply to `\(kind.rawValue)` rules; use one of \(allowed.map { "`\($0.rawValue)`" }.joined(separator: ", "))"
                )
            }
            validateOperand(kind: kind, op: op, value: value, item: item)
        }
        if let capture {
            validateRegex(capture, key: "capture", item: item)
            if let kind, ![.file, .command].contains(kind) {
                diagnostics.report(
                    item.value("capture"), field: item.field("capture"), "only applies to `file` and `command` rules")
            } else if let op, !(op.isOrdering || op.isVersionOrdering || op == .equals || op == .notEquals) {
                diagnostics.report(
                    item.value("capture"), field: item.field("capture"),
                    "only applies with `equals`, `not_equals`, `<`, `<=`, `==`, `>=`, `>` or `version...` operators; `\(op.rawValue)` judges whole lines"
                )
            }
        }
        if let files {
            validateRegex(files, key: "files", item: item)
            if kind != .directory || !(op == .matches || op == .notMatches) {
                diagnostics.report(
                    item.value("files"), field: item.field("files"),
                    "only applies to `directory` rules with `matches` or `not_matches`")
            }
        }
        if let kind, let target { validateTarget(kind: kind, target: target, item: item) }
        guard diagnostics.diagnostics.count == before, let kind else { return nil }
        return PostureRule(
            kind: kind, target: target, argv: argv, op: op, value: value, capture: capture, files: files,
            exitStatus: exitStatus, timeoutSeconds: timeout, source: diagnostics.location(of: node))
    }

    private static func targetHint(_ kind: PostureRuleKind?) -> String {
        switch kind {
        case .file: return "the file's absolute path"
        case .directory: return "the directory's absolute path"
        case .process: return "the process name"
        case .package: return "the package name"
        case .sysctl: return "the sysctl key, e.g. net.ipv4.ip_forward"
        case .kernelModule: return "the module name"
        case .port: return "a port number, optionally with /tcp or /udp"
        case .fact: return "the fact's name, e.g. disk.root.encrypted (see docs/posture.md)"
        case .command, .group, nil: return "what the rule inspects"
        }
    }

    private static func validateTarget(kind: PostureRuleKind, target: String, item: MappingReader) {
        let node = item.value("target")
        let field = item.field("target")
        switch kind {
        case .file, .directory:
            if !target.hasPrefix("/") {
                item.diagnostics.report(
                    node, field: field, "must be an absolute path starting with /, got \"\(target)\"")
            }
        case .port:
            let parts = target.lowercased().split(separator: "/")
            let port = parts.first.flatMap { Int($0) }
            if port == nil || !(1...65535).contains(port!) || parts.count > 2
                || (parts.count == 2 && parts[1] != "tcp" && parts[1] != "udp")
            {
                item.diagnostics.report(
                    node, field: field,
                    "must be a port number 1-65535 optionally followed by /tcp or /udp (e.g. '22' or '53/udp'), got \"\(target)\""
                )
            }
        case .fact:
            if !PostureFactCatalog.isKnown(target) {
                item.diagnostics.report(
                    node, field: field,
                    "names no built-in fact: \"\(target)\"\(suggestion(target, PostureFactCatalog.facts.map(\.name))); see `homeready facts` and docs/posture.md, or prefix facts supplied by a facts file with `custom.`"
                )
            }
        default:
            break
        }
    }

    private static func validateRegex(_ pattern: String, key: String, item: MappingReader) {
        do { _ = try NSRegularExpression(pattern: pattern) } catch {
            item.diagnostics.report(
                item.value(key), field: item.field(key),
                "is not a valid regular expression: \"\(pattern)\" (check brackets, escapes and quantifiers; in YAML prefer single quotes)"
            )
        }
    }

    private static func validateOperand(kind: PostureRuleKind, op: PostureOperator, value: String?, item: MappingReader)
    {
        let field = item.field("value")
        let node = item.value("value")
        if !op.needsValue {
            if value != nil {
                item.diagnostics.report(node, field: field, "is not used by `\(op.rawValue)`; remove it")
            }
            return
        }
        guard let value else {
            let expected: String
            if op.takesRegex {
                expected = "a regular expression"
            } else if op.isOrdering {
                expected = kind == .package ? "a version to compare with" : "a number to compare with"
            } else if op.isVersionOrdering {
                expected = "a version to compare with"
            } else if op == .modeAtMost {
                expected = "an octal mode such as '0640'"
            } else if op == .ownedBy {
                expected = "an owner such as root or root:shadow"
            } else {
                expected = "the text to compare with"
            }
            return item.missing("value", "\(expected) for `\(op.rawValue)`")
        }
        if op.takesRegex {
            validateRegex(value, key: "value", item: item)
        } else if op.isOrdering && kind != .package {
            if Double(value) == nil {
                item.diagnostics.report(
                    node, field: field,
                    "must be a number for `\(op.rawValue)`, got \"\(value)\" (for versions use `version\(op.rawValue == "==" ? ">=" : op.rawValue)`)"
                )
            }
        } else if op == .modeAtMost {
            if Int(value, radix: 8) == nil || value.count > 5 {
                item.diagnostics.report(
                    node, field: field, "must be an octal mode such as '0640' (quote it), got \"\(value)\"")
            }
        }
    }
}
