import Foundation
import HomeReadyTestSupport
import Testing

@testable import HomeReadyTransport

@Suite("Socket helpers on loopback")
struct SocketTests {
    @Test("address literals parse and print; names do not")
    func endpointLiterals() {
        #expect(IPEndpoint(address: "10.1.2.3", port: 443)?.description == "10.1.2.3:443")
        #expect(IPEndpoint(address: "::1", port: 500)?.description == "[::1]:500")
        #expect(IPEndpoint(address: "::1", port: 500)?.isIPv6 == true)
        #expect(IPEndpoint(address: "gw.example.com", port: 443) == nil)
        #expect(IPEndpoint.canonical("2001:0db8:0:0:0:0:0:1") == "2001:db8::1")
        #expect(IPEndpoint.canonical("10.1.2.3") == "10.1.2.3")
        #expect(IPEndpoint.canonical("name") == nil)
    }

    @Test("a closed loopback port is refused at once")
    func closedPortIsRefused() async throws {
        let port = try VPNPeers.freeLoopbackPort()
        let result = await TCPConnection.connect(to: IPEndpoint(address: "127.0.0.1", port: port)!, timeout: 2)
        #expect(result.outcome == .refused)
        #expect(result.connection == nil)
    }

    @Test("UDP to a closed loopback port reports ICMP port unreachable as refused")
    func udpClosedPortIsRefused() async throws {
        let port = try VPNPeers.freeLoopbackPort()
        let socket = try UDPSocket(remote: IPEndpoint(address: "127.0.0.1", port: port)!)
        defer { socket.close() }
        let outcome = await BlockingThread.run { socket.exchange([1, 2, 3], timeout: 1) }
        #expect(outcome == .refused)
    }

    @Test("a DF datagram larger than the interface MTU is reported as too big")
    func dontFragmentTooBig() async throws {
        let socket = try UDPSocket(remote: IPEndpoint(address: "127.0.0.1", port: 9)!, dontFragment: true)
        defer { socket.close() }
        let mtu = try #require(socket.kernelPathMTU)
        #expect(mtu >= 1280)
        let outcome = socket.send([UInt8](repeating: 0, count: mtu))  // + 28 header bytes: over the MTU
        #expect(outcome == .tooBig)
    }

    @Test("localhost resolves through the system resolver and literals resolve to themselves")
    func resolver() async {
        let literal = await HostResolver.resolve("10.9.8.7", timeout: 1)
        #expect(literal.addresses == ["10.9.8.7"])
        let local = await HostResolver.resolve("localhost", timeout: 3)
        #expect(local.failure == nil)
        #expect(local.addresses.contains("127.0.0.1") || local.addresses.contains("::1"))
    }

    @Test("probes bind to a named interface; an unknown interface is a local failure, not a network state")
    func interfaceBinding() async throws {
        let port = try VPNPeers.freeLoopbackPort()
        let endpoint = try #require(IPEndpoint(address: "127.0.0.1", port: port))
        let bound = await TCPConnection.connect(to: endpoint, timeout: 2, interface: "lo")
        #expect(bound.outcome == .refused)
        let unknown = await TCPConnection.connect(to: endpoint, timeout: 2, interface: "nosuchif0")
        guard case .failed(let reason) = unknown.outcome else {
            Issue.record("expected a local failure, got \(unknown.outcome)")
            return
        }
        #expect(reason.contains("SO_BINDTODEVICE"))
        #expect(throws: SocketError.self) { try UDPSocket(remote: endpoint, interface: "nosuchif0") }
    }
}
