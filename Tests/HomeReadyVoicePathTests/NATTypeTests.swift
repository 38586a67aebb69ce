import HomeReadyModel
import HomeReadyTestSupport
import HomeReadyTransport
import Logging
import Testing

@testable import HomeReadyVoicePath

@Suite struct NATTypeTests {
    static func endpoint(_ text: String) -> IPEndpoint {
        let colon = text.lastIndex(of: ":")!
        return IPEndpoint(address: String(text[..<colon]), port: Int(text[text.index(after: colon)...])!)!
    }

    @Test("the same mapping toward both servers is cone, different is symmetric, this computer's own is open")
    func classification() {
        let local = Self.endpoint("192.168.1.20:40000")
        #expect(NATTypeCheck.classify([Self.endpoint("203.0.113.5:40000"), Self.endpoint("203.0.113.5:40000")], local: local) == .cone)
        #expect(NATTypeCheck.classify([Self.endpoint("203.0.113.5:40000"), Self.endpoint("203.0.113.5:51234")], local: local) == .symmetric)
        #expect(NATTypeCheck.classify([Self.endpoint("203.0.113.5:40000"), Self.endpoint("203.0.113.6:40000")], local: local) == .symmetric)
        #expect(NATTypeCheck.classify([local, local], local: local) == .open)
        #expect(NATTypeCheck.classify([Self.endpoint("203.0.113.5:40000")], local: local) == .unknown)
        #expect(NATTypeCheck.classify([], local: nil) == .unknown)
    }

    @Test("no STUN servers: no NAT type; servers that do not resolve: unknown")
    func withoutServers() async {
        let options = VoicePathCheckOptions(timeoutSeconds: 1)
        let none = await NATTypeCheck.run([], options: options, progress: { _ in }, logger: Logger(label: "nat"))
        #expect(none == nil)
        let unresolved = await NATTypeCheck.run(
            [STUNServer(host: "stun1.invalid"), STUNServer(host: "stun2.invalid")], options: options, progress: { _ in },
            logger: Logger(label: "nat"))
        #expect(unresolved == NATTypeResult(type: .unknown))
    }

    @Test(
        "a lab router: routed is open, nftables masquerade is cone, masquerade random is symmetric",
        arguments: [(NATLab.Mode.routed, NATTypeResult.Kind.open), (.masquerade, .cone), (.masqueradeRandom, .symmetric)])
    func labRouter(mode: NATLab.Mode, expected: NATTypeResult.Kind) async throws {
        try TestEnvironment.require(NATLab.unavailableReason)
        try await withNATLab(mode: mode) { lab in
            let servers = lab.stunAddresses.map { STUNServer(host: $0, port: lab.stunPort) }
            let result = try #require(
                await NATTypeCheck.run(
                    servers, options: VoicePathCheckOptions(timeoutSeconds: 2), progress: { _ in },
                    logger: Logger(label: "nat")))
            #expect(result.type == expected, "\(mode.rawValue): \(result.mappings) \(lab.stunLog.suffix(1500))")
            #expect(result.mappings.count == 2)
            let address = mode == .routed ? lab.homeAddress : lab.publicAddress
            #expect(result.mappings.allSatisfy { $0.hasPrefix("\(address):") }, "\(result.mappings)")
            print("nat \(mode.rawValue): \(result.type.rawValue) \(result.mappings)")
        }
    }
}
