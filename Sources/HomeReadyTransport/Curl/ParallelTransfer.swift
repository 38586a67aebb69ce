import CHomeReadyCurl
import Foundation

/// The byte count of a running parallel transfer at one moment.
public struct ThroughputSample: Sendable, Equatable {
    /// Seconds since the transfer started.
    public var elapsedSeconds: Double
    /// Bytes moved by all streams so far (received for downloads, handed to the socket for uploads).
    public var totalBytes: Int64
    /// Streams running at this moment.
    public var streams: Int

    public init(elapsedSeconds: Double, totalBytes: Int64, streams: Int) {
        self.elapsedSeconds = elapsedSeconds
        self.totalBytes = totalBytes
        self.streams = streams
    }
}

/// What a parallel transfer's controller wants next.
public enum ParallelDecision: Sendable, Equatable {
    case keepGoing
    /// Adds streams up to this count (streams are never removed while running).
    case useStreams(Int)
    case stop
}

/// How a parallel transfer ended.
public struct ParallelTransferResult: Sendable {
    public var samples: [ThroughputSample]
    public var totalBytes: Int64
    public var maxStreams: Int
    public var durationSeconds: Double
    /// What the first stream's server answered (status, content type, first body bytes, timing so far).
    public var firstResponse: HTTPResponse?
    /// Requests that ran to their end (streams restart their request when it ends before the test does).
    public var completedRequests: Int
    /// Failures of individual streams.
    public var errors: [CurlError]
}

/// Many streams of one request at once over libcurl's multi interface, driven by one thread.
public enum ParallelTransfer {
    /// Runs `request` on `initialStreams` streams, restarting each stream's request when it ends, and calls
    /// `control` every `sampleInterval` seconds with all samples so far. Blocks until `control` says stop, the
    /// request's `timeoutSeconds` passes, `cancellation` fires, or no stream can make progress (then throws the
    /// first stream error).
    public static func runBlocking(
        request: HTTPRequest, initialStreams: Int, maxStreams: Int = 16, sampleInterval: Double = 0.1,
        cancellation: TransferCancellation? = nil,
        control: ([ThroughputSample]) -> ParallelDecision
    ) throws -> ParallelTransferResult {
        guard CurlGlobal.ready, let multi = curl_multi_init() else { throw CurlError.setupFailed("curl_multi_init") }
        var easies: [CurlEasy] = []
        var byHandle: [UnsafeMutableRawPointer: CurlEasy] = [:]
        defer {
            for easy in easies {
                curl_multi_remove_handle(multi, easy.handle)
                easy.cleanup()
            }
            curl_multi_cleanup(multi)
        }
        // Each stream opens its own connection once and keeps it for the streams's repeated requests.
        var streamRequest = request
        streamRequest.freshConnection = false
        streamRequest.timeoutSeconds = request.timeoutSeconds + 5
        func addStream() throws {
            let easy = try CurlEasy(streamRequest, cancellation: cancellation)
            easies.append(easy)
            byHandle[easy.handle] = easy
            guard curl_multi_add_handle(multi, easy.handle) == CURLM_OK else { throw CurlError.setupFailed("curl_multi_add_handle") }
        }
        let target = max(1, min(initialStreams, maxStreams))
        for _ in 0..<target { try addStream() }

        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        var samples: [ThroughputSample] = []
        var completedBytes: Int64 = 0
        var completedRequests = 0
        var errors: [CurlError] = []
        var firstResponse: HTTPResponse?
        var nextSample = sampleInterval
        var running: Int32 = 0
        var stopping = false

        // Kernel counters (TCP_INFO) tell what crossed the link; callback counts include socket buffers, which
        // inflate early upload figures. Use the kernel's when every stream has them.
        var kernelCounters = KernelByteCounters(acked: request.method == .post)
        func callbackBytes() -> Int64 { easies.reduce(completedBytes) { $0 + $1.state.received + $1.state.sent } }
        func liveBytes() -> Int64 { kernelCounters.update(easies) ?? callbackBytes() }

        while !stopping {
            curl_multi_perform(multi, &running)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard homeready_curl_msg_is_done(message) != 0, let handle = homeready_curl_msg_easy(message),
                    let easy = byHandle[handle]
                else { continue }
                let code = homeready_curl_msg_result(message)
                curl_multi_remove_handle(multi, handle)
                if code == CURLE_OK {
                    let response = easy.response()
                    if firstResponse == nil { firstResponse = response }
                    completedRequests += 1
                    if !(200..<300).contains(response.statusCode) { stopping = true }
                } else {
                    errors.append(easy.error(for: code))
                }
                completedBytes += easy.state.received + easy.state.sent
                easy.reset()
                let hopeless = errors.count >= 3 * max(1, easies.count) && completedRequests == 0
                if !stopping && !hopeless && cancellation?.isCancelled != true {
                    curl_multi_add_handle(multi, handle)
                } else if hopeless {
                    stopping = true
                }
            }
            let now = elapsed()
            if now >= nextSample {
                nextSample = now + sampleInterval
                samples.append(ThroughputSample(elapsedSeconds: now, totalBytes: liveBytes(), streams: easies.count))
                switch control(samples) {
                case .keepGoing: break
                case .stop: stopping = true
                case .useStreams(let count):
                    while easies.count < min(count, maxStreams) { try addStream() }
                }
            }
            if now >= request.timeoutSeconds || cancellation?.isCancelled == true { stopping = true }
            if !stopping { curl_multi_poll(multi, nil, 0, 10, nil) }
        }
        let duration = elapsed()
        let total = liveBytes()
        if firstResponse == nil, let first = easies.first {
            let response = first.response()
            if response.statusCode > 0 { firstResponse = response }
        }
        if total == 0, firstResponse == nil, let error = errors.first { throw error }
        return ParallelTransferResult(
            samples: samples, totalBytes: total, maxStreams: easies.count, durationSeconds: duration,
            firstResponse: firstResponse, completedRequests: completedRequests, errors: errors)
    }
}

/// Sums TCP_INFO byte counters over the streams' sockets, following each stream across reconnects.
struct KernelByteCounters {
    let acked: Bool
    private var lastSocket: [ObjectIdentifier: Int32] = [:]
    private var lastValue: [ObjectIdentifier: Int64] = [:]
    private var counted: [ObjectIdentifier: Int64] = [:]

    init(acked: Bool) { self.acked = acked }

    /// The total so far, or nil while no socket has reported counters (then callback counts stand in).
    mutating func update(_ easies: [CurlEasy]) -> Int64? {
        for easy in easies {
            let key = ObjectIdentifier(easy)
            let fd = easy.state.socket
            guard fd >= 0 else { continue }
            let value = homeready_tcp_bytes(fd, acked ? 1 : 0)
            guard value >= 0 else { continue }
            if lastSocket[key] != fd {
                lastSocket[key] = fd
                lastValue[key] = 0
            }
            let previous = lastValue[key] ?? 0
            if Int64(value) >= previous {
                counted[key, default: 0] += Int64(value) - previous
            }
            lastValue[key] = Int64(value)
        }
        return counted.isEmpty ? nil : counted.values.reduce(0, +)
    }
}
