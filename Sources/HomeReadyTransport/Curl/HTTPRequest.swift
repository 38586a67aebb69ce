/// What one HTTP transfer should do. Plain values only: libcurl's types stay inside this module.
public struct HTTPRequest: Sendable, Equatable {
    /// The HTTP method.
    public enum Method: String, Sendable, Equatable {
        case get = "GET"
        case head = "HEAD"
        case post = "POST"
    }

    /// Which IP family to resolve and connect with.
    public enum IPFamily: String, Sendable, Equatable {
        case any, v4, v6
    }

    public var url: String
    public var method: Method
    /// For POST: how many bytes of incompressible data to send.
    public var uploadBytes: Int64
    /// Whole-transfer limit in seconds.
    public var timeoutSeconds: Double
    /// Connection set-up limit in seconds.
    public var connectTimeoutSeconds: Double
    /// Aborts when fewer than 1 byte/s flows for this many seconds (a stalled server), 0 to disable.
    public var stallSeconds: Int
    /// Binds the transfer to this network interface (`--interface`).
    public var interface: String?
    /// The proxy to use (`http://host:port`); nil for a direct connection. Resolve it with `ProxyEnvironment`.
    public var proxy: String?
    public var ipFamily: IPFamily
    /// Skips certificate verification (tests against self-signed lab servers only).
    public var insecure: Bool
    /// Keeps at most this many leading bytes of the response body (to spot a captive portal's HTML).
    public var keepBodyPrefixBytes: Int
    /// Extra request headers, `Name: value`.
    public var headers: [String]
    /// Refuses connection reuse (every request measures its own handshake).
    public var freshConnection: Bool
    /// For POST: the exact bytes to send (replaces `uploadBytes`); set the Content-Type in `headers`.
    public var body: [UInt8]?
    /// A PEM CA bundle to verify the server's certificate against (instead of the system store).
    public var caFile: String?
    /// The server key pin, `sha256//BASE64` of its SubjectPublicKeyInfo (libcurl's CURLOPT_PINNEDPUBLICKEY).
    public var pinnedPublicKey: String?

    public init(
        url: String, method: Method = .get, uploadBytes: Int64 = 0, timeoutSeconds: Double = 10,
        connectTimeoutSeconds: Double = 5, stallSeconds: Int = 0, interface: String? = nil, proxy: String? = nil,
        ipFamily: IPFamily = .any, insecure: Bool = false, keepBodyPrefixBytes: Int = 512, headers: [String] = [],
        freshConnection: Bool = true
    ) {
        self.url = url
        self.method = method
        self.uploadBytes = uploadBytes
        self.timeoutSeconds = timeoutSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.stallSeconds = stallSeconds
        self.interface = interface
        self.proxy = proxy
        self.ipFamily = ipFamily
        self.insecure = insecure
        self.keepBodyPrefixBytes = keepBodyPrefixBytes
        self.headers = headers
        self.freshConnection = freshConnection
        self.body = nil
        self.caFile = nil
        self.pinnedPublicKey = nil
    }
}

/// Phase times of one transfer in milliseconds, each measured from the transfer's start (libcurl's `*_TIME_T`).
public struct HTTPTiming: Sendable, Equatable {
    /// Name resolution finished.
    public var dnsMs: Double
    /// TCP connected (includes DNS).
    public var connectMs: Double
    /// TLS handshake finished (includes connect), nil for plain HTTP.
    public var tlsMs: Double?
    /// First response byte arrived.
    public var firstByteMs: Double
    /// The transfer finished.
    public var totalMs: Double

    public init(dnsMs: Double, connectMs: Double, tlsMs: Double?, firstByteMs: Double, totalMs: Double) {
        self.dnsMs = dnsMs
        self.connectMs = connectMs
        self.tlsMs = tlsMs
        self.firstByteMs = firstByteMs
        self.totalMs = totalMs
    }

    /// TCP handshake alone: connect − DNS.
    public var tcpHandshakeMs: Double { max(0, connectMs - dnsMs) }
    /// TLS handshake alone: TLS done − connect, nil without TLS.
    public var tlsHandshakeMs: Double? { tlsMs.map { max(0, $0 - connectMs) } }
}

/// The outcome of a completed HTTP transfer (any status code).
public struct HTTPResponse: Sendable, Equatable {
    public var statusCode: Int
    public var contentType: String?
    /// `Location` of a redirect, when the server answered 3xx.
    public var redirectURL: String?
    public var bytesReceived: Int64
    public var bytesSent: Int64
    public var timing: HTTPTiming
    /// The first `keepBodyPrefixBytes` bytes of the body.
    public var bodyPrefix: [UInt8]
    /// Address and port actually connected to.
    public var remoteAddress: String?
    public var remotePort: Int?
    /// The HTTP version spoken, e.g. `1.1` or `2`.
    public var httpVersion: String?
    /// Response header lines of the final response, `Name: value`, in order.
    public var headerLines: [String] = []

    /// A response header's value by case-insensitive name (the last one wins).
    public func header(_ name: String) -> String? {
        let prefix = name.lowercased() + ":"
        return headerLines.last { $0.lowercased().hasPrefix(prefix) }
            .map { String($0.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces) }
    }
}
