/// The VPN part of a profile: gateways to reach and what proves the tunnel works.
public struct VPNSettings: Codable, Sendable, Equatable {
    public var gateways: [VPNGateway]
    /// Corporate networks (CIDR) whose routes must go through the tunnel when it is up.
    public var corporateNetworks: [String]
    /// Corporate host names that must resolve when the tunnel is up.
    public var corporateNames: [String]
    /// An internal URL that answers only through the tunnel.
    public var healthURL: String?

    public init(gateways: [VPNGateway] = [], corporateNetworks: [String] = [], corporateNames: [String] = [], healthURL: String? = nil) {
        self.gateways = gateways
        self.corporateNetworks = corporateNetworks
        self.corporateNames = corporateNames
        self.healthURL = healthURL
    }

    enum CodingKeys: String, CodingKey {
        case gateways
        case corporateNetworks = "corporate_networks"
        case corporateNames = "corporate_names"
        case healthURL = "health_url"
    }
}

/// One VPN gateway the agent must reach.
public struct VPNGateway: Codable, Sendable, Equatable {
    public var name: String
    public var host: String
    public var port: Int
    public var transport: VPNTransport
    /// Base64 or hex SHA-256 of the gateway certificate's SubjectPublicKeyInfo.
    public var pinSHA256: String?
    /// A CA bundle to verify the gateway against instead of the system store.
    public var caFile: String?
    /// OpenVPN: the server uses tls-auth or tls-crypt and stays silent to unauthenticated packets.
    public var tlsAuth: Bool
    public var required: Bool
    public var timeoutSeconds: Double?

    public init(
        name: String, host: String, port: Int, transport: VPNTransport, pinSHA256: String? = nil,
        caFile: String? = nil, tlsAuth: Bool = false, required: Bool = true, timeoutSeconds: Double? = nil
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.transport = transport
        self.pinSHA256 = pinSHA256
        self.caFile = caFile
        self.tlsAuth = tlsAuth
        self.required = required
        self.timeoutSeconds = timeoutSeconds
    }

    enum CodingKeys: String, CodingKey {
        case name, host, port, transport
        case pinSHA256 = "pin_sha256"
        case caFile = "ca_file"
        case tlsAuth = "tls_auth"
        case required
        case timeoutSeconds = "timeout_seconds"
    }
}

/// A STUN server the softphone uses for media.
public struct STUNServer: Codable, Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int = 3478) {
        self.host = host
        self.port = port
    }
}
