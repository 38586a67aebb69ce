import Foundation

/// Writes an `Encodable` value straight to compact JSON text, keys in the order the value encodes them.
///
/// Foundation's `JSONEncoder` first builds a tree of boxed values (a dictionary per object) and then writes it;
/// for a report that is about 100 µs, most of a demo fleet's build. This encoder writes each value as it comes,
/// so a report costs a few microseconds. The text decodes to the same value as `JSONEncoder`'s with the same date
/// format; it is not byte-for-byte the same: keys are not sorted (a signed body keeps `ReportCoding.encoder()`).
///
/// Like `JSONEncoder`: `Date` goes through `formatDate`, `Data` is Base64, `URL` its absolute string, a value
/// that encodes nothing is `{}`, a non-finite number or a value that opens two kinds of container is an
/// `EncodingError`. A container's coding path is not tracked (it is empty in custom `encode(to:)` code).
public struct CompactJSONEncoder: Sendable {
    /// Text for a `Date` (the report contract's `ReportCoding.formatISO8601` by default).
    public var formatDate: @Sendable (Date) -> String

    public init(formatDate: @escaping @Sendable (Date) -> String = ReportCoding.formatISO8601) {
        self.formatDate = formatDate
    }

    /// The JSON text of `value`, as UTF-8 bytes.
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let sink = JSONSink(formatDate: formatDate)
        try sink.write(value)
        return sink.bytes
    }

    /// The JSON text of `value`.
    public func encodeToString<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}

/// The text being written and, for each value being encoded, the container it opened.
private final class JSONSink {
    enum Opened {
        case nothing, object, array, single

        var named: String {
            switch self {
            case .nothing: "nothing"
            case .object: "an object"
            case .array: "an array"
            case .single: "a single value"
            }
        }
    }

    struct Frame {
        var opened = Opened.nothing
        var members = 0
    }

    // One sink serves one `encode` call on one thread: the run-time exclusivity checks of a class's properties
    // (a third of the time, measured) have nothing to catch.
    @exclusivity(unchecked) var bytes: [UInt8] = []
    @exclusivity(unchecked) var frames: [Frame] = []
    /// The first misuse seen by a container method that cannot throw (opening a second kind of container).
    @exclusivity(unchecked) var misuse: EncodingError? {
        didSet { misused = misuse != nil }
    }
    /// Whether `misuse` is set, read for every member (cheaper than copying the optional error).
    @exclusivity(unchecked) private(set) var misused = false
    let formatDate: (Date) -> String

    init(formatDate: @escaping (Date) -> String) {
        self.formatDate = formatDate
        bytes.reserveCapacity(4096)
        frames.reserveCapacity(16)
    }

    /// Writes one value: scalars the encoder knows directly, anything else through its `encode(to:)`.
    func write<T: Encodable>(_ value: T) throws {
        // Comparing metatypes costs far less than a dynamic cast (`as?`) per value.
        if T.self == String.self {
            writeString(unsafeBitCast(value, to: String.self))
        } else if T.self == Double.self {
            try writeNumber(unsafeBitCast(value, to: Double.self))
        } else if T.self == Int.self {
            writeInteger(unsafeBitCast(value, to: Int.self))
        } else if T.self == Bool.self {
            writeLiteral(unsafeBitCast(value, to: Bool.self) ? "true" : "false")
        } else if T.self == Date.self {
            writeString(formatDate(unsafeBitCast(value, to: Date.self)))
        } else if T.self == Data.self {
            writeString(unsafeBitCast(value, to: Data.self).base64EncodedString())
        } else if T.self == URL.self {
            writeString(unsafeBitCast(value, to: URL.self).absoluteString)
        } else {
            frames.append(Frame())
            let level = frames.count - 1
            try value.encode(to: FrameEncoder(sink: self, level: level))
            let frame = frames.removeLast()
            if misused, let misuse { throw misuse }
            switch frame.opened {
            case .nothing: writeLiteral("{}")
            case .object: bytes.append(UInt8(ascii: "}"))
            case .array: bytes.append(UInt8(ascii: "]"))
            case .single:
                guard frame.members == 1 else {
                    throw EncodingError.invalidValue(
                        value, .init(codingPath: [], debugDescription: "\(T.self) opened a single-value container and encoded nothing into it"))
                }
            }
        }
    }

    /// Opens (or goes on with) the container of the value at `level`; records a misuse when the value already
    /// opened another kind.
    func open(_ kind: Opened, at level: Int) {
        let opened = frames[level].opened
        if opened == kind { return }
        guard opened == .nothing else {
            if misuse == nil {
                misuse = EncodingError.invalidValue(
                    kind, .init(codingPath: [], debugDescription: "a value's encode(to:) opened \(kind.named) after \(opened.named); a JSON value is one of them"))
            }
            return
        }
        frames[level].opened = kind
        switch kind {
        case .object: bytes.append(UInt8(ascii: "{"))
        case .array: bytes.append(UInt8(ascii: "["))
        case .nothing, .single: break
        }
    }

    /// Starts the next member of the container at `level` (a comma after the first).
    func nextMember(at level: Int) throws {
        if misused, let misuse { throw misuse }
        if frames[level].opened == .single, frames[level].members > 0 {
            throw EncodingError.invalidValue(
                0, .init(codingPath: [], debugDescription: "a single-value container was encoded into twice"))
        }
        if frames[level].members > 0, frames[level].opened != .single { bytes.append(UInt8(ascii: ",")) }
        frames[level].members += 1
    }

    func writeKey(_ key: String) {
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
    }

    func writeLiteral(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    func writeInteger<I: BinaryInteger>(_ value: I) {
        guard let wide = Int64(exactly: value) else { return bytes.append(contentsOf: String(value).utf8) }
        if wide < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = wide.magnitude
        // Digits from the last, into a buffer long enough for 2^64.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// A finite number as Swift prints it, without a trailing `.0` (as `JSONEncoder` writes it).
    func writeNumber<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "\(value) is not a JSON number (JSON has no NaN or infinity)"))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    func writeString(_ text: String) {
        CompactJSONEncoder.appendQuoted(text, to: &bytes)
    }
}

extension CompactJSONEncoder {
    /// `text` as a JSON string literal (quotes, backslashes and control characters escaped).
    public static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        appendQuoted(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `text` as a JSON string literal to `bytes`, copying runs that need no escape whole.
    static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var start = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                start = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// The `Encoder` a value's `encode(to:)` sees: its containers write into the sink at the value's level.
private struct FrameEncoder: Encoder {
    let sink: JSONSink
    let level: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        sink.open(.object, at: level)
        return KeyedEncodingContainer(ObjectContainer<Key>(sink: sink, level: level))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        sink.open(.array, at: level)
        return ArrayContainer(sink: sink, level: level)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        sink.open(.single, at: level)
        return ScalarContainer(sink: sink, level: level)
    }
}

private struct ObjectContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let sink: JSONSink
    let level: Int
    var codingPath: [any CodingKey] { [] }

    private func member(_ key: Key) throws {
        try sink.nextMember(at: level)
        sink.writeKey(key.stringValue)
    }

    mutating func encodeNil(forKey key: Key) throws { try member(key); sink.writeLiteral("null") }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try member(key); sink.writeLiteral(value ? "true" : "false") }
    mutating func encode(_ value: String, forKey key: Key) throws { try member(key); sink.writeString(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try member(key); try sink.writeNumber(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try member(key); try sink.writeNumber(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try member(key); sink.writeInteger(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try member(key); sink.writeInteger(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try member(key); sink.writeInteger(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try member(key); sink.writeInteger(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try member(key); sink.writeInteger(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try member(key); sink.writeInteger(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try member(key); sink.writeInteger(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try member(key); sink.writeInteger(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try member(key); sink.writeInteger(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try member(key); sink.writeInteger(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try member(key); try sink.write(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        sink.misuse = sink.misuse ?? Self.unsupported("nestedContainer(keyedBy:forKey:)")
        return KeyedEncodingContainer(ObjectContainer<NestedKey>(sink: sink, level: level))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        sink.misuse = sink.misuse ?? Self.unsupported("nestedUnkeyedContainer(forKey:)")
        return ArrayContainer(sink: sink, level: level)
    }

    mutating func superEncoder() -> any Encoder {
        sink.misuse = sink.misuse ?? Self.unsupported("superEncoder()")
        return FrameEncoder(sink: sink, level: level)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        sink.misuse = sink.misuse ?? Self.unsupported("superEncoder(forKey:)")
        return FrameEncoder(sink: sink, level: level)
    }

    /// Nested containers stay open after the call that makes them, which a writer in one pass cannot follow.
    static func unsupported(_ call: String) -> EncodingError {
        EncodingError.invalidValue(
            call, .init(codingPath: [], debugDescription: "CompactJSONEncoder writes in one pass and does not support \(call); use JSONEncoder"))
    }
}

/// What an array and a single-value container do alike: each value is the next member of the container at `level`.
private protocol SequentialContainer {
    var sink: JSONSink { get }
    var level: Int { get }
}

extension SequentialContainer {
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { try sink.nextMember(at: level); sink.writeLiteral("null") }
    mutating func encode(_ value: Bool) throws { try sink.nextMember(at: level); sink.writeLiteral(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { try sink.nextMember(at: level); sink.writeString(value) }
    mutating func encode(_ value: Double) throws { try sink.nextMember(at: level); try sink.writeNumber(value) }
    mutating func encode(_ value: Float) throws { try sink.nextMember(at: level); try sink.writeNumber(value) }
    mutating func encode(_ value: Int) throws { try sink.nextMember(at: level); sink.writeInteger(value) }
    mutating func encode(_ value: Int8) throws { try sink.nextMember(at: level); sink.writeInteger(value) }
    mutating func encode(_ value: Int16) throws { try sink.nextMember(at: level); sink.writeInteger(value) }
    mutating func encode(_ value: Int32) throws { try sink.nextMember(at: level); sink.writeInteger(value) }
    mutating func encode(_ value: Int64) throws { try sink.nextMember(at: level); sink.writeInteger(value) }
    mutating func encode(_ value: UInt) throws { try sink.nextMember(at: level); sink.writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { try sink.nextMember(at: level); sink.writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { try sink.nextMember(at: level); sink.writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { try sink.nextMember(at: level); sink.writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { try sink.nextMember(at: level); sink.writeInteger(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try sink.nextMember(at: level); try sink.write(value) }
}

private struct ArrayContainer: UnkeyedEncodingContainer, SequentialContainer {
    let sink: JSONSink
    let level: Int
    var count: Int { sink.frames[level].members }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        sink.misuse = sink.misuse ?? ObjectContainer<NestedKey>.unsupported("nestedContainer(keyedBy:)")
        return KeyedEncodingContainer(ObjectContainer<NestedKey>(sink: sink, level: level))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        sink.misuse = sink.misuse ?? ObjectContainer<AnyKey>.unsupported("nestedUnkeyedContainer()")
        return self
    }

    mutating func superEncoder() -> any Encoder {
        sink.misuse = sink.misuse ?? ObjectContainer<AnyKey>.unsupported("superEncoder()")
        return FrameEncoder(sink: sink, level: level)
    }
}

private struct ScalarContainer: SingleValueEncodingContainer, SequentialContainer {
    let sink: JSONSink
    let level: Int
}

/// A coding key for error messages of containers that have no key type of their own.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}
