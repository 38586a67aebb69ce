import HomeReadyModel
import Testing

@Suite("Hexadecimal text of bytes")
struct HexTests {
    @Test func writesTwoLowercaseDigitsPerByte() {
        #expect([UInt8]().hexEncoded == "")
        #expect([0x00, 0x09, 0x0a, 0x0f, 0x10, 0xa5, 0xff].hexEncoded == "00090a0f10a5ff")
        #expect((0...255).map { UInt8($0) }.hexEncoded.count == 512)
        #expect(Array(0...255).map { UInt8($0) }.hexEncoded.hasSuffix("fdfeff"))
    }
}
