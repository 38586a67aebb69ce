extension StringProtocol {
    /// The text without leading and trailing spaces and tabs: the optional whitespace (OWS, RFC 9110) around an
    /// HTTP header value or list element. Runs on every request, so it avoids Foundation's `CharacterSet`.
    var trimmingSpaces: SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
