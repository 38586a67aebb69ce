import Foundation
import HomeReadyModel
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Known impairments for one direction of an `ImpairmentRelay`, so tests can compare measured figures with the
/// injected truth. The deterministic ones (alternating jitter, every n-th dropped) give exact expectations; the
/// random ones (uniform jitter, loss probability) behave like a real link and are drawn from a seeded generator.
public struct Impairment: Sendable, Equatable {
    /// Added to every datagram, in ms.
    public var delayMs: Double
    /// Every second datagram gets this much extra delay (0, J, 0, J, ...): RFC 3550 jitter then tends to J and
    /// every |IPDV| equals J.
    public var alternatingJitterMs: Double
    /// Each datagram gets an extra delay drawn uniformly from [0, W) ms: consecutive datagrams then differ by
    /// |D| with mean W/3, which RFC 3550 jitter and the mean |IPDV| tend to (no reordering while W is below
    /// the datagrams' spacing).
    public var uniformJitterMs: Double
    /// Drops datagram n (counting from 1) when n is a multiple of this; 0 drops none.
    public var dropEvery: Int
    /// Drops each datagram with this probability (0...1), independently.
    public var lossProbability: Double
    /// Sends datagram n twice when n is a multiple of this; 0 duplicates none.
    public var duplicateEvery: Int
    /// Seed of the random draws (uniform jitter, loss).
    public var seed: UInt64

    public init(
        delayMs: Double = 0, alternatingJitterMs: Double = 0, uniformJitterMs: Double = 0, dropEvery: Int = 0,
        lossProbability: Double = 0, duplicateEvery: Int = 0, seed: UInt64 = 0x5EED
    ) {
        self.delayMs = delayMs
        self.alternatingJitterMs = alternatingJitterMs
        self.uniformJitterMs = uniformJitterMs
        self.dropEvery = dropEvery
        self.lossProbability = lossProbability
        self.duplicateEvery = duplicateEvery
        self.seed = seed
    }
}

/// A user-space UDP relay in front of an upstream UDP peer that adds known delay, jitter, loss and duplication per
/// direction (the kernel here has no netem). Clients send to `host:port`; each client address gets its own
/// upstream socket, so the upstream sees one distinct peer per client (a TURN server keeps one allocation per
/// client 5-tuple). `up` applies to client → upstream, `down` to upstream → client.
public final class ImpairmentRelay: @unchecked Sendable {
    public let host: String
    public let port: Int
    private let front: Int32
    private let loop = StoppableLoop()
    private let counters = Counters()

    /// Datagrams seen and dropped per direction so far.
    public var counts: (up: Int, upDropped: Int, down: Int, downDropped: Int) { counters.snapshot }

    /// Starts a relay on `host` forwarding to `upstreamHost:upstreamPort`.
    public init(host: String = "127.0.0.1", upstreamHost: String, upstreamPort: Int, up: Impairment, down: Impairment) throws {
        (front, port) = try UDPTestSocket.bind(host: host)
        self.host = host
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(upstreamHost, String(upstreamPort), &hints, &list) == 0, let list else {
            close(front)
            throw TestSupportError("bad upstream \(upstreamHost):\(upstreamPort)")
        }
        var upstream = sockaddr_storage()
        let upstreamLength = list.pointee.ai_addrlen
        withUnsafeMutableBytes(of: &upstream) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: list.pointee.ai_addr, count: Int(upstreamLength)))
        }
        freeaddrinfo(list)
        let bindHost = host
        let target = upstream
        loop.start { [front, counters] loop in
            var relay = RelayLoop(
                front: front, bindHost: bindHost, upstream: target, upstreamLength: upstreamLength, up: up, down: down,
                counters: counters)
            relay.run(until: loop)
        }
    }

    /// Stops the relay and closes its sockets.
    public func stop() {
        if loop.stop() { close(front) }
    }

    deinit { stop() }
}

/// Per-direction datagram counts, shared between the relay's thread and readers.
private final class Counters: Sendable {
    private let values = Mutex((up: 0, upDropped: 0, down: 0, downDropped: 0))

    var snapshot: (up: Int, upDropped: Int, down: Int, downDropped: Int) { values.withLock { $0 } }

    func add(toClient: Bool, dropped: Bool) {
        values.withLock { values in
            if toClient {
                values.down += 1
                if dropped { values.downDropped += 1 }
            } else {
                values.up += 1
                if dropped { values.upDropped += 1 }
            }
        }
    }
}

/// The relay's thread: one front socket for every client, one upstream socket per client address.
private struct RelayLoop {
    struct Session {
        var client: sockaddr_storage
        var clientLength: socklen_t
        var back: Int32
    }

    struct Pending {
        var due: Double
        var bytes: [UInt8]
        var toClient: Bool
        var session: Int
    }

    let front: Int32
    let bindHost: String
    let upstream: sockaddr_storage
    let upstreamLength: socklen_t
    let up: Impairment
    let down: Impairment
    let counters: Counters
    var sessions: [Session] = []
    var pending: [Pending] = []
    var sequence = (up: 0, down: 0)
    var random = (up: SplitMix64(seed: 0), down: SplitMix64(seed: 0))
    let origin = DispatchTime.now().uptimeNanoseconds

    init(
        front: Int32, bindHost: String, upstream: sockaddr_storage, upstreamLength: socklen_t, up: Impairment,
        down: Impairment, counters: Counters
    ) {
        self.front = front
        self.bindHost = bindHost
        self.upstream = upstream
        self.upstreamLength = upstreamLength
        self.up = up
        self.down = down
        self.counters = counters
        random = (SplitMix64(seed: up.seed), SplitMix64(seed: down.seed ^ 0xD0D0))
    }

    func nowMs() -> Double { Double(DispatchTime.now().uptimeNanoseconds - origin) / 1e6 }

    mutating func schedule(_ bytes: [UInt8], toClient: Bool, session: Int) {
        let impairment = toClient ? down : up
        let n: Int
        let draw: (loss: Double, jitter: Double)
        if toClient {
            sequence.down += 1
            n = sequence.down
            draw = (Double.random(in: 0..<1, using: &random.down), Double.random(in: 0..<1, using: &random.down))
        } else {
            sequence.up += 1
            n = sequence.up
            draw = (Double.random(in: 0..<1, using: &random.up), Double.random(in: 0..<1, using: &random.up))
        }
        let dropped = (impairment.dropEvery > 0 && n % impairment.dropEvery == 0) || draw.loss < impairment.lossProbability
        counters.add(toClient: toClient, dropped: dropped)
        if dropped { return }
        let extra = (n % 2 == 0 ? impairment.alternatingJitterMs : 0) + draw.jitter * impairment.uniformJitterMs
        let due = nowMs() + impairment.delayMs + extra
        pending.append(Pending(due: due, bytes: bytes, toClient: toClient, session: session))
        if impairment.duplicateEvery > 0 && n % impairment.duplicateEvery == 0 {
            pending.append(Pending(due: due + 0.1, bytes: bytes, toClient: toClient, session: session))
        }
    }

    /// The session of a client address, opening its upstream socket on first sight.
    mutating func session(for client: sockaddr_storage, length: socklen_t) -> Int? {
        var client = client
        if let index = sessions.firstIndex(where: { session in
            var known = session.client
            return session.clientLength == length && memcmp(&known, &client, Int(length)) == 0
        }) {
            return index
        }
        guard let (back, _) = try? UDPTestSocket.bind(host: bindHost) else { return nil }
        var target = upstream
        let connected = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(back, $0, upstreamLength) }
        }
        guard connected == 0 else {
            close(back)
            return nil
        }
        sessions.append(Session(client: client, clientLength: length, back: back))
        return sessions.count - 1
    }

    mutating func flushDue() {
        let now = nowMs()
        pending.sort { $0.due < $1.due }
        while let first = pending.first, first.due <= now {
            pending.removeFirst()
            var session = sessions[first.session]
            if first.toClient {
                _ = withUnsafePointer(to: &session.client) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(front, first.bytes, first.bytes.count, 0, $0, session.clientLength)
                    }
                }
            } else {
                _ = send(session.back, first.bytes, first.bytes.count, Int32(MSG_DONTWAIT))
            }
        }
    }

    mutating func run(until loop: StoppableLoop) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        defer { for session in sessions { close(session.back) } }
        while !loop.isStopped {
            flushDue()
            let wait = pending.first.map { max(0, min(20, $0.due - nowMs())) } ?? 20
            var fds = [pollfd(fd: front, events: Int16(POLLIN), revents: 0)]
            fds += sessions.map { pollfd(fd: $0.back, events: Int16(POLLIN), revents: 0) }
            guard poll(&fds, nfds_t(fds.count), Int32(wait.rounded(.up))) > 0 else { continue }
            if fds[0].revents & Int16(POLLIN) != 0 {
                var client = sockaddr_storage()
                var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = withUnsafeMutablePointer(to: &client) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(front, &buffer, buffer.count, Int32(MSG_DONTWAIT), $0, &length)
                    }
                }
                if count > 0, let index = session(for: client, length: length) {
                    schedule(Array(buffer[0..<count]), toClient: false, session: index)
                }
            }
            for (offset, fd) in fds.dropFirst().enumerated() where fd.revents & Int16(POLLIN) != 0 {
                let count = recv(fd.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if count > 0 { schedule(Array(buffer[0..<count]), toClient: true, session: offset) }
            }
        }
    }
}
