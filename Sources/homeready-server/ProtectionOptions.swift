import ArgumentParser
import HomeReadyServer

/// `serve` flags for load shedding and rate limits.
struct ProtectionOptions: ParsableArguments {
    @Option(name: .long, help: "Requests in progress at once before answering 429 (0 turns shedding off).")
    var maxInFlight: Int = 512

    @Option(name: .long, help: "Retry-After seconds sent when shedding load.")
    var shedRetryAfter: Int = 1

    @Option(name: .long, help: "Enrollment attempts per client address a minute (also the burst).")
    var enrollRate: Int = 100

    @Option(name: .long, help: "Dashboard sign-in attempts per client address a minute (also the burst).")
    var signInRate: Int = 5

    @Option(name: .long, help: "Header with the client address set by a trusted reverse proxy, e.g. X-Real-IP.")
    var clientAddressHeader: String?

    func validate() throws {
        guard maxInFlight >= 0 else { throw ValidationError("--max-in-flight must be 0 or more") }
        guard shedRetryAfter >= 1 else { throw ValidationError("--shed-retry-after must be at least 1") }
        guard enrollRate >= 1, signInRate >= 1 else {
            throw ValidationError("--enroll-rate and --sign-in-rate must be at least 1")
        }
    }

    func apply(to configuration: inout ServerConfiguration) {
        configuration.maxInFlightRequests = maxInFlight
        configuration.shedRetryAfterSeconds = shedRetryAfter
        configuration.enrollRateLimit = RateLimit(burst: enrollRate, perMinute: Double(enrollRate))
        configuration.signInRateLimit = RateLimit(burst: signInRate, perMinute: Double(signInRate))
        configuration.clientAddressHeader = clientAddressHeader
    }
}
