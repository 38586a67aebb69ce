/// The value of one built-in fact: a text, a number, a flag or a list of texts.
public enum FactValue: Codable, Sendable, Equatable, CustomStringConvertible {
    case text(String)
    case number(Double)
    case flag(Bool)
    case list([String])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = .flag(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let list = try? container.decode([String].self) {
            self = .list(list)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .flag(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        }
    }

    /// The value as rules compare it: numbers without a trailing `.0`, flags as `true`/`false`, lists one item
    /// per line.
    public var description: String {
        switch self {
        case .text(let value): return value
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
            return String((value * 100).rounded() / 100)
        case .flag(let value): return value ? "true" : "false"
        case .list(let value): return value.joined(separator: "\n")
        }
    }
}

/// A set of named facts, e.g. `os.id` → `debian`.
public typealias FactSet = [String: FactValue]
