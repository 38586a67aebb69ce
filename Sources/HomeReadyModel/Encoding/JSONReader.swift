/// A strict, allocation-light reader of JSON text (RFC 8259) for pulling a few fields out of a large document.
///
/// It validates everything it passes over (skipped values included) but builds values only for what the caller
/// asks for, so reading five fields of a 6 KB document costs a scan, not a tree. Nesting is limited to
/// `maxDepth` levels.
public struct JSONReader {
    /// Why the text is not JSON (with the byte offset).
    public struct Malformed: Error, Equatable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "\(reason) at byte \(offset)" }

        public init(offset: Int, reason: String) {
            self.offset = offset
            self.reason = reason
        }
    }

    /// The kind of value that starts at the reader's position.
    public enum Kind: Equatable {
        case object, array, string, number, bool, null
    }

    public static let maxDepth = 512

    private let bytes: [UInt8]
    private(set) var index = 0
    private var depth = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    // MARK: Structure

    /// Reads a whole document that is one object, calling `member` with each key; `member` either reads the value
    /// or returns false to have it skipped. Nothing but white space may follow the object.
    public mutating func readDocument(_ member: (Name, inout JSONReader) throws -> Bool) throws {
        skipByteOrderMark()
        try readObject(member)
        try expectEnd()
    }

    /// Reads a whole document with `value` (a byte order mark before it is passed over); nothing but white space
    /// may follow what it read.
    mutating func readWhole(_ value: (inout JSONReader) throws -> Void) throws {
        skipByteOrderMark()
        try value(&self)
        try expectEnd()
    }

    private mutating func skipByteOrderMark() {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    private mutating func expectEnd() throws {
        skipWhitespace()
        guard index == bytes.count else { throw malformed("unexpected text after the document") }
    }

    /// Reads an object, calling `member` with each key (see `readDocument`).
    public mutating func readObject(_ member: (Name, inout JSONReader) throws -> Bool) throws {
        try readMembers(key: { try $0.readName() }, member)
    }

    /// Reads an object, calling `member` with each key as it lies in the text (see `readDocument`).
    mutating func readMembers(_ member: (StringToken, inout JSONReader) throws -> Bool) throws {
        try readMembers(key: { try $0.readStringToken() }, member)
    }

    /// Reads an object: `key` reads each member's name (at its opening quote), `member` its value.
    @inline(__always)
    private mutating func readMembers<Key>(
        key: (inout JSONReader) throws -> Key, _ member: (Key, inout JSONReader) throws -> Bool
    ) throws {
        skipWhitespace()
        try expect(UInt8(ascii: "{"), "expected an object")
        try enter()
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw malformed("expected a member name") }
            let name = try key(&self)
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "expected ':' after a member name")
            if try !member(name, &self) { try skipValue() }
            skipWhitespace()
            if peek == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"), "expected ',' or '}' in an object")
            depth -= 1
            return
        }
    }

    /// Reads an array, calling `element` with each index; `element` must read the value.
    public mutating func readArray(_ element: (Int, inout JSONReader) throws -> Void) throws {
        skipWhitespace()
        try expect(UInt8(ascii: "["), "expected an array")
        try enter()
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return
        }
        var position = 0
        while true {
            try element(position, &self)
            position += 1
            skipWhitespace()
            if peek == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"), "expected ',' or ']' in an array")
            depth -= 1
            return
        }
    }

    /// The kind of the next value (nil at the end of the text or before a byte no value starts with).
    public mutating func nextKind() -> Kind? {
        skipWhitespace()
        guard let byte = peek else { return nil }
        switch byte {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: return nil
        }
    }

    /// Checks and passes over the next value, whatever it is.
    public mutating func skipValue() throws {
        switch nextKind() {
        case .object: try readObject { _, _ in false }
        case .array: try readArray { _, reader in try reader.skipValue() }
        case .string: try skipString()
        case .number: try skipNumber()
        case .bool: _ = try readBool()
        case .null: try readNull()
        case nil: throw malformed("expected a value")
        }
    }

    // MARK: Scalars

    /// Reads a string, unescaping it; the text must be valid UTF-8.
    public mutating func readString() throws -> String {
        skipWhitespace()
        try expect(UInt8(ascii: "\""), "expected a string")
        let start = index
        // Fast path: no escapes.
        let (end, stop, ascii) = scanString(from: start)
        if stop == .quote {
            index = end + 1
            return try text(start..<end, ascii: ascii)
        }
        index = end
        if stop == .control { throw malformed("control character in a string") }
        var scalars = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try decodeUTF8(scalars[...], at: start)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var value = try readHex4()
                    if (0xD800...0xDBFF).contains(value) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw malformed("unpaired surrogate in a string") }
                        index += 2
                        let low = try readHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw malformed("unpaired surrogate in a string") }
                        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(value) {
                        throw malformed("unpaired surrogate in a string")
                    }
                    guard let scalar = Unicode.Scalar(value) else { throw malformed("invalid \\u escape") }
                    scalars.append(contentsOf: UTF8.encode(scalar)!)
                default:
                    throw malformed("invalid escape in a string")
                }
            default:
                if byte < 0x20 { throw malformed("control character in a string") }
                scalars.append(byte)
                index += 1
            }
        }
        throw malformed("unterminated string")
    }

    /// Reads a number and returns its text (checked against JSON's number grammar).
    public mutating func readNumberText() throws -> Substring {
        skipWhitespace()
        let start = index
        try skipNumber()
        return Substring(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// Passes over a number, checked against JSON's number grammar.
    private mutating func skipNumber() throws {
        if peek == UInt8(ascii: "-") { index += 1 }
        if peek == UInt8(ascii: "0") {
            index += 1
        } else if let byte = peek, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(byte) {
            skipDigits()
        } else {
            throw malformed("expected a number")
        }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard isDigit(peek) else { throw malformed("expected digits after '.'") }
            skipDigits()
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard isDigit(peek) else { throw malformed("expected digits in an exponent") }
            skipDigits()
        }
    }

    /// Passes over a string: escapes and control characters are checked, and non-ASCII text must be UTF-8.
    private mutating func skipString() throws {
        try expect(UInt8(ascii: "\""), "expected a string")
        let start = index
        let (end, stop, ascii) = scanString(from: start)
        switch stop {
        case .quote:
            if !ascii { try checkUTF8(start..<end) }
            index = end + 1
        case .backslash:
            // Escapes are rare in skipped text: read the whole string the slow way from its start.
            index = start - 1
            _ = try readString()
        case .control:
            index = end
            throw malformed("control character in a string")
        case .end:
            index = end
            throw malformed("unterminated string")
        }
    }

    /// Where a scan of a string's text stopped.
    private enum StringStop {
        case quote, backslash, control, end
    }

    /// Scans a string's text from `start` to the first quote, backslash, control character or the end of the
    /// text; says where and whether every byte before it was ASCII.
    private func scanString(from start: Int) -> (end: Int, stop: StringStop, ascii: Bool) {
        bytes.withUnsafeBufferPointer { buffer in
            var at = start
            var high: UInt8 = 0
            while at < buffer.count {
                let byte = buffer[at]
                if byte == UInt8(ascii: "\"") { return (at, .quote, high < 0x80) }
                if byte == UInt8(ascii: "\\") { return (at, .backslash, high < 0x80) }
                if byte < 0x20 { return (at, .control, high < 0x80) }
                high |= byte
                at += 1
            }
            return (at, .end, high < 0x80)
        }
    }

    /// The text of `range` (no escapes in it) as a string; non-ASCII text must be UTF-8.
    private func text(_ range: Range<Int>, ascii: Bool) throws -> String {
        if !ascii { try checkUTF8(range) }
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// Throws unless the string text at `range` is UTF-8.
    private func checkUTF8(_ range: Range<Int>) throws {
        guard bytes.withUnsafeBufferPointer({ Self.isUTF8(UnsafeBufferPointer(rebasing: $0[range])) }) else {
            throw Malformed(offset: range.lowerBound, reason: "a string is not valid UTF-8")
        }
    }

    /// Whether `bytes` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF,
    /// no sequence cut short. Checked without building a string.
    static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var at = 0
        let count = bytes.count
        while at < count {
            let lead = bytes[at]
            if lead < 0x80 {
                at += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            guard at + length <= count, (low...high).contains(bytes[at + 1]) else { return false }
            for next in (at + 2)..<(at + length) where bytes[next] & 0xC0 != 0x80 { return false }
            at += length
        }
        return true
    }

    /// A string as it lies in the text: its bytes between the quotes when it has no escapes (checked as UTF-8),
    /// else its unescaped text.
    enum StringToken {
        case text(Range<Int>)
        case unescaped(String)
    }

    /// A member name: names without escapes (all of ours) are compared as they lie in the text.
    private mutating func readName() throws -> Name {
        let start = index + 1
        let (end, stop, ascii) = scanString(from: start)
        if stop == .quote, ascii {
            index = end + 1
            return bytes.withUnsafeBufferPointer { Name(UnsafeBufferPointer(rebasing: $0[start..<end])) }
        }
        return Name(try readString())
    }

    /// Reads a string without building it when it has no escapes (member names, most values).
    mutating func readStringToken() throws -> StringToken {
        skipWhitespace()
        let quote = index
        try expect(UInt8(ascii: "\""), "expected a string")
        let (end, stop, ascii) = scanString(from: index)
        guard stop == .quote else {
            index = quote
            return .unescaped(try readString())
        }
        if !ascii { try checkUTF8((quote + 1)..<end) }
        index = end + 1
        return .text((quote + 1)..<end)
    }

    /// Reads a number that must be a whole number fitting `Int` (`1.0` and `1e2` count; nil when it is not).
    public mutating func readInt() throws -> Int? {
        let text = try readNumberText()
        if let value = Int(text) { return value }
        guard let value = Double(text), value.rounded() == value, let whole = Int(exactly: value) else { return nil }
        return whole
    }

    /// Reads `true` or `false`.
    public mutating func readBool() throws -> Bool {
        skipWhitespace()
        if matches("true") { return true }
        if matches("false") { return false }
        throw malformed("expected true or false")
    }

    /// Reads `null`.
    public mutating func readNull() throws {
        skipWhitespace()
        guard matches("null") else { throw malformed("expected null") }
    }

    // MARK: Helpers

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        guard index < bytes.count, Self.isWhitespace(bytes[index]) else { return }
        index = bytes.withUnsafeBufferPointer { buffer in
            var at = index + 1
            while at < buffer.count, Self.isWhitespace(buffer[at]) { at += 1 }
            return at
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
    }

    private mutating func enter() throws {
        depth += 1
        guard depth <= Self.maxDepth else { throw malformed("nested more than \(Self.maxDepth) levels") }
    }

    private mutating func expect(_ byte: UInt8, _ reason: String) throws {
        guard peek == byte else { throw malformed(reason) }
        index += 1
    }

    private mutating func matches(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matched = word.withUTF8Buffer { literal in
            (0..<count).allSatisfy { bytes[index + $0] == literal[$0] }
        }
        if matched { index += count }
        return matched
    }

    private func isDigit(_ byte: UInt8?) -> Bool {
        byte.map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? false
    }

    private mutating func skipDigits() {
        while isDigit(peek) { index += 1 }
    }

    private mutating func readHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw malformed("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw malformed("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func decodeUTF8(_ slice: ArraySlice<UInt8>, at offset: Int) throws -> String {
        try slice.withUnsafeBufferPointer { text in
            guard Self.isUTF8(text) else { throw Malformed(offset: offset, reason: "a string is not valid UTF-8") }
            return String(decoding: text, as: UTF8.self)
        }
    }

    private func malformed(_ reason: String) -> Malformed {
        Malformed(offset: index, reason: reason)
    }
}

extension JSONReader {
    /// A member name as read, matched against the names a caller expects (`name == "status"`, or a string
    /// `case` in a `switch`) without building a string: a name of up to 16 bytes, as all of a report's are, is
    /// kept as two machine words. The names to match must be at most 16 bytes long.
    public struct Name: CustomStringConvertible, Sendable {
        private var first: UInt64 = 0
        private var second: UInt64 = 0
        /// The name's length in bytes; a name longer than 16 bytes keeps only its length.
        private var count: Int

        /// The name `text` (unescaped).
        init(_ text: String) {
            var text = text
            self = text.withUTF8 { Name($0) }
        }

        @inline(__always)
        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            count = bytes.count
            guard count <= 16 else { return }
            for (position, byte) in bytes.enumerated() {
                if position < 8 {
                    first |= UInt64(byte) << (8 * UInt64(position))
                } else {
                    second |= UInt64(byte) << (8 * UInt64(position - 8))
                }
            }
        }

        /// Whether the name is `literal`.
        @inline(__always)
        public static func == (name: Name, literal: StaticString) -> Bool {
            precondition(
                literal.hasPointerRepresentation && literal.utf8CodeUnitCount <= 16,
                "JSONReader.Name matches names of at most 16 bytes")
            guard name.count == literal.utf8CodeUnitCount else { return false }
            let expected = Name(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
            return name.first == expected.first && name.second == expected.second
        }

        /// Lets a `switch` over a name have string literals as its cases.
        @inline(__always)
        public static func ~= (literal: StaticString, name: Name) -> Bool {
            name == literal
        }

        public var description: String {
            guard count <= 16 else { return "a name of \(count) bytes" }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(count)
            for position in 0..<count {
                let word = position < 8 ? first : second
                bytes.append(UInt8(truncatingIfNeeded: word >> (8 * UInt64(position % 8))))
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
