import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The SIP mirror as a ServiceLifecycle service: answers SIP on UDP and TCP `host:port` with the request as it
/// arrived (`SIPMirrorResponder`) until graceful shutdown. Stateless: many agents test at once.
public struct SIPMirrorService: Service {
    public var host: String
    public var port: Int
    public var logger: Logger

    public init(host: String = "::", port: Int = 5060, logger: Logger) {
        self.host = host
        self.port = port
        self.logger = logger
    }

    public func run() async throws {
        let server = try await SIPMirrorServer.bind(host: host, port: port, logger: logger)
        try? await gracefulShutdown()
        try await server.close()
    }
}

/// The SIP mirror's bound UDP socket and TCP listener (same port); `localPort` tells the port when bound to 0.
///
/// NIO closes a datagram channel when a send fails with an error it cannot recover from (an answer to a source
/// with no route back: ENETUNREACH, EHOSTUNREACH, or a firewall's EPERM). One agent's unroutable address must not
/// take the mirror down for everyone, so the UDP socket is bound again on the same port when that happens.
public final class SIPMirrorServer: Sendable {
    private struct State {
        var udp: (any Channel)?
        var closing = false
    }

    private let state: Mutex<State>
    private let tcp: any Channel
    private let host: String
    private let logger: Logger
    /// The port both sockets are bound to.
    public let localPort: Int

    /// Seconds a TCP connection may stay silent before the mirror closes it.
    public static let idleSeconds: Int64 = 30

    private init(udp: any Channel, tcp: any Channel, host: String, logger: Logger) {
        state = Mutex(State(udp: udp))
        self.tcp = tcp
        self.host = host
        self.logger = logger
        localPort = udp.localAddress?.port ?? 0
    }

    /// Binds UDP and TCP on `host:port` (port 0: a free UDP port, then TCP on the same number).
    public static func bind(host: String, port: Int, logger: Logger) async throws -> SIPMirrorServer {
        let udp = try await bindUDP(host: host, port: port, logger: logger)
        let chosen = udp.localAddress?.port ?? port
        do {
            let tcp = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(IdleStateHandler(readTimeout: .seconds(idleSeconds)))
                        try pipeline.addHandler(ByteToMessageHandler(SIPFrameDecoder()))
                        try pipeline.addHandler(SIPMirrorStreamHandler(logger: logger))
                    }
                }
                .bind(host: host, port: chosen).get()
            logger.debug("speedtest.sip.bound", metadata: ["speedtest.port": "\(chosen)"])
            let server = SIPMirrorServer(udp: udp, tcp: tcp, host: host, logger: logger)
            server.watch(udp)
            return server
        } catch {
            try? await udp.close()
            throw error
        }
    }

    private static func bindUDP(host: String, port: Int, logger: Logger) async throws -> any Channel {
        try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SIPMirrorDatagramHandler(logger: logger))
                }
            }
            .bind(host: host, port: port).get()
    }

    /// Binds the UDP socket again when NIO closed it while the mirror is still serving.
    private func watch(_ channel: any Channel) {
        channel.closeFuture.whenComplete { _ in
            guard !self.state.withLock({ $0.closing }) else { return }
            self.logger.debug("speedtest.sip.udp_rebind", metadata: ["speedtest.port": "\(self.localPort)"])
            Task {
                for _ in 0..<50 {
                    try? await Task.sleep(for: .milliseconds(20))
                    guard let fresh = try? await Self.bindUDP(host: self.host, port: self.localPort, logger: self.logger)
                    else { continue }
                    let kept = self.state.withLock { state -> Bool in
                        guard !state.closing else { return false }
                        state.udp = fresh
                        return true
                    }
                    if kept { self.watch(fresh) } else { try? await fresh.close() }
                    return
                }
            }
        }
    }

    /// Closes both sockets.
    public func close() async throws {
        let udp = state.withLock { state -> (any Channel)? in
            state.closing = true
            return state.udp
        }
        try? await udp?.close()
        try await tcp.close()
    }
}

/// The mirror could not frame a TCP stream as SIP; the connection is closed.
struct SIPFramingError: Error, CustomStringConvertible {
    var description: String
}

/// Cuts SIP messages out of a TCP stream by Content-Length (RFC 3261 §18.3), at most
/// `SIPMirrorResponder.maxMessageBytes` each; keep-alive CRLFs between messages are skipped.
struct SIPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        while let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self), byte == 0x0D || byte == 0x0A {
            buffer.moveReaderIndex(forwardBy: 1)
        }
        let limit = SIPMirrorResponder.maxMessageBytes
        let bytes = Array(buffer.readableBytesView.prefix(limit))
        guard let split = SIPMirrorResponder.headerSplit(bytes[...]) else {
            if buffer.readableBytes >= limit { throw SIPFramingError(description: "no header end within \(limit) bytes") }
            return .needMoreData
        }
        let head = String(decoding: bytes[..<split.headerEnd], as: UTF8.self)
        let length = SIPMirrorResponder.contentLength(head) ?? 0
        guard length >= 0, split.bodyStart + length <= limit else {
            throw SIPFramingError(description: "message longer than \(limit) bytes")
        }
        guard let message = buffer.readSlice(length: split.bodyStart + length) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        try decode(context: context, buffer: &buffer)
    }
}

final class SIPMirrorStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        let source = context.channel.remoteAddress.map(Self.label) ?? "unknown"
        guard let answer = SIPMirrorResponder.answer(Array(message.readableBytesView), source: source) else { return }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: answer)), promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.trace("speedtest.sip.tcp_error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// `address:port` (IPv6 in brackets).
    static func label(_ address: SocketAddress) -> String {
        let ip = address.ipAddress ?? "?"
        let port = address.port ?? 0
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}

final class SIPMirrorDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let request = Array(envelope.data.readableBytesView)
        guard
            let answer = SIPMirrorResponder.answer(
                request, source: SIPMirrorStreamHandler.label(envelope.remoteAddress))
        else { return }
        context.writeAndFlush(
            wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: answer))),
            promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors from departed peers surface here; the mirror keeps serving.
        logger.trace("speedtest.sip.udp_error", metadata: ["error": "\(error)"])
    }
}
