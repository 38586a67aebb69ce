import HomeReadyTransport
import Testing

/// The voice-path tests that start real peers and labs, one at a time: they share the machine's two cores, and
/// many child processes started at once make Foundation's Process miss exits here.
@Suite(.serialized) enum SIPPeerSuites {}

/// Runs blocking test-support work (processes, `ip`, `ss`) on its own thread: on a 2-core machine Swift's
/// cooperative pool has two threads, and two tests blocked in a process wait there starve the reaping of child
/// processes (seen here: a deadlock).
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await BlockingThread.run(body)
}

/// Starts a peer off the pool, runs `body`, and stops the peer off the pool, also when `body` throws.
func withPeer<Peer: Sendable, T>(
    _ start: @escaping @Sendable () throws -> Peer, stop: @escaping @Sendable (Peer) -> Void,
    _ body: (Peer) async throws -> T
) async throws -> T {
    let peer = try await offPool(start)
    do {
        let value = try await body(peer)
        await BlockingThread.run { stop(peer) }
        return value
    } catch {
        await BlockingThread.run { stop(peer) }
        throw error
    }
}
