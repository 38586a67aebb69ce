/// Big-endian byte building and reading for the probe messages.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xff)] }
    mutating func u32(_ value: UInt32) {
        bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }
    mutating func append(_ data: [UInt8]) { bytes += data }

    /// Overwrites a big-endian u16 at `offset` (lengths known only at the end).
    mutating func patch16(_ value: Int, at offset: Int) {
        bytes[offset] = UInt8((value >> 8) & 0xff)
        bytes[offset + 1] = UInt8(value & 0xff)
    }

    mutating func patch32(_ value: Int, at offset: Int) {
        for index in 0..<4 { bytes[offset + index] = UInt8((value >> (24 - 8 * index)) & 0xff) }
    }
}

extension Array where Element == UInt8 {
    func u16(at offset: Int) -> Int? {
        guard offset + 2 <= count else { return nil }
        return Int(self[offset]) << 8 | Int(self[offset + 1])
    }

    func u32(at offset: Int) -> UInt32? {
        guard offset + 4 <= count else { return nil }
        return (offset..<offset + 4).reduce(UInt32(0)) { $0 << 8 | UInt32(self[$1]) }
    }

    static func random(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
