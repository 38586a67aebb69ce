import HomeReadyModel
import Logging

/// TURN allocations on the profile's relays (to be built: #18 point 6).
enum TURNCheck {
    static func run(
        _ relays: [TURNEndpoint], options: VoicePathCheckOptions, progress: @escaping ProgressHandler, logger: Logger
    ) async -> [TURNResult]? {
        nil
    }
}
