import HomeReadyTransport

/// Why a TURN link stopped working.
enum TURNLinkFailure: Error, Sendable, Equatable {
    /// ICMP port unreachable (UDP), or the server closed or reset the connection.
    case refused(String)
    /// The stream carried something that is not TURN.
    case garbage
    /// Another local failure, with the system's words.
    case failed(String)
}

/// How TURN messages travel between this computer and one relay: a connected UDP socket, or a TCP or TLS stream.
/// Blocking calls: used from one `BlockingThread` at a time.
protocol TURNLink: AnyObject, Sendable {
    /// Whether messages can be lost (UDP): requests are then retransmitted.
    var isDatagram: Bool { get }
    /// Sends one STUN message or ChannelData.
    func send(_ bytes: [UInt8]) throws(TURNLinkFailure)
    /// The next message within `timeout` seconds, nil when none came.
    func receive(timeout: Double) throws(TURNLinkFailure) -> TURNFrame?
    func close()
}

/// TURN over UDP: one message per datagram.
final class UDPTURNLink: TURNLink {
    let socket: UDPSocket
    var isDatagram: Bool { true }

    init(socket: UDPSocket) { self.socket = socket }

    func send(_ bytes: [UInt8]) throws(TURNLinkFailure) {
        switch socket.send(bytes) {
        case nil: return
        case .refused?: throw .refused("the relay's UDP port answered port unreachable")
        case .failed(let words)?: throw .failed(words)
        case let other?: throw .failed("\(other)")
        }
    }

    func receive(timeout: Double) throws(TURNLinkFailure) -> TURNFrame? {
        let stopwatch = ContinuousClock.now
        while true {
            let remaining = timeout - TURNTime.seconds(ContinuousClock.now - stopwatch)
            if remaining <= 0 { return nil }
            switch socket.receive(timeout: remaining) {
            case .received(let bytes):
                // Anything that is not TURN (a stray datagram) is skipped.
                if let frame = TURNFrame.datagram(bytes) { return frame }
            case .timedOut: return nil
            case .refused: throw .refused("the relay's UDP port answered port unreachable")
            case .failed(let words): throw .failed(words)
            case let other: throw .failed("\(other)")
            }
        }
    }

    func close() { socket.close() }
}

/// TURN over a TCP or TLS stream: messages framed by their own headers.
final class StreamTURNLink: TURNLink, @unchecked Sendable {
    // The framer is only touched from the one thread using the link.
    private let stream: any ByteStream
    private var framer = TURNStreamFramer()
    private let writeTimeout: Double
    var isDatagram: Bool { false }

    init(stream: any ByteStream, writeTimeout: Double) {
        self.stream = stream
        self.writeTimeout = writeTimeout
    }

    func send(_ bytes: [UInt8]) throws(TURNLinkFailure) {
        do { try stream.writeAll(bytes, timeout: writeTimeout) } catch { throw .refused(error.message) }
    }

    func receive(timeout: Double) throws(TURNLinkFailure) -> TURNFrame? {
        let start = ContinuousClock.now
        while true {
            do {
                if let frame = try framer.next() { return frame }
            } catch {
                throw .garbage
            }
            let remaining = timeout - TURNTime.seconds(ContinuousClock.now - start)
            if remaining <= 0 { return nil }
            let read: StreamRead
            do { read = try stream.read(maxBytes: 65_536, timeout: remaining) } catch { throw .failed(error.message) }
            switch read {
            case .bytes(let bytes): framer.append(bytes)
            case .timedOut: return nil
            case .closed: throw .refused("the relay closed the connection")
            }
        }
    }

    func close() { stream.close() }
}

/// Durations for the TURN check.
enum TURNTime {
    /// A duration in seconds.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
