import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A connected UDP socket for probe streams (IPv4 or IPv6), optionally bound to one interface.
final class UDPSocket {
    let fd: Int32
    /// The numeric address actually used.
    let remoteAddress: String

    /// Resolves `host` (an IP literal or a name), opens a socket of its family and connects it to `port`.
    init(host: String, port: Int, interface: String?) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            throw ProbeError.resolve(host: host, detail: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        let info = list.pointee
        let socketFD = socket(info.ai_family, Int32(SOCK_DGRAM.rawValue), 0)
        guard socketFD >= 0 else { throw ProbeError.socket("socket", errno: errno) }
        if let interface {
            let result = interface.withCString { name in
                setsockopt(socketFD, SOL_SOCKET, SO_BINDTODEVICE, name, socklen_t(strlen(name) + 1))
            }
            if result != 0 {
                let code = errno
                close(socketFD)
                throw ProbeError.interface(interface, errno: code)
            }
        }
        guard connect(socketFD, info.ai_addr, info.ai_addrlen) == 0 else {
            let code = errno
            close(socketFD)
            throw ProbeError.socket("connect", errno: code)
        }
        var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        getnameinfo(info.ai_addr, info.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST)
        remoteAddress = text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        fd = socketFD
    }

    /// Sends one datagram; false when the kernel refused it (e.g. ICMP unreachable reported back).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) } == bytes.count
    }

    /// Waits up to `timeoutMs` for one datagram and copies it into `buffer`; returns its length, or nil on timeout.
    func receive(into buffer: inout [UInt8], timeoutMs: Int32) -> Int? {
        var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pollFD, 1, max(0, timeoutMs))
        guard ready > 0 else { return nil }
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return count >= 0 ? count : nil
    }

    deinit { close(fd) }
}
