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
    public mutating func readDocument(_ member: (String, inout JSONReader) throws -> Bool) throws {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }  // a UTF-8 byte order mark
        try readObject(member)
        skipWhitespace()
        guard index == bytes.count else { throw malformed("unexpected text after the document") }
    }

    /// Reads an object, calling `member` with each key (see `readDocument`).
    public mutating func readObject(_ member: (String, inout JSONReader) throws -> Bool) throws {
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
            let key = try readKey()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "expected ':' after a member name")
            if try !member(key, &self) { try skipValue() }
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
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = try decodeUTF8(bytes[start..<index], at: start)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw malformed("control character in a string") }
            index += 1
        }
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
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                if !ascii { _ = try decodeUTF8(bytes[start..<index], at: start) }
                index += 1
                return
            case UInt8(ascii: "\\"):
                // Escapes are rare in skipped text: read the whole string the slow way from its start.
                index = start - 1
                _ = try readString()
                return
            case 0..<0x20:
                throw malformed("control character in a string")
            case 0x80...:
                ascii = false
                index += 1
            default:
                index += 1
            }
        }
        throw malformed("unterminated string")
    }

    /// A member name: names without escapes (all of ours) are short and become small strings without copying.
    private mutating func readKey() throws -> String {
        let start = index + 1
        var end = start
        while end < bytes.count, bytes[end] >= 0x20, bytes[end] < 0x80, bytes[end] != UInt8(ascii: "\""),
            bytes[end] != UInt8(ascii: "\\")
        {
            end += 1
        }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            index = end + 1
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
        return try readString()
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
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
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
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw Malformed(offset: offset, reason: "a string is not valid UTF-8")
        }
        return text
    }

    private func malformed(_ reason: String) -> Malformed {
        Malformed(offset: index, reason: reason)
    }
}
