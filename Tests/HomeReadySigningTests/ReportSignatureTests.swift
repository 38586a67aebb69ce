import Foundation
import HomeReadySigning
import HomeReadyTestSupport
import Testing

@Suite("Report signatures")
struct ReportSignatureTests {
    let body = Data(#"{"report_id":"6F1C1E1A-7C7B-4C55-9C38-1D0B5B1E2A11","verdict":"ready"}"#.utf8)

    @Test func aSignatureVerifiesWithTheDevicesPublicKey() throws {
        let key = DeviceKey()
        let signature = try ReportSignature.sign(body: body, with: key)
        #expect(ReportSignature.verify(body: body, signature: signature, publicKey: key.publicKeyBase64))
    }

    @Test("OpenSSL verifies the signature over the documented message (domain tag, newline, exact body)")
    func openSSLVerifiesTheSignature() throws {
        try TestEnvironment.require([.openssl])
        let key = DeviceKey()
        let signature = try #require(Data(base64Encoded: try ReportSignature.sign(body: body, with: key)))
        let rawPublicKey = try #require(Data(base64Encoded: key.publicKeyBase64))
        let directory = try TemporaryDirectory(prefix: "hr-signature")
        defer { directory.remove() }
        // The raw 32-byte key inside an Ed25519 SubjectPublicKeyInfo (RFC 8410), as DER.
        let spki = Data([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]) + rawPublicKey
        // docs/enrollment.md: the signed bytes are `homeready-report-v1`, a newline, then the body as uploaded.
        let message = Data("homeready-report-v1\n".utf8) + body
        var tampered = message
        tampered[tampered.count - 3] = UInt8(ascii: "X")
        let files = [("key.der", spki), ("sig.bin", signature), ("message", message), ("tampered", tampered), ("body", body)]
        for (name, data) in files {
            try data.write(to: directory.url.appendingPathComponent(name))
        }
        func openSSLVerify(_ file: String) throws -> ProcessOutput {
            try Subprocess.run([
                "openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", directory.path + "/key.der",
                "-rawin", "-in", directory.path + "/" + file, "-sigfile", directory.path + "/sig.bin",
            ])
        }
        let good = try openSSLVerify("message")
        #expect(good.status == 0, "openssl pkeyutl -verify: \(good.stdout)\(good.stderr)")
        #expect(try openSSLVerify("tampered").status != 0)
        #expect(try openSSLVerify("body").status != 0)  // the tag is part of what is signed
    }

    @Test func aChangedBodyOrAnotherKeyFails() throws {
        let key = DeviceKey()
        let signature = try ReportSignature.sign(body: body, with: key)
        var tampered = body
        tampered[tampered.count - 3] = UInt8(ascii: "X")
        #expect(!ReportSignature.verify(body: tampered, signature: signature, publicKey: key.publicKeyBase64))
        #expect(!ReportSignature.verify(body: body, signature: signature, publicKey: DeviceKey().publicKeyBase64))
        #expect(!ReportSignature.verify(body: body, signature: "not base64", publicKey: key.publicKeyBase64))
        #expect(!ReportSignature.verify(body: body, signature: signature, publicKey: "AAAA"))
    }

    @Test func aKeySurvivesStorage() throws {
        let key = DeviceKey()
        let restored = try DeviceKey(rawPrivateKey: key.rawPrivateKey)
        #expect(restored.publicKeyBase64 == key.publicKeyBase64)
        #expect(throws: SigningError.malformedKey) { try DeviceKey(rawPrivateKey: Data([1, 2, 3])) }
        #expect(ReportSignature.isValidPublicKey(key.publicKeyBase64))
        #expect(!ReportSignature.isValidPublicKey("bm90IGEga2V5"))
    }

    @Test func digestsAndConstantTimeCompare() {
        #expect(SecretDigest.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SecretDigest.constantTimeEquals(Data("same".utf8), Data("same".utf8)))
        #expect(!SecretDigest.constantTimeEquals(Data("same".utf8), Data("sama".utf8)))
        #expect(!SecretDigest.constantTimeEquals(Data("same".utf8), Data("longer".utf8)))
    }
}
