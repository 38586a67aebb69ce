import HomeReadyModel
import HomeReadyScoring
import HomeReadyTransport

/// Path MTU with don't-fragment probes against a UDP echo responder (which returns each datagram as it came).
public enum PathMTUProbe {
    /// Voice packet inside the tunnel (`VPNPathResult.voicePacketBytes`).
    public static let voicePacketBytes = VPNPathResult.voicePacketBytes

    /// Outer header bytes a VPN adds per packet (`TunnelOverhead`, the table voice capacity uses too).
    public static func overheadBytes(_ transport: VPNTransport, ipv6: Bool = false) -> Int {
        TunnelOverhead.bytes(transport, ipv6: ipv6)
    }

    /// Binary search for the largest size in `low...high` for which `fits` is true. `fits(high)` is tried first
    /// (the common case: nothing smaller on the path); nil when even `low` does not fit.
    public static func search(low: Int, high: Int, fits: (Int) -> Bool) -> Int? {
        if fits(high) { return high }
        guard low < high, fits(low) else { return nil }
        var good = low
        var bad = high
        while bad - good > 1 {
            let middle = (good + bad) / 2
            if fits(middle) { good = middle } else { bad = middle }
        }
        return good
    }

    /// Measures the path MTU (bytes, IP header included) toward `echo`. A first small probe measures the round
    /// trip; each later size gets two tries of six round trips (between 0.3 and 1.5 s). Returns nil when the
    /// responder never answers.
    static func measure(echo: IPEndpoint, interface: String?) async -> (mtu: Int?, localMTU: Int?) {
        await BlockingThread.run {
            guard let socket = try? UDPSocket(remote: echo, interface: interface, dontFragment: true) else {
                return (nil, nil)
            }
            defer { socket.close() }
            let header = echo.isIPv6 ? 48 : 28
            let localMTU = socket.kernelPathMTU ?? 1500
            var counter: UInt32 = 0
            var probeTimeout = 1.0
            let fits: (Int) -> Bool = { size in
                counter += 1
                var token = ByteWriter()
                token.append([0x48, 0x52, 0x4d, 0x54])  // "HRMT"
                token.u32(counter)
                let payload = token.bytes + [UInt8](repeating: 0x5a, count: max(0, size - header - 8))
                let outcome = socket.exchange(payload, timeout: probeTimeout, attempts: 2) { reply in
                    reply.count >= 8 && Array(reply.prefix(8)) == token.bytes
                }
                if case .received = outcome { return true }
                return false
            }
            let low = echo.isIPv6 ? 1280 : 576
            let start = ContinuousClock.now
            guard fits(low) else { return (nil, localMTU) }
            let rtt = ContinuousClock.now - start
            let rttSeconds = Double(rtt.components.seconds) + Double(rtt.components.attoseconds) / 1e18
            probeTimeout = min(1.5, max(0.3, 6 * rttSeconds))
            return (search(low: low, high: localMTU, fits: fits), localMTU)
        }
    }
}
