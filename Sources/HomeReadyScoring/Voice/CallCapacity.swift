import HomeReadyModel

/// Voice bandwidth per call and how many calls a link carries.
public enum CallCapacity {
    /// IPv4 (20) + UDP (8) + RTP (12) header bytes per voice packet.
    public static let ipUDPRTPBytes = 40.0
    /// Share of the measured rate voice may use: the rest stays for signalling, screen sharing and the household.
    public static let usableShare = 0.8

    /// Bits per second one call needs in each direction: (payload + IP/UDP/RTP + VPN overhead) × packets/s.
    /// (Layer-2 framing is left out: the measured goodput already excludes it on the access link.)
    public static func bitsPerSecondPerCall(codec: VoiceCodec, vpnOverheadBytes: Int = 0) -> Double {
        let profile = CodecProfile(codec)
        let packetBytes = profile.payloadBytes + ipUDPRTPBytes + Double(max(0, vpnOverheadBytes))
        return packetBytes * 8 * profile.packetsPerSecond
    }

    /// Concurrent calls the slower direction carries within `usableShare` of the measured rates.
    public static func maxConcurrentCalls(
        codec: VoiceCodec, downloadMbps: Double, uploadMbps: Double, vpnOverheadBytes: Int = 0
    ) -> Int {
        let perCall = bitsPerSecondPerCall(codec: codec, vpnOverheadBytes: vpnOverheadBytes)
        let slowest = max(0, min(downloadMbps, uploadMbps)) * 1_000_000 * usableShare
        return Int((slowest / perCall).rounded(.down))
    }

    /// The codec to recommend: the profile's codec when it carries `requiredCalls` with MOS at or above
    /// `minMOS`; otherwise the best-scoring codec that fits, preferring the compressed ones on tight or VPN links.
    /// Nil when the profile's codec is fine (no change to recommend) or when no codec fits.
    public static func recommendedCodec(
        preferred: VoiceCodec, conditions: EModel.Conditions, downloadMbps: Double?, uploadMbps: Double?,
        requiredCalls: Int, vpnOverheadBytes: Int, minMOS: Double?
    ) -> VoiceCodec? {
        func fits(_ codec: VoiceCodec) -> Bool {
            guard let downloadMbps, let uploadMbps else { return true }
            return maxConcurrentCalls(
                codec: codec, downloadMbps: downloadMbps, uploadMbps: uploadMbps, vpnOverheadBytes: vpnOverheadBytes
            ) >= max(1, requiredCalls)
        }
        func score(_ codec: VoiceCodec) -> Double { EModel.estimate(codec: codec, conditions: conditions).mos }
        if fits(preferred) && score(preferred) >= (minMOS ?? 0) { return nil }
        // Order: best MOS first; ties broken by lower bandwidth.
        let candidates = VoiceCodec.allCases.filter(fits).sorted {
            let (a, b) = (score($0), score($1))
            if abs(a - b) > 0.01 { return a > b }
            return bitsPerSecondPerCall(codec: $0) < bitsPerSecondPerCall(codec: $1)
        }
        guard let best = candidates.first, best != preferred else { return nil }
        return best
    }
}
