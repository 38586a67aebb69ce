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

/// Runs blocking work on a dedicated thread and resumes the caller when it finishes.
public enum BlockingThread {
    /// Runs `body` on a new thread; cancelling the calling task does not interrupt `body` (use a
    /// `TransferCancellation` for that).
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}

/// Blocking work already running on its own thread; `value` waits for it. Starting does not need the Swift
/// concurrency pool, so work that must begin now (probes beside a transfer) begins now.
public final class BlockingTask<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, any Error>?
    private var waiter: CheckedContinuation<T, any Error>?

    /// Starts `body` on a new thread immediately.
    public init(_ body: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            let outcome: Result<T, any Error>
            do { outcome = .success(try body()) } catch { outcome = .failure(error) }
            let continuation = lock.withLock { () -> CheckedContinuation<T, any Error>? in
                result = outcome
                defer { waiter = nil }
                return waiter
            }
            continuation?.resume(with: outcome)
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The body's result, once it finished.
    public var value: T {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let ready = lock.withLock { () -> Result<T, any Error>? in
                    if let result { return result }
                    waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        }
    }
}
