import Foundation

/// Settings of the self-test page, each with a default.
public struct SelfTestConfiguration: Sendable {
    /// TURN servers reached over UDP and TCP on their port (`serve --turn-server HOST:PORT`, repeatable).
    public var turnServers: [TURNServer]
    /// TURN servers reached over TLS (`turns:`; `serve --turn-tls-server HOST:PORT`).
    public var turnTLSServers: [TURNServer]
    /// coturn's `static-auth-secret` (`serve --turn-secret-file FILE`); nil leaves the call test out.
    public var turnSecret: String?
    /// How long TURN credentials handed to a page work (default 10 min).
    public var turnCredentialSeconds: TimeInterval
    /// Seconds of audio the looped call measures (default 10; at least 10 for meaningful jitter and loss).
    public var callSeconds: Double
    /// Seconds the page waits for a relay transport to connect before trying the next (default 6).
    public var relayConnectSeconds: Double
    /// Longest a throughput direction runs, in seconds (default 6); it stops earlier once the rate is steady.
    public var throughputSeconds: Double
    /// Seconds discarded after every stream has started moving bytes (default 0.5: connection set-up, slow
    /// start, the first socket buffer of an upload).
    public var settleSeconds: Double
    /// Seconds the steady phase must last before a direction may stop (default 2).
    public var minSteadySeconds: Double
    /// A direction is steady when its last four 0.5 s window rates vary by less than this (coefficient of
    /// variation; default 0.05, as the agent's `ThroughputController`).
    public var stableSpread: Double
    /// Parallel download and upload streams (default 4: with the latency probe, within a browser's six
    /// connections per host over HTTP/1.1).
    public var streams: Int
    /// Seconds the page waits for the speaker answer (default 20).
    public var speakerAnswerSeconds: Double
    /// Largest report the page may post, in bytes (default 256 KiB).
    public var maxReportBytes: Int
    /// Path of the speed-test endpoints the page measures against (default `/speed`).
    public var speedPathPrefix: String

    public init(
        turnServers: [TURNServer] = [], turnTLSServers: [TURNServer] = [], turnSecret: String? = nil,
        turnCredentialSeconds: TimeInterval = 600, callSeconds: Double = 10, relayConnectSeconds: Double = 6,
        throughputSeconds: Double = 6, settleSeconds: Double = 0.5, minSteadySeconds: Double = 2,
        stableSpread: Double = 0.05, streams: Int = 4, speakerAnswerSeconds: Double = 20,
        maxReportBytes: Int = 256 << 10, speedPathPrefix: String = "/speed"
    ) {
        self.turnServers = turnServers
        self.turnTLSServers = turnTLSServers
        self.turnSecret = turnSecret
        self.turnCredentialSeconds = turnCredentialSeconds
        self.callSeconds = callSeconds
        self.relayConnectSeconds = relayConnectSeconds
        self.throughputSeconds = throughputSeconds
        self.settleSeconds = settleSeconds
        self.minSteadySeconds = minSteadySeconds
        self.stableSpread = stableSpread
        self.streams = streams
        self.speakerAnswerSeconds = speakerAnswerSeconds
        self.maxReportBytes = maxReportBytes
        self.speedPathPrefix = speedPathPrefix
    }

    /// Whether the page can run the relayed call (a secret and at least one server).
    public var relayConfigured: Bool {
        turnSecret != nil && !(turnServers.isEmpty && turnTLSServers.isEmpty)
    }

    /// The ICE server URLs per transport, tried in this order by the page: UDP, then TCP, then TLS.
    public var relayURLs: [(transport: String, urls: [String])] {
        var out: [(String, [String])] = []
        if !turnServers.isEmpty {
            out.append(("udp", turnServers.map { "turn:\($0.uriHost):\($0.port)?transport=udp" }))
            out.append(("tcp", turnServers.map { "turn:\($0.uriHost):\($0.port)?transport=tcp" }))
        }
        if !turnTLSServers.isEmpty {
            out.append(("tls", turnTLSServers.map { "turns:\($0.uriHost):\($0.port)?transport=tcp" }))
        }
        return out
    }
}
