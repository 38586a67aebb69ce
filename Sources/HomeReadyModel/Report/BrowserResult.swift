/// What the browser self-test page measured besides the network figures (which go in `NetworkResult`).
///
/// Sent with `source: "browser"`; see `docs/report.md` ("The browser report"). Every figure is optional: what the
/// browser could not tell, or a test that did not run, is absent.
public struct BrowserResult: Codable, Sendable, Equatable {
    /// The browser's user agent string, as the page read it.
    public var userAgent: String?
    /// Browser name and version as the page read them (User-Agent Client Hints, else the user agent), e.g. `Chrome 126`.
    public var browser: String?
    /// Operating system as the browser tells it, e.g. `Windows`, `macOS`, `Linux`.
    public var os: String?
    /// Logical processors (`navigator.hardwareConcurrency`).
    public var cpuCores: Int?
    /// Memory in GiB as the browser rounds it (`navigator.deviceMemory`: Chromium only, at most 8).
    public var memoryGB: Double?
    /// The page language the agent used (`es-MX`, `en`).
    public var language: String?
    /// The audio call looped through the company TURN relay.
    public var relay: RelayCallResult?
    /// The microphone level test.
    public var microphone: MicrophoneResult?
    /// The speaker test (a tone the agent says whether they heard).
    public var speaker: SpeakerResult?
    /// Audio and video devices the browser listed (`enumerateDevices`).
    public var devices: [BrowserDevice]?
    /// Seconds the whole page test took.
    public var testSeconds: Double?

    public init(
        userAgent: String? = nil, browser: String? = nil, os: String? = nil, cpuCores: Int? = nil,
        memoryGB: Double? = nil, language: String? = nil, relay: RelayCallResult? = nil,
        microphone: MicrophoneResult? = nil, speaker: SpeakerResult? = nil, devices: [BrowserDevice]? = nil,
        testSeconds: Double? = nil
    ) {
        self.userAgent = userAgent
        self.browser = browser
        self.os = os
        self.cpuCores = cpuCores
        self.memoryGB = memoryGB
        self.language = language
        self.relay = relay
        self.microphone = microphone
        self.speaker = speaker
        self.devices = devices
        self.testSeconds = testSeconds
    }

    enum CodingKeys: String, CodingKey {
        case userAgent = "user_agent"
        case browser, os
        case cpuCores = "cpu_cores"
        case memoryGB = "memory_gb"
        case language, relay, microphone, speaker, devices
        case testSeconds = "test_seconds"
    }
}

/// How the page's looped audio call reached the TURN relay.
public enum RelayTransport: String, Codable, Sendable, CaseIterable {
    /// UDP to the TURN port: what calls normally use.
    case udp
    /// TCP to the TURN port: works, but a lost packet delays every later one (degraded).
    case tcp
    /// TLS over TCP (`turns:`): as TCP, through networks that only let HTTPS-like traffic out.
    case tls
}

/// The audio call the page loops through the company TURN server (two peer connections, relay candidates only).
public struct RelayCallResult: Codable, Sendable, Equatable {
    /// The transport the call finally used; absent when no attempt connected.
    public var transport: RelayTransport?
    /// Round-trip time of the relayed media path in milliseconds (RTCP `remote-inbound-rtp`, else the ICE
    /// candidate pair's `currentRoundTripTime`).
    public var rttMs: Double?
    /// RTP interarrival jitter (RFC 3550) of the received audio in milliseconds, the worse direction.
    public var jitterMs: Double?
    /// Lost audio packets in percent of those expected, both directions together.
    public var lossPercent: Double?
    /// RTP packets sent, received and lost (both directions together).
    public var packetsSent: Int?
    public var packetsReceived: Int?
    public var packetsLost: Int?
    /// Seconds audio flowed after the call connected.
    public var callSeconds: Double?
    /// Every transport tried, in order.
    public var attempts: [RelayAttempt]?

    public init(
        transport: RelayTransport? = nil, rttMs: Double? = nil, jitterMs: Double? = nil, lossPercent: Double? = nil,
        packetsSent: Int? = nil, packetsReceived: Int? = nil, packetsLost: Int? = nil, callSeconds: Double? = nil,
        attempts: [RelayAttempt]? = nil
    ) {
        self.transport = transport
        self.rttMs = rttMs
        self.jitterMs = jitterMs
        self.lossPercent = lossPercent
        self.packetsSent = packetsSent
        self.packetsReceived = packetsReceived
        self.packetsLost = packetsLost
        self.callSeconds = callSeconds
        self.attempts = attempts
    }

    enum CodingKeys: String, CodingKey {
        case transport
        case rttMs = "rtt_ms"
        case jitterMs = "jitter_ms"
        case lossPercent = "loss_percent"
        case packetsSent = "packets_sent"
        case packetsReceived = "packets_received"
        case packetsLost = "packets_lost"
        case callSeconds = "call_seconds"
        case attempts
    }
}

/// One try at connecting the looped call over one transport.
public struct RelayAttempt: Codable, Sendable, Equatable {
    public var transport: RelayTransport
    public var connected: Bool
    /// Seconds until it connected or was given up.
    public var seconds: Double?
    /// Why it failed, as the browser said it (`ice failed`, `timeout`), when it did.
    public var error: String?

    public init(transport: RelayTransport, connected: Bool, seconds: Double? = nil, error: String? = nil) {
        self.transport = transport
        self.connected = connected
        self.seconds = seconds
        self.error = error
    }
}

/// The microphone level test (test.webrtc.org's rules over about 2 s of capture).
public struct MicrophoneResult: Codable, Sendable, Equatable {
    public var status: MicrophoneStatus
    /// RMS level of the capture in dBFS.
    public var rmsDBFS: Double?
    /// Largest absolute sample (0–1).
    public var peak: Double?
    /// Longest run of consecutive full-scale samples.
    public var clippedRun: Int?
    /// The microphone's name as the browser lists it.
    public var device: String?

    public init(
        status: MicrophoneStatus, rmsDBFS: Double? = nil, peak: Double? = nil, clippedRun: Int? = nil,
        device: String? = nil
    ) {
        self.status = status
        self.rmsDBFS = rmsDBFS
        self.peak = peak
        self.clippedRun = clippedRun
        self.device = device
    }

    enum CodingKeys: String, CodingKey {
        case status
        case rmsDBFS = "rms_dbfs"
        case peak
        case clippedRun = "clipped_run"
        case device
    }
}

/// What the microphone test found.
public enum MicrophoneStatus: String, Codable, Sendable, CaseIterable {
    /// A usable level.
    case ok
    /// Every sample is (about) zero: muted, or the wrong input.
    case silent
    /// RMS below −60 dBFS.
    case tooQuiet = "too_quiet"
    /// More than 6 consecutive full-scale samples.
    case clipping
    /// The agent or the browser refused microphone access.
    case permissionDenied = "permission_denied"
    /// The browser lists no microphone.
    case noDevice = "no_device"
    /// The test failed for another reason.
    case error
}

/// The speaker test: a tone is played and the agent answers.
public struct SpeakerResult: Codable, Sendable, Equatable {
    public var status: SpeakerStatus
    /// Seconds until the agent answered (absent without an answer).
    public var answerSeconds: Double?

    public init(status: SpeakerStatus, answerSeconds: Double? = nil) {
        self.status = status
        self.answerSeconds = answerSeconds
    }

    enum CodingKeys: String, CodingKey {
        case status
        case answerSeconds = "answer_seconds"
    }
}

/// The agent's answer to the speaker test.
public enum SpeakerStatus: String, Codable, Sendable, CaseIterable {
    /// "Yes, I heard the tone."
    case heard
    /// "No, I heard nothing."
    case notHeard = "not_heard"
    /// No answer within 20 s.
    case notConfirmed = "not_confirmed"
}

/// A media device the browser listed.
public struct BrowserDevice: Codable, Sendable, Equatable {
    /// `audioinput`, `audiooutput` or `videoinput`.
    public var kind: String
    /// The name (empty before the microphone permission is given).
    public var label: String
    /// True when the name marks a USB device (Chromium appends `(vid:pid)`; other browsers may say "USB").
    public var usb: Bool?
    /// True when the name looks like a headset (headset, Jabra, Poly, EPOS, auricular, diadema, …).
    public var headset: Bool?

    public init(kind: String, label: String, usb: Bool? = nil, headset: Bool? = nil) {
        self.kind = kind
        self.label = label
        self.usb = usb
        self.headset = headset
    }
}
