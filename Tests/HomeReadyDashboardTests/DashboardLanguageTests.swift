import Foundation
import HomeReadyLocalization
import HomeReadyModel
import HomeReadyTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HomeReadyDashboard

/// How a request's language is chosen, and that every dashboard text comes from the catalog.
@Suite("Dashboard language")
struct DashboardLanguageTests {
    @Test("The lang parameter wins over the cookie, the cookie over Accept-Language, and English is the fallback")
    func choice() {
        #expect(DashboardLanguage.choose(query: "en", cookie: "es", acceptLanguage: "es-MX") == .en)
        #expect(DashboardLanguage.choose(query: "es", cookie: "en", acceptLanguage: "en-US") == .es)
        #expect(DashboardLanguage.choose(query: "en-XA", cookie: nil, acceptLanguage: nil) == .pseudo)
        #expect(DashboardLanguage.choose(query: nil, cookie: "es", acceptLanguage: "en-US,en;q=0.9") == .es)
        #expect(DashboardLanguage.choose(query: nil, cookie: nil, acceptLanguage: "es-MX,es;q=0.9,en;q=0.8") == .es)
        #expect(DashboardLanguage.choose(query: nil, cookie: nil, acceptLanguage: "fr-FR") == .en)
        #expect(DashboardLanguage.choose(query: nil, cookie: nil, acceptLanguage: nil) == .en)
        // Unknown values fall through instead of failing.
        #expect(DashboardLanguage.choose(query: "klingon", cookie: "xx", acceptLanguage: "es-MX") == .es)
        #expect(DashboardLanguage.choose(query: "", cookie: nil, acceptLanguage: nil) == .en)
    }

    @Test("A switch link keeps the page and its query, replacing an earlier lang")
    func switchLink() {
        #expect(DashboardLanguage.switchLink(path: "/agents", query: "q=ana&lang=en&page=2", to: .es)
            == "/agents?q=ana&page=2&lang=es")
        #expect(DashboardLanguage.switchLink(path: "/", query: nil, to: .en) == "/?lang=en")
    }

    @Test("Every {{t.…}} of the templates is a catalog text in English and Spanish")
    func templateKeysExist() throws {
        let folder = TestEnvironment.packageRoot.appendingPathComponent("Sources/HomeReadyDashboard/Templates")
        let catalog = MessageCatalog.shipped
        var used: Set<String> = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            for match in text.matches(of: /\{\{t\.([a-z_.\-]+)\}\}/) { used.insert("dashboard." + match.output.1) }
        }
        #expect(used.count > 100)
        for key in used.sorted() {
            #expect(catalog.tables[.en]?[key] != nil, "\(key) is not in en.lproj/Dashboard.strings")
            #expect(catalog.tables[.es]?[key] != nil, "\(key) is not in es.lproj/Dashboard.strings")
            let placeholders = MessageCatalog.placeholders(in: catalog.tables[.en]?[key] ?? "")
            #expect(placeholders == [], "\(key) has placeholders")
        }
        let tree = DashboardHandlers.templateTexts(Localizer(.es))
        let overview = try #require(tree["overview"] as? [String: Any])
        #expect(overview["title"] as? String == "Resumen de la operación")
    }

    @Test("Every dashboard key the Swift code names is in the catalog")
    func codeKeysExist() throws {
        let folder = TestEnvironment.packageRoot.appendingPathComponent("Sources/HomeReadyDashboard")
        let catalog = MessageCatalog.shipped
        let all = FileManager.default.enumerator(atPath: folder.path)?.allObjects.compactMap { $0 as? String } ?? []
        let files = all.filter { $0.hasSuffix(".swift") }
        var checked = 0
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: /(?:localizer\(|LocalizedText\()\s*"(dashboard\.[a-z_.\-]+)"/) {
                let key = String(match.output.1)
                guard !key.hasSuffix(".") else { continue }  // a prefix completed at run time
                checked += 1
                #expect(catalog.tables[.en]?[key] != nil, "\(file): \(key) is not in the catalog")
            }
        }
        #expect(checked > 40)
        // Keys completed at run time: every state, stage, alert kind, role and evidence.
        var dynamic: [String] = ReadinessStatus.allCases.map { "dashboard.status.\($0.rawValue)" }
        dynamic += EquipmentState.allCases.map { "dashboard.stage.\($0.rawValue)" }
        dynamic += ["dashboard.alert_kind.link-regressed", "dashboard.alert_kind.posture-newly-failing"]
        dynamic += DashboardRole.allCases.map { "dashboard.role.\($0.rawValue)" }
        for source in ["cli", "browser"] {
            dynamic += ["dashboard.evidence.\(source)", "dashboard.evidence_short.\(source)"]
        }
        dynamic += ["overview", "equipment", "agents", "capacity", "alerts"].map { "dashboard.nav.\($0)" }
        for key in dynamic { #expect(catalog.tables[.en]?[key] != nil, "\(key) is not in the catalog") }
    }

    @Test("Accept-Language es-MX gets Spanish; ?lang=en switches to English and sets a year-long cookie")
    func pagesFollowTheReader() async throws {
        let fixture = try DashboardFixture()
        try await fixture.makeApplication().test(.router) { client in
            let s = try await client.signIn("pat", DashboardFixture.plannerPassword)
            let spanish = try await client.execute(
                uri: "/", method: .get, headers: [.cookie: s.cookie, .acceptLanguage: "es-MX,es;q=0.9,en;q=0.5"])
            let html = String(buffer: spanish.body)
            #expect(html.contains("<html lang=\"es-MX\">"))
            #expect(html.contains("<h1>Resumen de la operación</h1>"))
            #expect(html.contains(">Agentes</a>"))
            #expect(html.contains("href=\"/?lang=en\""), "the switch leads to the same page in English")
            #expect(cookieValue(spanish.headers, DashboardLanguage.cookieName) == nil, "no cookie without a choice")

            let switched = try await client.execute(
                uri: "/agents?q=&lang=en", method: .get,
                headers: [.cookie: s.cookie, .acceptLanguage: "es-MX,es;q=0.9"])
            let english = String(buffer: switched.body)
            #expect(english.contains("<html lang=\"en\">"))
            #expect(english.contains("<h1>Agents</h1>"))
            #expect(english.contains("120 agents match"))
            let cookie = try #require(setCookieHeader(switched.headers, DashboardLanguage.cookieName))
            #expect(cookie.hasPrefix("homeready_lang=en"))
            #expect(cookie.contains("Path=/") && cookie.contains("SameSite=Lax"))
            #expect(cookie.contains("Max-Age=31536000"))

            // The cookie now wins over the browser's Accept-Language.
            let remembered = try await client.execute(
                uri: "/capacity", method: .get,
                headers: [.cookie: "\(s.cookie); homeready_lang=en", .acceptLanguage: "es-MX"])
            #expect(String(buffer: remembered.body).contains("<h1>Capacity planner</h1>"))
            let spanishCookie = try await client.execute(
                uri: "/capacity", method: .get, headers: [.cookie: "\(s.cookie); homeready_lang=es"])
            let capacity = String(buffer: spanishCookie.body)
            #expect(capacity.contains("<h1>Planeación de capacidad</h1>"))
            #expect(capacity.contains("Nivel de servicio con los agentes listos"))
        }
    }

    @Test("The sign-in page, errors and the capacity result speak Spanish with Mexican figures")
    func spanishForms() async throws {
        let fixture = try DashboardFixture()
        try await fixture.makeApplication().test(.router) { client in
            let login = try await client.execute(uri: "/login?lang=es", method: .get)
            let loginHTML = String(buffer: login.body)
            #expect(loginHTML.contains("<h1>Iniciar sesión</h1>") && loginHTML.contains("Contraseña"))
            let s = try await client.signIn("pat", DashboardFixture.plannerPassword)
            let spanish = "\(s.cookie); homeready_lang=es"
            let missing = try await client.execute(uri: "/agents/NOPE", method: .get, headers: [.cookie: spanish])
            #expect(missing.status == .notFound)
            #expect(String(buffer: missing.body).contains("Ningún agente tiene el id NOPE"))
            let good = try await client.execute(
                uri: "/capacity", method: .post,
                headers: [.cookie: spanish, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(
                    string: "csrf=\(s.csrf)&campaign=Billing&calls=100&interval=30&aht=180&sl=80&within=20&shrinkage=0"))
            let html = String(buffer: good.body)
            #expect(html.contains("10.0 Erlangs de tráfico"))
            #expect(html.contains("<strong id=\"required\">14</strong>"))
            #expect(html.contains("80 % en 20 s"), "es-MX writes a space before %")
            let bad = try await client.execute(
                uri: "/capacity", method: .post,
                headers: [.cookie: spanish, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(s.csrf)&campaign=Billing&calls=lots&interval=30&aht=0&sl=80&within=20&shrinkage=30"))
            #expect(String(buffer: bad.body).contains("Las llamadas por intervalo deben ser un número"))
        }
    }
}
