import Foundation

/// A JSON document read once (and checked, by `JSONReader`) into a flat list of its values in document order, for
/// `CompactJSONDecoder`: an object is followed by its members (each a name, then its value), an array by its
/// elements. Strings and numbers stay where they lie in the text until a decoder asks for them.
final class JSONTape: Sendable {
    enum Kind: UInt8 {
        case object, array, string, number, `true`, `false`, null

        /// The kind as `JSONDecoder`'s errors name it.
        var named: String {
            switch self {
            case .object: "a dictionary"
            case .array: "an array"
            case .string: "a string"
            case .number: "a number"
            case .true, .false: "bool"
            case .null: "null"
            }
        }
    }

    struct Value {
        var kind: Kind
        /// A string written with escapes (its text is in `unescaped`).
        var escaped = false
        /// A string's bytes between its quotes (escaped strings are in `unescaped`); a number's text.
        var text: Range<Int>
        /// An object's members or an array's elements.
        var count: Int
        /// Where the value after this one (and everything in it) starts.
        var next: Int
    }

    let bytes: [UInt8]
    let values: [Value]
    /// Strings written with escapes, unescaped, by position.
    let unescaped: [Int: String]

    /// Reads `bytes`; throws `JSONReader.Malformed` when they are not one JSON value (white space and a UTF-8 byte
    /// order mark aside).
    init(_ bytes: [UInt8]) throws {
        var values: [Value] = []
        values.reserveCapacity(64)
        var unescaped: [Int: String] = [:]
        var reader = JSONReader(bytes)
        try reader.readWhole { reader in try Self.append(&reader, to: &values, &unescaped) }
        self.bytes = bytes
        self.values = values
        self.unescaped = unescaped
    }

    private static func append(_ reader: inout JSONReader, to values: inout [Value], _ unescaped: inout [Int: String])
        throws
    {
        let at = values.count
        switch reader.nextKind() {
        case .object:
            values.append(Value(kind: .object, text: 0..<0, count: 0, next: 0))
            var count = 0
            try reader.readMembers { name, reader in
                append(name, to: &values, &unescaped)
                try append(&reader, to: &values, &unescaped)
                count += 1
                return true
            }
            values[at].count = count
        case .array:
            values.append(Value(kind: .array, text: 0..<0, count: 0, next: 0))
            var count = 0
            try reader.readArray { _, reader in
                try append(&reader, to: &values, &unescaped)
                count += 1
            }
            values[at].count = count
        case .string:
            append(try reader.readStringToken(), to: &values, &unescaped)
            return
        case .number:
            let start = reader.index
            _ = try reader.readNumberText()
            values.append(Value(kind: .number, text: start..<reader.index, count: 0, next: 0))
        case .bool:
            values.append(Value(kind: try reader.readBool() ? .true : .false, text: 0..<0, count: 0, next: 0))
        case .null:
            try reader.readNull()
            values.append(Value(kind: .null, text: 0..<0, count: 0, next: 0))
        case nil:
            try reader.skipValue()  // throws: no value starts here
        }
        values[at].next = values.count
    }

    private static func append(_ string: JSONReader.StringToken, to values: inout [Value], _ unescaped: inout [Int: String]) {
        switch string {
        case .text(let range):
            values.append(Value(kind: .string, text: range, count: 0, next: values.count + 1))
        case .unescaped(let text):
            unescaped[values.count] = text
            values.append(Value(kind: .string, escaped: true, text: 0..<0, count: 0, next: values.count + 1))
        }
    }

    /// The string at `position`.
    func string(at position: Int) -> String {
        if values[position].escaped { return unescaped[position] ?? "" }
        return bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[values[position].text]), as: UTF8.self)
        }
    }

    /// Whether the string at `position` is `name`.
    func string(at position: Int, is name: String) -> Bool {
        let value = values[position]
        if value.escaped { return unescaped[position] == name }
        let range = value.text
        guard name.utf8.count == range.count else { return false }
        guard !range.isEmpty else { return true }
        var name = name
        return name.withUTF8 { name in
            bytes.withUnsafeBufferPointer { bytes in
                memcmp(name.baseAddress!, bytes.baseAddress! + range.lowerBound, range.count) == 0
            }
        }
    }

    /// The text of the number at `position`.
    func numberText(at position: Int) -> Substring {
        Substring(decoding: bytes[values[position].text], as: UTF8.self)
    }
}
