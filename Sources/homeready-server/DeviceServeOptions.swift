import ArgumentParser
import HomeReadyServer

/// `serve` options for HTTPS, assigned profiles and report clock skew.
struct DeviceServeOptions: ParsableArguments {
    @Option(name: .long, help: "PEM certificate chain to serve HTTPS with (needs --tls-key).") var tlsCert: String?
    @Option(name: .long, help: "PEM private key of --tls-cert.") var tlsKey: String?
    @Option(name: .long, help: "Folder of profiles served to enrolled devices (repeatable; then ./Profiles and the built-in set).")
    var profiles: [String] = []
    @Option(name: .long, help: "Refuse reports that started more than this many hours ago (device clock or a stale spool).")
    var maxReportAgeHours: Double = 72
    @Option(name: .long, help: "Refuse reports that start more than this many seconds in the server's future.")
    var maxReportFutureSeconds: Double = 600

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("give both --tls-cert and --tls-key, or neither") }
        guard maxReportAgeHours > 0, maxReportFutureSeconds >= 0 else {
            throw ValidationError("--max-report-age-hours must be > 0 and --max-report-future-seconds >= 0")
        }
    }

    func apply(to configuration: inout ServerConfiguration) {
        configuration.tlsCertificate = tlsCert
        configuration.tlsKey = tlsKey
        configuration.profileDirectories = profiles
        configuration.maxReportAgeSeconds = maxReportAgeHours * 3600
        configuration.maxReportFutureSeconds = maxReportFutureSeconds
    }
}
