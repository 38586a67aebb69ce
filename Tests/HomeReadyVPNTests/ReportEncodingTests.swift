import HomeReadyJudging
import Foundation
import HomeReadyModel
import Testing

@testable import HomeReadyVPN

@Suite("The vpn section of the report")
struct ReportEncodingTests {
    @Test("a gateway result encodes with snake_case keys and units, and round-trips")
    func encoding() throws {
        let result = VPNResult(
            name: "corp", host: "vpn.corp.test", port: 443, transport: .tls, state: .tlsIntercepted, connectMs: 12.5,
            dnsMs: 3, addresses: [VPNAddressResult(address: "10.0.0.1", connectMs: 12.5, state: .tlsIntercepted)],
            tls: TLSInspection(protocolVersion: "TLSv1.3", verified: false, spkiSHA256: "ab", pinMatches: false),
            detail: "d", remediation: "r", pathMTUBytes: 1492, requiredMTUBytes: 290)
        let data = try ReportCoding.encoder().encode(result)
        let text = String(decoding: data, as: UTF8.self)
        for key in [
            "\"connect_ms\"", "\"dns_ms\"", "\"path_mtu_bytes\"", "\"required_mtu_bytes\"", "\"spki_sha256\"",
            "\"pin_matches\"", "\"state\":\"tls_intercepted\"", "\"transport\":\"tls\"",
        ] {
            #expect(text.contains(key), "missing \(key) in \(text)")
        }
        #expect(try ReportCoding.decoder().decode(VPNResult.self, from: data) == result)
    }

    @Test("a reachable gateway on TLS 1.0 warns")
    func outdatedTLS() {
        let gateway = VPNGateway(name: "old", host: "10.0.0.1", port: 443, transport: .tls)
        let profile = Profile(id: "p", title: "p", version: 1, vpn: VPNSettings(gateways: [gateway]))
        let measured = VPNResult(
            name: "old", host: "10.0.0.1", port: 443, transport: .tls, state: .reachable,
            tls: TLSInspection(protocolVersion: "TLSv1", verified: true, daysToExpiry: 200))
        let finding = VPNJudge.findings(gateways: [measured], path: VPNPathResult(), profile: profile).first
        #expect(finding?.status == .warn)
        #expect(finding?.remediation?.contains("TLS 1.2") == true)
    }
}
