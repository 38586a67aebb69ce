import CHomeReadyCurl
import Foundation

/// Blocking libcurl transfers run on their own threads, so the Swift concurrency pool never waits on a socket.
public enum HTTPClient {
    /// Performs one transfer and returns the response (any status). Throws `CurlError` when no response came.
    public static func perform(_ request: HTTPRequest, cancellation: TransferCancellation? = nil) async throws -> HTTPResponse {
        try await BlockingThread.run { try performBlocking(request, cancellation: cancellation) }
    }

    /// The blocking form of `perform`, for callers already on their own thread.
    public static func performBlocking(_ request: HTTPRequest, cancellation: TransferCancellation? = nil) throws -> HTTPResponse {
        let easy = try CurlEasy(request, cancellation: cancellation)
        defer { easy.cleanup() }
        let code = curl_easy_perform(easy.handle)
        guard code == CURLE_OK else { throw easy.error(for: code) }
        return easy.response()
    }
}
