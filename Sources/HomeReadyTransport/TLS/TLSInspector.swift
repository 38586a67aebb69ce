import CHomeReadyOpenSSL
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Inspects a TLS peer through OpenSSL: the handshake always completes when the peer speaks TLS (verification is
/// done afterwards, separately for the chain and the host name), so an untrusted, expired or misnamed
/// certificate is described rather than refused.
public enum TLSInspector {
    /// Runs a TLS handshake over `connection` and describes the peer. Throws `SocketError` when the handshake
    /// does not complete (peer closed, alert, timeout, not TLS) or OpenSSL cannot be set up. The connection is
    /// left open; the caller closes it.
    public static func inspect(_ connection: TCPConnection, options: TLSInspectionOptions) async throws -> TLSPeerInfo {
        let result = await BlockingThread.run { () -> Result<TLSPeerInfo, SocketError> in
            do { return .success(try inspectBlocking(fd: connection.fd, options: options)) } catch let error
                as SocketError
            {
                return .failure(error)
            } catch {
                return .failure(SocketError.tlsSetup("\(error)"))
            }
        }
        return try result.get()
    }

    static func inspectBlocking(fd: Int32, options: TLSInspectionOptions) throws -> TLSPeerInfo {
        guard fd >= 0 else { throw SocketError.closed }
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw SocketError.tlsSetup(lastError()) }
        defer { SSL_CTX_free(context) }
        // Accept any version and cipher so old gateways are described, not refused.
        _ = homeready_ssl_ctx_set_min_proto(context, homeready_tls1_version())
        SSL_CTX_set_security_level(context, 0)
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        guard let ssl = SSL_new(context) else { throw SocketError.tlsSetup(lastError()) }
        defer { SSL_free(ssl) }
        let serverName = options.serverName
        let isAddress = serverName.map { IPEndpoint(address: $0, port: 0) != nil } ?? true
        if let serverName, !isAddress { _ = homeready_ssl_set_sni(ssl, serverName) }
        SSL_set_fd(ssl, fd)

        let stopwatch = Stopwatch()
        SocketSupport.setNonBlocking(fd, true)
        defer { SocketSupport.setNonBlocking(fd, false) }
        ERR_clear_error()
        while true {
            let status = SSL_connect(ssl)
            if status == 1 { break }
            let reason = SSL_get_error(ssl, status)
            let remaining = Int(options.timeout * 1000 - stopwatch.elapsedMs)
            if remaining <= 0 { throw SocketError.tlsHandshake("no complete answer within \(options.timeout) s") }
            switch reason {
            case SSL_ERROR_WANT_READ:
                if SocketSupport.wait(fd, events: Int16(POLLIN), timeoutMs: remaining) == 0 {
                    throw SocketError.tlsHandshake("no complete answer within \(options.timeout) s")
                }
            case SSL_ERROR_WANT_WRITE:
                if SocketSupport.wait(fd, events: Int16(POLLOUT), timeoutMs: remaining) == 0 {
                    throw SocketError.tlsHandshake("could not send within \(options.timeout) s")
                }
            case SSL_ERROR_SYSCALL:
                let code = errno
                let queued = lastError()
                if !queued.isEmpty { throw SocketError.tlsHandshake(queued) }
                throw SocketError.tlsHandshake(
                    code == 0
                        ? "the peer closed the connection during the handshake (not a TLS server, or a middlebox cut it)"
                        : String(cString: strerror(code)))
            case SSL_ERROR_ZERO_RETURN:
                throw SocketError.tlsHandshake("the peer closed the connection during the handshake")
            default:
                let queued = lastError()
                throw SocketError.tlsHandshake(queued.isEmpty ? "OpenSSL error \(reason)" : queued)
            }
        }
        let handshakeMs = stopwatch.elapsedMs

        guard let leafPointer = SSL_get1_peer_certificate(ssl) else {
            throw SocketError.tlsHandshake("the peer sent no certificate")
        }
        defer { X509_free(leafPointer) }
        let chainHandle = homeready_ssl_peer_chain(ssl)
        var chain: [CertificateSummary] = []
        for index in 0..<homeready_chain_count(chainHandle) {
            if let certificate = homeready_chain_at(chainHandle, index) { chain.append(summary(of: certificate)) }
        }

        guard let store = X509_STORE_new() else { throw SocketError.tlsSetup(lastError()) }
        defer { X509_STORE_free(store) }
        if let caFile = options.caFile {
            guard homeready_store_load_file(store, caFile) == 1 else {
                throw SocketError.tlsSetup("cannot read CA file \(caFile): \(lastError())")
            }
        } else {
            _ = X509_STORE_set_default_paths(store)
        }
        let verifyCode = Int(homeready_verify_chain(store, leafPointer, chainHandle))
        ERR_clear_error()

        var hostnameMatches: Bool?
        if let serverName {
            if isAddress {
                hostnameMatches = X509_check_ip_asc(leafPointer, serverName, 0) == 1
            } else {
                hostnameMatches = X509_check_host(leafPointer, serverName, serverName.utf8.count, 0, nil) == 1
            }
        }

        let version = SSL_get_version(ssl).map { String(cString: $0) } ?? "unknown"
        let cipher = SSL_get_current_cipher(ssl).flatMap { SSL_CIPHER_get_name($0) }.map { String(cString: $0) }
        return TLSPeerInfo(
            protocolVersion: version, cipher: cipher ?? "unknown", handshakeMs: handshakeMs,
            leaf: summary(of: leafPointer), chain: chain, verifyCode: verifyCode,
            verifyError: verifyCode == 0 ? nil : verifyErrorText(verifyCode),
            chainProblem: problem(forVerifyCode: verifyCode), hostnameMatches: hostnameMatches)
    }

    /// Groups OpenSSL's `X509_V_ERR_*` codes by meaning.
    static func problem(forVerifyCode code: Int) -> ChainProblem? {
        switch code {
        case 0: return nil
        // unable to get issuer (2, 20), self-signed leaf or root (18, 19), cannot verify leaf signature (21),
        // untrusted or rejected (27, 28)
        case 2, 18, 19, 20, 21, 27, 28: return .untrustedIssuer
        case 10: return .expired
        case 9: return .notYetValid
        default: return .other
        }
    }

    static func verifyErrorText(_ code: Int) -> String {
        X509_verify_cert_error_string(code).map { String(cString: $0) } ?? "verification error \(code)"
    }

    static func summary(of certificate: OpaquePointer) -> CertificateSummary {
        let subject = name(X509_get_subject_name(certificate))
        let issuer = name(X509_get_issuer_name(certificate))
        return CertificateSummary(
            subject: subject, issuer: issuer,
            notBefore: date(X509_get0_notBefore(certificate)), notAfter: date(X509_get0_notAfter(certificate)),
            spkiSHA256: spkiDigest(certificate), fingerprintSHA256: fingerprint(certificate),
            isSelfIssued: X509_NAME_cmp(X509_get_subject_name(certificate), X509_get_issuer_name(certificate)) == 0)
    }

    private static func name(_ name: OpaquePointer?) -> String {
        guard let name, let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, homeready_name_flags_rfc2253()) >= 0 else { return "" }
        let length = Int(homeready_bio_pending(bio))
        guard length > 0 else { return "" }
        var bytes = [UInt8](repeating: 0, count: length)
        let read = BIO_read(bio, &bytes, Int32(length))
        return String(decoding: bytes.prefix(max(0, Int(read))), as: UTF8.self)
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    private static func spkiDigest(_ certificate: OpaquePointer) -> String {
        guard let key = X509_get_X509_PUBKEY(certificate) else { return "" }
        let length = i2d_X509_PUBKEY(key, nil)
        guard length > 0 else { return "" }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_X509_PUBKEY(key, &cursor)
        }
        guard written == length else { return "" }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var digestLength: UInt32 = 0
        guard EVP_Digest(der, der.count, &digest, &digestLength, EVP_sha256(), nil) == 1 else { return "" }
        return hex(digest.prefix(Int(digestLength)))
    }

    private static func fingerprint(_ certificate: OpaquePointer) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var digestLength: UInt32 = 0
        guard X509_digest(certificate, EVP_sha256(), &digest, &digestLength) == 1 else { return "" }
        return hex(digest.prefix(Int(digestLength)))
    }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        bytes.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    private static func lastError() -> String { OpenSSLErrors.drain() }
}
