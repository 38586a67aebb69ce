import HomeReadyModel
import Testing

@Suite("Zero-padded numbers")
struct ZeroPaddedTests {
    @Test func padsToTheWidthAndNeverCuts() {
        #expect(String(42, zeroPaddedTo: 5) == "00042")
        #expect(String(0, zeroPaddedTo: 3) == "000")
        #expect(String(Int64(1_800_000_000_000), zeroPaddedTo: 13) == "1800000000000")
        #expect(String(123_456, zeroPaddedTo: 4) == "123456")
    }
}
