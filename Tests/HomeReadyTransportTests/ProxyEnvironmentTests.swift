import Testing
@testable import HomeReadyTransport

@Suite struct ProxyEnvironmentTests {
    @Test func picksTheProxyPerSchemeAndHonoursNoProxy() {
        let environment = ProxyEnvironment(environment: [
            "http_proxy": "http://proxy:3128", "HTTPS_PROXY": "http://user:secret@proxy:3129",
            "NO_PROXY": "internal.example, .corp.example,10.0.0.1",
        ])
        #expect(environment.proxy(for: "http://speed.example/x") == "http://proxy:3128")
        #expect(environment.proxy(for: "https://speed.example/x") == "http://user:secret@proxy:3129")
        #expect(environment.proxy(for: "https://internal.example/x") == nil)
        #expect(environment.proxy(for: "https://a.corp.example:8443/x") == nil)
        #expect(environment.proxy(for: "http://10.0.0.1:8080/") == nil)
        #expect(ProxyEnvironment.redacted("http://user:secret@proxy:3129") == "http://proxy:3129")
    }

    @Test func upperCaseHTTPProxyIsIgnoredLikeCurl() {
        let environment = ProxyEnvironment(environment: ["HTTP_PROXY": "http://evil:1", "ALL_PROXY": "socks5://p:1080"])
        #expect(environment.proxy(for: "http://x/") == "socks5://p:1080")
        #expect(ProxyEnvironment(environment: ["no_proxy": "*", "all_proxy": "http://p:1"]).proxy(for: "http://x/") == nil)
        #expect(ProxyEnvironment(environment: [:]).proxy(for: "https://[::1]:8080/") == nil)
    }
}

@Suite struct CurlErrorTests {
    @Test func curlCodesMapToKindsWithAdvice() {
        let dns = CurlError.from(curlCode: 6, detail: "Couldn't resolve host name", url: "http://x/")
        #expect(dns == CurlError.dns)
        #expect(dns.description.contains("DNS"))
        #expect(CurlError.from(curlCode: 7, detail: "", url: "u") == CurlError.connect)
        #expect(CurlError.from(curlCode: 28, detail: "", url: "u") == CurlError.timeout)
        #expect(CurlError.from(curlCode: 60, detail: "", url: "u") == CurlError.tls)
        #expect(CurlError.from(curlCode: 42, detail: "", url: "u") == CurlError.aborted)
        #expect(CurlError.from(curlCode: 56, detail: "", url: "u") == CurlError.transfer)
    }
}
