import Foundation
import HomeReadyModel
import HomeReadyScoring
import HomeReadyTransport

/// Round trips to one address from TCP handshakes: a router or VPN gateway answers a SYN on an open port with
/// SYN-ACK and on a closed one with a reset, and either takes one round trip. Needs no server of ours, no ICMP and
/// no privileges.
struct HandshakePing: Sendable {
    var address: String
    /// Ports tried in order; the first that answers is kept.
    var ports: [Int]
    var interface: String?

    /// Times up to `count` handshakes (or resets), `spacing` seconds apart, until `stop` fires. Returns the round
    /// trips in milliseconds; empty when nothing answers on any of `ports`.
    func roundTrips(count: Int, spacing: Double, stop: TransferCancellation? = nil) async -> [Double] {
        var port: Int?
        var rtts: [Double] = []
        for index in 0..<count {
            if stop?.isCancelled == true { break }
            if index > 0 { try? await Task.sleep(nanoseconds: UInt64(spacing * 1e9)) }
            for candidate in port.map({ [$0] }) ?? ports {
                guard let endpoint = IPEndpoint(address: address, port: candidate) else { return [] }
                let result = await TCPConnection.connect(to: endpoint, timeout: 1, interface: interface)
                result.connection?.close()
                if result.outcome == .connected || result.outcome == .refused {
                    port = candidate
                    rtts.append(result.elapsedMs)
                    break
                }
            }
            if port == nil { return [] }
        }
        return rtts
    }

    /// Min, median and 90th percentile of `rtts`, rounded to 0.01 ms.
    static func summary(_ rtts: [Double]) -> LatencySummary? {
        LatencyStatistics.summary(rtts).map {
            LatencySummary(min: NetworkMeasurement.round($0.min), p50: NetworkMeasurement.round($0.p50), p90: NetworkMeasurement.round($0.p90))
        }
    }
}
