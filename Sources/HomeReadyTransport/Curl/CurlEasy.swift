import CHomeReadyCurl
import Foundation
import Synchronization

/// libcurl's one-time global set-up, done before the first handle is made.
enum CurlGlobal {
    static let ready: Bool = homeready_curl_global_init() == CURLE_OK
}

/// A flag another thread can raise to stop a running transfer at its next callback.
public final class TransferCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    /// Asks running transfers to stop.
    public func cancel() { flag.store(true, ordering: .relaxed) }
    /// Whether `cancel()` was called.
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// Per-transfer state reached from libcurl's callbacks through an opaque pointer. Touched only by the thread that
/// drives the transfer (and the atomic cancellation flag).
final class TransferState {
    let keepPrefix: Int
    var prefix: [UInt8] = []
    var received: Int64 = 0
    var sent: Int64 = 0
    var uploadRemaining: Int64
    let uploadSource: UnsafeRawBufferPointer
    let cancellation: TransferCancellation?
    var stopped = false
    /// The socket of the current connection, reported by libcurl's socket-option callback.
    var socket: Int32 = -1
    /// Header lines of the latest response (a new status line starts over).
    var headerLines: [String] = []

    init(keepPrefix: Int, uploadBytes: Int64, uploadSource: UnsafeRawBufferPointer, cancellation: TransferCancellation?) {
        self.keepPrefix = keepPrefix
        self.uploadRemaining = uploadBytes
        self.uploadSource = uploadSource
        self.cancellation = cancellation
    }
}

/// Incompressible bytes to upload, made once and never written again (hence safe to share read-only).
enum UploadSource {
    private final class Storage: @unchecked Sendable {
        let buffer: UnsafeRawBufferPointer
        init() {
            // One upload buffer's worth (CURLOPT_UPLOAD_BUFFERSIZE): each read callback copies from its start.
            let size = 128 * 1024
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
            var generator = SystemRandomNumberGenerator()
            for index in stride(from: 0, to: size, by: 8) {
                buffer.storeBytes(of: generator.next() as UInt64, toByteOffset: index, as: UInt64.self)
            }
            self.buffer = UnsafeRawBufferPointer(buffer)
        }
    }

    private static let storage = Storage()

    static var readOnly: UnsafeRawBufferPointer { storage.buffer }
}

private func writeCallback(data: UnsafeMutablePointer<CChar>?, size: Int, count: Int, context: UnsafeMutableRawPointer?) -> Int {
    guard let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    if state.stopped || state.cancellation?.isCancelled == true { return 0 }
    state.received += Int64(length)
    if state.prefix.count < state.keepPrefix, let data {
        let take = min(length, state.keepPrefix - state.prefix.count)
        data.withMemoryRebound(to: UInt8.self, capacity: take) { state.prefix.append(contentsOf: UnsafeBufferPointer(start: $0, count: take)) }
    }
    return length
}

private func headerCallback(data: UnsafeMutablePointer<CChar>?, size: Int, count: Int, context: UnsafeMutableRawPointer?) -> Int {
    guard let context, let data else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }.trimmingCharacters(in: .whitespacesAndNewlines)
    if line.hasPrefix("HTTP/") { state.headerLines = [] } else if !line.isEmpty, state.headerLines.count < 200 {
        state.headerLines.append(line)
    }
    return length
}

private func readCallback(buffer: UnsafeMutablePointer<CChar>?, size: Int, count: Int, context: UnsafeMutableRawPointer?) -> Int {
    guard let context, let buffer else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    if state.stopped || state.cancellation?.isCancelled == true { return Int(CURL_READFUNC_ABORT) }
    let room = Int64(size * count)
    let length = Int(min(room, state.uploadRemaining, Int64(state.uploadSource.count)))
    guard length > 0 else { return 0 }
    UnsafeMutableRawPointer(buffer).copyMemory(from: state.uploadSource.baseAddress!, byteCount: length)
    state.uploadRemaining -= Int64(length)
    state.sent += Int64(length)
    return length
}

private func progressCallback(context: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t) -> Int32 {
    guard let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    return (state.stopped || state.cancellation?.isCancelled == true) ? 1 : 0
}

private func socketCallback(context: UnsafeMutableRawPointer?, fd: curl_socket_t, purpose: curlsocktype) -> Int32 {
    if let context { Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue().socket = fd }
    return Int32(CURL_SOCKOPT_OK)
}

private func closeSocketCallback(context: UnsafeMutableRawPointer?, fd: curl_socket_t) -> Int32 {
    if let context {
        let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
        if state.socket == fd { state.socket = -1 }
    }
    return close(fd)
}

/// One configured libcurl easy handle and the state its callbacks fill. Not thread-safe: one thread drives it.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    let request: HTTPRequest
    let state: TransferState
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let unmanaged: Unmanaged<TransferState>

    init(_ request: HTTPRequest, cancellation: TransferCancellation?) throws {
        guard CurlGlobal.ready, let handle = curl_easy_init() else { throw CurlError.setupFailed("curl_easy_init") }
        self.handle = handle
        self.request = request
        state = TransferState(
            keepPrefix: request.keepBodyPrefixBytes, uploadBytes: request.method == .post ? request.uploadBytes : 0,
            uploadSource: UploadSource.readOnly, cancellation: cancellation)
        unmanaged = Unmanaged.passRetained(state)
        do {
            try configure()
        } catch {
            cleanup()
            throw error
        }
    }

    private func set(_ option: CURLoption, _ value: Int) throws {
        guard homeready_curl_easy_setopt_long(handle, option, value) == CURLE_OK else {
            throw CurlError.setupFailed("option \(option.rawValue)")
        }
    }

    private func set(_ option: CURLoption, _ value: String) throws {
        let code = value.withCString { homeready_curl_easy_setopt_string(handle, option, $0) }
        guard code == CURLE_OK else { throw CurlError.setupFailed("option \(option.rawValue)") }
    }

    private func configure() throws {
        try set(CURLOPT_URL, request.url)
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_TIMEOUT_MS, max(1, Int(request.timeoutSeconds * 1000)))
        try set(CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(request.connectTimeoutSeconds * 1000)))
        if request.stallSeconds > 0 {
            try set(CURLOPT_LOW_SPEED_LIMIT, 1)
            try set(CURLOPT_LOW_SPEED_TIME, request.stallSeconds)
        }
        if let interface = request.interface { try set(CURLOPT_INTERFACE, "if!\(interface)") }
        // An explicit empty proxy disables curl's own reading of the environment: we decide and report it.
        try set(CURLOPT_PROXY, request.proxy ?? "")
        switch request.ipFamily {
        case .any: try set(CURLOPT_IPRESOLVE, Int(CURL_IPRESOLVE_WHATEVER))
        case .v4: try set(CURLOPT_IPRESOLVE, Int(CURL_IPRESOLVE_V4))
        case .v6: try set(CURLOPT_IPRESOLVE, Int(CURL_IPRESOLVE_V6))
        }
        if request.insecure {
            try set(CURLOPT_SSL_VERIFYPEER, 0)
            try set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let caFile = request.caFile { try set(CURLOPT_CAINFO, caFile) }
        if let pin = request.pinnedPublicKey { try set(CURLOPT_PINNEDPUBLICKEY, pin) }
        if request.freshConnection {
            try set(CURLOPT_FRESH_CONNECT, 1)
            try set(CURLOPT_FORBID_REUSE, 1)
        }
        // Ask for identity encoding: a compressed body would inflate the measured rate.
        try set(CURLOPT_HTTP_CONTENT_DECODING, 0)
        try set(CURLOPT_BUFFERSIZE, 128 * 1024)
        var headers = request.headers + ["Cache-Control: no-store", "Accept-Encoding: identity"]
        switch request.method {
        case .get:
            try set(CURLOPT_HTTPGET, 1)
        case .head:
            try set(CURLOPT_NOBODY, 1)
        case .post where request.body != nil:
            let body = request.body ?? []
            try set(CURLOPT_POST, 1)
            guard homeready_curl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)) == CURLE_OK
            else { throw CurlError.setupFailed("body size") }
            // COPYPOSTFIELDS copies the bytes into the handle, so nothing here has to outlive this call.
            var bytes = body.isEmpty ? [0] : body
            let copied = bytes.withUnsafeMutableBytes {
                homeready_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress)
            }
            guard copied == CURLE_OK else { throw CurlError.setupFailed("body") }
            headers += ["Expect:"]
        case .post:
            try set(CURLOPT_POST, 1)
            try set(CURLOPT_UPLOAD_BUFFERSIZE, 128 * 1024)
            guard homeready_curl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.uploadBytes)) == CURLE_OK,
                homeready_curl_easy_setopt_data_callback(handle, CURLOPT_READFUNCTION, readCallback) == CURLE_OK,
                homeready_curl_easy_setopt_pointer(handle, CURLOPT_READDATA, unmanaged.toOpaque()) == CURLE_OK
            else { throw CurlError.setupFailed("upload options") }
            headers += ["Content-Type: application/octet-stream", "Expect:"]
        }
        for header in headers { headerList = curl_slist_append(headerList, header) }
        guard homeready_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList) == CURLE_OK,
            homeready_curl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, writeCallback) == CURLE_OK,
            homeready_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, unmanaged.toOpaque()) == CURLE_OK,
            homeready_curl_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, headerCallback) == CURLE_OK,
            homeready_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, unmanaged.toOpaque()) == CURLE_OK,
            homeready_curl_easy_setopt_progress_callback(handle, progressCallback) == CURLE_OK,
            homeready_curl_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, unmanaged.toOpaque()) == CURLE_OK,
            homeready_curl_easy_setopt_sockopt_callback(handle, socketCallback) == CURLE_OK,
            homeready_curl_easy_setopt_pointer(handle, CURLOPT_SOCKOPTDATA, unmanaged.toOpaque()) == CURLE_OK,
            homeready_curl_easy_setopt_closesocket_callback(handle, closeSocketCallback) == CURLE_OK,
            homeready_curl_easy_setopt_pointer(handle, CURLOPT_CLOSESOCKETDATA, unmanaged.toOpaque()) == CURLE_OK
        else { throw CurlError.setupFailed("callbacks") }
        try set(CURLOPT_NOPROGRESS, 0)
    }

    private func infoLong(_ info: CURLINFO) -> Int {
        var value = 0
        _ = homeready_curl_easy_getinfo_long(handle, info, &value)
        return value
    }

    private func infoMicros(_ info: CURLINFO) -> Double {
        var value: curl_off_t = 0
        _ = homeready_curl_easy_getinfo_off_t(handle, info, &value)
        return Double(value) / 1000
    }

    private func infoString(_ info: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard homeready_curl_easy_getinfo_string(handle, info, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    /// Reads the response after the transfer finished.
    func response() -> HTTPResponse {
        let tls = infoMicros(CURLINFO_APPCONNECT_TIME_T)
        let timing = HTTPTiming(
            dnsMs: infoMicros(CURLINFO_NAMELOOKUP_TIME_T), connectMs: infoMicros(CURLINFO_CONNECT_TIME_T),
            tlsMs: tls > 0 ? tls : nil, firstByteMs: infoMicros(CURLINFO_STARTTRANSFER_TIME_T),
            totalMs: infoMicros(CURLINFO_TOTAL_TIME_T))
        let version: String? = switch infoLong(CURLINFO_HTTP_VERSION) {
        case Int(CURL_HTTP_VERSION_1_0): "1.0"
        case Int(CURL_HTTP_VERSION_1_1): "1.1"
        case Int(CURL_HTTP_VERSION_2_0): "2"
        case Int(CURL_HTTP_VERSION_3): "3"
        default: nil
        }
        let port = infoLong(CURLINFO_PRIMARY_PORT)
        return HTTPResponse(
            statusCode: infoLong(CURLINFO_RESPONSE_CODE), contentType: infoString(CURLINFO_CONTENT_TYPE),
            redirectURL: infoString(CURLINFO_REDIRECT_URL), bytesReceived: state.received, bytesSent: state.sent,
            timing: timing, bodyPrefix: state.prefix, remoteAddress: infoString(CURLINFO_PRIMARY_IP),
            remotePort: port > 0 ? port : nil, httpVersion: version, headerLines: state.headerLines)
    }

    /// Rewinds the state for another run of the same request on this handle.
    func reset() {
        state.received = 0
        state.sent = 0
        state.prefix = []
        state.headerLines = []
        state.uploadRemaining = request.method == .post ? request.uploadBytes : 0
    }

    func error(for code: CURLcode) -> CurlError {
        let detail = String(cString: homeready_curl_strerror(code))
        return CurlError.from(curlCode: Int(code.rawValue), detail: detail, url: request.url)
    }

    private var cleaned = false

    func cleanup() {
        guard !cleaned else { return }
        cleaned = true
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        unmanaged.release()
    }

    deinit { cleanup() }
}
