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
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok, listen(fd, 64) == 0 else { throw TestSupportError("stalling server could not listen") }
        port = Int(UInt16(bigEndian: address.sin_port))
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
