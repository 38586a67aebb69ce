import HomeReadyTransport

/// How one SIP transaction (a request and its answers) ended.
enum SIPExchangeOutcome: Sendable {
    /// A final response came back: the message, its bytes, and the time to the first answer (provisional or
    /// final) in milliseconds.
    case answered(response: SIPMessage, bytes: [UInt8], rttMs: Double)
    /// No final answer within the time limit.
    case noAnswer
    /// ICMP port unreachable (UDP) or a reset (TCP): nothing listens there.
    case refused
    /// The exchange broke for another reason, with the system's words.
    case failed(String)
}

/// One client transaction at a time over UDP or a stream (TCP, TLS). Blocking: call from `BlockingThread.run`.
enum SIPWire {
    /// RFC 3261's T1: the first UDP retransmission interval, doubled after each (timer A).
    static let t1Seconds = 0.5

    /// Sends `request` over a connected UDP socket, resending on timer A until an answer, and waits for a final
    /// response matching the request's branch and method (stray or unparsable datagrams are skipped).
    static func udp(_ socket: UDPSocket, request: SIPMessage, timeout: Double) -> SIPExchangeOutcome {
        let bytes = request.serialized()
        let branch = request.topVia?.parameter("branch") ?? ""
        let method = request.method ?? ""
        let start = ContinuousClock.now
        var interval = t1Seconds
        var nextResend = t1Seconds
        var firstAnswerMs: Double?
        if let failure = socket.send(bytes) { return outcome(failure) }
        while true {
            let elapsed = seconds(since: start)
            if elapsed >= timeout { return .noAnswer }
            let until = firstAnswerMs == nil ? min(timeout, nextResend) : timeout
            switch socket.receive(timeout: max(0.001, until - elapsed)) {
            case .received(let data):
                guard let response = try? SIPMessage.parse(data),
                    SIPProbeRequest.matches(response, branch: branch, method: method)
                else { continue }
                let rtt = firstAnswerMs ?? seconds(since: start) * 1000
                firstAnswerMs = rtt
                if let code = response.statusCode, code >= 200 {
                    return .answered(response: response, bytes: data, rttMs: rtt)
                }
            case .timedOut:
                if firstAnswerMs == nil, seconds(since: start) >= nextResend {
                    if let failure = socket.send(bytes) { return outcome(failure) }
                    interval = min(interval * 2, 4)
                    nextResend += interval
                }
            case let other:
                return outcome(other)
            }
        }
    }

    /// Sends `request` over a stream and waits for a final response matching its branch and method, framing
    /// by Content-Length.
    static func stream(_ stream: any ByteStream, request: SIPMessage, timeout: Double, startedAt start: ContinuousClock.Instant = .now)
        -> SIPExchangeOutcome
    {
        let branch = request.topVia?.parameter("branch") ?? ""
        let method = request.method ?? ""
        do {
            try stream.writeAll(request.serialized(), timeout: timeout)
        } catch {
            return .failed(error.message)
        }
        var framer = SIPStreamFramer()
        var firstAnswerMs: Double?
        while true {
            let remaining = timeout - seconds(since: start)
            if remaining <= 0 { return .noAnswer }
            let read: StreamRead
            do { read = try stream.read(maxBytes: 65_536, timeout: remaining) } catch { return .failed(error.message) }
            switch read {
            case .bytes(let bytes):
                framer.append(bytes)
                do {
                    while let message = try framer.next() {
                        guard let response = try? SIPMessage.parse(message),
                            SIPProbeRequest.matches(response, branch: branch, method: method)
                        else { continue }
                        let rtt = firstAnswerMs ?? seconds(since: start) * 1000
                        firstAnswerMs = rtt
                        if let code = response.statusCode, code >= 200 {
                            return .answered(response: response, bytes: message, rttMs: rtt)
                        }
                    }
                } catch {
                    return .failed("the answer is not SIP: \(error.message)")
                }
            case .timedOut:
                return .noAnswer
            case .closed:
                return firstAnswerMs == nil ? .noAnswer : .failed("the peer closed the connection before a final answer")
            }
        }
    }

    static func outcome(_ datagram: DatagramOutcome) -> SIPExchangeOutcome {
        switch datagram {
        case .timedOut: return .noAnswer
        case .refused: return .refused
        case .received: return .failed("unexpected datagram")
        case .tooBig: return .failed("the request is larger than the path allows")
        case .unreachable: return .failed("no route to the server")
        case .failed(let words): return .failed(words)
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        (seconds(since: start) * 1000 * 100).rounded() / 100
    }
}
