/// A letter grade for bufferbloat: how much latency rises when the link is busy.
public enum BufferbloatGrade: String, Sendable, CaseIterable, Codable {
    case aPlus = "A+"
    case a = "A"
    case b = "B"
    case c = "C"
    case d = "D"
    case f = "F"

    /// The scale, named wherever the grade is shown: the mean of the download and upload latency increase
    /// (loaded median RTT − idle median RTT), the DSLReports bands (also used by 8x8 and Waveform).
    public static let scale = "A+ < 5 ms, A < 30 ms, B < 60 ms, C < 200 ms, D < 400 ms, F ≥ 400 ms (mean latency increase under load, download and upload)"

    /// The grade for a mean latency increase in milliseconds (negative increases count as none).
    public init(increaseMs: Double) {
        switch max(0, increaseMs) {
        case ..<5: self = .aPlus
        case ..<30: self = .a
        case ..<60: self = .b
        case ..<200: self = .c
        case ..<400: self = .d
        default: self = .f
        }
    }

    /// The mean increase over the directions measured, nil when neither loaded latency is known.
    public static func meanIncrease(idleMs: Double, loadedDownMs: Double?, loadedUpMs: Double?) -> Double? {
        let increases = [loadedDownMs, loadedUpMs].compactMap { $0.map { max(0, $0 - idleMs) } }
        guard !increases.isEmpty else { return nil }
        return increases.reduce(0, +) / Double(increases.count)
    }

    /// Grades C and worse hurt calls while somebody at home streams or uploads.
    public var hurtsCalls: Bool { self == .c || self == .d || self == .f }
}
