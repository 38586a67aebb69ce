import Foundation
import HomeReadyTestSupport
import Testing

@Suite("HTTPS: the server serves TLS; the agent trusts a CA bundle or a key pin", .serialized)
struct TLSTests {
    /// The base64 `sha256//` pin of a certificate's public key.
    static func pin(of certificate: String) throws -> String {
        let hex = try TestCertificateAuthority.spkiSHA256(ofCertificate: certificate)
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return "sha256//" + Data(bytes).base64EncodedString()
    }

    @Test("enroll and report over HTTPS with the CA bundle or the right pin; a wrong CA or pin is a clear TLS error")
    func enrollOverHTTPS() throws {
        let certificates = try TemporaryDirectory(prefix: "homeready-tls")
        defer { certificates.remove() }
        let authority = try TestCertificateAuthority(commonName: "HomeReady Test CA", in: certificates.path)
        let leaf = try authority.issue(file: "server", commonName: "127.0.0.1", names: ["127.0.0.1"])
        let stranger = try TestCertificateAuthority(commonName: "Intercepting CA", in: certificates.path)
        let fleet = try Fleet.make(agents: 0, serverArguments: ["--tls-cert", leaf.cert, "--tls-key", leaf.key])
        defer { fleet.tearDown() }
        #expect(fleet.server.url.hasPrefix("https://"))
        try fleet.server.importRoster("employee_id,name\nT1,Tess\nT2,Tom\nT3,Tim\nT4,Tara\n")
        func agent(_ name: String) -> HomeReadyAgentProcess {
            HomeReadyAgentProcess(home: fleet.directory.url.appendingPathComponent("agent-\(name)"))
        }

        // Trusting the server's CA: enrolls, spools and uploads over HTTPS.
        let trusting = agent("ca")
        let enrolled = try trusting.run(["enroll", "--server", fleet.server.url, "--code", try fleet.server.enrollmentCode(employeeID: "T1"), "--ca-file", authority.certificatePath])
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        try trusting.spoolSynthetic(2)
        let sent = try trusting.run(["report", "--flush"])
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stdout.contains("sent 2"))

        // Another CA: refused before anything is sent, naming TLS.
        let wrongCA = agent("wrong-ca")
        let code2 = try fleet.server.enrollmentCode(employeeID: "T2")
        let refused = try wrongCA.run(["enroll", "--server", fleet.server.url, "--code", code2, "--ca-file", stranger.certificatePath])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("is not the one this device trusts"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: wrongCA.home.appendingPathComponent("config/device.key").path))

        // The right pin (with the CA bundle for the chain): works. A wrong pin: a clear error.
        let pinned = agent("pin")
        let rightPin = try Self.pin(of: leaf.cert)
        let withPin = try pinned.run(["enroll", "--server", fleet.server.url, "--code", code2, "--ca-file", authority.certificatePath, "--pin", rightPin])
        #expect(withPin.status == 0, "\(withPin.stderr)")
        let wrongPin = "sha256//" + Data(repeating: 7, count: 32).base64EncodedString()
        let mismatch = try agent("wrong-pin").run(["enroll", "--server", fleet.server.url, "--code", try fleet.server.enrollmentCode(employeeID: "T3"), "--ca-file", authority.certificatePath, "--pin", wrongPin])
        #expect(mismatch.status == 2)
        #expect(mismatch.stderr.contains("is not the one this device trusts"), "\(mismatch.stderr)")
        let badForm = try agent("bad-pin").run(["enroll", "--server", fleet.server.url, "--code", "x", "--pin", "md5//abc"])
        #expect(badForm.stderr.contains("--pin must be sha256//"))
    }
}
