import Foundation
import HomeReadyModel
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

    public init(
        serverURL: URL? = nil, downloadURL: URL? = nil, uploadURL: URL? = nil, echoHost: String? = nil,
        echoPort: Int? = nil, interface: String? = nil, deadlineSeconds: Double = 60, maxSecondsPerDirection: Double = 8
    ) {
        self.serverURL = serverURL
        self.downloadURL = downloadURL
        self.uploadURL = uploadURL
        self.echoHost = echoHost
        self.echoPort = echoPort
        self.interface = interface
        self.deadlineSeconds = deadlineSeconds
        self.maxSecondsPerDirection = maxSecondsPerDirection
    }
}

/// The network section of `homeready check`.
public enum NetworkSection {
    /// Measures the home link and judges it against the profile's thresholds. Never throws: what could not be
    /// measured becomes a finding with status `error`.
    public static func run(
        profile: Profile, options: NetworkCheckOptions, progress: @escaping ProgressHandler, logger: Logger
    ) async -> SectionOutcome {
        // Placeholder until the network probe lands (issue 3).
        SectionOutcome(findings: [
            Finding(
                id: "network.not_implemented", section: .network, severity: .info, status: .skipped,
                message: "The network check is not available in this build.")
        ])
    }
}
