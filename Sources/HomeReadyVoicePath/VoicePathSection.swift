/// The voice path as a softphone meets it: SIP through the home router (ALG), the SBCs, the TURN relays and the
/// NAT type.
import Foundation
import HomeReadyModel
import HomeReadyTransport
import Logging

/// Where and how the voice-path section checks.
public struct VoicePathCheckOptions: Sendable {
    /// The SIP mirror (`homeready-server serve --sip-port`), from `/speed/info` or `check --sip-mirror HOST:PORT`.
    public var sipMirrorHost: String?
    public var sipMirrorPort: Int?
    /// The HomeReady server whose `/speed/info` names the SIP mirror's port (`sip_port`) when no mirror is given
    /// (set after init).
    public var serverURL: URL? = nil
    /// Short-lived TURN REST credentials handed out by the inventory server, when there is one.
    public var turnCredentials: TURNCredentials?
    /// Binds every probe to this interface.
    public var interface: String?
    /// Upper bound per exchange, in seconds.
    public var timeoutSeconds: Double
    /// Skips certificate checks (lab SBCs and relays with self-signed certificates only).
    public var insecureTLS: Bool

    public init(
        sipMirrorHost: String? = nil, sipMirrorPort: Int? = nil, turnCredentials: TURNCredentials? = nil,
        interface: String? = nil, timeoutSeconds: Double = 3, insecureTLS: Bool = false
    ) {
        self.sipMirrorHost = sipMirrorHost
        self.sipMirrorPort = sipMirrorPort
        self.turnCredentials = turnCredentials
        self.interface = interface
        self.timeoutSeconds = timeoutSeconds
        self.insecureTLS = insecureTLS
    }
}

/// A TURN long-term credential (RFC 8489 §9.2), e.g. the TURN REST API's `EXPIRY:ID` user and HMAC password.
public struct TURNCredentials: Sendable, Equatable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

/// The voice-path section of `homeready check`.
public enum VoicePathSection {
    /// Runs every voice-path probe the profile and options allow and returns the raw results; never throws.
    public static func run(
        profile: Profile, options: VoicePathCheckOptions, progress: @escaping ProgressHandler, logger: Logger
    ) async -> SectionOutcome {
        var result = VoicePathResult()
        result.sipALG = await SIPALGCheck.run(options: options, progress: progress, logger: logger)
        result.sbc = await SBCCheck.run(profile.voice.sbc, stunServers: profile.stunServers, options: options, progress: progress, logger: logger)
        result.turn = await TURNCheck.run(profile.voice.turn, options: options, progress: progress, logger: logger)
        result.natType = await NATTypeCheck.run(profile.stunServers, options: options, progress: progress, logger: logger)
        return SectionOutcome(voicePath: result)
    }
}
