/// Compares package versions the way dpkg does (`epoch:upstream-revision`, `~` sorting before anything),
/// which also orders RPM `epoch:version-release` strings and plain dotted versions as people expect.
public enum VersionComparison {
    /// Negative when `a` is older than `b`, zero when equal, positive when newer.
    public static func compare(_ a: String, _ b: String) -> Int {
        let (epochA, upstreamA, revisionA) = split(a)
        let (epochB, upstreamB, revisionB) = split(b)
        if epochA != epochB { return epochA < epochB ? -1 : 1 }
        let upstream = compareFragment(upstreamA, upstreamB)
        if upstream != 0 { return upstream }
        return compareFragment(revisionA, revisionB)
    }

    private static func split(_ version: String) -> (Int, String, String) {
        var rest = Substring(version.trimmingCharacters(in: .whitespaces))
        var epoch = 0
        if let colon = rest.firstIndex(of: ":"), let value = Int(rest[..<colon]) {
            epoch = value
            rest = rest[rest.index(after: colon)...]
        }
        if let dash = rest.lastIndex(of: "-") {
            return (epoch, String(rest[..<dash]), String(rest[rest.index(after: dash)...]))
        }
        return (epoch, String(rest), "")
    }

    private static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }

    private static func order(_ c: Character?) -> Int {
        guard let c else { return 0 }
        if c == "~" { return -1 }
        if isDigit(c) { return 0 }
        if c.isASCII, c.isLetter { return Int(c.asciiValue!) }
        return Int(c.asciiValue ?? 127) + 256
    }

    private static func compareFragment(_ a: String, _ b: String) -> Int {
        let left = Array(a)
        let right = Array(b)
        var i = 0
        var j = 0
        while i < left.count || j < right.count {
            // Non-digit run, character by character with dpkg's ordering (end of text sorts after `~` only).
            while (i < left.count && !isDigit(left[i])) || (j < right.count && !isDigit(right[j])) {
                let l: Character? = i < left.count && !isDigit(left[i]) ? left[i] : nil
                let r: Character? = j < right.count && !isDigit(right[j]) ? right[j] : nil
                let difference = order(l) - order(r)
                if difference != 0 { return difference < 0 ? -1 : 1 }
                if l != nil { i += 1 }
                if r != nil { j += 1 }
            }
            // Digit run, compared as a number.
            var numberLeft = 0
            var numberRight = 0
            while i < left.count, isDigit(left[i]) {
                numberLeft = min(numberLeft &* 10 &+ Int(String(left[i]))!, Int.max / 20)
                i += 1
            }
            while j < right.count, isDigit(right[j]) {
                numberRight = min(numberRight &* 10 &+ Int(String(right[j]))!, Int.max / 20)
                j += 1
            }
            if numberLeft != numberRight { return numberLeft < numberRight ? -1 : 1 }
        }
        return 0
    }
}
