import Foundation

/// A throwaway test network: one namespace (the "remote" host) joined to this process's namespace by a veth pair,
/// with optional `tc tbf` shaping per direction. Code under test runs in-process on the host side and reaches
/// peers started inside the namespace at `remoteAddress`. Needs root; always call `destroy()` (or use
/// `withNetworkLab`).
///
/// Addresses come from 10.200.0.0/16 and exist only on the veth pair this lab creates: no traffic leaves the
/// machine.
public final class NetworkLab: @unchecked Sendable {
    public let namespace: String
    public let hostInterface: String
    public let remoteInterface: String
    /// Address of this process's end of the link.
    public let hostAddress: String
    /// Address of the namespace's end of the link, where peers listen.
    public let remoteAddress: String
    private var destroyed = false

    /// Creates the namespace and the link. Throws with the failing command when `ip` refuses.
    public init() throws {
        let tag = String(UUID().uuidString.prefix(6)).lowercased()
        namespace = "hr-\(tag)"
        hostInterface = "hrh\(tag)"
        remoteInterface = "hrr\(tag)"
        // Choosing a free /24 and claiming it happen under a lock shared by every process and thread, so two labs
        // never share a subnet (they would steal each other's packets).
        let lock = open("/tmp/homeready-netlab.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if lock >= 0 { flock(lock, LOCK_EX) }
        defer {
            if lock >= 0 {
                flock(lock, LOCK_UN)
                close(lock)
            }
        }
        let subnet = Self.freeSubnet()
        hostAddress = "10.200.\(subnet).1"
        remoteAddress = "10.200.\(subnet).2"
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
    /// `queueMs` is tbf's latency: a large queue reproduces bufferbloat under load.
    public func shape(downMbit: Double?, upMbit: Double?, queueMs: Int = 50) throws {
        if let downMbit { try Self.tbf(namespace: namespace, device: remoteInterface, mbit: downMbit, queueMs: queueMs) }
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
        if let pids = try? Subprocess.run(["ip", "netns", "pids", namespace]) {
            for pid in pids.stdout.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
        }
        _ = try? Subprocess.run(["ip", "link", "del", hostInterface])
        _ = try? Subprocess.run(["ip", "netns", "del", namespace])
    }

    deinit { destroy() }

    /// Why lab tests cannot run here, or nil when they can.
    public static var unavailableReason: String? {
        if !TestEnvironment.isRoot { return "network lab tests need root (ip netns, veth, tc)" }
        return PeerRequirement.missing([.ip, .tc, .ss, .nft, .sysctl])
    }

    /// A third octet in 10.200.0.0/16 that no interface on this host uses yet.
    static func freeSubnet() -> Int {
        let used = (try? Subprocess.run(["ip", "-o", "-4", "addr", "show", "to", "10.200.0.0/16"]))?.stdout ?? ""
        let taken = Set(used.split(separator: " ").compactMap { word -> Int? in
            let parts = word.split(separator: ".")
            guard parts.count == 4, parts[0] == "10", parts[1] == "200" else { return nil }
            return Int(parts[2])
        })
        let free = (1...250).filter { !taken.contains($0) }
        return free.randomElement() ?? Int.random(in: 1...250)
    }

    static func ip(_ arguments: [String]) throws {
        let output = try Subprocess.run(["ip"] + arguments)
        if output.status != 0 {
            throw TestSupportError("ip \(arguments.joined(separator: " ")) failed: \(output.stderr)")
        }
    }

    static func tbf(namespace: String?, device: String, mbit: Double, queueMs: Int) throws {
        let rateKbit = Int(mbit * 1000)
        // Burst must hold at least one timer tick's worth of bytes at the rate.
        let burstBytes = max(16 * 1024, rateKbit * 1000 / 8 / 250)
        var argv = ["tc"]
        if let namespace { argv += ["-n", namespace] }
        argv += ["qdisc", "replace", "dev", device, "root", "tbf", "rate", "\(rateKbit)kbit",
                 "burst", "\(burstBytes)", "latency", "\(queueMs)ms"]
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
