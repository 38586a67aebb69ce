import HomeReadyModel
import Logging

/// The NAT type told from two STUN servers (to be built: #18 point 7).
enum NATTypeCheck {
    static func run(
        _ stunServers: [STUNServer], options: VoicePathCheckOptions, progress: @escaping ProgressHandler, logger: Logger
    ) async -> NATTypeResult? {
        nil
    }
}
