import NIOCore

/// The echo logic, apart from sockets: returns what to send back for one datagram.
///
/// Any datagram comes back byte for byte (RFC 862). A HomeReady probe (`HRE1` magic, at least 36 bytes) also gets
/// the responder's receive count for its session and a receive timestamp written into bytes 24..<36, as irtt
/// does, unless `extensions` is off. A status query (flags bit 0) reports the count without adding to it.
struct EchoResponder {
    static let magic: [UInt8] = Array("HRE1".utf8)
    static let headerSize = 36
    /// Sessions remembered at once; the oldest are forgotten first.
    static let maxSessions = 10_000

    var extensions: Bool
    private var counts: [UInt32: UInt32] = [:]
    private var order: [UInt32] = []

    init(extensions: Bool) { self.extensions = extensions }

    /// Rewrites `datagram` in place into its answer.
    mutating func answer(_ datagram: inout ByteBuffer, nowNanos: UInt64) {
        guard extensions, datagram.readableBytes >= Self.headerSize,
            datagram.getBytes(at: datagram.readerIndex, length: 4) == Self.magic,
            let flags = datagram.getInteger(at: datagram.readerIndex + 4, as: UInt8.self),
            let session = datagram.getInteger(at: datagram.readerIndex + 8, as: UInt32.self)
        else { return }
        var count = counts[session] ?? 0
        if flags & 1 == 0 {
            count &+= 1
            if counts[session] == nil {
                order.append(session)
                if order.count > Self.maxSessions { counts[order.removeFirst()] = nil }
            }
            counts[session] = count
        }
        datagram.setInteger(count, at: datagram.readerIndex + 24)
        datagram.setInteger(nowNanos, at: datagram.readerIndex + 28)
    }
}
