import Foundation
import HomeReadyTransport

/// `HTTPExchanging` over libcurl, verifying HTTPS against the enrollment's CA bundle or key pin.
public struct CurlExchange: HTTPExchanging {
    /// How the server's certificate is trusted.
    public var trust: ServerTrust
    /// Largest response body kept, in bytes.
    public var maxResponseBytes: Int

    public init(trust: ServerTrust = ServerTrust(), maxResponseBytes: Int = 4 << 20) {
        self.trust = trust
        self.maxResponseBytes = maxResponseBytes
    }

    public func send(_ request: HTTPExchange.Request) async throws -> HTTPExchange.Response {
        let method: HTTPRequest.Method
        switch request.method.uppercased() {
        case "GET": method = .get
        case "HEAD": method = .head
        case "POST": method = .post
        default: throw AgentError.invalidConfiguration("HTTP method \(request.method) is not supported")
        }
        var curl = HTTPRequest(
            url: request.url.absoluteString, method: method, timeoutSeconds: request.timeoutSeconds,
            connectTimeoutSeconds: min(10, request.timeoutSeconds), keepBodyPrefixBytes: maxResponseBytes,
            headers: request.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }, freshConnection: false)
        if method == .post { curl.body = Array(request.body ?? Data()) }
        curl.caFile = trust.caFile
        curl.pinnedPublicKey = trust.pinnedPublicKey
        let response = try await HTTPClient.perform(curl)
        var headers: [String: String] = [:]
        for line in response.headerLines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        return HTTPExchange.Response(status: response.statusCode, headers: headers, body: Data(response.bodyPrefix))
    }
}

/// How the agent trusts the server's TLS certificate: the system store, a CA bundle, and/or an SPKI pin.
public struct ServerTrust: Sendable, Equatable {
    /// PEM bundle of the CAs to trust instead of the system store.
    public var caFile: String?
    /// `sha256//BASE64` of the server's SubjectPublicKeyInfo.
    public var pinnedPublicKey: String?

    public init(caFile: String? = nil, pinnedPublicKey: String? = nil) {
        self.caFile = caFile
        self.pinnedPublicKey = pinnedPublicKey
    }

    /// Checks the pin's form (`sha256//` and base64 of 32 bytes).
    public static func validatePin(_ pin: String) throws(AgentError) {
        guard pin.hasPrefix("sha256//"), let bytes = Data(base64Encoded: String(pin.dropFirst("sha256//".count))),
            bytes.count == 32
        else {
            throw AgentError.invalidConfiguration(
                "--pin must be sha256// followed by the base64 SHA-256 of the server's public key, e.g. from `openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`")
        }
    }
}
