import Foundation
import HomeReadyScoring
import HomeReadyTransport

/// One answered echo probe.
struct EchoArrival: Sendable, Equatable {
    var sequence: Int
    var sentMs: Double
    var receivedMs: Double
    /// The responder's receive time in ms on its own clock (HomeReady responder only).
    var serverMs: Double?
    var rttMs: Double { receivedMs - sentMs }
}

/// What an isochronous echo stream saw.
struct EchoStreamResult: Sendable {
    var sent: Int
    /// Answers in arrival order (duplicates included).
    var arrivals: [EchoArrival]
    /// Stream packets the responder says it received (HomeReady responder only).
    var serverReceived: Int?
    var remoteAddress: String

    var analysis: SequenceAnalysis { SequenceAnalysis(sent: sent, arrivals: arrivals.map(\.sequence)) }

    /// RTTs of first answers, in arrival order.
    var uniqueRTTs: [Double] {
        var seen = Set<Int>()
        return arrivals.filter { seen.insert($0.sequence).inserted }.map(\.rttMs)
    }

    var lostUp: Int? { serverReceived.map { max(0, sent - $0) } }
    var lostDown: Int? { lostUp.map { max(0, analysis.lost - $0) } }

    /// RFC 3550 jitter of the upstream leg (client send → responder receive), when the responder stamps.
    var jitterUpMs: Double? {
        let pairs = firstArrivals.compactMap { a in a.serverMs.map { (sent: a.sentMs, received: $0) } }
        return pairs.count == firstArrivals.count ? LatencyStatistics.rfc3550Jitter(pairs) : nil
    }

    /// RFC 3550 jitter of the downstream leg (responder receive → client receive).
    var jitterDownMs: Double? {
        let pairs = firstArrivals.compactMap { a in a.serverMs.map { (sent: $0, received: a.receivedMs) } }
        return pairs.count == firstArrivals.count ? LatencyStatistics.rfc3550Jitter(pairs) : nil
    }

    private var firstArrivals: [EchoArrival] {
        var seen = Set<Int>()
        return arrivals.filter { seen.insert($0.sequence).inserted }
    }
}

/// An isochronous UDP echo stream: `packetsPerSecond` datagrams of `payloadBytes`, like a voice call.
struct EchoStream: Sendable {
    var host: String
    var port: Int
    var interface: String?
    var packetsPerSecond = 50.0
    /// 172 bytes: a G.711 20 ms frame (160) plus its RTP header (12).
    var payloadBytes = 172
    var durationSeconds = 5.0
    /// How long to wait for late answers after the last probe.
    var drainSeconds = 1.0
    /// The stream may go on past `durationSeconds`, up to this long, while `extendWhile` says the figures so far
    /// cannot decide yet. Nil: stop at `durationSeconds`.
    var maximumSeconds: Double?
    /// Asked once a second after `durationSeconds` with (probes sent at least a second ago, how many of them are
    /// still unanswered): true keeps the stream going.
    var extendWhile: (@Sendable (_ matured: Int, _ lost: Int) -> Bool)?

    /// Runs the stream on the calling thread; stops early when `cancellation` fires.
    func runBlocking(cancellation: TransferCancellation?) throws -> EchoStreamResult {
        let resolution = HostResolver.resolveBlocking(host)
        guard let address = resolution.addresses.first, let remote = IPEndpoint(address: address, port: port) else {
            throw ProbeError.resolve(host: host, detail: resolution.failure ?? "no address")
        }
        let socket = try UDPSocket(remote: remote, interface: interface)
        defer { socket.close() }
        let session = UInt32.random(in: 1...UInt32.max)
        let interval = 1.0 / packetsPerSecond
        let planned = Int((durationSeconds * packetsPerSecond).rounded())
        let total = Int((max(durationSeconds, maximumSeconds ?? 0) * packetsPerSecond).rounded())
        let perSecond = max(1, Int(packetsPerSecond.rounded()))
        let origin = DispatchTime.now().uptimeNanoseconds
        func nowMs() -> Double { Double(DispatchTime.now().uptimeNanoseconds - origin) / 1e6 }
        var arrivals: [EchoArrival] = []
        var sentTimes: [Double] = []
        var serverOrigin: UInt64?
        var serverReceived: Int?

        func absorb(_ datagram: [UInt8], at receivedMs: Double) {
            guard let packet = EchoPacket(datagram[...]), packet.session == session else { return }
            if packet.isStatusQuery {
                if packet.serverCount > 0 || packet.serverNanos > 0 { serverReceived = Int(packet.serverCount) }
                return
            }
            let sequence = Int(packet.sequence)
            guard sequence < sentTimes.count else { return }
            var serverMs: Double?
            if packet.serverNanos > 0 {
                // Offset the responder's clock so its first stamp sits at the first send: only differences matter.
                if serverOrigin == nil { serverOrigin = packet.serverNanos - UInt64(sentTimes[sequence] * 1e6) }
                serverMs = Double(Int64(bitPattern: packet.serverNanos &- serverOrigin!)) / 1e6
            }
            arrivals.append(EchoArrival(sequence: sequence, sentMs: sentTimes[sequence], receivedMs: receivedMs, serverMs: serverMs))
        }

        func pump(until deadlineMs: Double) {
            while true {
                let remaining = deadlineMs - nowMs()
                if remaining <= 0 { return }
                if case .received(let datagram) = socket.receive(timeout: remaining / 1000, maxBytes: 2048) {
                    absorb(datagram, at: nowMs())
                }
            }
        }

        /// Probes sent at least a second ago, and how many of those have no answer yet.
        func matured() -> (sent: Int, lost: Int) {
            let horizon = nowMs() - 1000
            let count = sentTimes.firstIndex { $0 > horizon } ?? sentTimes.count
            var answered = Set<Int>()
            for arrival in arrivals where arrival.sequence < count { answered.insert(arrival.sequence) }
            return (count, count - answered.count)
        }

        for sequence in 0..<total {
            if cancellation?.isCancelled == true { break }
            if sequence >= planned {
                guard let extendWhile else { break }
                if sequence == planned || sequence % perSecond == 0 {
                    let (count, lost) = matured()
                    if !extendWhile(count, lost) { break }
                }
            }
            let scheduled = Double(sequence) * interval * 1000
            pump(until: scheduled)
            let sendMs = nowMs()
            sentTimes.append(sendMs)
            let packet = EchoPacket(session: session, sequence: UInt32(sequence), clientSendNanos: UInt64(sendMs * 1e6))
            _ = socket.send(packet.encode(size: payloadBytes))
        }
        pump(until: nowMs() + drainSeconds * 1000)
        // Ask a HomeReady responder how many stream packets reached it (an RFC 862 peer echoes the query as is).
        for attempt in 0..<3 where serverReceived == nil && !arrivals.isEmpty {
            let query = EchoPacket(flags: 1, session: session, sequence: EchoPacket.statusSequence, clientSendNanos: UInt64(attempt))
            _ = socket.send(query.encode(size: EchoPacket.headerSize))
            pump(until: nowMs() + 150)
        }
        return EchoStreamResult(sent: sentTimes.count, arrivals: arrivals, serverReceived: serverReceived, remoteAddress: remote.address)
    }
}
