import Foundation

/// Certificates made with the `openssl` command for TLS tests: a CA, leaves it signs (valid, expired, wrong
/// name), and stand-alone "intercepting" authorities. Files live in the given directory.
public struct TestCertificateAuthority: Sendable {
    /// PEM certificate of the CA (usable as a profile's `ca_file`).
    public let certificatePath: String
    public let keyPath: String
    public let directory: String

    /// Creates a self-signed CA named `commonName` in `directory`.
    public init(commonName: String, in directory: String) throws {
        self.directory = directory
        let tag = commonName.filter { $0.isLetter || $0.isNumber }
        certificatePath = "\(directory)/\(tag)-ca.pem"
        keyPath = "\(directory)/\(tag)-ca.key"
        try Self.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", keyPath, "-out", certificatePath, "-subj", "/CN=\(commonName)", "-days", "30",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    /// Issues a leaf for `names` (IP literals become IP SANs, others DNS SANs). `days` may be negative: `-1`
    /// gives a certificate that expired yesterday. Returns (certificate, key) paths.
    public func issue(file: String, commonName: String, names: [String], days: Int = 30) throws -> (
        cert: String, key: String
    ) {
        let key = "\(directory)/\(file).key"
        let request = "\(directory)/\(file).csr"
        let cert = "\(directory)/\(file).pem"
        let extensions = "\(directory)/\(file).ext"
        let sans = names.map(Self.subjectAltName)
        try "subjectAltName=\(sans.joined(separator: ","))\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        try Self.openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
            "-out", request, "-subj", "/CN=\(commonName)",
        ])
        try Self.openssl([
            "x509", "-req", "-in", request, "-CA", certificatePath, "-CAkey", keyPath, "-CAcreateserial",
            "-days", String(days), "-extfile", extensions, "-out", cert,
        ])
        return (cert, key)
    }

    /// A self-signed leaf (no CA at all) for `names`. Returns (certificate, key) paths.
    public static func selfSigned(file: String, commonName: String, names: [String], in directory: String) throws
        -> (cert: String, key: String)
    {
        let key = "\(directory)/\(file).key"
        let cert = "\(directory)/\(file).pem"
        let sans = names.map(subjectAltName)
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
            "-out", cert, "-subj", "/CN=\(commonName)", "-days", "30", "-addext",
            "subjectAltName=\(sans.joined(separator: ","))",
        ])
        return (cert, key)
    }

    /// The SPKI SHA-256 of a certificate the way an administrator computes a pin:
    /// `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | sha256sum`, as lowercase hex.
    public static func spkiSHA256(ofCertificate path: String) throws -> String {
        let pubkey = try Subprocess.run(["openssl", "x509", "-in", path, "-pubkey", "-noout"])
        let der = try Subprocess.run(
            ["sh", "-c", "openssl pkey -pubin -outform der | sha256sum"], input: Data(pubkey.stdout.utf8))
        guard der.status == 0, let hex = der.stdout.split(separator: " ").first else {
            throw TestSupportError("computing the SPKI digest failed: \(der.stderr)")
        }
        return String(hex)
    }

    static func subjectAltName(_ name: String) -> String {
        name.allSatisfy { $0.isNumber || $0 == "." } || name.contains(":") ? "IP:\(name)" : "DNS:\(name)"
    }

    static func openssl(_ arguments: [String]) throws {
        let output = try Subprocess.run(["openssl"] + arguments)
        if output.status != 0 {
            throw TestSupportError("openssl \(arguments.joined(separator: " ")) failed: \(output.stderr)")
        }
    }
}
