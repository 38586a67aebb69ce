import Foundation
import HomeReadyModel
import HomeReadyTransport
import Logging

/// TURN allocations on the profile's relays (RFC 8656), one per relay and transport, each measured with a short
/// voice-like stream through the relay.
///
/// For each relay the check makes two allocations over the same transport, as the two ends of a relayed call
/// would: each lets the other's relayed address in (CreatePermission), the first binds a channel to the second,
/// then 50 packets of 160 bytes, one every 20 ms (G.711 at 20 ms), go out through the first allocation (ChannelData)
/// and come back through the second (Data indications). Every packet thus crosses this computer's link to the relay
/// twice, like a relayed call's audio: the median of those trips is the relay RTT, the packets that never came back
/// the loss. It needs nothing but the relay's own port, so it works when UDP is blocked and only TCP or TLS reach
/// the relay, which is the case the TCP relay exists for. Both allocations are released (Refresh, lifetime 0).
enum TURNCheck {
    /// Packets in the stream through the relay.
    static let probeCount = 50
    /// Seconds between packets.
    static let probeInterval = 0.02
    /// Bytes of each packet's payload (G.711 at 20 ms).
    static let payloadBytes = 160

    static func run(
        _ relays: [TURNEndpoint], options: VoicePathCheckOptions, progress: @escaping ProgressHandler, logger: Logger
    ) async -> [TURNResult]? {
        guard !relays.isEmpty else { return nil }
        guard let credentials = options.turnCredentials else {
            logger.debug("turn.no_credentials", metadata: ["turn.relays": "\(relays.count)"])
            return relays.map { TURNResult(host: $0.host, port: $0.port, transport: $0.transport, state: .noCredentials) }
        }
        var results: [TURNResult] = []
        for relay in relays {
            progress(
                CheckProgress(
                    phase: "voice_path.turn",
                    message: "Relaying a test stream through TURN \(relay.host):\(relay.port) over \(relay.transport.rawValue)"))
            let result = await check(relay, credentials: credentials, options: options)
            logger.debug(
                "turn.checked",
                metadata: [
                    "turn.relay": "\(relay.host):\(relay.port)", "turn.transport": "\(relay.transport.rawValue)",
                    "turn.state": "\(result.state.rawValue)", "turn.rtt_ms": "\(result.relayRTTMs.map { "\($0)" } ?? "-")",
                    "turn.loss_percent": "\(result.lossPercent.map { "\($0)" } ?? "-")",
                ])
            results.append(result)
        }
        return results
    }

    /// Checks one relay over its transport; never throws: every failure is a state.
    static func check(_ relay: TURNEndpoint, credentials: TURNCredentials, options: VoicePathCheckOptions) async
        -> TURNResult
    {
        var result = TURNResult(host: relay.host, port: relay.port, transport: relay.transport, state: .noAnswer)
        let resolution = await HostResolver.resolve(relay.host, timeout: options.timeoutSeconds)
        guard let address = resolution.addresses.first, let endpoint = IPEndpoint(address: address, port: relay.port)
        else {
            result.state = .dnsFailure
            result.error = resolution.failure
            return result
        }
        // Two links: the call's two ends.
        let links: [any TURNLink]
        switch await openLinks(to: endpoint, relay: relay, options: options) {
        case .success(let opened): links = opened
        case .failure(let failure):
            result.state = failure.state
            result.error = failure.detail
            return result
        }
        let initial = result
        return await BlockingThread.run {
            measure(caller: links[0], callee: links[1], credentials: credentials, options: options, into: initial)
        }
    }

    /// Why links could not be opened.
    struct LinkFailure: Error {
        var state: TURNResult.State
        var detail: String
    }

    /// Opens two links to the relay: UDP sockets, TCP connections, or TLS sessions over TCP.
    static func openLinks(to endpoint: IPEndpoint, relay: TURNEndpoint, options: VoicePathCheckOptions) async
        -> Result<[any TURNLink], LinkFailure>
    {
        let timeout = options.timeoutSeconds
        if relay.transport == .udp {
            do {
                return .success([
                    UDPTURNLink(socket: try UDPSocket(remote: endpoint, interface: options.interface)),
                    UDPTURNLink(socket: try UDPSocket(remote: endpoint, interface: options.interface)),
                ])
            } catch {
                return .failure(LinkFailure(state: .noAnswer, detail: "\(error)"))
            }
        }
        async let first = TCPConnection.connect(to: endpoint, timeout: timeout, interface: options.interface)
        async let second = TCPConnection.connect(to: endpoint, timeout: timeout, interface: options.interface)
        let connections = await [first, second]
        guard connections.allSatisfy({ $0.outcome == .connected }) else {
            connections.forEach { $0.connection?.close() }
            let outcome = connections.first { $0.outcome != .connected }?.outcome
            let words: String
            switch outcome {
            case .refused?: words = "connection refused"
            case .timedOut?: words = "no answer to the connection within \(TURNClientSession.format(timeout)) s"
            case .unreachable?: words = "no route to the relay"
            case .failed(let text)?: words = text
            default: words = "not connected"
            }
            return .failure(LinkFailure(state: .noAnswer, detail: words))
        }
        let opened = connections.compactMap(\.connection)
        guard relay.transport == .tls else {
            return .success(opened.map { StreamTURNLink(stream: $0, writeTimeout: timeout) })
        }
        let tlsOptions = TLSStreamOptions(serverName: relay.host, insecure: options.insecureTLS, timeout: timeout)
        let sessions = await BlockingThread.run { () -> Result<[TLSStream], SocketError> in
            var streams: [TLSStream] = []
            for connection in opened {
                do throws(SocketError) {
                    streams.append(try TLSStream.connect(over: connection, options: tlsOptions))
                } catch {
                    streams.forEach { $0.close() }
                    opened.forEach { $0.close() }
                    return .failure(error)
                }
            }
            return .success(streams)
        }
        switch sessions {
        case .success(let streams):
            return .success(streams.map { StreamTURNLink(stream: $0, writeTimeout: timeout) })
        case .failure(let error):
            return .failure(LinkFailure(state: error.isHandshakeFailure ? .tlsFailure : .noAnswer, detail: error.message))
        }
    }

    /// Allocates on both links, relays the stream from `caller` to `callee`, releases both. Blocking.
    static func measure(
        caller callerLink: any TURNLink, callee calleeLink: any TURNLink, credentials: TURNCredentials,
        options: VoicePathCheckOptions, into initial: TURNResult
    ) -> TURNResult {
        var result = initial
        let timeout = options.timeoutSeconds
        let caller = TURNClientSession(
            link: callerLink, username: credentials.username, password: credentials.password, timeout: timeout)
        let callee = TURNClientSession(
            link: calleeLink, username: credentials.username, password: credentials.password, timeout: timeout)
        defer {
            caller.release()
            callee.release()
            callerLink.close()
            calleeLink.close()
        }
        do throws(TURNFailure) {
            try caller.allocate()
            result.relayedAddress = caller.relayedAddress?.description
            try callee.allocate()
            guard let callerRelay = caller.relayedAddress, let calleeRelay = callee.relayedAddress else {
                throw .refused("no relayed address")
            }
            result.state = .allocated
            try caller.createPermission(for: calleeRelay)
            try callee.createPermission(for: callerRelay)
            // ChannelData when the relay binds the channel, else Send indications.
            let channel: UInt16? = (try? caller.bindChannel(TURNMessage.firstChannel, to: calleeRelay)) != nil
                ? TURNMessage.firstChannel : nil
            let stream = try relayStream(
                from: caller, to: callee, peer: calleeRelay, channel: channel,
                drainSeconds: min(timeout, 1.0))
            result.probesSent = stream.sent
            result.lossPercent = stream.sent == 0 ? nil : round1(Double(stream.sent - stream.rtts.count) / Double(stream.sent) * 100)
            result.relayRTTMs = median(stream.rtts).map(round1)
        } catch {
            if result.state == .allocated {
                // The relay granted the allocation but would not relay: a refusal to carry media.
                result.state = error.state == .authFailed ? .authFailed : .refused
            } else {
                result.state = error.state
            }
            result.error = error.detail
        }
        return result
    }

    /// What came back of the stream.
    struct StreamOutcome: Sendable, Equatable {
        var sent: Int
        /// Milliseconds from sending each packet that came back to its return, in arrival order.
        var rtts: [Double]
    }

    /// Sends `probeCount` packets every `probeInterval` from `caller` to `peer` and collects them at `callee`,
    /// waiting `drainSeconds` after the last for late ones.
    static func relayStream(
        from caller: TURNClientSession, to callee: TURNClientSession, peer: IPEndpoint, channel: UInt16?,
        drainSeconds: Double
    ) throws(TURNFailure) -> StreamOutcome {
        let marker: [UInt8] = Array("HRTN".utf8)
        let start = ContinuousClock.now
        var sentAt: [ContinuousClock.Instant?] = Array(repeating: nil, count: probeCount)
        var returned = Set<Int>()
        var rtts: [Double] = []

        func collect(until deadline: ContinuousClock.Instant) throws(TURNFailure) {
            while returned.count < probeCount {
                let remaining = TURNTime.seconds(deadline - ContinuousClock.now)
                if remaining <= 0 { return }
                guard let payload = try callee.receiveRelayed(timeout: remaining) else { return }
                let arrived = ContinuousClock.now
                guard payload.count >= 8, Array(payload[0..<4]) == marker else { continue }
                let sequence = Int(payload[4]) << 24 | Int(payload[5]) << 16 | Int(payload[6]) << 8 | Int(payload[7])
                guard sequence < probeCount, let sent = sentAt[sequence], returned.insert(sequence).inserted else {
                    continue
                }
                rtts.append(TURNTime.seconds(arrived - sent) * 1000)
            }
        }

        for sequence in 0..<probeCount {
            try collect(until: start + .milliseconds(Int(Double(sequence) * probeInterval * 1000)))
            var payload = marker + [
                UInt8((sequence >> 24) & 0xFF), UInt8((sequence >> 16) & 0xFF), UInt8((sequence >> 8) & 0xFF),
                UInt8(sequence & 0xFF),
            ]
            payload += [UInt8](repeating: 0, count: payloadBytes - payload.count)
            sentAt[sequence] = ContinuousClock.now
            try caller.send(payload, to: peer, channel: channel)
        }
        try collect(until: ContinuousClock.now + .milliseconds(Int(drainSeconds * 1000)))
        return StreamOutcome(sent: probeCount, rtts: rtts)
    }

    /// The median, nil for no values.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    static func round1(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}
