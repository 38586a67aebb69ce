import CHomeReadyCurl
import Foundation
import HomeReadyTransport
import Logging

/// Sends email through an SMTP server with libcurl's SMTP client (EHLO, STARTTLS, AUTH, MAIL FROM, RCPT TO, DATA),
/// one connection per message, on a thread of its own so the Swift concurrency pool never waits on the socket.
public struct SMTPMailer: Sendable {
    public let settings: SMTPSettings
    let logger: Logger

    public init(settings: SMTPSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// Sends `message` to `address`; the outcome as a `ChannelDelivery` on the `email` channel (never throws).
    public func send(_ message: OutgoingMessage, to address: String) async -> ChannelDelivery {
        guard Mailbox.isAddress(address) else {
            return ChannelDelivery(
                channel: "email", succeeded: false,
                error:
                    "the recipient's email \"\(EmailComposer.singleLine(address))\" is not an address; fix it in the roster"
            )
        }
        let bytes = EmailComposer.compose(message, from: settings.from, to: address)
        let settings = settings
        let failure = await BlockingThread.run { SMTPTransfer.deliver(bytes, to: address, settings: settings) }
        if let failure {
            logger.debug("notification.email.failed", metadata: ["notification.error": "\(failure)"])
            return ChannelDelivery(channel: "email", succeeded: false, error: failure)
        }
        logger.debug("notification.email.sent", metadata: ["notification.bytes": "\(bytes.count)"])
        return ChannelDelivery(channel: "email", succeeded: true)
    }
}

/// The message being uploaded, read by libcurl's read callback. Touched only by the transfer's thread.
private final class MailUpload {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

private func mailReadCallback(
    buffer: UnsafeMutablePointer<CChar>?, size: Int, count: Int, context: UnsafeMutableRawPointer?
) -> Int {
    guard let buffer, let context else { return 0 }
    let upload = Unmanaged<MailUpload>.fromOpaque(context).takeUnretainedValue()
    let length = min(size * count, upload.bytes.count - upload.offset)
    guard length > 0 else { return 0 }
    upload.bytes.withUnsafeBytes { source in
        UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + upload.offset, byteCount: length)
    }
    upload.offset += length
    return length
}

/// libcurl's global set-up, done once before the first handle (a `static let` initialises exactly once).
private enum CurlReady {
    static let once: Bool = homeready_curl_global_init() == CURLE_OK
}

/// One blocking SMTP transaction over a libcurl easy handle.
enum SMTPTransfer {
    /// Delivers `bytes`; nil on success, else what went wrong in words (no credentials in it).
    static func deliver(_ bytes: [UInt8], to address: String, settings: SMTPSettings) -> String? {
        guard CurlReady.once, let handle = curl_easy_init() else {
            return "libcurl could not be set up; reinstall libcurl4 (Scripts/bootstrap)"
        }
        let upload = Unmanaged.passRetained(MailUpload(bytes))
        var recipients: UnsafeMutablePointer<curl_slist>?
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer {
            curl_easy_cleanup(handle)
            curl_slist_free_all(recipients)
            upload.release()
            errorBuffer.deallocate()
        }

        var setupFailed = false
        func set(_ option: CURLoption, _ value: Int) {
            if homeready_curl_easy_setopt_long(handle, option, value) != CURLE_OK { setupFailed = true }
        }
        func set(_ option: CURLoption, _ value: String) {
            if value.withCString({ homeready_curl_easy_setopt_string(handle, option, $0) }) != CURLE_OK {
                setupFailed = true
            }
        }
        set(CURLOPT_URL, settings.curlURL)
        set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_TIMEOUT_MS, max(1000, Int(settings.timeoutSeconds * 1000)))
        set(CURLOPT_CONNECTTIMEOUT_MS, max(1000, Int(min(settings.timeoutSeconds, 10) * 1000)))
        // Mail relays are reached directly: an HTTP proxy from the environment must not capture SMTP.
        set(CURLOPT_PROXY, "")
        switch settings.security {
        case .implicitTLS, .startTLSRequired: set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
        case .startTLSOptional: set(CURLOPT_USE_SSL, Int(CURLUSESSL_TRY.rawValue))
        case .plain: set(CURLOPT_USE_SSL, Int(CURLUSESSL_NONE.rawValue))
        }
        if let caFile = settings.caFile { set(CURLOPT_CAINFO, caFile) }
        if let username = settings.username { set(CURLOPT_USERNAME, username) }
        if let password = settings.password { set(CURLOPT_PASSWORD, password) }
        set(CURLOPT_MAIL_FROM, "<\(settings.from.address)>")
        recipients = curl_slist_append(recipients, "<\(address)>")
        if homeready_curl_easy_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients) != CURLE_OK { setupFailed = true }
        set(CURLOPT_UPLOAD, 1)
        set(CURLOPT_INFILESIZE, bytes.count)
        if homeready_curl_easy_setopt_data_callback(handle, CURLOPT_READFUNCTION, mailReadCallback) != CURLE_OK
            || homeready_curl_easy_setopt_pointer(handle, CURLOPT_READDATA, upload.toOpaque()) != CURLE_OK
            || homeready_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer) != CURLE_OK
        {
            setupFailed = true
        }
        if setupFailed {
            return "libcurl refused an SMTP option; reinstall libcurl4 with SMTP support (Scripts/bootstrap)"
        }

        let code = curl_easy_perform(handle)
        guard code != CURLE_OK else { return nil }
        var reply = 0
        _ = homeready_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        let detail = String(cString: errorBuffer)
        return describe(
            code: Int(code.rawValue), detail: detail.isEmpty ? String(cString: homeready_curl_strerror(code)) : detail,
            reply: reply, settings: settings)
    }

    /// A failure in words: which server, what it said, what to check.
    static func describe(code: Int, detail: String, reply: Int, settings: SMTPSettings) -> String {
        let server = settings.description
        let said = reply > 0 ? "; last reply \(reply)" : ""
        // CURLE_* numbers are ABI-stable.
        switch code {
        case 5, 6:
            return "SMTP server \(server): host not found (\(detail)); check --smtp-url"
        case 7:
            return
                "SMTP server \(server) refused the connection or is down (\(detail)); check that it runs and the port"
        case 28:
            return "SMTP server \(server) did not answer in time (\(detail))"
        case 64:
            return
                "SMTP server \(server) does not offer STARTTLS (\(detail)); use smtps:// or starttls=never for a lab relay"
        case 35, 53, 54, 58, 59, 60, 77, 80, 83, 90, 91:
            return
                "TLS with SMTP server \(server) failed (\(detail)); check its certificate or add cafile=PATH to --smtp-url"
        case 67:
            return
                "SMTP server \(server) refused the login\(said) (\(detail)); check the user name and password in --smtp-url"
        case 55:
            return "SMTP server \(server) refused the message\(said) (\(detail))"
        default:
            return "SMTP delivery through \(server) failed\(said) (curl \(code): \(detail))"
        }
    }
}
