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

    @Option(name: .customLong("sip-port"), help: "UDP and TCP port for the SIP mirror (SIP ALG detection); off when not given.")
    var sipPort: Int?

    @Flag(help: "Answer UDP as plain RFC 862 echo, without HomeReady's count and timestamp.")
    var plainEcho = false

    mutating func run() async throws {
        var logger = Logger(label: "homeready-speedtest-server")
        logger.logLevel = .info
        let router = Router(context: BasicSpeedTestRequestContext.self)
        var speedTest = SpeedTestConfiguration(echoPort: echoPort)
        speedTest.sipPort = sipPort
        SpeedTestRoutes.add(to: router, configuration: speedTest)
        let app = Application(router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: port)), logger: logger)
        let echo = UDPEchoService(host: host, port: echoPort, extensions: !plainEcho, logger: logger)
        var services: [any Service] = [app, echo]
        if let sipPort { services.append(SIPMirrorService(host: host, port: sipPort, logger: logger)) }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
