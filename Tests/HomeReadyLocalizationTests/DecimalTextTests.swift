import Foundation
import HomeReadyLocalization
import Testing

/// `DecimalText` prints what Foundation's ICU number formatter prints in every language's locale, rounding included.
@Suite("Decimal text")
struct DecimalTextTests {
    /// Figures a check reports, the halfway cases of rounding, carries, tiny and huge values, negatives.
    static let values: [Double] = [
        0, 1, 7, 9.5, 10, 0.5, 1.5, 2.5, 2.25, 2.35, 0.05, 0.15, 0.125, 0.045, 3.55, 3.6, 4.41, 19.999, 99.95, 999.5,
        999.96, 1000, 1234.5, 12_345.25, 99_999.95, 123_456.789, 1_234_567, 987_654_321.123, 1e-7, 0.000_49, 5e-5,
        1.234e15, 2e16, 9.87e21, 0.1 + 0.2, 1.0 / 3, 2.0 / 3, 23.45, 0.995, 8.005, -0.04, -1.5, -2.5, -1234.567,
        -0.5, 940.8, 35.7, 250.05, 4.35, 73.125,
    ]

    @Test("the same text as FormatStyle's .number.precision(.fractionLength(n)) for 0 to 4 decimals, every language")
    func matchesFoundation() {
        for language in Language.allCases {
            for value in Self.values {
                for decimals in 0...4 {
                    let expected = value.formatted(.number.precision(.fractionLength(decimals)).locale(language.locale))
                    #expect(
                        DecimalText.format(value, decimals: decimals) == expected,
                        "\(value) with \(decimals) decimals in \(language.rawValue)")
                }
            }
        }
    }

    @Test("not-a-number and infinities print as Foundation prints them")
    func special() {
        #expect(DecimalText.format(.nan, decimals: 1) == Double.nan.formatted(.number.precision(.fractionLength(1))))
        #expect(DecimalText.format(.infinity, decimals: 0) == "∞")
        #expect(DecimalText.format(-.infinity, decimals: 0) == "-∞")
    }
}
