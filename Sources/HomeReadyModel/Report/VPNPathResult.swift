/// What the VPN section measured besides the gateways: the softphone's UDP media path (STUN, NAT binding, path
/// MTU) and the tunnel. Raw figures and states only: the judge turns them into findings.
public struct VPNPathResult: Codable, Sendable, Equatable {
    /// One result per STUN server of the profile, in the profile's order.
    public var stun: [STUNResult]
    public var natBinding: NATBindingEstimate?
    /// True when a UDP echo responder was asked for the path MTU (so a missing figure means it did not answer).
    public var pathMTUProbed: Bool
    /// The largest packet (IP header included) that crossed the path with don't-fragment set.
    public var pathMTUBytes: Int?
    /// The local interface's MTU toward the echo responder.
    public var localMTUBytes: Int?
    public var tunnel: TunnelStatus?

    public init(
        stun: [STUNResult] = [], natBinding: NATBindingEstimate? = nil, pathMTUProbed: Bool = false,
        pathMTUBytes: Int? = nil, localMTUBytes: Int? = nil, tunnel: TunnelStatus? = nil
    ) {
        self.stun = stun
        self.natBinding = natBinding
        self.pathMTUProbed = pathMTUProbed
        self.pathMTUBytes = pathMTUBytes
        self.localMTUBytes = localMTUBytes
        self.tunnel = tunnel
    }

    enum CodingKeys: String, CodingKey {
        case stun
        case natBinding = "nat_binding"
        case pathMTUProbed = "path_mtu_probed"
        case pathMTUBytes = "path_mtu_bytes"
        case localMTUBytes = "local_mtu_bytes"
        case tunnel
    }
}

/// The softphone media path toward one STUN server.
public struct STUNResult: Codable, Sendable, Equatable {
    public var host: String
    public var port: Int
    /// `reachable` when a binding response came back; `filtered`, `refused`, `dns_failure`, ... otherwise.
    public var state: VPNState
    public var rttMs: Double?
    /// The public address and port the server saw.
    public var mappedAddress: String?
    public var mappedPort: Int?
    /// This computer's own source address toward the server.
    public var localAddress: String?
    /// Whether a NAT sits between this computer and the server (mapped address differs from the local one).
    public var natDetected: Bool?

    public init(
        host: String, port: Int, state: VPNState, rttMs: Double? = nil, mappedAddress: String? = nil,
        mappedPort: Int? = nil, localAddress: String? = nil, natDetected: Bool? = nil
    ) {
        self.host = host
        self.port = port
        self.state = state
        self.rttMs = rttMs
        self.mappedAddress = mappedAddress
        self.mappedPort = mappedPort
        self.localAddress = localAddress
        self.natDetected = natDetected
    }

    enum CodingKeys: String, CodingKey {
        case host, port, state
        case rttMs = "rtt_ms"
        case mappedAddress = "mapped_address"
        case mappedPort = "mapped_port"
        case localAddress = "local_address"
        case natDetected = "nat_detected"
    }
}

/// How long a NAT keeps an idle UDP binding, bracketed by idle trials.
public struct NATBindingEstimate: Codable, Sendable, Equatable {
    /// The longest idle interval after which the mapping was unchanged (the binding lives at least this long).
    public var survivedSeconds: Double?
    /// The shortest idle interval after which the mapping had changed (the binding closed before this).
    public var expiredWithinSeconds: Double?
    /// Intervals whose second query got no answer.
    public var inconclusive: [Double]

    public init(survivedSeconds: Double?, expiredWithinSeconds: Double?, inconclusive: [Double]) {
        self.survivedSeconds = survivedSeconds
        self.expiredWithinSeconds = expiredWithinSeconds
        self.inconclusive = inconclusive
    }

    enum CodingKeys: String, CodingKey {
        case survivedSeconds = "survived_seconds"
        case expiredWithinSeconds = "expired_within_seconds"
        case inconclusive
    }
}

/// What the tunnel looks like when the VPN is connected.
public struct TunnelStatus: Codable, Sendable, Equatable {
    /// Tunnel interfaces that are up (tun, tap, wg, ppp, ipsec, vti, xfrm, cscotun, gpd).
    public var interfaces: [String]
    /// Per corporate network: the interface its traffic leaves by, and whether that is a tunnel.
    public var routes: [Route]
    /// Per corporate name: whether it resolved.
    public var names: [Name]
    /// The internal health URL's outcome, when the profile names one.
    public var health: Health?

    public init(interfaces: [String], routes: [Route], names: [Name], health: Health?) {
        self.interfaces = interfaces
        self.routes = routes
        self.names = names
        self.health = health
    }

    public struct Route: Codable, Sendable, Equatable {
        public var network: String
        public var interface: String?
        public var throughTunnel: Bool

        public init(network: String, interface: String?, throughTunnel: Bool) {
            self.network = network
            self.interface = interface
            self.throughTunnel = throughTunnel
        }

        enum CodingKeys: String, CodingKey {
            case network, interface
            case throughTunnel = "through_tunnel"
        }
    }

    public struct Name: Codable, Sendable, Equatable {
        public var name: String
        public var addresses: [String]
        public var failure: String?

        public init(name: String, addresses: [String], failure: String?) {
            self.name = name
            self.addresses = addresses
            self.failure = failure
        }
    }

    public struct Health: Codable, Sendable, Equatable {
        public var url: String
        public var statusCode: Int?
        public var failure: String?
        public var ok: Bool { statusCode.map { (200..<400).contains($0) } ?? false }

        public init(url: String, statusCode: Int? = nil, failure: String? = nil) {
            self.url = url
            self.statusCode = statusCode
            self.failure = failure
        }

        enum CodingKeys: String, CodingKey {
            case url
            case statusCode = "status_code"
            case failure
        }
    }
}

extension VPNPathResult {
    /// Voice packet inside the tunnel: G.711 at 20 ms (160 bytes) + RTP 12 + UDP 8 + IPv4 20.
    public static let voicePacketBytes = 200
    /// The inner MTU VPN clients commonly use by default (WireGuard 1420, AnyConnect 1406, IPsec ~1400): below
    /// overhead plus this, large packets fragment or vanish unless the client lowers its MTU.
    public static let typicalTunnelMTU = 1400
    /// An idle UDP binding must live at least this long, or calls on hold drop (softphones refresh every 30 s or
    /// less only when told to).
    public static let minimumNATBindingSeconds = 30.0
}
