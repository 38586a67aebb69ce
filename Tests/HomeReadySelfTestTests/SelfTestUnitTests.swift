import Foundation
import HomeReadyTestSupport
import Testing

@testable import HomeReadySelfTest

@Suite("Self-test links, TURN credentials and catalogs")
struct SelfTestUnitTests {
    @Test("TURN REST credentials: username EXPIRY:AGENTID, credential base64(HMAC-SHA1(secret, username))")
    func turnCredentials() {
        let credentials = TURNCredentials.make(
            secret: "north-secret", agentId: "agent-1", now: Date(timeIntervalSince1970: 1_700_000_000), lifetime: 600)
        #expect(credentials.username == "1700000600:agent-1")
        // python3: base64.b64encode(hmac.new(b'north-secret', b'1700000600:agent-1', hashlib.sha1).digest())
        #expect(credentials.credential == "cKVob2vTfKwILK8r53aj/0+9EhE=")
        #expect(credentials.expiresAt == Date(timeIntervalSince1970: 1_700_000_600))
    }

    @Test("TURN servers parse HOST:PORT and give UDP, TCP, then TLS URLs")
    func turnServers() {
        #expect(TURNServer(parsing: "turn.example.com:3478") == TURNServer(host: "turn.example.com", port: 3478))
        #expect(TURNServer(parsing: "[::1]:3478")?.description == "[::1]:3478")
        #expect(TURNServer(parsing: "turn.example.com") == nil)
        #expect(TURNServer(parsing: "host:0") == nil)
        let configuration = SelfTestConfiguration(
            turnServers: [TURNServer(host: "127.0.0.1", port: 3478)], turnTLSServers: [TURNServer(host: "t", port: 5349)],
            turnSecret: "s")
        #expect(configuration.relayConfigured)
        #expect(configuration.relayURLs.map(\.transport) == ["udp", "tcp", "tls"])
        #expect(configuration.relayURLs.map(\.urls) == [
            ["turn:127.0.0.1:3478?transport=udp"], ["turn:127.0.0.1:3478?transport=tcp"], ["turns:t:5349?transport=tcp"],
        ])
        #expect(!SelfTestConfiguration(turnServers: [TURNServer(host: "h", port: 1)]).relayConfigured)
    }

    @Test("link tokens are 256 random bits, recognisable, stored as SHA-256; lifetimes parse 1 minute to 90 days")
    func tokensAndLifetimes() {
        let token = SelfTestLinks.generateToken()
        #expect(SelfTestLinks.looksLikeToken(token))
        #expect(token != SelfTestLinks.generateToken())
        #expect(SelfTestLinks.hash(token).count == 64 && !SelfTestLinks.hash(token).contains(token))
        #expect(!SelfTestLinks.looksLikeToken("assets"))
        #expect(!SelfTestLinks.looksLikeToken(token + "x"))
        #expect(!SelfTestLinks.looksLikeToken(String(token.dropLast()) + "/"))
        #expect(SelfTestLinks.parseLifetime("7d") == 604_800)
        #expect(SelfTestLinks.parseLifetime("12h") == 43_200)
        #expect(SelfTestLinks.parseLifetime("30m") == 1_800)
        #expect(SelfTestLinks.parseLifetime("900") == 900)
        #expect(SelfTestLinks.parseLifetime("30s") == nil)
        #expect(SelfTestLinks.parseLifetime("91d") == nil)
        #expect(SelfTestLinks.parseLifetime("soon") == nil)
        #expect(SelfTestLinks.url(baseURL: "https://h.example/", token: "st_x") == "https://h.example/self-test/st_x")
    }

    @Test("a link is active until it expires, is revoked or used up")
    func linkStates() {
        let now = Date(timeIntervalSince1970: 1000)
        var link = SelfTestLink(
            id: "l", agentId: "a", createdAt: now, createdBy: nil, expiresAt: now.addingTimeInterval(60), maxUses: 2)
        #expect(link.state(at: now) == .active)
        #expect(link.state(at: now.addingTimeInterval(60)) == .expired)
        link.uses = 2
        #expect(link.state(at: now) == .usedUp)
        link.revokedAt = now
        #expect(link.state(at: now) == .revoked)
    }

    @Test("the language comes from Accept-Language, Spanish by default")
    func languageNegotiation() {
        #expect(SelfTestCatalog.negotiate(acceptLanguage: nil) == "es")
        #expect(SelfTestCatalog.negotiate(acceptLanguage: "es-MX,es;q=0.9,en;q=0.8") == "es")
        #expect(SelfTestCatalog.negotiate(acceptLanguage: "en-US,en;q=0.9") == "en")
        #expect(SelfTestCatalog.negotiate(acceptLanguage: "fr-FR, en;q=0.5, es;q=0.7") == "es")
        #expect(SelfTestCatalog.negotiate(acceptLanguage: "de") == "es")
    }

    @Test("both catalogs have the same keys, and every key the page and script use exists")
    func catalogsComplete() throws {
        let catalog = try SelfTestCatalog()
        let spanish = Set(catalog.texts["es"]!.keys), english = Set(catalog.texts["en"]!.keys)
        #expect(spanish == english, "keys only in one catalog: \(spanish.symmetricDifference(english).sorted())")
        let pages = try SelfTestPages()
        var used = Set<String>()
        for template in pages.templates.values {
            for match in template.matches(of: /\{\{t:([a-z._]+)\}\}|data-i18n="([a-z._]+)"/) {
                used.insert(String(match.output.1 ?? match.output.2 ?? ""))
            }
        }
        let script = String(decoding: pages.assets["selftest.js"]!.data, as: UTF8.self)
        // `t('key')` and `tt('key')` with a whole key (not `createElement('li')`, not a prefix such as 'state.').
        for match in script.matches(of: /[^A-Za-z]tt?\('([a-z][a-z._]*[a-z])'/) { used.insert(String(match.output.1)) }
        used.remove("")
        #expect(used.count > 30)
        #expect(used.subtracting(english).isEmpty, "keys used but missing: \(used.subtracting(english).sorted())")
        for code in ["link_unknown", "link_expired", "link_revoked", "link_used_up", "send_failed", "generic"] {
            #expect(english.contains("problem.\(code)") && spanish.contains("problem.\(code)"))
        }
    }

    @Test("the page loads nothing from another host and runs no inline script")
    func pageAssetsSameOrigin() throws {
        let pages = try SelfTestPages()
        for (name, template) in pages.templates {
            #expect(!template.contains("http://") && !template.contains("https://"), "\(name) names another host")
            #expect(!template.contains("<script>") && !template.contains("onclick="), "\(name) has inline script")
            #expect(!template.contains("style="), "\(name) has inline style")
        }
        let html = pages.render("page", language: "en", values: ["base": "/self-test/st_<x>"])
        #expect(html.contains("data-base=\"/self-test/st_&lt;x&gt;\""))
        #expect(html.contains("<html lang=\"en\">"))
        #expect(pages.render("page", language: "es").contains("<html lang=\"es-MX\">"))
        #expect(pages.render("unavailable", language: "es", values: ["code": "link_expired"]).contains("Este enlace de prueba ya venció."))
    }
}
