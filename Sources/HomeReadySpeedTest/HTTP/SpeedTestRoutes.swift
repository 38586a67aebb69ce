import Foundation
import Hummingbird
import NIOCore

/// What `GET /speed/info` answers (snake_case keys, documented in docs/measurement.md).
public struct SpeedTestInfo: Codable, Sendable, ResponseEncodable {
    public var downloadPath: String
    public var uploadPath: String
    public var pingPath: String
    public var echoPort: Int?
    /// The SIP mirror's port, UDP and TCP (docs/voice-path.md); absent when no mirror runs.
    public var sipPort: Int?
    /// Streams of other agents' tests running at the moment of the answer.
    public var activeTests: Int
    public var maxDownloadBytes: Int64

    enum CodingKeys: String, CodingKey {
        case downloadPath = "download_path"
        case uploadPath = "upload_path"
        case pingPath = "ping_path"
        case echoPort = "echo_port"
        case sipPort = "sip_port"
        case activeTests = "active_tests"
        case maxDownloadBytes = "max_download_bytes"
    }
}

/// What `POST /speed/up` answers once it has read the whole body.
public struct UploadReceipt: Codable, Sendable, ResponseEncodable {
    public var bytesReceived: Int64
    public var durationMs: Double

    enum CodingKeys: String, CodingKey {
        case bytesReceived = "bytes_received"
        case durationMs = "duration_ms"
    }
}

/// The speed-test HTTP endpoints, mountable on any Hummingbird router.
///
/// - `GET /speed/down?bytes=N`: N incompressible bytes, streamed from memory (never from disk).
/// - `POST /speed/up`: reads and discards the body, answers `{bytes_received, duration_ms}`; with `?tally=ID` it
///   also counts the bytes as they arrive into the upload tally ID.
/// - `GET /speed/up/tally/ID`: that tally (`UploadTally`: bytes per 50 ms bin as the server received them), or 404.
/// - `GET|HEAD /speed/ping`: an empty uncached answer for round trips.
/// - `GET /speed/info`: the endpoints, the UDP echo port, the SIP mirror's port and how many transfers run now.
///
/// Requests never wait for each other: each transfer is its own stream, counted in `SpeedTestActivity` until
/// its last chunk is in the socket.
public struct SpeedTestRoutes {
    /// Incompressible bytes sent by the download endpoint (1 MiB, reused for every response).
    static let payload: ByteBuffer = {
        var generator = SystemRandomNumberGenerator()
        var buffer = ByteBufferAllocator().buffer(capacity: 1 << 20)
        for _ in 0..<(1 << 17) { buffer.writeInteger(generator.next() as UInt64) }
        return buffer
    }()

    /// Adds the endpoints to `router`.
    public static func add<Context: SpeedTestRequestContext>(
        to router: Router<Context>, configuration: SpeedTestConfiguration = SpeedTestConfiguration(),
        activity: SpeedTestActivity = SpeedTestActivity(), tallies: UploadTallies = UploadTallies()
    ) {
        let prefix = configuration.pathPrefix
        let noStore: HTTPFields = [.cacheControl: "no-store", .contentType: "application/octet-stream"]
        router.get(RouterPath(prefix + "/down")) { request, context -> Response in
            let asked = request.uri.queryParameters.get("bytes", as: Int64.self) ?? 25_000_000
            let length = max(0, min(asked, configuration.maxDownloadBytes))
            let loop = context.connectionEventLoop
            let body = ResponseBody(contentLength: Int(length)) { writer in
                activity.begin()
                defer { activity.end() }
                var left = length
                let chunk = payload
                while left > 0 {
                    let size = Int(min(left, Int64(chunk.readableBytes)))
                    try await writer.write(chunk.getSlice(at: chunk.readerIndex, length: size)!)
                    left -= Int64(size)
                    // The writer learns that the socket is full only on the connection's event loop. Waiting for
                    // that loop after each chunk keeps one chunk queued behind a slow reader: otherwise this loop
                    // queues hundreds of MiB at once and the transfer stops counting as running while it still sends.
                    try await loop.submit {}.get()
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: noStore, body: body)
        }
        router.post(RouterPath(prefix + "/up")) { request, _ -> UploadReceipt in
            try await activity.tracking {
                let start = ContinuousClock.now
                var received: Int64 = 0
                let tally = request.uri.queryParameters.get("tally").map { String($0) }.flatMap {
                    UploadTallies.isValid(id: $0) ? $0 : nil
                }
                for try await buffer in request.body {
                    received += Int64(buffer.readableBytes)
                    if let tally { tallies.add(buffer.readableBytes, to: tally) }
                }
                let elapsed = ContinuousClock.now - start
                let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
                return UploadReceipt(bytesReceived: received, durationMs: ms)
            }
        }
        router.get(RouterPath(prefix + "/up/tally/:id")) { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard let tally = tallies.tally(id) else {
                return Response(status: .notFound, headers: [.cacheControl: "no-store", .contentLength: "0"])
            }
            let data = try JSONEncoder().encode(tally)
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        let ping: @Sendable (Request, Context) async throws -> Response = { _, _ in
            Response(status: .ok, headers: [.cacheControl: "no-store", .contentLength: "0"])
        }
        router.get(RouterPath(prefix + "/ping"), use: ping)
        router.head(RouterPath(prefix + "/ping"), use: ping)
        router.get(RouterPath(prefix + "/info")) { _, _ -> Response in
            let info = SpeedTestInfo(
                downloadPath: prefix + "/down", uploadPath: prefix + "/up", pingPath: prefix + "/ping",
                echoPort: configuration.echoPort, sipPort: configuration.sipPort, activeTests: activity.activeTransfers,
                maxDownloadBytes: configuration.maxDownloadBytes)
            let data = try JSONEncoder().encode(info)
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
