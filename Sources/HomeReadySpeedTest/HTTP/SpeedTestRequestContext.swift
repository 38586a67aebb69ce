import Hummingbird
import NIOCore

/// A request context that knows its connection's event loop, which the download endpoint needs to keep pace with a
/// slow reader (see `SpeedTestRoutes`).
public protocol SpeedTestRequestContext: RequestContext {
    /// The event loop that owns the request's connection.
    var connectionEventLoop: any EventLoop { get }
}

/// The context for a router that serves only the speed-test endpoints.
public struct BasicSpeedTestRequestContext: SpeedTestRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let connectionEventLoop: any EventLoop

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        connectionEventLoop = source.channel.eventLoop
    }
}
