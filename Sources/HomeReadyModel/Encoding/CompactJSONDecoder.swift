import Foundation

/// Reads a `Decodable` value from JSON text, as `JSONDecoder` does with a custom date strategy, at a fraction of
/// the cost: the text is read once into a flat `JSONTape` (checked by `JSONReader`, strictly RFC 8259), and
/// values are built only as `init(from:)` asks for them, names matched against the text in place.
///
/// Foundation's decoder builds a dictionary for every object and looks generic metadata up for every member; on
/// the server that was a tenth of a signed report's time. This one gives the same values and the same
/// `DecodingError`s (kind, type and coding path; the descriptions are close, not identical):
/// - a member written twice counts once, the first;
/// - a whole-number type reads `1.0` and `1e2`, not `1.5` or a number past its range (and where `JSONDecoder`'s
///   error for such a number has an empty coding path, this one names the member);
/// - text that is not JSON is refused, also where `JSONDecoder` lets it through in a member it does not read (a
///   number with a leading zero, a control character in a string, a comma before `]`);
/// - `null` is `nil` in `decodeIfPresent` and a `valueNotFound` elsewhere;
/// - `Date` goes through `decodeDate`, `Data` is Base64, `URL` its string.
public struct CompactJSONDecoder: Sendable {
    /// What `init(from:)` finds in `decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]
    /// Reads a `Date` (as `JSONDecoder.DateDecodingStrategy.custom` does).
    public var decodeDate: @Sendable (any Decoder) throws -> Date

    public init(
        userInfo: [CodingUserInfoKey: any Sendable] = [:],
        decodeDate: @escaping @Sendable (any Decoder) throws -> Date
    ) {
        self.userInfo = userInfo
        self.decodeDate = decodeDate
    }

    /// The value the JSON text `bytes` holds. Text that is not JSON is a `dataCorrupted` error at the top level
    /// whose underlying error (`JSONReader.Malformed`) says where.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let tape: JSONTape
        do { tape = try JSONTape(bytes) } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: [], debugDescription: "The given data was not valid JSON.", underlyingError: error))
        }
        let options = TapeOptions(userInfo: userInfo, decodeDate: decodeDate)
        return try TapeDecoder(tape: tape, options: options, position: 0, path: .root).value(T.self, at: 0, path: .root)
    }
}

/// What every decoder of one `decode` call shares.
private final class TapeOptions: Sendable {
    let userInfo: [CodingUserInfoKey: any Sendable]
    let decodeDate: @Sendable (any Decoder) throws -> Date

    init(userInfo: [CodingUserInfoKey: any Sendable], decodeDate: @escaping @Sendable (any Decoder) throws -> Date) {
        self.userInfo = userInfo
        self.decodeDate = decodeDate
    }
}

/// A coding path built only when asked for (an error, or `codingPath` read by custom code).
private indirect enum TapePath {
    case root
    case key(any CodingKey, TapePath)

    var keys: [any CodingKey] {
        var keys: [any CodingKey] = []
        var node = self
        while case .key(let key, let parent) = node {
            keys.append(key)
            node = parent
        }
        return keys.reversed()
    }

    func appending(_ key: any CodingKey) -> TapePath { .key(key, self) }
}

/// An array element's place in a coding path, named as `JSONDecoder` names it.
private struct TapeIndex: CodingKey {
    var intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }

    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

/// The key `superDecoder()` reads.
private struct TapeSuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }

    init() {}
    init?(intValue: Int) { nil }
    init?(stringValue: String) { nil }
}

/// A class, so a container holds one reference to it rather than copying its parts.
private final class TapeDecoder: Decoder {
    let tape: JSONTape
    let options: TapeOptions
    /// The value this decoder reads.
    let position: Int
    let path: TapePath

    init(tape: JSONTape, options: TapeOptions, position: Int, path: TapePath) {
        self.tape = tape
        self.options = options
        self.position = position
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { options.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try expect(.object, [String: Any].self, at: position, path: path, container: "keyed decoding container")
        return KeyedDecodingContainer(TapeKeyedContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try expect(.array, [Any].self, at: position, path: path, container: "unkeyed decoding container")
        return TapeUnkeyedContainer(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        TapeSingleValueContainer(decoder: self)
    }

    // MARK: Values

    func decoder(at position: Int, path: TapePath) -> TapeDecoder {
        TapeDecoder(tape: tape, options: options, position: position, path: path)
    }

    /// The value at `position`: scalars read here, anything else through its `init(from:)`.
    func value<T: Decodable>(_ type: T.Type, at position: Int, path: @autoclosure () -> TapePath) throws -> T {
        // Comparing metatypes costs far less than a dynamic cast per value.
        if T.self == String.self { return unsafeBitCast(try string(at: position, path: path()), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try double(at: position, path: path()), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try integer(Int.self, at: position, path: path()), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(at: position, path: path()), to: T.self) }
        let path = path()
        if T.self == Date.self || T.self == Data.self || T.self == URL.self, isNull(at: position) {
            throw DecodingError.valueNotFound(
                T.self, DecodingError.Context(codingPath: path.keys, debugDescription: "Cannot get value of type \(T.self) -- found null value instead"))
        }
        if T.self == Date.self {
            return unsafeBitCast(try options.decodeDate(decoder(at: position, path: path)), to: T.self)
        }
        if T.self == UUID.self {
            // `UUID`'s own `init(from:)` parses with the C library's `sscanf`.
            let text = try string(at: position, path: path)
            guard let uuid = UUID(hyphenated: text) else {
                throw corrupted(path, "Attempted to decode UUID from invalid UUID string.")
            }
            return unsafeBitCast(uuid, to: T.self)
        }
        if T.self == Data.self {
            let text = try string(at: position, path: path)
            guard let data = Data(base64Encoded: text) else {
                throw corrupted(path, "Encountered Data is not valid Base64.")
            }
            return unsafeBitCast(data, to: T.self)
        }
        if T.self == URL.self {
            let text = try string(at: position, path: path)
            guard let url = URL(string: text) else { throw corrupted(path, "Invalid URL string.") }
            return unsafeBitCast(url, to: T.self)
        }
        return try T(from: decoder(at: position, path: path))
    }

    func isNull(at position: Int) -> Bool { tape.values[position].kind == .null }

    func string(at position: Int, path: @autoclosure () -> TapePath) throws -> String {
        try expect(.string, String.self, at: position, path: path())
        return tape.string(at: position)
    }

    func bool(at position: Int, path: @autoclosure () -> TapePath) throws -> Bool {
        switch tape.values[position].kind {
        case .true: return true
        case .false: return false
        default: throw mismatch(Bool.self, at: position, path: path())
        }
    }

    func double(at position: Int, path: @autoclosure () -> TapePath) throws -> Double {
        try expect(.number, Double.self, at: position, path: path())
        let text = tape.numberText(at: position)
        guard let value = Double(text), value.isFinite else {
            throw corrupted(path(), "Number \(text) is not representable in Swift.")
        }
        return value
    }

    func float(at position: Int, path: @autoclosure () -> TapePath) throws -> Float {
        let value = try double(at: position, path: path())
        let narrowed = Float(value)
        guard narrowed.isFinite else {
            throw corrupted(path(), "Number \(tape.numberText(at: position)) does not fit in Float.")
        }
        return narrowed
    }

    /// A whole number of type `T`: its digits, or a number with a fraction or exponent that is exactly whole.
    func integer<T: FixedWidthInteger>(_ type: T.Type, at position: Int, path: @autoclosure () -> TapePath) throws -> T {
        try expect(.number, T.self, at: position, path: path())
        let text = tape.numberText(at: position)
        if let value = T(text, radix: 10) { return value }
        if let value = Double(text), value.isFinite, value.rounded() == value, let whole = T(exactly: value) {
            return whole
        }
        throw corrupted(path(), "Number \(text) does not fit in \(T.self).")
    }

    // MARK: Errors

    func expect(
        _ kind: JSONTape.Kind, _ type: Any.Type, at position: Int, path: @autoclosure () -> TapePath,
        container: String? = nil
    ) throws {
        guard tape.values[position].kind != kind else { return }
        if isNull(at: position) {
            throw DecodingError.valueNotFound(
                type,
                DecodingError.Context(
                    codingPath: path().keys,
                    debugDescription: "Cannot get \(container ?? "value of type \(type)") -- found null value instead"))
        }
        throw mismatch(type, at: position, path: path())
    }

    func mismatch(_ type: Any.Type, at position: Int, path: TapePath) -> DecodingError {
        DecodingError.typeMismatch(
            type,
            DecodingError.Context(
                codingPath: path.keys,
                debugDescription: "Expected to decode \(type) but found \(tape.values[position].kind.named) instead."))
    }

    func corrupted(_ path: TapePath, _ description: String) -> DecodingError {
        DecodingError.dataCorrupted(DecodingError.Context(codingPath: path.keys, debugDescription: description))
    }
}

private struct TapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TapeDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    /// The object's member names, each once, in the order written.
    var allKeys: [Key] {
        var seen = Set<String>()
        var keys: [Key] = []
        var name = decoder.position + 1
        for _ in 0..<decoder.tape.values[decoder.position].count {
            let text = decoder.tape.string(at: name)
            if seen.insert(text).inserted, let key = Key(stringValue: text) { keys.append(key) }
            name = decoder.tape.values[name + 1].next
        }
        return keys
    }

    /// Where the value of `key` is (the first member of that name).
    func position(of key: Key) -> Int? { position(named: key.stringValue) }

    func position(named wanted: String) -> Int? {
        let tape = decoder.tape
        var name = decoder.position + 1
        for _ in 0..<tape.values[decoder.position].count {
            if tape.string(at: name, is: wanted) { return name + 1 }
            name = tape.values[name + 1].next
        }
        return nil
    }

    func required(_ key: Key) throws -> Int {
        guard let position = position(of: key) else {
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(
                    codingPath: decoder.path.keys, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return position
    }

    func contains(_ key: Key) -> Bool { position(of: key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { decoder.isNull(at: try required(key)) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.value(T.self, at: try required(key), path: decoder.path.appending(key))
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try decoder.string(at: try required(key), path: decoder.path.appending(key))
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try decoder.bool(at: try required(key), path: decoder.path.appending(key))
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try decoder.double(at: try required(key), path: decoder.path.appending(key))
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try decoder.float(at: try required(key), path: decoder.path.appending(key))
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }

    private func integer<T: FixedWidthInteger>(_ key: Key) throws -> T {
        try decoder.integer(T.self, at: try required(key), path: decoder.path.appending(key))
    }

    // One look-up for a member that may be absent or null (the protocol's default looks it up three times).
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let position = position(of: key), !decoder.isNull(at: position) else { return nil }
        return try decoder.value(T.self, at: position, path: decoder.path.appending(key))
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let position = position(of: key), !decoder.isNull(at: position) else { return nil }
        return try decoder.string(at: position, path: decoder.path.appending(key))
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let position = position(of: key), !decoder.isNull(at: position) else { return nil }
        return try decoder.bool(at: position, path: decoder.path.appending(key))
    }

    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let position = position(of: key), !decoder.isNull(at: position) else { return nil }
        return try decoder.double(at: position, path: decoder.path.appending(key))
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let position = position(of: key), !decoder.isNull(at: position) else { return nil }
        return try decoder.integer(Int.self, at: position, path: decoder.path.appending(key))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder.decoder(at: try required(key), path: decoder.path.appending(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.decoder(at: try required(key), path: decoder.path.appending(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let key = TapeSuperKey()
        guard let position = position(named: key.stringValue) else {
            throw DecodingError.keyNotFound(
                key, DecodingError.Context(codingPath: decoder.path.keys, debugDescription: "No value associated with key \"super\"."))
        }
        return decoder.decoder(at: position, path: decoder.path.appending(key))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.decoder(at: try required(key), path: decoder.path.appending(key))
    }
}

private struct TapeUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: TapeDecoder
    private(set) var currentIndex = 0
    /// Where the current element is.
    private var position: Int

    init(decoder: TapeDecoder) {
        self.decoder = decoder
        position = decoder.position + 1
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { decoder.tape.values[decoder.position].count }
    var isAtEnd: Bool { currentIndex >= decoder.tape.values[decoder.position].count }

    private var elementPath: TapePath { decoder.path.appending(TapeIndex(currentIndex)) }

    /// The current element's position; moves past it.
    private mutating func next(_ type: Any.Type) throws -> (position: Int, path: TapePath) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, DecodingError.Context(codingPath: elementPath.keys, debugDescription: "Unkeyed container is at end."))
        }
        let element = (position, elementPath)
        position = decoder.tape.values[position].next
        currentIndex += 1
        return element
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                Any?.self, DecodingError.Context(codingPath: elementPath.keys, debugDescription: "Unkeyed container is at end."))
        }
        guard decoder.isNull(at: position) else { return false }
        _ = try next(Any?.self)
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let element = try next(T.self)
        return try decoder.value(T.self, at: element.position, path: element.path)
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let element = try next(String.self)
        return try decoder.string(at: element.position, path: element.path)
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let element = try next(Bool.self)
        return try decoder.bool(at: element.position, path: element.path)
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let element = try next(Double.self)
        return try decoder.double(at: element.position, path: element.path)
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        let element = try next(Float.self)
        return try decoder.float(at: element.position, path: element.path)
    }

    mutating func decode(_ type: Int.Type) throws -> Int { try integer() }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer() }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer() }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer() }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer() }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer() }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer() }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer() }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer() }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer() }

    private mutating func integer<T: FixedWidthInteger>() throws -> T {
        let element = try next(T.self)
        return try decoder.integer(T.self, at: element.position, path: element.path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let element = try next(KeyedDecodingContainer<NestedKey>.self)
        return try decoder.decoder(at: element.position, path: element.path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let element = try next((any UnkeyedDecodingContainer).self)
        return try decoder.decoder(at: element.position, path: element.path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let element = try next((any Decoder).self)
        return decoder.decoder(at: element.position, path: element.path)
    }
}

private struct TapeSingleValueContainer: SingleValueDecodingContainer {
    let decoder: TapeDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.isNull(at: decoder.position) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decoder.value(T.self, at: decoder.position, path: decoder.path)
    }

    func decode(_ type: String.Type) throws -> String { try decoder.string(at: decoder.position, path: decoder.path) }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool(at: decoder.position, path: decoder.path) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.double(at: decoder.position, path: decoder.path) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.float(at: decoder.position, path: decoder.path) }
    func decode(_ type: Int.Type) throws -> Int { try integer() }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer() }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer() }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer() }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer() }
    func decode(_ type: UInt.Type) throws -> UInt { try integer() }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer() }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer() }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer() }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer() }

    private func integer<T: FixedWidthInteger>() throws -> T {
        try decoder.integer(T.self, at: decoder.position, path: decoder.path)
    }
}
