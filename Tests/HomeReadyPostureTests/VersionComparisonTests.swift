import Testing

@testable import HomeReadyPosture

@Suite struct VersionComparisonTests {
    @Test(arguments: [
        ("1.0", "1.0", 0), ("1.10", "1.9", 1), ("1.9", "1.10", -1), ("1:1.0", "2.0", 1), ("1.0~rc1", "1.0", -1),
        ("1.0", "1.0+deb12u1", -1), ("2.9.1+nmu3", "2.9.1", 1), ("1:9.2p1-2+deb12u3", "1:9.2p1-2", 1),
        ("22.04", "20.04", 1), ("6.1.0-18-amd64", "6.1.0-9-amd64", 1), ("1.0a", "1.0", 1), ("1.0-1", "1.0-1", 0),
        ("5.14.0-362.el9", "5.14.0-70.el9", 1),
    ])
    func dpkgOrdering(_ a: String, _ b: String, _ expected: Int) {
        #expect(VersionComparison.compare(a, b) == expected)
        #expect(VersionComparison.compare(b, a) == -expected)
    }
}
