import Foundation
import HomeReadyModel

/// Renders catalog texts, figures and dates for one reader's language. Cheap to make and `Sendable`: make one per
/// request or per run.
public struct Localizer: Sendable {
    public let language: Language
    public let catalog: MessageCatalog
    /// The reader's time zone for dates (the machine's own when a reader's is unknown).
    public var timeZone: TimeZone { readerTimeZone ?? .current }
    /// The zone given, if any: the machine's is looked up only when a date is written, since finding it loads ICU's
    /// time-zone data, which an agent check that writes no date does not need.
    private let readerTimeZone: TimeZone?

    public init(_ language: Language, catalog: MessageCatalog = .shipped, timeZone: TimeZone? = nil) {
        self.language = language
        self.catalog = catalog
        self.readerTimeZone = timeZone
    }

    /// English, as in JSON documents and logs.
    public static let english = Localizer(.en)

    /// The text for `key` with its placeholders filled. A key no catalog holds renders as itself in brackets, which
    /// the catalog tests forbid for every key the program uses.
    public func callAsFunction(_ key: String, _ args: [String: TextArgument] = [:]) -> String {
        var chosen = key
        if case .number(let count, _)? = args["count"], count == 1, catalog.template(key + ".one", language) != nil {
            chosen = key + ".one"
        }
        guard let template = catalog.template(chosen, language) else { return "[\(key)]" }
        return fill(language == .pseudo ? Self.pseudo(template) : template, args)
    }

    /// A localized text: its key rendered, or the profile author's translation (English, then any, as fallback).
    public func render(_ text: LocalizedText) -> String {
        if let key = text.key { return self(key, text.args) }
        let code = language == .pseudo ? Language.en.rawValue : language.rawValue
        let chosen = text.translations[code] ?? text.translations[Language.en.rawValue]
            ?? text.translations.sorted(by: { $0.key < $1.key }).first?.value ?? ""
        return language == .pseudo ? Self.pseudo(chosen) : chosen
    }

    /// An argument as the reader sees it.
    public func render(_ argument: TextArgument) -> String {
        switch argument {
        case .number(let value, let unit): quantity(value, unit: unit)
        case .text(let value): value
        case .term(let key): self(key)
        case .localized(let text): render(text)
        case .date(let moment): dateTime(moment)
        }
    }

    private func fill(_ template: String, _ args: [String: TextArgument]) -> String {
        var result = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            result += args[name].map { render($0) } ?? "{\(name)}"
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    // MARK: Figures

    /// A figure with its unit, in human units and a sensible precision: 28.1 Gbit/s, 950 Mbit/s, 4.8 Mbit/s, 35 ms,
    /// 0.4 %. Units the catalog names as words (`calls`, `probes`) are translated.
    public func quantity(_ value: Double, unit: String?, decimals: Int? = nil) -> String {
        guard let unit else { return number(value, decimals: decimals ?? (value == value.rounded() ? 0 : 2)) }
        switch unit {
        case "Mbit/s":
            if abs(value) >= 1000 {
                return number(value / 1000, decimals: decimals ?? (abs(value) >= 100_000 ? 0 : 1)) + " Gbit/s"
            }
            return number(value, decimals: decimals ?? Self.rateDecimals(value)) + " Mbit/s"
        case "ms", "milliseconds":
            return number(value, decimals: decimals ?? (abs(value) >= 10 || value == value.rounded() ? 0 : 1)) + " ms"
        case "%", "percent":
            let digits = decimals ?? (value == value.rounded() || abs(value) >= 10 ? 0 : abs(value) >= 1 ? 1 : 2)
            return number(value, decimals: digits) + (language == .es ? " %" : "%")
        case "s":
            return number(value, decimals: decimals ?? (abs(value) >= 10 || value == value.rounded() ? 0 : 1)) + " s"
        case "dBFS":
            return number(value, decimals: decimals ?? 0) + " dBFS"
        case "MOS", "MOS (1 to 4.5)":
            return number(value, decimals: decimals ?? (value == value.rounded() ? 0 : 1))
        case "bytes":
            return number(value, decimals: 0) + " " + self("unit.bytes")
        default:
            let word = catalog.template("unit.\(unit)", language) != nil ? self("unit.\(unit)") : unit
            return number(value, decimals: decimals ?? (value == value.rounded() ? 0 : 1)) + " " + word
        }
    }

    /// A measured figure and its limit, with enough decimals that two different values never print the same
    /// (3.55 against a limit of 3.6 does not read "3.6, below the 3.6 …"). Rounding keeps the order otherwise.
    public func pair(_ measured: Double, _ limit: Double, unit: String?) -> (measured: String, limit: String) {
        var shown = (quantity(measured, unit: unit), quantity(limit, unit: unit))
        var decimals = 1
        while measured != limit, shown.0 == shown.1, decimals <= 4 {
            shown = (quantity(measured, unit: unit, decimals: decimals), quantity(limit, unit: unit, decimals: decimals))
            decimals += 1
        }
        return shown
    }

    /// A plain number in the reader's locale (`DecimalText`: both languages write numbers alike).
    public func number(_ value: Double, decimals: Int) -> String {
        DecimalText.format(value, decimals: decimals)
    }

    private static func rateDecimals(_ value: Double) -> Int {
        let size = abs(value)
        return size >= 100 || value == value.rounded() ? 0 : size >= 1 ? 1 : 2
    }

    // MARK: Dates

    /// A moment in the reader's locale and time zone: "5 dic 2026, 11:51 a.m." / "Dec 5, 2026 at 11:51 AM".
    public func dateTime(_ date: Date) -> String {
        date.formatted(
            Date.FormatStyle(date: .abbreviated, time: .shortened, locale: language.locale, timeZone: timeZone))
    }

    /// A day in the reader's locale: "5 dic 2026" / "Dec 5, 2026".
    public func day(_ date: Date) -> String {
        date.formatted(Date.FormatStyle(date: .abbreviated, time: .omitted, locale: language.locale, timeZone: timeZone))
    }

    // MARK: Pseudo-locale

    /// English made recognisable and a third longer, `{placeholders}` untouched: "[Ðöwñlöàð špééð: {measured} ~~~~]".
    static func pseudo(_ text: String) -> String {
        let accents: [Character: Character] = [
            "a": "à", "e": "é", "i": "î", "o": "ö", "u": "û", "c": "ç", "n": "ñ", "s": "š", "y": "ý", "z": "ž",
            "A": "À", "E": "É", "I": "Î", "O": "Ö", "U": "Û", "C": "Ç", "N": "Ñ", "S": "Š", "Y": "Ý", "Z": "Ž",
        ]
        var result = ""
        var inPlaceholder = false
        for character in text {
            if character == "{" { inPlaceholder = true }
            result.append(inPlaceholder ? character : (accents[character] ?? character))
            if character == "}" { inPlaceholder = false }
        }
        let letters = text.filter(\.isLetter).count
        return "[" + result + " " + String(repeating: "~", count: max(1, letters / 3)) + "]"
    }
}
