/// Numbers written the way Mexico's Spanish and US English write them ("12,345.6": commas between thousands, a
/// point before the decimals), without Foundation's ICU formatter: formatting one figure that way loaded about four
/// megabytes of ICU's code and locale data into every agent check (docs/performance.md, "The agent's memory").
///
/// The result is what `FormatStyle`'s `.number.precision(.fractionLength(n))` prints for those locales, down to its
/// rounding (half to even, of the shortest decimal that reads back as the same `Double`); `DecimalTextTests`
/// compares the two for every `Language`, so a language written otherwise fails there until its separators are here.
public enum DecimalText {
    /// `value` with exactly `decimals` digits after the point.
    public static func format(_ value: Double, decimals: Int) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-∞" : "∞" }
        let decimals = max(0, decimals)
        var (digits, pointAt) = shortestDigits(abs(value))
        // Digits up to the last one kept; what follows decides the rounding.
        let kept = pointAt + decimals
        if kept < digits.count {
            let rest = digits[max(0, kept)...]
            var roundUp = false
            if kept >= 0, let first = rest.first {
                let tail = rest.dropFirst()
                if first > 5 || (first == 5 && tail.contains { $0 != 0 }) {
                    roundUp = true
                } else if first == 5 {
                    let previous = kept > 0 ? digits[kept - 1] : 0
                    roundUp = previous % 2 == 1
                }
            }
            digits = Array(digits[..<max(0, kept)])
            if roundUp {
                var index = digits.count - 1
                while index >= 0, digits[index] == 9 {
                    digits[index] = 0
                    index -= 1
                }
                if index >= 0 {
                    digits[index] += 1
                } else {
                    digits.insert(1, at: 0)
                    pointAt += 1
                }
            }
        }
        // Integer part, grouped by thousands.
        var integer = pointAt > 0 ? (0..<pointAt).map { $0 < digits.count ? digits[$0] : 0 } : [0]
        while integer.count > 1, integer.first == 0 { integer.removeFirst() }
        var text = value.sign == .minus ? "-" : ""
        for (index, digit) in integer.enumerated() {
            if index > 0, (integer.count - index) % 3 == 0 { text += "," }
            text += String(digit)
        }
        if decimals > 0 {
            text += "."
            for place in 0..<decimals {
                let index = pointAt + place
                text += String(index >= 0 && index < digits.count ? digits[index] : 0)
            }
        }
        return text
    }

    /// The decimal digits of the shortest text that reads back as `value` (Swift's `description`), and how many of
    /// them come before the point (negative or beyond the digits for very small or large values).
    static func shortestDigits(_ value: Double) -> (digits: [Int], pointAt: Int) {
        let text = value.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits: [Int] = []
        var pointAt: Int?
        for character in mantissa {
            if character == "." {
                pointAt = digits.count
            } else if let digit = character.wholeNumberValue {
                digits.append(digit)
            }
        }
        var point = (pointAt ?? digits.count) + exponent
        // Leading zeros ("0.05") move the point instead of being digits.
        while digits.count > 1, digits.first == 0 {
            digits.removeFirst()
            point -= 1
        }
        return (digits, point)
    }
}
