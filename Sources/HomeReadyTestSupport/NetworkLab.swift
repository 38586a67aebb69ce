import Foundation

/// A throwaway test network: one namespace (the "remote" host) joined to this process's namespace by a veth pair,
/// with optional `tc tbf` shaping per direction. Code under test runs in-process on the host side and reaches
/// peers started inside the namespace at `remoteAddress`. Needs root; always call `destroy()` (or use
/// `withNetworkLab`).
///
/// `NetworkLab(roundTripDelayMs:)` puts a router namespace between the two with a delay line
/// (`homeready-lab-delay`): policy routing sends every packet the router receives on either veth through a TUN
/// device that holds it half the round trip, and `shape` then applies tbf on the router's veths, after the delay,
/// where a real path's bottleneck sits.
///
/// Addresses come from 10.200.0.0/16 and exist only on the veth pairs this lab creates: no traffic leaves the
/// machine.
public final class NetworkLab: @unchecked Sendable {
    public let namespace: String
    public let hostInterface: String
    public let remoteInterface: String
    /// Address of this process's end of the link.
    public let hostAddress: String
    /// Address of the namespace's end of the link, where peers listen.
    public let remoteAddress: String
    /// The router namespace holding the delay line, nil for a direct link.
    public let routerNamespace: String?
    /// The round-trip delay the delay line adds (0 for a direct link).
    public let roundTripDelayMs: Double
    /// The router's veth toward this process (down shaping) and toward the remote namespace (up shaping).
    let routerInterfaces: (host: String, remote: String)?
    private var destroyed = false
    private var delayLine: BackgroundProcess?

    /// Creates the namespace and a direct link. Throws with the failing command when `ip` refuses.
    public convenience init() throws {
        try self.init(delay: nil)
    }

    /// Creates the remote and router namespaces, joins them through the router's delay line, and waits until the
    /// line runs. Needs `homeready-lab-delay` built (`delayUnavailableReason` says when it is not).
    public convenience init(roundTripDelayMs: Double) throws {
        guard roundTripDelayMs > 0 else {
            try self.init(delay: nil)
            return
        }
        try self.init(delay: roundTripDelayMs)
    }

    private init(delay: Double?) throws {
        let tag = String(UUID().uuidString.prefix(6)).lowercased()
        namespace = "hr-\(tag)"
        hostInterface = "hrh\(tag)"
        remoteInterface = "hrr\(tag)"
        routerNamespace = delay == nil ? nil : "hr-r\(tag)"
        roundTripDelayMs = delay ?? 0
        routerInterfaces = delay == nil ? nil : ("hrq\(tag)", "hrs\(tag)")
        // Choosing a free /24 and claiming it happen under a lock shared by every process and thread.
        let lock = LabPlumbing.SubnetLock()
        defer { lock.release() }
        let subnet = LabPlumbing.freeSubnet(secondOctet: 200)
        hostAddress = "10.200.\(subnet).1"
        remoteAddress = delay == nil ? "10.200.\(subnet).2" : "10.200.\(subnet).6"
        if let delay, let routerNamespace, let routerInterfaces {
            do {
                try buildRouted(
                    subnet: subnet, router: routerNamespace, routerHost: routerInterfaces.host,
                    routerRemote: routerInterfaces.remote, roundTripMs: delay, tag: tag)
            } catch {
                destroy()
                throw error
            }
            return
        }
        do {
            try Self.ip(["netns", "add", namespace])
            try Self.ip(["link", "add", hostInterface, "type", "veth", "peer", "name", remoteInterface])
            try Self.ip(["link", "set", remoteInterface, "netns", namespace])
            try Self.ip(["addr", "add", "\(hostAddress)/30", "dev", hostInterface])
            try Self.ip(["link", "set", hostInterface, "up"])
            try Self.ip(["-n", namespace, "addr", "add", "\(remoteAddress)/30", "dev", remoteInterface])
            try Self.ip(["-n", namespace, "link", "set", remoteInterface, "up"])
            try Self.ip(["-n", namespace, "link", "set", "lo", "up"])
        } catch {
            destroy()
            throw error
        }
    }

    /// Limits the rate toward the host (`down`, what a download sees) and toward the namespace (`up`) with tbf.
    /// `queueMs` is tbf's latency: a large queue reproduces bufferbloat under load. On a direct link the upload
    /// queue is this host's own qdisc, which TCP Small Queues keep to a few packets per stream: upload bloat needs
    /// the routed lab, where the queue sits on the router.
    public func shape(downMbit: Double?, upMbit: Double?, queueMs: Int = 50) throws {
        if let routerNamespace, let routerInterfaces {
            if let downMbit {
                try Self.tbf(
                    namespace: routerNamespace, device: routerInterfaces.host, mbit: downMbit, queueMs: queueMs)
            }
            if let upMbit {
                try Self.tbf(
                    namespace: routerNamespace, device: routerInterfaces.remote, mbit: upMbit, queueMs: queueMs)
            }
            return
        }
        if let downMbit {
            try Self.tbf(namespace: namespace, device: remoteInterface, mbit: downMbit, queueMs: queueMs)
        }
        if let upMbit { try Self.tbf(namespace: nil, device: hostInterface, mbit: upMbit, queueMs: queueMs) }
    }

    /// Runs a command inside the namespace to completion.
    @discardableResult
    public func run(_ argv: [String], timeout: Double = 60) throws -> ProcessOutput {
        try Subprocess.run(["ip", "netns", "exec", namespace] + argv, timeout: timeout)
    }

    /// Starts a long-running peer inside the namespace.
    public func start(_ argv: [String]) throws -> BackgroundProcess {
        try Subprocess.start(["ip", "netns", "exec", namespace] + argv)
    }

    /// Removes the link and the namespace (processes inside are killed).
    public func destroy() {
        guard !destroyed else { return }
        destroyed = true
        delayLine?.stop()
        LabPlumbing.remove(namespaces: [namespace, routerNamespace].compactMap { $0 }, link: hostInterface)
    }

    deinit { destroy() }

    /// Why lab tests cannot run here, or nil when they can.
    public static var unavailableReason: String? {
        if !TestEnvironment.isRoot { return "network lab tests need root (ip netns, veth, tc)" }
        return PeerRequirement.missing([.ip, .tc, .ss, .nft, .sysctl])
    }

    /// Why lab tests with a delay line cannot run here, or nil when they can.
    public static var delayUnavailableReason: String? {
        if let reason = unavailableReason { return reason }
        if !FileManager.default.fileExists(atPath: "/dev/net/tun") {
            return "/dev/net/tun is missing: load the tun module (modprobe tun) for the lab's delay line"
        }
        if !FileManager.default.isExecutableFile(atPath: delayLineExecutable.path) {
            return
                "the delay line \(delayLineExecutable.path) is not built: run swift build --product homeready-lab-delay"
        }
        return nil
    }

    /// The delay line program (built beside the other products).
    public static var delayLineExecutable: URL {
        TestEnvironment.productsDirectory.appendingPathComponent("homeready-lab-delay")
    }

    /// Host -- router (delay line) -- remote: 10.200.S.0/30 between host and router, 10.200.S.4/30 between router
    /// and remote. Every packet the router receives on a veth goes to table 100, whose only route is the TUN
    /// device; what the delay line writes back arrives on the TUN and is routed by the main table.
    private func buildRouted(
        subnet: Int, router: String, routerHost: String, routerRemote: String, roundTripMs: Double, tag: String
    ) throws {
        let device = "hrd\(tag)"
        let routerHostAddress = "10.200.\(subnet).2"
        let routerRemoteAddress = "10.200.\(subnet).5"
        try Self.ip(["netns", "add", namespace])
        try Self.ip(["netns", "add", router])
        try Self.ip(["link", "add", hostInterface, "type", "veth", "peer", "name", routerHost])
        try Self.ip(["link", "add", remoteInterface, "type", "veth", "peer", "name", routerRemote])
        try Self.ip(["link", "set", routerHost, "netns", router])
        try Self.ip(["link", "set", routerRemote, "netns", router])
        try Self.ip(["link", "set", remoteInterface, "netns", namespace])
        try Self.ip(["-n", router, "tuntap", "add", "dev", device, "mode", "tun"])
        try Self.sysctl(
            namespace: router,
            [
                "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1", "net.ipv4.conf.all.rp_filter=0",
                "net.ipv4.conf.default.rp_filter=0", "net.ipv4.conf.\(routerHost).rp_filter=0",
                "net.ipv4.conf.\(routerRemote).rp_filter=0", "net.ipv4.conf.\(device).rp_filter=0",
            ])
        try Self.ip(["addr", "add", "\(hostAddress)/30", "dev", hostInterface])
        try Self.ip(["link", "set", hostInterface, "up"])
        try Self.ip(["route", "add", "10.200.\(subnet).4/30", "via", routerHostAddress, "dev", hostInterface])
        try Self.ip(["-n", router, "addr", "add", "\(routerHostAddress)/30", "dev", routerHost])
        try Self.ip(["-n", router, "addr", "add", "\(routerRemoteAddress)/30", "dev", routerRemote])
        try Self.ip(["-n", namespace, "addr", "add", "\(remoteAddress)/30", "dev", remoteInterface])
        for (name, link) in [
            (router, "lo"), (router, routerHost), (router, routerRemote), (namespace, "lo"),
            (namespace, remoteInterface),
        ] {
            try Self.ip(["-n", name, "link", "set", link, "up"])
        }
        try Self.ip(["-n", router, "link", "set", device, "txqueuelen", "10000", "up"])
        try Self.ip(["-n", namespace, "route", "add", "default", "via", routerRemoteAddress])
        for family in ["-4", "-6"] {
            try Self.ip(["-n", router, family, "route", "add", "default", "dev", device, "table", "100"])
            for link in [routerHost, routerRemote] {
                try Self.ip(["-n", router, family, "rule", "add", "iif", link, "lookup", "100", "pref", "100"])
            }
        }
        let line = try Subprocess.start([
            "ip", "netns", "exec", router, Self.delayLineExecutable.path, "--device", device,
            "--delay-ms", String(roundTripMs / 2),
        ])
        delayLine = line
        let deadline = Date().addingTimeInterval(10)
        while !line.log.contains("ready") && Date() < deadline { usleep(20_000) }
        guard line.log.contains("ready") else {
            throw TestSupportError("the delay line did not start: \(line.log)")
        }
    }

    static func sysctl(namespace: String, _ settings: [String]) throws {
        let argv = ["ip", "netns", "exec", namespace, "sysctl", "-qw"] + settings
        let output = try Subprocess.run(argv)
        if output.status != 0 { throw TestSupportError("\(argv.joined(separator: " ")) failed: \(output.stderr)") }
    }

    static func ip(_ arguments: [String]) throws { try LabPlumbing.run(["ip"] + arguments) }

    static func tbf(namespace: String?, device: String, mbit: Double, queueMs: Int) throws {
        let rateKbit = Int(mbit * 1000)
        // Burst must hold at least one timer tick's worth of bytes at the rate.
        let burstBytes = max(16 * 1024, rateKbit * 1000 / 8 / 250)
        var argv = ["tc"]
        if let namespace { argv += ["-n", namespace] }
        argv += [
            "qdisc", "replace", "dev", device, "root", "tbf", "rate", "\(rateKbit)kbit",
            "burst", "\(burstBytes)", "latency", "\(queueMs)ms",
        ]
        let output = try Subprocess.run(argv)
        if output.status != 0 { throw TestSupportError("\(argv.joined(separator: " ")) failed: \(output.stderr)") }
    }
}

/// Runs `body` with a fresh lab and always removes it.
public func withNetworkLab<T>(_ body: (NetworkLab) async throws -> T) async throws -> T {
    let lab = try NetworkLab()
    defer { lab.destroy() }
    return try await body(lab)
}

/// Runs `body` with a fresh lab whose round trip is `roundTripDelayMs` (a router with the delay line between this
/// process and the remote namespace), and always removes it.
public func withNetworkLab<T>(roundTripDelayMs: Double, _ body: (NetworkLab) async throws -> T) async throws -> T {
    let lab = try NetworkLab(roundTripDelayMs: roundTripDelayMs)
    defer { lab.destroy() }
    return try await body(lab)
}
