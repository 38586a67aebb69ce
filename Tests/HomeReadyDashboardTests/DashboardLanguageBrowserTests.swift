import Foundation
import HomeReadyTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HomeReadyDashboard

/// Every dashboard page in a real browser (headless Chromium, see `Browser`): in Spanish at phone and desktop
/// sizes nothing overflows, and in the pseudo-locale `en-XA` every text comes from the catalog.
@Suite("Dashboard languages in a real browser", .serialized)
struct DashboardLanguageBrowserTests {
    /// Elements whose content spills out of them (scrollWidth beyond clientWidth where overflow does not scroll),
    /// and a page wider than the viewport; one line each.
    static let overflowScript = """
        (() => {
          const found = [];
          const root = document.documentElement;
          if (root.scrollWidth > window.innerWidth + 1) {
            found.push(`page is ${root.scrollWidth}px wide in a ${window.innerWidth}px viewport`);
          }
          for (const element of document.body.querySelectorAll('*')) {
            const style = getComputedStyle(element);
            if (style.display === 'inline' || style.display === 'none' || element.getClientRects().length === 0) continue;
            if (['INPUT', 'SELECT', 'TEXTAREA', 'OPTION', 'svg'].includes(element.tagName)) continue;
            if (element.closest('svg, .visually-hidden')) continue;
            if (['auto', 'scroll'].includes(style.overflowX)) continue;
            if (element.scrollWidth > element.clientWidth + 1) {
              const name = element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
                + (element.className && typeof element.className === 'string' ? '.' + element.className.trim().replace(/\\s+/g, '.') : '');
              found.push(`${name} (${element.scrollWidth} > ${element.clientWidth}): ${element.textContent.trim().slice(0, 60)}`);
            }
          }
          return found;
        })()
        """

    /// Text nodes with letters that are neither pseudo-localized nor data: not inside `translate="no"` (names,
    /// ids, the brand, language names), and letters left after removing dates, times and units.
    static let plainTextScript = """
        (() => {
          const found = [];
          const pseudo = /[\\[\\]àéîöûçñšýžÀÉÎÖÛÇÑŠÝŽ]/;
          const data = /\\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{1,2}, \\d{4}|\\b\\d{1,2}:\\d{2}\\s?[AP]M\\b|\\b(at|Gbit\\/s|Mbit\\/s|ms|MOS|dBFS|s|min|h|UTC)\\b/g;
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const parent = node.parentElement;
            if (!parent || parent.closest('script, style, [translate="no"]')) continue;
            const text = node.textContent.trim();
            if (!/\\p{L}/u.test(text) || pseudo.test(text)) continue;
            if (!/\\p{L}/u.test(text.replace(data, ''))) continue;
            found.push(`<${parent.tagName.toLowerCase()}${parent.id ? '#' + parent.id : ''}> ${text.slice(0, 80)}`);
          }
          return [...new Set(found)];
        })()
        """

    static let viewports: [(width: Int, height: Int, mobile: Bool)] = [(390, 844, true), (1366, 768, false)]

    /// Runs `body` with a browser on a live dashboard (the demo fleet) and the paths of every page.
    func withDashboard(
        _ body: @Sendable (BrowserPage, _ base: String, _ pages: [(String, String)]) async throws -> Void
    ) async throws {
        try TestEnvironment.require([.chromium])
        let fixture = try DashboardFixture(agents: 120, configuration: .init(keepAliveSeconds: 1))
        let alertAgent = try #require(await fixture.store.alerts().first?.agentID)
        try await fixture.makeApplication().test(.live) { client in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            let browser = try await Browser.launch()
            defer {
                fixture.broadcaster.finishAll()
                browser.close()
            }
            let pages: [(String, String)] = [
                ("overview", "/"), ("agents", "/agents"), ("agent", "/agents/\(alertAgent)"), ("capacity", "/capacity"),
                ("equipment", "/equipment"), ("alerts", "/alerts"),
            ]
            try await body(browser.page, base, pages)
        }
    }

    @Test("Every page in Spanish fits a 390×844 phone and a 1366×768 desktop without text overflow")
    func spanishFits() async throws {
        try await withDashboard { page, base, pages in
            var problems: [String] = []
            for viewport in Self.viewports {
                try await page.setViewport(width: viewport.width, height: viewport.height, mobile: viewport.mobile)
                try await page.navigate(to: "\(base)/login?lang=es")
                #expect(try await page.evaluate("document.documentElement.lang") == "\"es-MX\"")
                problems += try await overflow(page, "login \(viewport.width)")
            }
            try await page.submitSignIn(user: "ada", password: DashboardFixture.adminPassword)
            for (name, path) in pages {
                for viewport in Self.viewports {
                    try await page.setViewport(width: viewport.width, height: viewport.height, mobile: viewport.mobile)
                    try await page.navigate(to: base + path)
                    #expect(try await page.evaluate("document.documentElement.lang") == "\"es-MX\"", "\(path)")
                    // Open the collapsed tables so their text is measured too.
                    try await page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
                    problems += try await overflow(page, "\(name) \(viewport.width)x\(viewport.height)")
                }
            }
            #expect(problems.isEmpty, "text overflows in Spanish:\n\(problems.joined(separator: "\n"))")
            // The check is not vacuous: a box too narrow for its text is caught.
            try await page.evaluate(
                "const probe = document.createElement('p'); probe.id = 'probe'; probe.style.cssText = 'width: 40px; white-space: nowrap';"
                    + "probe.textContent = 'Una frase demasiado larga'; document.querySelector('main').append(probe)")
            #expect(try await overflow(page, "probe").contains { $0.contains("p#probe") })
        }
    }

    @Test("In the pseudo-locale en-XA every text on every page comes from the catalog")
    func pseudoLocaleCoversEveryText() async throws {
        try await withDashboard { page, base, pages in
            var plain: [String] = []
            try await page.navigate(to: "\(base)/login?lang=en-XA")
            plain += try await untranslated(page, "login")
            try await page.submitSignIn(user: "ada", password: DashboardFixture.adminPassword)
            for (name, path) in pages {
                try await page.navigate(to: base + path)
                try await page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
                plain += try await untranslated(page, name)
            }
            #expect(plain.isEmpty, "text outside the catalog (not pseudo-localized):\n\(plain.joined(separator: "\n"))")
            // The check is not vacuous: a text written into the page is caught.
            try await page.evaluate("document.querySelector('main').append(document.createTextNode('Hard-coded text'))")
            #expect(try await untranslated(page, "probe").contains { $0.contains("Hard-coded text") })
        }
    }

    func overflow(_ page: BrowserPage, _ label: String) async throws -> [String] {
        try decode(try await page.evaluate(Self.overflowScript)).map { "\(label): \($0)" }
    }

    func untranslated(_ page: BrowserPage, _ label: String) async throws -> [String] {
        try decode(try await page.evaluate(Self.plainTextScript)).map { "\(label): \($0)" }
    }

    func decode(_ json: String) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(json.utf8))
    }
}
