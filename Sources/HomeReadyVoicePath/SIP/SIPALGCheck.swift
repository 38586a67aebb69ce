import HomeReadyModel
import Logging

/// SIP ALG detection against the server's SIP mirror (to be built: #18 point 4).
enum SIPALGCheck {
    static func run(options: VoicePathCheckOptions, progress: @escaping ProgressHandler, logger: Logger) async -> SIPALGResult? {
        nil
    }
}
