import Foundation
import HomeReadyTransport

/// How the VPN section runs.
public struct VPNCheckOptions: Sendable {
    /// Binds probes to this interface.
    public var interface: String?
    /// Default per-gateway timeout, in seconds, when the profile gives none.
    public var timeoutSeconds: Double
    /// The UDP echo peer used for path MTU probes when a gateway offers none.
    public var echoHost: String?
    public var echoPort: Int?
    /// Idle intervals, in seconds, after which a STUN binding is re-queried to see whether the NAT kept it; run in
    /// parallel, so the longest one bounds the time. Include `minimumNATBindingSeconds` itself so a binding that
    /// closes sooner is proven to. Empty skips the NAT binding estimate.
    public var natBindingProbeSeconds: [Double]
    /// The NAT binding lifetime below which calls on hold drop (the finding's limit).
    public var minimumNATBindingSeconds: Double
    /// System access, replaceable in tests.
    public var environment: VPNEnvironment

    /// Creates options; the defaults suit `homeready check`.
    public init(
        interface: String? = nil, timeoutSeconds: Double = 5, echoHost: String? = nil, echoPort: Int? = nil,
        natBindingProbeSeconds: [Double] = [15, 30], minimumNATBindingSeconds: Double = 30,
        environment: VPNEnvironment = .system
    ) {
        self.interface = interface
        self.timeoutSeconds = timeoutSeconds
        self.echoHost = echoHost
        self.echoPort = echoPort
        self.natBindingProbeSeconds = natBindingProbeSeconds
        self.minimumNATBindingSeconds = minimumNATBindingSeconds
        self.environment = environment
    }
}

/// A WireGuard peer's latest handshake, as `wg show all dump` reports it.
public struct WireGuardHandshake: Sendable, Equatable {
    public var interface: String
    public var publicKey: String
    /// `10.0.0.1:51820` or `[2001:db8::1]:51820`.
    public var endpoint: String
    public var latest: Date

    /// Creates a handshake record.
    public init(interface: String, publicKey: String, endpoint: String, latest: Date) {
        self.interface = interface
        self.publicKey = publicKey
        self.endpoint = endpoint
        self.latest = latest
    }

    /// Parses `wg show all dump`: peer lines have nine tab-separated fields; a latest handshake of 0 means never.
    public static func parseDump(_ text: String) -> [WireGuardHandshake] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 9, let seconds = TimeInterval(fields[5]), seconds > 0, fields[3] != "(none)" else {
                return nil
            }
            return WireGuardHandshake(
                interface: fields[0], publicKey: fields[1], endpoint: fields[3],
                latest: Date(timeIntervalSince1970: seconds))
        }
    }
}

/// What the VPN section asks of the system, so tests can replace a part (a resolver that fails, WireGuard peers).
public struct VPNEnvironment: Sendable {
    /// Resolves a host name within a timeout in seconds.
    public var resolve: @Sendable (String, Double) async -> HostResolution
    /// WireGuard peers' latest handshakes, or nil when WireGuard tools are not installed.
    public var wireGuardHandshakes: @Sendable () async -> [WireGuardHandshake]?

    /// Creates an environment.
    public init(
        resolve: @escaping @Sendable (String, Double) async -> HostResolution,
        wireGuardHandshakes: @escaping @Sendable () async -> [WireGuardHandshake]?
    ) {
        self.resolve = resolve
        self.wireGuardHandshakes = wireGuardHandshakes
    }

    /// The real system: `getaddrinfo` and `wg show all dump`.
    public static var system: VPNEnvironment {
        VPNEnvironment(
            resolve: { host, timeout in await HostResolver.resolve(host, timeout: timeout) },
            wireGuardHandshakes: {
                await BlockingThread.run { () -> [WireGuardHandshake]? in
                    let candidates = ["/usr/bin/wg", "/usr/sbin/wg", "/bin/wg"]
                    guard let path = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
                        return nil
                    }
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: path)
                    process.arguments = ["show", "all", "dump"]
                    let pipe = Pipe()
                    process.standardOutput = pipe
                    process.standardError = FileHandle.nullDevice
                    guard (try? process.run()) != nil else { return nil }
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    return WireGuardHandshake.parseDump(String(decoding: data, as: UTF8.self))
                }
            })
    }
}
