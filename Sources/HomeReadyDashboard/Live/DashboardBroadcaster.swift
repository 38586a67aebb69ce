import Foundation
import Synchronization

/// An in-process event source: every `publish` reaches every open `events()` stream.
public final class DashboardBroadcaster: DashboardEventSource, Sendable {
    private let continuations = Mutex<[UUID: AsyncStream<DashboardEvent>.Continuation]>([:])
    private let bufferSize: Int

    /// Creates a broadcaster; a slow subscriber keeps at most `bufferSize` pending events (newest kept).
    public init(bufferSize: Int = 256) {
        self.bufferSize = bufferSize
    }

    /// Sends `event` to every subscriber.
    public func publish(_ event: DashboardEvent) {
        let targets = continuations.withLock { Array($0.values) }
        for continuation in targets { continuation.yield(event) }
    }

    /// How many streams are open (for tests and metrics).
    public var subscriberCount: Int { continuations.withLock { $0.count } }

    public func events() -> AsyncStream<DashboardEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: DashboardEvent.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id = UUID()
        continuations.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.continuations.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every open stream.
    public func finishAll() {
        let targets = continuations.withLock { Array($0.values) }
        for continuation in targets { continuation.finish() }
    }
}
