@testable import HomeReadyProbe
import Testing

/// The host of a speed-test URL, read from its text.
@Suite("Speed endpoints")
struct SpeedEndpointsTests {
    @Test("host of names, addresses, IPv6 literals, ports, user info; nil without a scheme or host")
    func host() {
        #expect(SpeedEndpoints.host(of: "https://speed.example.com/down?bytes=1") == "speed.example.com")
        #expect(SpeedEndpoints.host(of: "http://127.0.0.1:18480/api/v1/speed") == "127.0.0.1")
        #expect(SpeedEndpoints.host(of: "http://[::1]:8080/x") == "::1")
        #expect(SpeedEndpoints.host(of: "https://[2001:db8::5]/") == "2001:db8::5")
        #expect(SpeedEndpoints.host(of: "https://user:secret@cdn.example.net:443#top") == "cdn.example.net")
        #expect(SpeedEndpoints.host(of: "HTTPS://Mixed.Example.COM") == "Mixed.Example.COM")
        #expect(SpeedEndpoints.host(of: "speed.example.com/down") == nil)
        #expect(SpeedEndpoints.host(of: "https:///path") == nil)
        #expect(SpeedEndpoints.host(of: "https://[::1/x") == nil)
    }
}
