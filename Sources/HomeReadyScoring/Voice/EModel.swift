import HomeReadyModel

/// ITU-T G.107 E-model reduced to network terms, with codec impairments from ITU-T G.113 Appendix I.
///
/// R = R0 − Id − Ie,eff with R0 = 93.2 (G.107 defaults for Ro − Is, A = 0);
/// Id = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3) for the one-way mouth-to-ear delay d in ms;
/// Ie,eff = Ie + (95 − Ie)·Ppl / (Ppl/BurstR + Bpl) with random loss (BurstR = 1);
/// MOS = 1 + 0.035·R + R·(R − 60)·(100 − R)·7·10⁻⁶, clamped to 1…4.5.
public struct EModel: Sendable {
    /// The name written in reports next to the figures.
    public static let variant = "itu-t-g107"
    /// Basic signal-to-noise ratio less simultaneous impairments at G.107's default values.
    public static let r0 = 93.2

    /// Network conditions the estimate is made for.
    public struct Conditions: Sendable, Equatable {
        /// Round-trip time in ms.
        public var rttMs: Double
        /// Interarrival jitter in ms (sizes the receiver's jitter buffer).
        public var jitterMs: Double
        /// Packet loss in percent.
        public var lossPercent: Double

        public init(rttMs: Double, jitterMs: Double, lossPercent: Double) {
            self.rttMs = rttMs
            self.jitterMs = jitterMs
            self.lossPercent = lossPercent
        }
    }

    /// The result of an estimate.
    public struct Estimate: Sendable, Equatable {
        public var rFactor: Double
        public var mos: Double
        /// One-way mouth-to-ear delay used for Id, in ms.
        public var oneWayDelayMs: Double
    }

    /// Estimates R and MOS for `codec` under `conditions`.
    ///
    /// Mouth-to-ear delay d = RTT/2 + jitter buffer (2 × jitter, at least 10 ms) + packetisation (20 ms frames)
    /// + the codec's look-ahead.
    public static func estimate(codec: VoiceCodec, conditions: Conditions) -> Estimate {
        let profile = CodecProfile(codec)
        let jitterBuffer = max(10, 2 * conditions.jitterMs)
        let delay = max(0, conditions.rttMs) / 2 + jitterBuffer + profile.packetMs + profile.lookaheadMs
        let r = rFactor(oneWayDelayMs: delay, ie: profile.ie, bpl: profile.bpl, lossPercent: conditions.lossPercent)
        return Estimate(rFactor: r, mos: mos(rFactor: r), oneWayDelayMs: delay)
    }

    /// R from its parts: delay impairment Id and effective equipment impairment Ie,eff (random loss).
    public static func rFactor(oneWayDelayMs d: Double, ie: Double, bpl: Double, lossPercent: Double) -> Double {
        let id = delayImpairment(oneWayDelayMs: d)
        let ppl = min(max(lossPercent, 0), 100)
        let ieEff = ie + (95 - ie) * ppl / (ppl / 1 + bpl)
        return r0 - id - ieEff
    }

    /// Id = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3).
    public static func delayImpairment(oneWayDelayMs d: Double) -> Double {
        0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0)
    }

    /// G.107 Annex B mapping from R to the conversational MOS.
    public static func mos(rFactor r: Double) -> Double {
        if r < 0 { return 1 }
        if r > 100 { return 4.5 }
        let value = 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6
        return min(max(value, 1), 4.5)
    }
}

/// Codec constants used by the E-model and the bandwidth math.
public struct CodecProfile: Sendable, Equatable {
    public var codec: VoiceCodec
    /// Equipment impairment factor Ie (G.113 Appendix I).
    public var ie: Double
    /// Packet-loss robustness factor Bpl (G.113 Appendix I, random loss, with packet loss concealment).
    public var bpl: Double
    /// Audio per packet in ms.
    public var packetMs: Double
    /// Algorithmic look-ahead in ms.
    public var lookaheadMs: Double
    /// Codec payload bit rate in bit/s (Opus: the 24 kbit/s narrow/wideband VoIP setting contact centres use).
    public var payloadBitsPerSecond: Double

    /// The constants for `codec`.
    ///
    /// G.711 with PLC: Ie 0, Bpl 25.1. G.729A with VAD: Ie 11, Bpl 19.0. Opus is not in G.113's narrowband table;
    /// we use Ie 0 and Bpl 20 at 24 kbit/s (a conservative reading of published Opus E-model fits), and say so in
    /// docs/measurement.md.
    public init(_ codec: VoiceCodec) {
        self.codec = codec
        switch codec {
        case .g711:
            ie = 0; bpl = 25.1; packetMs = 20; lookaheadMs = 0; payloadBitsPerSecond = 64_000
        case .g729:
            ie = 11; bpl = 19.0; packetMs = 20; lookaheadMs = 5; payloadBitsPerSecond = 8_000
        case .opus:
            ie = 0; bpl = 20.0; packetMs = 20; lookaheadMs = 6.5; payloadBitsPerSecond = 24_000
        }
    }

    /// Payload bytes per packet.
    public var payloadBytes: Double { payloadBitsPerSecond * packetMs / 1000 / 8 }
    /// Packets per second in each direction.
    public var packetsPerSecond: Double { 1000 / packetMs }
}
