import Foundation
import HomeReadyJudging
import HomeReadyModel
import HomeReadyPosture
import HomeReadyProbe
import HomeReadyVPN
import HomeReadyVoicePath
import Logging

/// A part of the check that can be selected with `--only`.
public enum CheckPart: String, Sendable, CaseIterable, Hashable {
    case network, vpn
    case voicePath = "voice-path"
    case posture, equipment
}

/// Everything a check run needs besides the profile.
public struct CheckConfiguration: Sendable {
    public var parts: Set<CheckPart>
    public var agent: AgentIdentity
    public var network: NetworkCheckOptions
    public var vpn: VPNCheckOptions
    public var voicePath: VoicePathCheckOptions
    public var posture: PostureCheckOptions
    public var toolVersion: String

    public init(
        parts: Set<CheckPart> = Set(CheckPart.allCases), agent: AgentIdentity,
        network: NetworkCheckOptions = NetworkCheckOptions(), vpn: VPNCheckOptions = VPNCheckOptions(),
        voicePath: VoicePathCheckOptions = VoicePathCheckOptions(), posture: PostureCheckOptions = PostureCheckOptions(), toolVersion: String = HomeReadyVersion.current
    ) {
        self.parts = parts
        self.agent = agent
        self.network = network
        self.vpn = vpn
        self.voicePath = voicePath
        self.posture = posture
        self.toolVersion = toolVersion
    }
}

/// Runs the selected sections of a check against a profile, assembles the report and has the shared judge
/// (`ReportJudge`) decide its findings and verdict.
public struct CheckRunner: Sendable {
    public var configuration: CheckConfiguration
    public var logger: Logger

    public init(configuration: CheckConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs the check. Sections run one after the other so throughput tests do not disturb each other.
    public func run(profile: Profile, progress: @escaping ProgressHandler = { _ in }) async -> CheckReport {
        let started = Date()
        var report = CheckReport(
            agent: configuration.agent,
            profile: ProfileReference(id: profile.id, version: profile.version),
            startedAt: started, finishedAt: started, verdict: .incomplete,
            tool: ToolInfo(version: configuration.toolVersion, platform: Self.platform))
        let parts = configuration.parts
        if parts.contains(.network) {
            report.merge(await NetworkSection.run(profile: profile, options: configuration.network, progress: progress, logger: logger))
        }
        if parts.contains(.vpn) {
            report.merge(await VPNSection.run(profile: profile, options: configuration.vpn, progress: progress, logger: logger))
        }
        if parts.contains(.voicePath) {
            report.merge(
                await VoicePathSection.run(profile: profile, options: configuration.voicePath, progress: progress, logger: logger))
        }
        if parts.contains(.posture) || parts.contains(.equipment) {
            report.merge(
                await PostureSection.run(
                    profile: profile, options: configuration.posture, includePosture: parts.contains(.posture),
                    includeEquipment: parts.contains(.equipment), progress: progress, logger: logger))
        }
        report.finishedAt = Date()
        return ReportJudge.judged(report, profile: profile, context: JudgingContext(role: configuration.posture.role))
    }

    static var platform: String {
        #if os(Linux)
        return "linux"
        #elseif os(macOS)
        return "macos"
        #else
        return "unknown"
        #endif
    }
}
