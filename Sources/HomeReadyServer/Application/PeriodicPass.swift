import ServiceLifecycle

/// Runs `pass` at once and then every `interval` until graceful shutdown (SIGTERM/SIGINT) cancels the wait: the
/// loop of the server's periodic services. Cancellation is the normal way out, not an error.
func repeatUntilGracefulShutdown(every interval: Duration, _ pass: @escaping @Sendable () async -> Void) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            await pass()
            try? await Task.sleep(for: interval)
        }
    }
}
