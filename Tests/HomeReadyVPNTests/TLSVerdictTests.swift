import Foundation
import HomeReadyModel
import HomeReadyTransport
import Testing

@testable import HomeReadyVPN

@Suite("The TLS verdict rule")
struct TLSVerdictTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func info(
        issuer: String = "CN=Corp CA", spki: String = String(repeating: "a", count: 64), notAfterDays: Double = 90,
        verifyCode: Int = 0, problem: ChainProblem? = nil, nameMatches: Bool = true
    ) -> TLSPeerInfo {
        let leaf = CertificateSummary(
            subject: "CN=gw.corp.example", issuer: issuer, notBefore: Self.now.addingTimeInterval(-86_400),
            notAfter: Self.now.addingTimeInterval(notAfterDays * 86_400), spkiSHA256: spki, fingerprintSHA256: "",
            isSelfIssued: false)
        return TLSPeerInfo(
            protocolVersion: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", handshakeMs: 3, leaf: leaf, chain: [leaf],
            verifyCode: verifyCode, verifyError: verifyCode == 0 ? nil : "error", chainProblem: problem,
            hostnameMatches: nameMatches)
    }

    @Test("each certificate situation maps to its own state")
    func states() {
        let pin = String(repeating: "a", count: 64)
        let otherPin = String(repeating: "b", count: 64)
        #expect(TLSVerdict.classify(info(), pin: nil, caFile: nil, now: Self.now).state == .reachable)
        #expect(
            TLSVerdict.classify(
                info(notAfterDays: -1, verifyCode: 10, problem: .expired), pin: nil, caFile: nil, now: Self.now
            ).state == .tlsExpired)
        #expect(
            TLSVerdict.classify(info(nameMatches: false), pin: nil, caFile: nil, now: Self.now).state
                == .tlsNameMismatch)
        let untrusted = info(issuer: "CN=Router CA", verifyCode: 20, problem: .untrustedIssuer)
        #expect(TLSVerdict.classify(untrusted, pin: nil, caFile: nil, now: Self.now).state == .tlsUntrusted)
        #expect(TLSVerdict.classify(untrusted, pin: nil, caFile: "/ca.pem", now: Self.now).state == .tlsIntercepted)
        #expect(
            TLSVerdict.classify(
                info(spki: otherPin, verifyCode: 18, problem: .untrustedIssuer), pin: pin, caFile: nil, now: Self.now
            ).state == .tlsIntercepted)
        #expect(
            TLSVerdict.classify(info(spki: otherPin), pin: pin, caFile: nil, now: Self.now).state == .tlsPinMismatch)
        // A pinned self-signed gateway is proven by its pin.
        #expect(
            TLSVerdict.classify(info(verifyCode: 18, problem: .untrustedIssuer), pin: pin, caFile: nil, now: Self.now)
                .state == .reachable)
    }

    @Test("a known inspection product is interception even when its root is trusted, unless the pin matches")
    func knownInspectionProducts() {
        let trustedInterceptor = info(issuer: "CN=Kaspersky Anti-Virus Personal Root Certificate,O=AO Kaspersky Lab")
        let (state, detail) = TLSVerdict.classify(trustedInterceptor, pin: nil, caFile: nil, now: Self.now)
        #expect(state == .tlsIntercepted)
        #expect(detail.contains("Kaspersky"))
        let pin = String(repeating: "a", count: 64)
        #expect(TLSVerdict.classify(trustedInterceptor, pin: pin, caFile: nil, now: Self.now).state == .reachable)
    }

    @Test("pins are accepted as hex, colon hex or base64")
    func pins() {
        let hex = String(repeating: "ab", count: 32)
        #expect(TLSVerdict.normalizedPin(hex.uppercased()) == hex)
        #expect(
            TLSVerdict.normalizedPin(stride(from: 0, to: 64, by: 2).map { _ in "ab" }.joined(separator: ":")) == hex)
        let base64 = Data([UInt8](repeating: 0xab, count: 32)).base64EncodedString()
        #expect(TLSVerdict.normalizedPin("sha256//" + base64) == hex)
        #expect(TLSVerdict.normalizedPin("nonsense") == nil)
    }

    @Test("every state has a remediation except reachable")
    func remediations() {
        let gateway = VPNGateway(name: "gw", host: "gw.example", port: 443, transport: .tls)
        for state in VPNState.allCases {
            #expect((state.remediation(for: gateway) == nil) == (state == .reachable))
        }
    }
}
