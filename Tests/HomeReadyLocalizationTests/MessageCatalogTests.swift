import Foundation
import HomeReadyLocalization
import HomeReadyModel
import Testing

/// The shipped catalog is complete: every key in every language, the same placeholders, nothing empty.
@Suite("Message catalog")
struct MessageCatalogTests {
    let catalog = MessageCatalog.shipped

    @Test("every key has every language, and each translation keeps the English placeholders")
    func complete() throws {
        let english = try #require(catalog.tables[.en])
        #expect(english.count > 100)
        for language in Language.offered where language != .en {
            let table = try #require(catalog.tables[language], "no \(language.rawValue).lproj")
            let missing = Set(english.keys).subtracting(table.keys).sorted()
            #expect(missing.isEmpty, "\(language.rawValue) lacks \(missing.count) keys: \(missing.prefix(20))")
            let extra = Set(table.keys).subtracting(english.keys).sorted()
            #expect(extra.isEmpty, "\(language.rawValue) has keys English lacks: \(extra.prefix(20))")
            for (key, text) in table {
                guard let source = english[key] else { continue }
                #expect(
                    MessageCatalog.placeholders(in: text).sorted() == MessageCatalog.placeholders(in: source).sorted(),
                    "\(language.rawValue) \"\(key)\": placeholders \(MessageCatalog.placeholders(in: text)) differ from English \(MessageCatalog.placeholders(in: source))")
                #expect(!text.trimmingCharacters(in: .whitespaces).isEmpty, "\(language.rawValue) \"\(key)\" is empty")
            }
        }
    }

    @Test("a translation with a changed placeholder is caught")
    func placeholderDrift() {
        #expect(MessageCatalog.placeholders(in: "{what}: {measured} (mínimo {limite})") == ["what", "measured", "limite"])
        #expect(MessageCatalog.placeholders(in: "{what}: {measured} (at least {limit})") != ["what", "measured", "limite"])
    }

    @Test("a broken strings file names the file")
    func brokenFile() {
        #expect {
            _ = try MessageCatalog.parse(Data("\"a\" = \"b\"\n\"c\" = ".utf8), file: "es.lproj/Broken.strings")
        } throws: { error in
            "\(error)".contains("es.lproj/Broken.strings")
        }
    }

    @Test("English is the fallback for a key a language lacks, never the key name")
    func fallback() {
        let catalog = MessageCatalog(tables: [.en: ["greeting": "Hello {name}"], .es: [:]])
        let spanish = Localizer(.es, catalog: catalog)
        #expect(spanish("greeting", ["name": .text("Ana")]) == "Hello Ana")
    }
}

/// Figures as people read them, per locale.
@Suite("Human figures")
struct HumanFiguresTests {
    @Test("rates, delays and loss in human units and sensible precision", arguments: [
        (Language.en, 28118.11, "Mbit/s", "28.1 Gbit/s"),
        (.en, 950.4, "Mbit/s", "950 Mbit/s"),
        (.en, 4.83, "Mbit/s", "4.8 Mbit/s"),
        (.en, 35.2, "ms", "35 ms"),
        (.en, 4.09, "ms", "4.1 ms"),
        (.en, 0.4, "%", "0.40%"),
        (.es, 1.5, "%", "1.5 %"),
        (.es, 28118.11, "Mbit/s", "28.1 Gbit/s"),
        (.es, 1234.0, "calls", "1,234 llamadas"),
    ])
    func quantities(language: Language, value: Double, unit: String, expected: String) {
        #expect(Localizer(language).quantity(value, unit: unit) == expected)
    }

    @Test("a measured figure and its limit never print the same when they differ")
    func pairs() {
        let shown = Localizer(.en).pair(3.58, 3.6, unit: "MOS")
        #expect(shown == ("3.58", "3.60"))
        #expect(Localizer(.en).pair(3.9, 3.6, unit: "MOS") == ("3.9", "3.6"))
    }

    @Test("a date argument reads in the reader's locale and time zone, and travels as ISO 8601")
    func dates() throws {
        let moment = try Date("2026-12-05T18:30:00Z", strategy: .iso8601)
        let mexico = try #require(TimeZone(identifier: "America/Mexico_City"))
        #expect(Localizer(.es, timeZone: mexico).render(.date(moment)).contains("12:30"))
        #expect(Localizer(.es, timeZone: mexico).render(.date(moment)).contains("dic"))
        let json = try JSONEncoder().encode(TextArgument.date(moment))
        #expect(String(decoding: json, as: UTF8.self) == #"{"date":"2026-12-05T18:30:00Z"}"#)
        #expect(try JSONDecoder().decode(TextArgument.self, from: json) == .date(moment))
    }

    @Test("the environment chooses the language as gettext does")
    func environment() {
        #expect(Language.fromEnvironment(["LANG": "es_MX.UTF-8"]) == .es)
        #expect(Language.fromEnvironment(["LC_ALL": "en_US.UTF-8", "LANG": "es_MX.UTF-8"]) == .en)
        #expect(Language.fromEnvironment(["LC_MESSAGES": "es_ES", "LANG": "C"]) == .es)
        #expect(Language.fromEnvironment(["LANG": "C.UTF-8"]) == .en)
        #expect(Language.fromEnvironment([:]) == .en)
        #expect(Language.fromEnvironment(["LANG": "fr_FR.UTF-8"]) == .en)
    }

    @Test("Accept-Language picks the best language we speak")
    func acceptLanguage() {
        #expect(Language.fromAcceptLanguage("es-MX,es;q=0.9,en;q=0.8") == .es)
        #expect(Language.fromAcceptLanguage("fr-FR,en;q=0.5,es;q=0.7") == .es)
        #expect(Language.fromAcceptLanguage("fr-FR") == nil)
        #expect(Language.fromAcceptLanguage(nil) == nil)
    }

    @Test("the pseudo-locale marks catalog text and keeps the figures")
    func pseudo() {
        let text = Localizer(.pseudo)("finding.threshold.pass.at_least", [
            "what": .term("what.network.download"), "measured": .number(28.1, unit: "Mbit/s"),
            "limit": .number(10, unit: "Mbit/s"),
        ])
        #expect(text.hasPrefix("[[Döwñlöàd špééd"))
        #expect(text.contains("10 Mbit/s"))
        #expect(text.contains("28.1 Mbit/s"))
        #expect(text.hasSuffix("]"))
    }
}
