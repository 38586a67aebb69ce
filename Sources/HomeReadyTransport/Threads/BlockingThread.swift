import Foundation
import Synchronization

/// Runs blocking work (libcurl transfers, getaddrinfo, poll, OpenSSL handshakes) on a dedicated thread so it
/// never occupies Swift's cooperative thread pool, and resumes the caller when it finishes. Cancelling the
/// calling task does not interrupt the work: give it a deadline or a `TransferCancellation`.
public enum BlockingThread {
    /// Runs `body` on a new thread and returns its result.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            start { continuation.resume(returning: body()) }
        }
    }

    /// Runs a throwing `body` on a new thread and returns its result or rethrows its error.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            start { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Starts `body` on a new thread with a 1 MiB stack and SIGPIPE blocked: a peer closing mid-write (OpenSSL
    /// and sockets write with write(2)) then gives EPIPE instead of killing the process.
    static func start(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &signals, nil)
            body()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// Blocking work already running on its own thread; `value` waits for it. Starting does not need the Swift
/// concurrency pool, so work that must begin now (probes beside a transfer) begins now.
public final class BlockingTask<T: Sendable>: Sendable {
    private struct State {
        var result: Result<T, any Error>?
        var waiter: CheckedContinuation<T, any Error>?
    }

    private let state = Mutex(State())

    /// Starts `body` on a new thread immediately.
    public init(_ body: @escaping @Sendable () throws -> T) {
        BlockingThread.start { [self] in
            let outcome = Result { try body() }
            let continuation = state.withLock { state -> CheckedContinuation<T, any Error>? in
                state.result = outcome
                defer { state.waiter = nil }
                return state.waiter
            }
            continuation?.resume(with: outcome)
        }
    }

    /// The body's result, once it finished.
    public var value: T {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<T, any Error>? in
                    if let result = state.result { return result }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        }
    }
}
