import CHomeReadyOpenSSL

#if canImport(Glibc)
    import Glibc
#endif

/// How a `TLSStream` checks the server's certificate.
public struct TLSStreamOptions: Sendable {
    /// The name (or IP address) the certificate must carry, also sent as SNI when it is a name.
    public var serverName: String?
    /// Skips every certificate check (lab peers with self-signed certificates only).
    public var insecure: Bool
    /// A PEM CA bundle to trust instead of the system's.
    public var caFile: String?
    /// Upper bound for the handshake, in seconds.
    public var timeout: Double

    public init(serverName: String?, insecure: Bool = false, caFile: String? = nil, timeout: Double = 5) {
        self.serverName = serverName
        self.insecure = insecure
        self.caFile = caFile
        self.timeout = timeout
    }
}

/// A TLS client session over an open `TCPConnection` (OpenSSL), for protocols that need the bytes rather than a
/// description of the peer (`TLSInspector`): TURN over TLS, SIP over TLS. The certificate is verified against the
/// system's trust store and the server name unless `insecure`. Blocking calls: use from `BlockingThread.run`, one
/// thread at a time per stream.
public final class TLSStream: ByteStream, @unchecked Sendable {
    // OpenSSL objects are used from one thread at a time (the caller's contract); `close` is idempotent.
    private let connection: TCPConnection
    private let context: OpaquePointer
    private let ssl: OpaquePointer
    private var released = false
    /// The negotiated protocol version, e.g. `TLSv1.3`.
    public let protocolVersion: String

    private init(connection: TCPConnection, context: OpaquePointer, ssl: OpaquePointer) {
        self.connection = connection
        self.context = context
        self.ssl = ssl
        protocolVersion = SSL_get_version(ssl).map { String(cString: $0) } ?? "unknown"
    }

    /// Runs the handshake over `connection` within `options.timeout`. Throws `SocketError.tlsHandshake` when it
    /// does not complete or the certificate is refused (the message says why: OpenSSL's words), and
    /// `SocketError.tlsSetup` for local failures. The stream owns the connection from then on.
    public static func connect(over connection: TCPConnection, options: TLSStreamOptions) throws(SocketError) -> TLSStream {
        let fd = connection.fd
        guard fd >= 0 else { throw SocketError.closed }
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw SocketError.tlsSetup(lastError()) }
        _ = homeready_ssl_ctx_set_min_proto(context, homeready_tls1_2_version())
        if options.insecure {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        } else {
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            if let caFile = options.caFile {
                guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                    SSL_CTX_free(context)
                    throw SocketError.tlsSetup("cannot read CA file \(caFile): \(lastError())")
                }
            } else {
                _ = SSL_CTX_set_default_verify_paths(context)
            }
        }
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw SocketError.tlsSetup(lastError())
        }
        let isAddress = options.serverName.map { IPEndpoint(address: $0, port: 0) != nil } ?? true
        if let name = options.serverName {
            if !isAddress { _ = homeready_ssl_set_sni(ssl, name) }
            if !options.insecure {
                let parameters = SSL_get0_param(ssl)
                if isAddress {
                    _ = X509_VERIFY_PARAM_set1_ip_asc(parameters, name)
                } else {
                    _ = X509_VERIFY_PARAM_set1_host(parameters, name, 0)
                }
            }
        }
        SSL_set_fd(ssl, fd)
        let stream = TLSStream(connection: connection, context: context, ssl: ssl)
        SocketSupport.setNonBlocking(fd, true)
        let stopwatch = Stopwatch()
        ERR_clear_error()
        while true {
            let status = SSL_connect(ssl)
            if status == 1 { break }
            let reason = SSL_get_error(ssl, status)
            let remaining = Int(options.timeout * 1000 - stopwatch.elapsedMs)
            guard remaining > 0 else {
                stream.close()
                throw SocketError.tlsHandshake("no complete answer within \(options.timeout) s")
            }
            switch reason {
            case SSL_ERROR_WANT_READ:
                if SocketSupport.wait(fd, events: Int16(POLLIN), timeoutMs: remaining) == 0 {
                    stream.close()
                    throw SocketError.tlsHandshake("no complete answer within \(options.timeout) s")
                }
            case SSL_ERROR_WANT_WRITE:
                if SocketSupport.wait(fd, events: Int16(POLLOUT), timeoutMs: remaining) == 0 {
                    stream.close()
                    throw SocketError.tlsHandshake("could not send within \(options.timeout) s")
                }
            default:
                let code = errno
                let verify = SSL_get_verify_result(ssl)
                var detail = lastError()
                if verify != X509_V_OK {
                    detail = "certificate refused: " + (X509_verify_cert_error_string(verify).map { String(cString: $0) } ?? "error \(verify)")
                } else if detail.isEmpty {
                    detail = reason == SSL_ERROR_SYSCALL && code != 0
                        ? String(cString: strerror(code))
                        : "the peer closed the connection during the handshake (not a TLS server, or a middlebox cut it)"
                }
                stream.close()
                throw SocketError.tlsHandshake(detail)
            }
        }
        return stream
    }

    public func writeAll(_ bytes: [UInt8], timeout: Double) throws(SocketError) {
        let fd = connection.fd
        guard fd >= 0, !released else { throw SocketError.closed }
        let stopwatch = Stopwatch()
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
            if written > 0 {
                offset += Int(written)
                continue
            }
            let reason = SSL_get_error(ssl, written)
            let remaining = Int((timeout * 1000 - stopwatch.elapsedMs).rounded(.up))
            guard remaining > 0 else { throw SocketError.systemCall("SSL_write (nothing taken within \(timeout) s)", errno: ETIMEDOUT) }
            switch reason {
            case SSL_ERROR_WANT_WRITE: _ = SocketSupport.wait(fd, events: Int16(POLLOUT), timeoutMs: remaining)
            case SSL_ERROR_WANT_READ: _ = SocketSupport.wait(fd, events: Int16(POLLIN), timeoutMs: remaining)
            default: throw SocketError.systemCall("SSL_write: \(Self.lastError())", errno: errno == 0 ? EPIPE : errno)
            }
        }
    }

    public func read(maxBytes: Int = 65_536, timeout: Double) throws(SocketError) -> StreamRead {
        let fd = connection.fd
        guard fd >= 0, !released else { throw SocketError.closed }
        let stopwatch = Stopwatch()
        var buffer = [UInt8](repeating: 0, count: max(1, maxBytes))
        while true {
            let count = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            if count > 0 { return .bytes(Array(buffer.prefix(Int(count)))) }
            let reason = SSL_get_error(ssl, count)
            let remaining = Int((timeout * 1000 - stopwatch.elapsedMs).rounded(.up))
            switch reason {
            case SSL_ERROR_WANT_READ:
                if remaining <= 0 || SocketSupport.wait(fd, events: Int16(POLLIN), timeoutMs: remaining) == 0 {
                    return .timedOut
                }
            case SSL_ERROR_WANT_WRITE:
                if remaining <= 0 || SocketSupport.wait(fd, events: Int16(POLLOUT), timeoutMs: remaining) == 0 {
                    return .timedOut
                }
            case SSL_ERROR_ZERO_RETURN, SSL_ERROR_SYSCALL:
                return .closed
            default:
                throw SocketError.systemCall("SSL_read: \(Self.lastError())", errno: EPROTO)
            }
        }
    }

    public func close() {
        guard !released else { return }
        released = true
        _ = SSL_shutdown(ssl)
        SSL_free(ssl)
        SSL_CTX_free(context)
        connection.close()
    }

    deinit { close() }

    private static func lastError() -> String { OpenSSLErrors.drain() }
}
