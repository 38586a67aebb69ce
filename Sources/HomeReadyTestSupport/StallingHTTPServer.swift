import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP server on 127.0.0.1 that answers 200 with a huge Content-Length, sends `bytesBeforeStall` bytes, then
/// goes silent while holding the connection: the "server stalls mid-transfer" fault.
public final class StallingHTTPServer: @unchecked Sendable {
    public let port: Int
    private let fd: Int32
    private let loop = StoppableLoop()

    public init(bytesBeforeStall: Int = 64 * 1024) throws {
        let (fd, port) = try FreePort.bind(udp: false)
        guard listen(fd, 64) == 0 else {
            close(fd)
            throw TestSupportError("stalling server could not listen on 127.0.0.1:\(port)")
        }
        self.fd = fd
        self.port = port
        loop.start { [fd] loop in
            var clients: [Int32] = []
            let header = Array("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000000\r\n\r\n".utf8)
            let body = [UInt8](repeating: 0x5a, count: bytesBeforeStall)
            var scratch = [UInt8](repeating: 0, count: 65_536)
            while !loop.isStopped {
                guard UDPTestSocket.readable(fd, timeoutMs: 50) else {
                    for client in clients { _ = recv(client, &scratch, scratch.count, Int32(MSG_DONTWAIT)) }
                    continue
                }
                let client = accept(fd, nil, nil)
                guard client >= 0 else { continue }
                clients.append(client)
                _ = UDPTestSocket.readable(client, timeoutMs: 1000)
                _ = recv(client, &scratch, scratch.count, Int32(MSG_DONTWAIT))
                _ = send(client, header, header.count, Int32(MSG_NOSIGNAL))
                _ = send(client, body, body.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            for client in clients { close(client) }
        }
    }

    public var url: String { "http://127.0.0.1:\(port)/stall" }

    public func stop() {
        if loop.stop() { close(fd) }
    }

    deinit { stop() }
}
