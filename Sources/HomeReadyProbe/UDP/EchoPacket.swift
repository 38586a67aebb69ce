/// HomeReady's echo probe datagram. An RFC 862 peer returns it unchanged; HomeReady's responder fills the server
/// fields (as irtt does) so loss and delay variation split into upstream and downstream.
///
/// Layout, big-endian: `HRE1` magic (4) · flags (1: bit 0 = status query) · reserved (3) · session (4) ·
/// sequence (4) · client send time ns (8) · server receive count (4) · server receive time ns (8) · padding.
struct EchoPacket: Equatable {
    static let magic: [UInt8] = Array("HRE1".utf8)
    static let headerSize = 36
    static let statusSequence = UInt32.max

    var flags: UInt8 = 0
    var session: UInt32
    var sequence: UInt32
    var clientSendNanos: UInt64
    var serverCount: UInt32 = 0
    var serverNanos: UInt64 = 0

    var isStatusQuery: Bool { flags & 1 != 0 }

    func encode(size: Int) -> [UInt8] {
        var bytes = Self.magic + [flags, 0, 0, 0]
        bytes += Self.bigEndian(session) + Self.bigEndian(sequence) + Self.bigEndian(clientSendNanos)
        bytes += Self.bigEndian(serverCount) + Self.bigEndian(serverNanos)
        if bytes.count < size { bytes += [UInt8](repeating: 0, count: size - bytes.count) }
        return bytes
    }

    init(flags: UInt8 = 0, session: UInt32, sequence: UInt32, clientSendNanos: UInt64) {
        self.flags = flags
        self.session = session
        self.sequence = sequence
        self.clientSendNanos = clientSendNanos
    }

    init?(_ bytes: ArraySlice<UInt8>) {
        guard bytes.count >= Self.headerSize, Array(bytes.prefix(4)) == Self.magic else { return nil }
        let base = bytes.startIndex
        func read<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
            var value: T = 0
            for index in 0..<MemoryLayout<T>.size { value = value << 8 | T(bytes[base + offset + index]) }
            return value
        }
        flags = bytes[base + 4]
        session = read(8, UInt32.self)
        sequence = read(12, UInt32.self)
        clientSendNanos = read(16, UInt64.self)
        serverCount = read(24, UInt32.self)
        serverNanos = read(28, UInt64.self)
    }

    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<MemoryLayout<T>.size).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}
