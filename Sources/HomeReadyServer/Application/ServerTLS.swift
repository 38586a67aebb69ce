import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

/// HTTPS serving from a PEM certificate chain and key.
enum ServerTLS {
    /// The HTTP/1.1-over-TLS server builder for the configured certificate and key, or plain HTTP/1.1 without them.
    static func serverBuilder(_ configuration: ServerConfiguration) throws -> HTTPServerBuilder {
        guard let certificatePath = configuration.tlsCertificate, let keyPath = configuration.tlsKey else {
            if configuration.tlsCertificate != nil || configuration.tlsKey != nil {
                throw ServerError.tls("give both --tls-cert and --tls-key")
            }
            return .http1()
        }
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do { chain = try NIOSSLCertificate.fromPEMFile(certificatePath) } catch {
            throw ServerError.tls("cannot read the certificate \(certificatePath): \(error)")
        }
        do { key = try NIOSSLPrivateKey(file: keyPath, format: .pem) } catch {
            throw ServerError.tls("cannot read the private key \(keyPath): \(error)")
        }
        guard !chain.isEmpty else { throw ServerError.tls("\(certificatePath) holds no PEM certificate") }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        return try .tls(.http1(), tlsConfiguration: tls)
    }
}
