import ArgumentParser
import Foundation
import HomeReadyTestSupport

/// `homeready-lab-delay`: holds every packet of a TUN device for a fixed one-way delay, for the network lab
/// (`Scripts/lab --rtt-ms`, `NetworkLab(oneWayDelayMs:)`). A test tool: not part of the Debian packages.
struct LabDelayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "homeready-lab-delay",
        abstract: "Delay every packet of a TUN device by a fixed one-way delay (a lab delay line; needs root).",
        discussion: """
            Route the traffic to delay into the device (policy routing: ip rule add iif VETH lookup 100; \
            ip route add default dev DEVICE table 100) in a namespace with forwarding on and rp_filter off. \
            Prints "ready" once the device is open, then runs until stopped by a signal.
            """)

    @Option(help: "TUN device to open or create (at most 15 characters).")
    var device = "hrdelay0"

    @Option(name: .customLong("delay-ms"), help: "One-way delay in milliseconds (the round trip gains twice this).")
    var delayMs: Double

    @Option(help: "Packets held at most; more are dropped.")
    var capacity = 16384

    @Option(name: .customLong("stats-every"), help: "Print forwarded, dropped and late packet counts every N seconds.")
    var statsEvery: Double?

    func run() throws {
        let line = try DelayLine(
            DelayLineConfiguration(
                device: device, oneWayDelaySeconds: delayMs / 1000, capacityPackets: capacity,
                statisticsEverySeconds: statsEvery))
        FileHandle.standardOutput.write(Data("ready\n".utf8))
        try line.run()
    }
}

LabDelayCommand.main()
