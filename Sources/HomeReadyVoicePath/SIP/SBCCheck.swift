import HomeReadyModel
import Logging

/// SIP OPTIONS to the profile's SBCs (to be built: #18 point 5).
enum SBCCheck {
    static func run(
        _ sbcs: [SBCEndpoint], stunServers: [STUNServer], options: VoicePathCheckOptions,
        progress: @escaping ProgressHandler, logger: Logger
    ) async -> [SBCResult]? {
        nil
    }
}
