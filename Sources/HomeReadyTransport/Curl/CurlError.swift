/// A libcurl transfer that could not complete: the tool's own failure (the probe turns it into a finding).
public struct CurlError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case setup
        case dns
        case connect
        case timeout
        case tls
        case aborted
        case transfer
    }

    private let code: Code
    /// libcurl's numeric result (`CURLcode`), for logs.
    public let curlCode: Int
    /// What happened and what to do, without secrets.
    public let message: String

    private init(_ code: Code, curlCode: Int, message: String) {
        self.code = code
        self.curlCode = curlCode
        self.message = message
    }

    /// libcurl could not be set up (an option was refused); reinstall libcurl4.
    public static let setup = CurlError(.setup, curlCode: 0, message: "")
    /// The host name did not resolve.
    public static let dns = CurlError(.dns, curlCode: 0, message: "")
    /// No TCP connection could be made.
    public static let connect = CurlError(.connect, curlCode: 0, message: "")
    /// The transfer hit its deadline or stalled.
    public static let timeout = CurlError(.timeout, curlCode: 0, message: "")
    /// The TLS handshake or certificate check failed.
    public static let tls = CurlError(.tls, curlCode: 0, message: "")
    /// The caller cancelled the transfer.
    public static let aborted = CurlError(.aborted, curlCode: 0, message: "")
    /// Any other transfer failure.
    public static let transfer = CurlError(.transfer, curlCode: 0, message: "")

    /// Whether two errors are of the same kind (the message and curl code are ignored).
    public static func ~= (pattern: CurlError, value: any Error) -> Bool {
        (value as? CurlError)?.code == pattern.code
    }

    public static func == (lhs: CurlError, rhs: CurlError) -> Bool { lhs.code == rhs.code }

    static func from(curlCode: Int, detail: String, url: String) -> CurlError {
        // CURLE_* numbers are ABI-stable.
        switch curlCode {
        case 5, 6:
            return CurlError(.dns, curlCode: curlCode, message: "could not resolve the host of \(url) (\(detail)); check the server address and your DNS")
        case 7:
            return CurlError(.connect, curlCode: curlCode, message: "could not connect to \(url) (\(detail)); check that the server runs and that no firewall blocks it")
        case 28:
            return CurlError(.timeout, curlCode: curlCode, message: "\(url) did not answer in time (\(detail)); the server or the link stalled")
        case 35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91:
            return CurlError(.tls, curlCode: curlCode, message: "TLS with \(url) failed (\(detail)); check the server's certificate")
        case 42:
            return CurlError(.aborted, curlCode: curlCode, message: "the transfer from \(url) was cancelled")
        default:
            return CurlError(.transfer, curlCode: curlCode, message: "transfer with \(url) failed (\(detail))")
        }
    }

    static func setupFailed(_ what: String) -> CurlError {
        CurlError(.setup, curlCode: 0, message: "libcurl refused \(what); reinstall libcurl4 (Scripts/bootstrap)")
    }

    public var description: String { message.isEmpty ? "CurlError(\(code))" : message }
}
