/// The outcome of one rule, with the short evidence that decided it.
public enum RuleOutcome: Sendable, Equatable {
    case pass(String)
    case fail(String)
    /// The rule could not be evaluated (a program missing, a file unreadable, a value not a number...).
    case error(String)

    /// The evidence or the reason.
    public var evidence: String {
        switch self {
        case .pass(let text), .fail(let text), .error(let text): return text
        }
    }

    var isPass: Bool { if case .pass = self { return true } else { return false } }
    var isFail: Bool { if case .fail = self { return true } else { return false } }
    var isError: Bool { if case .error = self { return true } else { return false } }

    /// Evidence kept short for the report: one line, at most `limit` characters.
    static func short(_ text: String, limit: Int = 160) -> String {
        let single = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " | ")
        return single.count <= limit ? single : String(single.prefix(limit - 1)) + "…"
    }
}
