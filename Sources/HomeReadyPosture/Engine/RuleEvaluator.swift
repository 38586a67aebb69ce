import Foundation
import HomeReadyModel

/// Evaluates one rule against a system. Never throws: whatever goes wrong is an `.error` outcome with the reason.
public struct RuleEvaluator: Sendable {
    /// The live endpoint or a recorded snapshot.
    public var system: any PostureSystem

    public init(system: any PostureSystem) {
        self.system = system
    }

    /// The outcome of one rule with its evidence; errors become `.error` outcomes.
    public func evaluate(_ rule: PostureRule) async -> RuleOutcome {
        do {
            switch rule.kind {
            case .file: return try await file(rule)
            case .directory: return try await directory(rule)
            case .command: return try await command(rule)
            case .process: return try await process(rule)
            case .package: return try await package(rule)
            case .sysctl: return try await sysctl(rule)
            case .kernelModule: return try await kernelModule(rule)
            case .port: return try await port(rule)
            case .fact: return try await fact(rule)
            case .group:
                guard let rules = rule.rules, !rules.isEmpty else { return .error("the group holds no rules") }
                return await combine(rule.condition ?? .all, rules)
            }
        } catch {
            return .error(error.message)
        }
    }

    /// Combines rules: `all` fails on the first failure, `any` passes on the first pass, `none` fails when one
    /// holds. An error decides only when no rule decided otherwise.
    public func combine(_ condition: PostureCondition, _ list: [PostureRule]) async -> RuleOutcome {
        var passes: [String] = []
        var fails: [String] = []
        var errors: [String] = []
        for rule in list {
            switch await evaluate(rule) {
            case .pass(let evidence):
                passes.append(evidence)
                if condition == .any { return .pass(evidence) }
                if condition == .none { return .fail("holds: \(evidence)") }
            case .fail(let evidence):
                fails.append(evidence)
                if condition == .all { return .fail(evidence) }
            case .error(let reason):
                errors.append(rule.kind == .group ? reason : rule.source.map { "\($0): \(reason)" } ?? reason)
            }
        }
        if let error = errors.first { return .error(error) }
        switch condition {
        case .all: return .pass(passes.joined(separator: "; "))
        case .any: return .fail(fails.joined(separator: "; "))
        case .none: return .pass(fails.joined(separator: "; "))
        }
    }

    // MARK: Kinds

    private func file(_ rule: PostureRule) async throws(PostureError) -> RuleOutcome {
        let path = try target(rule)
        let tree = try system.fileTree()
        let op = rule.op ?? .exists
        switch op {
        case .exists:
            return tree.exists(path) ? .pass("\(path) exists") : .fail("\(path) not found")
        case .notExists:
            return tree.exists(path) ? .fail("\(path) exists") : .pass("\(path) not found")
        case .modeAtMost, .ownedBy:
            guard let status = tree.status(path) else { return .fail("\(path) not found") }
            return judgeStatus(status, path: path, op: op, value: rule.value ?? "", tree: tree)
        default:
            guard let text = try tree.read(path) else { return missing(op, "\(path) not found") }
            return try judgeText(text, label: path, rule: rule, op: op, numbered: true)
        }
    }

    private func directory(_ rule: PostureRule) async throws(PostureError) -> RuleOutcome {
        let path = try target(rule)
        let tree = try system.fileTree()
        let op = rule.op ?? .exists
        let isDirectory = tree.isDirectory(path)
        switch op {
        case .exists: return isDirectory ? .pass("\(path)/ exists") : .fail("\(path)/ not found")
        case .notExists: return isDirectory ? .fail("\(path)/ exists") : .pass("\(path)/ not found")
        case .modeAtMost, .ownedBy:
            guard isDirectory, let status = tree.status(path) else { return .fail("\(path)/ not found") }
            return judgeStatus(status, path: path, op: op, value: rule.value ?? "", tree: tree)
        case .contains, .notContains:
            let name = rule.value ?? ""
            let has = (tree.list(path) ?? []).contains(name)
            let found = "\(path)/\(name) \(has ? "exists" : "not found")"
            return (has == (op == .contains)) ? .pass(found) : .fail(found)
        case .matches, .notMatches:
            guard isDirectory else { return missing(op, "\(path)/ not found") }
            let regex = try self.regex(rule.value ?? "")
            let filter = try rule.files.map { pattern throws(PostureError) in try self.regex(pattern) }
            var searched = 0
            for entry in tree.list(path) ?? [] {
                let filePath = "\(path)/\(entry)"
                guard !tree.isDirectory(filePath) else { continue }
                if let filter, !Self.matches(filter, entry) { continue }
                searched += 1
                guard let text = try tree.read(filePath) else { continue }
                if let (number, line) = Self.firstMatch(regex, in: text) {
                    let evidence = "\(filePath):\(number): \(line)"
                    return op == .matches ? .pass(evidence) : .fail(evidence)
                }
            }
            let evidence = "no line matches in \(searched) file\(searched == 1 ? "" : "s") of \(path)/"
            return op == .matches ? .fail(evidence) : .pass(evidence)
        default:
            return .error("`\(op.rawValue)` does not apply to directory rules")
        }
    }

    private func command(_ rule: PostureRule) async throws(PostureError) -> RuleOutcome {
        guard let argv = rule.argv, !argv.isEmpty else { return .error("the command rule has no argv") }
        let timeout = min(rule.timeoutSeconds ?? CommandRunner.defaultTimeout, CommandRunner.maximumTimeout)
        let output = try await system.run(argv, timeout: timeout)
        let name = argv.joined(separator: " ")
        if output.timedOut { return .error("`\(name)` did not finish within \(FindingValue.number(timeout)) s") }
        let firstLine = output.output.split(whereSeparator: \.isNewline).first.map(String.init) ?? "(no output)"
        if let expected = rule.exitStatus, output.exitStatus != expected {
            let status = output.exitStatus.map(String.init) ?? "none (killed)"
            return .fail("`\(name)` exited \(status), expected \(expected): \(firstLine)")
        }
        guard let op = rule.op else {
            return .pass("`\(name)` exited \(output.exitStatus.map(String.init) ?? "?"): \(firstLine)")
        }
        return try judgeText(output.output, label: "`\(name)`", rule: rule, op: op, numbered: false)
    }

    private func process(_ rule: PostureRule) async throws(PostureError) -> RuleOutcome {
        let name = try target(rule)
        let running = try await system.processes().filter { $0.isNamed(name) }
        let evidence =
            running.isEmpty
            ? "no process named \(name)"
            : "\(name) running (pid \(running.map { String($0.pid) }.prefix(3).joined(separator: ", ")))"
        switch rule.op ?? .running {
        case .running: return running.isEmpty ? .fail(evidence) : .pass(evidence)
        case .notRunning: return running.isEmpty ? .pass(evidence) : .fail(evidence)
        case let op: return .error("`\(op.rawValue)` does not apply to process rules")
        }
    }

    private func package(_ rule: PostureRule) async throws(PostureError) -> RuleOutcome {
        let name = try target(rule)
        let installed = try await system.package(name)
        let op = rule.op ?? .installed
        switch op {
        case .installed:
            return installed.map { .pass("\(name) \($0.version) installed") } ?? .fail("\(name) is not installed")
        case .notInstalled:
            return installed.map { .fail("\(name) \($0.version) installed") } ?? .pass("\(name) is not installed")
        default:
            guard let installed else { return .fail("\(name) is not installed") }
            guard op.isOrdering || op.isVersionOrdering else {
                return .error("`\(op.rawValue)` does not apply to package rules")
            }
            let holds = Self.versionHolds(installed.version, op, rule.value ?? "")
            let evidence =
                "\(name) \(installed.version) (\(op.rawValue.replacingOccurrences(of: "version", with: "")) \(rule.value ?? ""))"
            return holds ? .pass(evidence) : .fail(evidence)
        }
    }

    private func sysctl(_ rule: PostureRule) async throws(PostureError) -> RuleOutcome {
        let key = try target(rule)
        let op = rule.op ?? .exists
        guard let value = try await system.sysctl(key) else {
            return op == .exists ? .fail("sysctl \(key) does not exist") : missing(op, "sysctl \(key) does not exist")
        }
        if op == .exists { return .pass("\(key) = \(value)") }
        if op == .notExists { return .fail("\(key) = \(value)") }
        return try judgeText(value, label: key, rule: rule, op: op, numbered: false, showValue: true)
    }

    private func kernelModule(_ rule: PostureRule) async throws(PostureError) -> RuleOutcome {
        let name = try target(rule)
        let loaded = try await system.isModuleLoaded(name)
        let evidence = "module \(name) \(loaded ? "loaded" : "not loaded")"
        switch rule.op ?? .loaded {
        case .loaded: return loaded ? .pass(evidence) : .fail(evidence)
        case .notLoaded: return loaded ? .fail(evidence) : .pass(evidence)
        case let op: return .error("`\(op.rawValue)` does not apply to kernel_module rules")
        }
    }

    private func port(_ rule: PostureRule) async throws(PostureError) -> RuleOutcome {
        let text = try target(rule)
        guard let (port, proto) = Self.parsePort(text) else {
            return .error("port target must be a number 1-65535 optionally with /tcp or /udp, got \"\(text)\"")
        }
        let sockets = try await system.listening().filter { $0.port == port && $0.proto == proto }
        let evidence =
            sockets.isEmpty
            ? "nothing listens on \(port)/\(proto)"
            : "\(port)/\(proto) listening on \(sockets.map(\.address).prefix(3).joined(separator: ", "))"
        switch rule.op ?? .listening {
        case .listening: return sockets.isEmpty ? .fail(evidence) : .pass(evidence)
        case .notListening: return sockets.isEmpty ? .pass(evidence) : .fail(evidence)
        case let op: return .error("`\(op.rawValue)` does not apply to port rules")
        }
    }

    private func fact(_ rule: PostureRule) async throws(PostureError) -> RuleOutcome {
        let name = try target(rule)
        let op = rule.op ?? .exists
        let facts = await system.facts()
        guard let value = facts[name] else {
            switch op {
            case .exists: return .fail("\(name) is not known on this endpoint")
            case .notExists: return .pass("\(name) is not known on this endpoint")
            default:
                // A collector that could not tell leaves its reason in `<group>.evidence` (e.g. firewall.evidence).
                if let group = name.split(separator: ".").first, let why = facts["\(group).evidence"] {
                    return .error("fact \(name) is not known on this endpoint: \(why)")
                }
                return .error("fact \(name) is not known on this endpoint (see `homeready facts`)")
            }
        }
        var shown = "\(name) = \(Self.show(value))"
        // A fact's group may explain it: `firewall.evidence`, `disk.root.lineage`.
        let prefix = name.split(separator: ".").dropLast().joined(separator: ".")
        for detail in ["evidence", "lineage"] where name != "\(prefix).\(detail)" {
            if let why = facts["\(prefix).\(detail)"] {
                shown += " (\(detail == "lineage" ? "on " : "")\(Self.show(why)))"
            }
        }
        // Session-dependent facts say whose session they were read from (e.g. `screen_lock.user`).
        if let group = name.split(separator: ".").first, name != "\(group).user", let user = facts["\(group).user"] {
            shown += " (read as \(user))"
        }
        switch op {
        case .exists: return .pass(shown)
        case .notExists: return .fail(shown)
        case .equals, .notEquals:
            let equal = Self.factEquals(value, rule.value ?? "")
            return equal == (op == .equals) ? .pass(shown) : .fail(shown)
        case .contains, .notContains:
            let needle = rule.value ?? ""
            let has: Bool
            if case .list(let items) = value {
                // Case-insensitive without a locale: the same for the names and ids rules list, and no ICU.
                has = items.contains { $0.range(of: needle, options: .caseInsensitive) != nil }
            } else {
                has = value.description.contains(needle)
            }
            return has == (op == .contains) ? .pass(shown) : .fail(shown)
        case .matches, .notMatches:
            let regex = try self.regex(rule.value ?? "")
            let hit = Self.firstMatch(regex, in: value.description) != nil
            return hit == (op == .matches) ? .pass(shown) : .fail(shown)
        default:
            return try compare(value.description, op: op, value: rule.value ?? "", evidence: shown)
        }
    }

    // MARK: Judging

    /// Judges a text (file content, command output, sysctl value) with a text or comparison operator.
    private func judgeText(
        _ text: String, label: String, rule: PostureRule, op: PostureOperator, numbered: Bool, showValue: Bool = false
    ) throws(PostureError) -> RuleOutcome {
        let value = rule.value ?? ""
        func place(_ number: Int, _ line: String) -> String {
            numbered ? "\(label):\(number): \(line)" : "\(label): \(line)"
        }
        switch op {
        case .matches, .notMatches:
            let regex = try self.regex(value)
            if let (number, line) = Self.firstMatch(regex, in: text) {
                return op == .matches ? .pass(place(number, line)) : .fail(place(number, line))
            }
            let evidence = "no line of \(label) matches \(value)"
            return op == .matches ? .fail(evidence) : .pass(evidence)
        case .contains, .notContains:
            let lines = text.split(whereSeparator: \.isNewline)
            if let index = lines.firstIndex(where: { $0.contains(value) }) {
                let evidence = place(index + 1, String(lines[index]))
                return op == .contains ? .pass(evidence) : .fail(evidence)
            }
            let evidence = "\(label) does not contain \"\(value)\""
            return op == .contains ? .fail(evidence) : .pass(evidence)
        default:
            break
        }
        // Equality and ordering judge one value: the capture, or the whole trimmed text.
        var observed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var evidence = showValue ? "\(label) = \(observed)" : "\(label): \(observed)"
        if let capture = rule.capture {
            let regex = try self.regex(capture)
            guard let (number, captured, line) = Self.firstCapture(regex, in: text) else {
                return missing(op, "no line of \(label) matches \(capture)")
            }
            observed = captured
            evidence = place(number, line)
        }
        switch op {
        case .equals: return observed == value ? .pass(evidence) : .fail(evidence)
        case .notEquals: return observed != value ? .pass(evidence) : .fail(evidence)
        default: return try compare(observed, op: op, value: value, evidence: evidence)
        }
    }

    /// Numeric (`<` ...) or version (`version<` ...) comparison of an observed value with the rule's value.
    private func compare(_ observed: String, op: PostureOperator, value: String, evidence: String) throws(PostureError)
        -> RuleOutcome
    {
        if op.isVersionOrdering {
            return Self.versionHolds(observed, op, value) ? .pass(evidence) : .fail(evidence)
        }
        guard op.isOrdering else { return .error("`\(op.rawValue)` cannot judge this value") }
        guard let left = Double(observed.trimmingCharacters(in: .whitespaces)) else {
            return .error(
                "\(evidence): \"\(observed)\" is not a number (use a `capture` regex, or `version>=` for versions)")
        }
        guard let right = Double(value) else { return .error("the rule's value \"\(value)\" is not a number") }
        let holds: Bool
        switch op {
        case .lessThan: holds = left < right
        case .lessOrEqual: holds = left <= right
        case .numericEqual: holds = left == right
        case .greaterOrEqual: holds = left >= right
        default: holds = left > right
        }
        let shown = "\(evidence) (\(op.rawValue) \(value))"
        return holds ? .pass(shown) : .fail(shown)
    }

    private func judgeStatus(_ status: FileStatus, path: String, op: PostureOperator, value: String, tree: FileTree)
        -> RuleOutcome
    {
        if op == .modeAtMost {
            guard let allowed = Int(value, radix: 8) else {
                return .error("mode \"\(value)\" is not octal (e.g. '0640')")
            }
            let extra = status.mode & ~allowed
            let evidence = "\(path) mode \(status.octal)\(extra == 0 ? "" : ", more than \(value)")"
            return extra == 0 ? .pass(evidence) : .fail(evidence)
        }
        let owner = OwnerNames(tree: tree)
        let user = owner.user(status.uid)
        let group = owner.group(status.gid)
        let parts = value.split(separator: ":", maxSplits: 1).map(String.init)
        let userOK = parts.first.map { $0.isEmpty || $0 == user || $0 == String(status.uid) } ?? true
        let groupOK = parts.count < 2 || parts[1] == group || parts[1] == String(status.gid)
        let evidence = "\(path) owned by \(user):\(group)"
        return userOK && groupOK ? .pass(evidence) : .fail(evidence)
    }

    /// A missing subject: negative operators hold, the others fail.
    private func missing(_ op: PostureOperator, _ evidence: String) -> RuleOutcome {
        switch op {
        case .notExists, .notMatches, .notContains, .notEquals: return .pass(evidence)
        default: return .fail(evidence)
        }
    }

    // MARK: Helpers

    private func target(_ rule: PostureRule) throws(PostureError) -> String {
        guard let target = rule.target, !target.isEmpty else {
            throw .notRecorded("target in a \(rule.kind.rawValue) rule (the profile must name one)")
        }
        return target
    }

    private func regex(_ pattern: String) throws(PostureError) -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: pattern, options: [])
        } catch {
            throw .invalidRule("\"\(pattern)\" is not a valid regular expression")
        }
    }

    static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The first line (1-based number and text) the regex matches.
    static func firstMatch(_ regex: NSRegularExpression, in text: String) -> (Int, String)? {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let string = String(line.hasSuffix("\r") ? line.dropLast() : line)
            if matches(regex, string) { return (index + 1, string) }
        }
        return nil
    }

    /// The first line the regex matches, with its first capture group (or whole match).
    static func firstCapture(_ regex: NSRegularExpression, in text: String) -> (Int, String, String)? {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let string = String(line)
            guard let match = regex.firstMatch(in: string, range: NSRange(string.startIndex..., in: string)) else {
                continue
            }
            let groupRange =
                match.numberOfRanges > 1 && match.range(at: 1).location != NSNotFound ? match.range(at: 1) : match.range
            guard let range = Range(groupRange, in: string) else { continue }
            return (index + 1, String(string[range]), string)
        }
        return nil
    }

    static func versionHolds(_ installed: String, _ op: PostureOperator, _ wanted: String) -> Bool {
        let order = VersionComparison.compare(installed, wanted)
        switch op {
        case .lessThan, .versionLessThan: return order < 0
        case .lessOrEqual, .versionLessOrEqual: return order <= 0
        case .numericEqual: return order == 0
        case .greaterOrEqual, .versionAtLeast: return order >= 0
        case .greaterThan, .versionGreaterThan: return order > 0
        default: return false
        }
    }

    static func parsePort(_ text: String) -> (Int, String)? {
        let parts = text.lowercased().split(separator: "/")
        guard let port = parts.first.flatMap({ Int($0) }), (1...65535).contains(port) else { return nil }
        let proto = parts.count > 1 ? String(parts[1]) : "tcp"
        guard parts.count <= 2, proto == "tcp" || proto == "udp" else { return nil }
        return (port, proto)
    }

    static func factEquals(_ fact: FactValue, _ value: String) -> Bool {
        let written = value.trimmingCharacters(in: .whitespaces)
        switch fact {
        case .flag(let flag):
            let truthy = ["true", "yes", "on", "1"].contains(written.lowercased())
            let falsy = ["false", "no", "off", "0"].contains(written.lowercased())
            return flag ? truthy : falsy
        case .number(let number): return Double(written) == number
        case .text(let text): return text == written
        case .list(let items): return items == [written]
        }
    }

    static func show(_ value: FactValue) -> String {
        if case .list(let items) = value { return items.isEmpty ? "(none)" : items.joined(separator: ", ") }
        return value.description
    }
}

/// Resolves owner ids to names from the tree's `/etc/passwd` and `/etc/group`, then this machine's databases.
struct OwnerNames {
    let users: [Int: String]
    let groups: [Int: String]

    init(tree: FileTree) {
        func table(_ path: String) -> [Int: String] {
            guard let text = try? tree.read(path) else { return [:] }
            var result: [Int: String] = [:]
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: ":", omittingEmptySubsequences: false)
                if fields.count > 2, let id = Int(fields[2]), result[id] == nil { result[id] = String(fields[0]) }
            }
            return result
        }
        users = table("/etc/passwd")
        groups = table("/etc/group")
    }

    func user(_ uid: Int) -> String {
        if let name = users[uid] { return name }
        if let entry = getpwuid(uid_t(uid)) { return String(cString: entry.pointee.pw_name) }
        return String(uid)
    }

    func group(_ gid: Int) -> String {
        if let name = groups[gid] { return name }
        if let entry = getgrgid(gid_t(gid)) { return String(cString: entry.pointee.gr_name) }
        return String(gid)
    }
}
