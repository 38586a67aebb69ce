import Foundation
import HomeReadySigning
import Testing

@Suite("Report signatures")
struct ReportSignatureTests {
    let body = Data(#"{"report_id":"6F1C1E1A-7C7B-4C55-9C38-1D0B5B1E2A11","verdict":"ready"}"#.utf8)

    @Test func aSignatureVerifiesWithTheDevicesPublicKey() throws {
        let key = DeviceKey()
        let signature = try ReportSignature.sign(body: body, with: key)
        #expect(ReportSignature.verify(body: body, signature: signature, publicKey: key.publicKeyBase64))
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
