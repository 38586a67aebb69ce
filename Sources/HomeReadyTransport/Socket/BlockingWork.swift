import Foundation

/// Runs blocking system calls (getaddrinfo, poll, OpenSSL handshakes) on a dedicated thread so they never
/// occupy Swift's cooperative thread pool.
public enum BlockingWork {
    /// Runs `body` on a new thread and returns its result.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                // A peer closing mid-write raises SIGPIPE on this thread (OpenSSL writes with write(2)); keep it
                // blocked here so it becomes EPIPE. The thread ends afterwards, dropping anything pending.
                var signals = sigset_t()
                sigemptyset(&signals)
                sigaddset(&signals, SIGPIPE)
                pthread_sigmask(SIG_BLOCK, &signals, nil)
                continuation.resume(returning: body())
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}

/// Monotonic elapsed time in milliseconds.
struct Stopwatch {
    private let start = ContinuousClock.now

    var elapsedMs: Double {
        let duration = ContinuousClock.now - start
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
