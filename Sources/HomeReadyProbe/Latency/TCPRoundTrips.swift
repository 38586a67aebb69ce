import Foundation
import HomeReadyTransport

/// Round-trip times from TCP handshakes: each sample is a fresh connection's connect − DNS time, which takes
/// exactly one round trip. Works with any HTTP(S) server, through firewalls that block UDP.
struct TCPRoundTrips: Sendable {
    var request: HTTPRequest
    var count = 10
    var spacingSeconds = 0.1

    func runBlocking(cancellation: TransferCancellation?) -> (rtts: [Double], failures: Int) {
        var rtts: [Double] = []
        var failures = 0
        var probe = request
        probe.method = .head
        probe.freshConnection = true
        for _ in 0..<count {
            if cancellation?.isCancelled == true { break }
            if let response = try? HTTPClient.performBlocking(probe, cancellation: cancellation),
                response.timing.connectMs > 0
            {
                // Through a proxy the handshake goes to the proxy; that is what the link sees too.
                rtts.append(response.timing.tcpHandshakeMs)
            } else {
                failures += 1
            }
            Thread.sleep(forTimeInterval: spacingSeconds)
        }
        return (rtts, failures)
    }
}
