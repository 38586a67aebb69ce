import ArgumentParser
import Hummingbird
import HomeReadySpeedTest
import Logging
import ServiceLifecycle

/// `homeready-speedtest-server`: the speed-test endpoints and UDP echo responder alone, for the lab and benchmarks.
@main
struct SpeedTestServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "homeready-speedtest-server",
        abstract: "Serve HomeReady's speed test (HTTP /speed/* and the UDP echo responder) without the inventory.")

    @Option(help: "Address to listen on for HTTP and UDP (e.g. 0.0.0.0, ::, 127.0.0.1).")
    var host = "0.0.0.0"

    @Option(help: "HTTP port.")
    var port = 8080

    @Option(name: .customLong("echo-port"), help: "UDP echo port.")
    var echoPort = 8007

    @Flag(help: "Answer UDP as plain RFC 862 echo, without HomeReady's count and timestamp.")
    var plainEcho = false

    mutating func run() async throws {
        var logger = Logger(label: "homeready-speedtest-server")
        logger.logLevel = .info
        let router = Router()
        SpeedTestRoutes.add(to: router, configuration: SpeedTestConfiguration(echoPort: echoPort))
        let app = Application(router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: port)), logger: logger)
        let echo = UDPEchoService(host: host, port: echoPort, extensions: !plainEcho, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [app, echo], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
