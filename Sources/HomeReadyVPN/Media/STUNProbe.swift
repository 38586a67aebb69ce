import Foundation
import HomeReadyModel
import HomeReadyTransport

/// A STUN result with the endpoint actually queried (the NAT binding estimate reuses it).
public struct STUNProbeOutcome: Sendable, Equatable {
    public var result: STUNResult
    public var endpoint: IPEndpoint?
}

/// STUN binding requests over UDP.
enum STUNProbe {
    /// Queries `server` (all tries within `timeout` seconds).
    static func check(_ server: STUNServer, options: VPNCheckOptions) async -> STUNProbeOutcome {
        var result = STUNResult(host: server.host, port: server.port, state: .error)
        let resolution = await options.environment.resolve(server.host, options.timeoutSeconds)
        guard let address = resolution.addresses.first, let endpoint = IPEndpoint(address: address, port: server.port)
        else {
            result.state = .dnsFailure
            return STUNProbeOutcome(result: result, endpoint: nil)
        }
        let interface = options.interface
        let timeout = options.timeoutSeconds
        let initial = result
        let measured = await BlockingThread.run {
            var result = initial
            do {
                let socket = try UDPSocket(remote: endpoint, interface: interface)
                defer { socket.close() }
                let start = ContinuousClock.now
                let (outcome, response) = query(socket, timeout: timeout)
                let elapsed = ContinuousClock.now - start
                result.localAddress = socket.localEndpoint?.address
                switch outcome {
                case .received:
                    result.state = .reachable
                    result.rttMs = rounded(
                        Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                    result.mappedAddress = response?.mappedAddress
                    result.mappedPort = response?.mappedPort
                    if let mapped = response?.mappedAddress, let local = socket.localEndpoint {
                        result.natDetected = mapped != local.address || response?.mappedPort != local.port
                    }
                case .timedOut: result.state = .filtered
                case .refused: result.state = .refused
                case .unreachable: result.state = .unreachable
                default: result.state = .error
                }
            } catch {
                result.state = .error
            }
            return result
        }
        return STUNProbeOutcome(result: measured, endpoint: endpoint)
    }

    /// One binding request/response on an open socket: three tries sharing `timeout`.
    static func query(_ socket: UDPSocket, timeout: Double) -> (DatagramOutcome, STUNMessage.Response?) {
        let transaction = [UInt8].random(count: 12)
        let request = STUNMessage.bindingRequest(transaction: transaction)
        let outcome = socket.exchange(request, timeout: timeout / 3, attempts: 3) {
            STUNMessage.parseResponse($0, transaction: transaction) != nil
        }
        if case .received(let data) = outcome {
            return (outcome, STUNMessage.parseResponse(data, transaction: transaction))
        }
        return (outcome, nil)
    }
}

/// One idle trial: whether the mapping was kept, and how long the binding really stayed idle (a loaded machine
/// can oversleep the nominal interval; the estimate uses the real idle time).
public struct NATTrialOutcome: Sendable, Equatable {
    /// True when the mapping was unchanged, false when it changed, nil when a query got no answer.
    public var kept: Bool?
    public var idleSeconds: Double

    /// Creates an outcome.
    public init(kept: Bool?, idleSeconds: Double) {
        self.kept = kept
        self.idleSeconds = idleSeconds
    }
}

/// Estimates the NAT binding lifetime from idle trials run in parallel.
public enum NATBindingEstimator {
    /// Runs `trial(interval)` for each interval at once (each on its own socket: query, stay idle, query again)
    /// and brackets the lifetime between the longest idle time that kept the mapping and the shortest that lost it.
    public static func estimate(
        intervals: [Double], trial: @escaping @Sendable (Double) async -> NATTrialOutcome
    ) async -> NATBindingEstimate {
        let outcomes = await withTaskGroup(of: NATTrialOutcome.self) { group in
            for interval in intervals { group.addTask { await trial(interval) } }
            var collected: [NATTrialOutcome] = []
            for await outcome in group { collected.append(outcome) }
            return collected
        }
        let survived = outcomes.filter { $0.kept == true }.map(\.idleSeconds).max().map(rounded)
        let expired = outcomes.filter { $0.kept == false }.map(\.idleSeconds).min().map(rounded)
        let inconclusive = outcomes.filter { $0.kept == nil }.map(\.idleSeconds).map(rounded).sorted()
        return NATBindingEstimate(survivedSeconds: survived, expiredWithinSeconds: expired, inconclusive: inconclusive)
    }

    /// A real trial against a STUN server: query, stay idle `interval` seconds, query again from the same socket.
    static func stunTrial(endpoint: IPEndpoint, interface: String?, timeout: Double)
        -> @Sendable (Double) async -> NATTrialOutcome
    {
        { interval in
            guard let socket = try? UDPSocket(remote: endpoint, interface: interface) else {
                return NATTrialOutcome(kept: nil, idleSeconds: interval)
            }
            defer { socket.close() }
            // The router refreshed the binding somewhere between sending the first request and reading its
            // answer, and saw the second request somewhere between sending and reading the second exchange: a kept
            // mapping proves the shortest idle span, a lost one bounds the longest.
            let firstSent = ContinuousClock.now
            let first = await BlockingThread.run { STUNProbe.query(socket, timeout: timeout).1 }
            let firstAnswered = ContinuousClock.now
            guard let first, first.mappedAddress != nil else {
                return NATTrialOutcome(kept: nil, idleSeconds: interval)
            }
            try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
            let secondSent = ContinuousClock.now
            let second = await BlockingThread.run { STUNProbe.query(socket, timeout: timeout).1 }
            let secondAnswered = ContinuousClock.now
            let shortest = seconds(secondSent - firstAnswered)
            guard let second, second.mappedAddress != nil else {
                return NATTrialOutcome(kept: nil, idleSeconds: shortest)
            }
            let kept = first.mappedAddress == second.mappedAddress && first.mappedPort == second.mappedPort
            let idleSeconds = kept ? shortest : seconds(secondAnswered - firstSent)
            return NATTrialOutcome(kept: kept, idleSeconds: idleSeconds)
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
