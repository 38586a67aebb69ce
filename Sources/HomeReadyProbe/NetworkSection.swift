/// Network measurement of the home link.
import Foundation
import HomeReadyModel
import HomeReadyTransport
import Logging

/// Where and how the network section measures. Each endpoint can be overridden on its own.
public struct NetworkCheckOptions: Sendable {
    /// The HomeReady server whose `/speed/info` names the test endpoints.
    public var serverURL: URL?
    /// Overrides the download endpoint: any HTTP(S) URL serving a large body.
    public var downloadURL: URL?
    /// Overrides the upload endpoint: any HTTP(S) URL accepting a POST.
    public var uploadURL: URL?
    /// Overrides the UDP echo peer (RFC 862 or HomeReady's responder).
    public var echoHost: String?
    public var echoPort: Int?
    /// Binds every test to this interface.
    public var interface: String?
    /// Upper bound for the whole network section, in seconds.
    public var deadlineSeconds: Double
    /// Upper bound per throughput direction, in seconds.
    public var maxSecondsPerDirection: Double
    /// Length of the idle voice-like UDP stream, in seconds (at least: see `maxVoiceSeconds`).
    public var voiceSeconds: Double
    /// The idle stream may run this long to decide the profile's loss limit (its 95% interval must fall on one
    /// side of the limit).
    public var maxVoiceSeconds: Double
    /// Length of the voice-like stream run beside each saturated direction, in seconds; 0 skips it.
    public var loadedVoiceSeconds: Double
    /// Which IP family to use for HTTP tests (`any` follows the address given).
    public var ipFamily: HTTPRequest.IPFamily
    /// Skips certificate checks (lab servers with self-signed certificates only).
    public var insecureTLS: Bool
    /// Environment read for `HTTP(S)_PROXY`/`NO_PROXY` (defaults to the process environment).
    public var environment: [String: String]?

    public init(
        serverURL: URL? = nil, downloadURL: URL? = nil, uploadURL: URL? = nil, echoHost: String? = nil,
        echoPort: Int? = nil, interface: String? = nil, deadlineSeconds: Double = 60, maxSecondsPerDirection: Double = 8,
        voiceSeconds: Double = 5, maxVoiceSeconds: Double = 30, loadedVoiceSeconds: Double = 3, ipFamily: HTTPRequest.IPFamily = .any, insecureTLS: Bool = false,
        environment: [String: String]? = nil
    ) {
        self.serverURL = serverURL
        self.downloadURL = downloadURL
        self.uploadURL = uploadURL
        self.echoHost = echoHost
        self.echoPort = echoPort
        self.interface = interface
        self.deadlineSeconds = deadlineSeconds
        self.maxSecondsPerDirection = maxSecondsPerDirection
        self.voiceSeconds = voiceSeconds
        self.maxVoiceSeconds = maxVoiceSeconds
        self.loadedVoiceSeconds = loadedVoiceSeconds
        self.ipFamily = ipFamily
        self.insecureTLS = insecureTLS
        self.environment = environment
    }
}

/// The network section of `homeready check`.
public enum NetworkSection {
    /// Measures the home link (the judge compares it with the profile's thresholds). Never throws: what could not be
    /// measured is absent, and a fault the measurement saw is an observation with status `error` or `fail`. One overall deadline (`options.deadlineSeconds`) bounds
    /// the whole section, however the server behaves.
    public static func run(
        profile: Profile, options: NetworkCheckOptions, progress: @escaping ProgressHandler, logger: Logger
    ) async -> SectionOutcome {
        let cancellation = TransferCancellation()
        let deadline = Date().addingTimeInterval(options.deadlineSeconds)
        let measurement = NetworkMeasurement(
            options: options, environment: options.environment ?? ProcessInfo.processInfo.environment,
            progress: progress, logger: logger, cancellation: cancellation, deadline: deadline,
            lossLimitPercent: profile.network.maxLossPercent?.limit, vpnGateways: profile.vpn.gateways)
        logger.debug("probe.network.start", metadata: ["probe.target": "\(options.serverURL?.absoluteString ?? "overrides")"])
        // The watchdog is a dispatch timer rather than a Task so that it fires even if the caller's cooperative
        // pool is busy: the deadline must hold whatever else the process does.
        let watchdog = DispatchWorkItem { cancellation.cancel() }
        DispatchQueue.global().asyncAfter(deadline: .now() + max(0, options.deadlineSeconds), execute: watchdog)
        let outcome = await measurement.run()
        watchdog.cancel()
        logger.debug("probe.network.done", metadata: ["probe.observations": "\(outcome.faults.count)"])
        return SectionOutcome(observations: outcome.faults, network: outcome.network)
    }
}
