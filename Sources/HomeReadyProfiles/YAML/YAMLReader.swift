import Foundation
import HomeReadyModel
import Yams

/// Collects located diagnostics while a YAML document is read field by field.
///
/// Readers never throw on a bad field: they record a diagnostic naming the file, line, column, field and what
/// was expected, and return `nil`, so one pass reports every mistake in a file.
final class YAMLDiagnostics {
    let file: String
    private(set) var diagnostics: [ProfileDiagnostic] = []

    init(file: String) {
        self.file = file
    }

    func location(of node: Node?) -> SourceLocation? {
        guard let mark = node?.mark else { return nil }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    func report(_ node: Node?, field: String, _ message: String) {
        diagnostics.append(ProfileDiagnostic(location: location(of: node), field: field, message: message))
    }

    func report(at location: SourceLocation?, field: String, _ message: String) {
        diagnostics.append(ProfileDiagnostic(location: location, field: field, message: message))
    }
}

/// Reads one YAML mapping, tracking which keys were consumed so unknown keys can be reported.
final class MappingReader {
    let node: Node
    let path: String
    let diagnostics: YAMLDiagnostics
    private var pairs: [(key: String, keyNode: Node, value: Node)] = []
    private var consumed = Set<String>()

    /// Returns nil (after reporting) when `node` is not a mapping.
    init?(_ node: Node, path: String, diagnostics: YAMLDiagnostics) {
        self.node = node
        self.path = path
        self.diagnostics = diagnostics
        guard let mapping = node.mapping else {
            diagnostics.report(node, field: path, "must be a mapping of keys to values, got \(describe(node))")
            return nil
        }
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                diagnostics.report(key, field: path, "has a key that is not a plain name")
                continue
            }
            pairs.append((name, key, value))
        }
    }

    /// The dotted path of a key in this mapping, for messages.
    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The raw node for a key, marking it consumed.
    func value(_ key: String) -> Node? {
        consumed.insert(key)
        guard let value = pairs.first(where: { $0.key == key })?.value else { return nil }
        if value.tagName == .null || (value.scalar != nil && value.tagName == .null) { return nil }
        return value
    }

    /// The keys written in this mapping, in file order.
    var keys: [String] { pairs.map(\.key) }

    /// Whether the key is written (even as null).
    func has(_ key: String) -> Bool { pairs.contains { $0.key == key } }

    func location(of key: String) -> SourceLocation? {
        diagnostics.location(of: pairs.first(where: { $0.key == key })?.value)
    }

    func missing(_ key: String, _ expected: String) {
        diagnostics.report(node, field: field(key), "is required: \(expected)")
    }

    func string(_ key: String, required: Bool = false, expected: String = "a text") -> String? {
        guard let value = value(key) else {
            if required { missing(key, expected) }
            return nil
        }
        guard let scalar = value.scalar else {
            diagnostics.report(value, field: field(key), "must be \(expected), got \(describe(value))")
            return nil
        }
        if required && scalar.string.trimmingCharacters(in: .whitespaces).isEmpty {
            diagnostics.report(value, field: field(key), "must be \(expected), got an empty text")
            return nil
        }
        return scalar.string
    }

    func int(_ key: String, required: Bool = false, range: ClosedRange<Int>? = nil, expected: String = "a whole number") -> Int? {
        guard let value = value(key) else {
            if required { missing(key, expected) }
            return nil
        }
        guard value.tagName == .int, let number = value.int else {
            diagnostics.report(value, field: field(key), "must be \(expected), got \(describe(value))")
            return nil
        }
        if let range, !range.contains(number) {
            diagnostics.report(value, field: field(key), "must be \(expected) from \(range.lowerBound) to \(range.upperBound), got \(number)")
            return nil
        }
        return number
    }

    func double(_ key: String, required: Bool = false, range: ClosedRange<Double>? = nil, expected: String = "a number") -> Double? {
        guard let value = value(key) else {
            if required { missing(key, expected) }
            return nil
        }
        return readDouble(value, field: field(key), range: range, expected: expected, diagnostics: diagnostics)
    }

    func bool(_ key: String, expected: String = "true or false") -> Bool? {
        guard let value = value(key) else { return nil }
        guard value.tagName == .bool, let flag = value.bool else {
            diagnostics.report(value, field: field(key), "must be \(expected), got \(describe(value))")
            return nil
        }
        return flag
    }

    func oneOf<Value: RawRepresentable & CaseIterable>(
        _ key: String, _ type: Value.Type, required: Bool = false
    ) -> Value? where Value.RawValue == String {
        let choices = Value.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
        guard let text = string(key, required: required, expected: "one of \(choices)") else { return nil }
        guard let result = Value(rawValue: text) else {
            diagnostics.report(value(key), field: field(key), "must be one of \(choices), got \"\(text)\"\(suggestion(text, Value.allCases.map(\.rawValue)))")
            return nil
        }
        return result
    }

    func stringList(_ key: String, expected: String = "a list of texts") -> [String]? {
        guard let value = value(key) else { return nil }
        if value.scalar != nil, let single = value.scalar?.string { return [single] }
        guard let sequence = value.sequence else {
            diagnostics.report(value, field: field(key), "must be \(expected), got \(describe(value))")
            return nil
        }
        var result: [String] = []
        for (index, item) in sequence.enumerated() {
            guard let text = item.scalar?.string else {
                diagnostics.report(item, field: "\(field(key))[\(index)]", "must be a text, got \(describe(item))")
                continue
            }
            result.append(text)
        }
        return result
    }

    func mapping(_ key: String, required: Bool = false) -> MappingReader? {
        guard let value = value(key) else {
            if required { missing(key, "a mapping") }
            return nil
        }
        return MappingReader(value, path: field(key), diagnostics: diagnostics)
    }

    /// The items of a list, each with its dotted path (`key[i]`).
    func list(_ key: String, required: Bool = false) -> [(node: Node, field: String)]? {
        guard let value = value(key) else {
            if required { missing(key, "a list") }
            return nil
        }
        guard let sequence = value.sequence else {
            diagnostics.report(value, field: field(key), "must be a list (items starting with `- `), got \(describe(value))")
            return nil
        }
        return sequence.enumerated().map { ($1, "\(field(key))[\($0)]") }
    }

    /// Reports every key that was never consumed, suggesting the closest known key.
    func rejectUnknownKeys() {
        let known = consumed.sorted()
        for pair in pairs where !consumed.contains(pair.key) {
            diagnostics.report(
                pair.keyNode, field: field(pair.key),
                "is not a known key here\(suggestion(pair.key, known)); known keys: \(known.joined(separator: ", "))")
        }
    }
}

/// Reads a number node (integers and decimals) with an optional range.
func readDouble(_ value: Node, field: String, range: ClosedRange<Double>?, expected: String, diagnostics: YAMLDiagnostics) -> Double? {
    guard value.tagName == .int || value.tagName == .float, let number = value.float, number.isFinite else {
        diagnostics.report(value, field: field, "must be \(expected), got \(describe(value))")
        return nil
    }
    if let range, !range.contains(number) {
        diagnostics.report(value, field: field, "must be \(expected) from \(format(range.lowerBound)) to \(format(range.upperBound)), got \(format(number))")
        return nil
    }
    return number
}

/// Describes a node for "got ..." in messages.
func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar):
        switch node.tagName {
        case .null: return "nothing (null)"
        case .bool: return "the flag \(scalar.string)"
        case .int, .float: return "the number \(scalar.string)"
        default: return "\"\(scalar.string)\""
        }
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
}

func format(_ number: Double) -> String {
    number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
}

/// ` (did you mean `x`?)` when a known name is close to the written one.
func suggestion(_ written: String, _ known: [String]) -> String {
    let best = known.map { ($0, editDistance(written.lowercased(), $0.lowercased())) }.min { $0.1 < $1.1 }
    guard let best, best.1 <= max(2, written.count / 3) else { return "" }
    return " (did you mean `\(best.0)`?)"
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

extension Node {
    /// The resolved tag's name (`tag:yaml.org,2002:int`, ...).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}
