import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Foundation

/// The UDP echo responder as a ServiceLifecycle service: binds `host:port` when run and echoes until graceful
/// shutdown. Many agents probe at once without waiting for each other (one datagram in, one out).
public struct UDPEchoService: Service {
    public var host: String
    public var port: Int
    /// Adds HomeReady's receive count and timestamp to HomeReady probes (off: plain RFC 862 echo).
    public var extensions: Bool
    public var logger: Logger

    public init(host: String = "::", port: Int = 7, extensions: Bool = true, logger: Logger) {
        self.host = host
        self.port = port
        self.extensions = extensions
        self.logger = logger
    }

    public func run() async throws {
        let server = try await UDPEchoServer.bind(host: host, port: port, extensions: extensions, logger: logger)
        try? await gracefulShutdown()
        try await server.close()
    }
}

/// A bound UDP echo socket; `localPort` tells the port when bound to 0.
public final class UDPEchoServer: Sendable {
    private let channel: any Channel
    /// The port the socket is bound to.
    public let localPort: Int

    private init(channel: any Channel) {
        self.channel = channel
        localPort = channel.localAddress?.port ?? 0
    }

    /// Binds the responder. `host` `::` listens on IPv6 and IPv4 where the system allows dual-stack sockets.
    public static func bind(host: String, port: Int, extensions: Bool = true, logger: Logger) async throws -> UDPEchoServer {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(EchoHandler(extensions: extensions, logger: logger))
                }
            }
            .bind(host: host, port: port).get()
        logger.debug("speedtest.echo.bound", metadata: ["speedtest.port": "\(channel.localAddress?.port ?? 0)"])
        return UDPEchoServer(channel: channel)
    }

    /// Closes the socket.
    public func close() async throws {
        try await channel.close()
    }
}

final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private var responder: EchoResponder
    private let logger: Logger
    private let origin = DispatchTime.now().uptimeNanoseconds

    init(extensions: Bool, logger: Logger) {
        responder = EchoResponder(extensions: extensions)
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var envelope = unwrapInboundIn(data)
        responder.answer(&envelope.data, nowNanos: DispatchTime.now().uptimeNanoseconds - origin + 1)
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: envelope.data)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors from departed peers surface here; a responder keeps serving.
        logger.trace("speedtest.echo.error", metadata: ["error": "\(error)"])
    }
}
