import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Known impairments for one direction of an `ImpairmentRelay`, applied deterministically so tests can compare
/// measured figures with the injected truth.
public struct Impairment: Sendable, Equatable {
    /// Added to every datagram, in ms.
    public var delayMs: Double
    /// Every second datagram gets this much extra delay (0, J, 0, J, ...): RFC 3550 jitter then tends to J and
    /// every |IPDV| equals J.
    public var alternatingJitterMs: Double
    /// Drops datagram n (counting from 1) when n is a multiple of this; 0 drops none.
    public var dropEvery: Int
    /// Sends datagram n twice when n is a multiple of this; 0 duplicates none.
    public var duplicateEvery: Int

    public init(delayMs: Double = 0, alternatingJitterMs: Double = 0, dropEvery: Int = 0, duplicateEvery: Int = 0) {
        self.delayMs = delayMs
        self.alternatingJitterMs = alternatingJitterMs
        self.dropEvery = dropEvery
        self.duplicateEvery = duplicateEvery
    }
}

/// A user-space UDP relay between a client and an upstream echo peer that adds known delay, jitter, loss and
/// duplication per direction (the kernel here has no netem). Clients send to `host:port`.
public final class ImpairmentRelay: @unchecked Sendable {
    public let host: String
    public let port: Int
    private let front: Int32
    private let back: Int32
    private let loop = StoppableLoop()

    /// Starts a relay on `host` forwarding to `upstreamHost:upstreamPort`.
    public init(host: String = "127.0.0.1", upstreamHost: String, upstreamPort: Int, up: Impairment, down: Impairment) throws {
        (front, port) = try UDPTestSocket.bind(host: host)
        (back, _) = try UDPTestSocket.bind(host: host)
        self.host = host
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(upstreamHost, String(upstreamPort), &hints, &list) == 0, let list else {
            throw TestSupportError("bad upstream \(upstreamHost):\(upstreamPort)")
        }
        let connected = connect(back, list.pointee.ai_addr, list.pointee.ai_addrlen)
        freeaddrinfo(list)
        guard connected == 0 else { throw TestSupportError("relay connect failed: errno \(errno)") }
        loop.start { [front, back] loop in
            Self.run(loop: loop, front: front, back: back, up: up, down: down)
        }
    }

    private struct Pending {
        var due: Double
        var bytes: [UInt8]
        var toClient: Bool
    }

    private static func run(loop: StoppableLoop, front: Int32, back: Int32, up: Impairment, down: Impairment) {
        let origin = DispatchTime.now().uptimeNanoseconds
        func nowMs() -> Double { Double(DispatchTime.now().uptimeNanoseconds - origin) / 1e6 }
        var client = sockaddr_storage()
        var clientLength = socklen_t(0)
        var pending: [Pending] = []
        var counts = (up: 0, down: 0)
        var buffer = [UInt8](repeating: 0, count: 65_536)

        func schedule(_ bytes: [UInt8], toClient: Bool) {
            let impairment = toClient ? down : up
            let n: Int
            if toClient { counts.down += 1; n = counts.down } else { counts.up += 1; n = counts.up }
            if impairment.dropEvery > 0 && n % impairment.dropEvery == 0 { return }
            let extra = n % 2 == 0 ? impairment.alternatingJitterMs : 0
            let due = nowMs() + impairment.delayMs + extra
            pending.append(Pending(due: due, bytes: bytes, toClient: toClient))
            if impairment.duplicateEvery > 0 && n % impairment.duplicateEvery == 0 {
                pending.append(Pending(due: due + 0.1, bytes: bytes, toClient: toClient))
            }
        }

        while !loop.isStopped {
            let now = nowMs()
            // Send everything due, in due order.
            pending.sort { $0.due < $1.due }
            while let first = pending.first, first.due <= now {
                pending.removeFirst()
                if first.toClient {
                    _ = withUnsafePointer(to: &client) { pointer in
                        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(front, first.bytes, first.bytes.count, 0, $0, clientLength)
                        }
                    }
                } else {
                    _ = send(back, first.bytes, first.bytes.count, Int32(MSG_DONTWAIT))
                }
            }
            let wait = pending.first.map { max(0, min(20, $0.due - nowMs())) } ?? 20
            var fds = [pollfd(fd: front, events: Int16(POLLIN), revents: 0), pollfd(fd: back, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, Int32(wait.rounded(.up))) > 0 else { continue }
            if fds[0].revents & Int16(POLLIN) != 0 {
                var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = withUnsafeMutablePointer(to: &client) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(front, &buffer, buffer.count, Int32(MSG_DONTWAIT), $0, &length)
                    }
                }
                if count > 0 {
                    clientLength = length
                    schedule(Array(buffer[0..<count]), toClient: false)
                }
            }
            if fds[1].revents & Int16(POLLIN) != 0 {
                let count = recv(back, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if count > 0 && clientLength > 0 { schedule(Array(buffer[0..<count]), toClient: true) }
            }
        }
    }

    /// Stops the relay and closes its sockets.
    public func stop() {
        if loop.stop() {
            close(front)
            close(back)
        }
    }

    deinit { stop() }
}
