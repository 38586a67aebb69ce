import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Small socket helpers shared by the UDP test peers.
enum UDPTestSocket {
    /// A UDP socket bound to `host` (an IPv4 or IPv6 literal) on an ephemeral port; returns the fd and the port.
    static func bind(host: String) throws -> (fd: Int32, port: Int) {
        let v6 = host.contains(":")
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket() failed: errno \(errno)") }
        var storage = sockaddr_storage()
        var length: socklen_t
        if v6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            inet_pton(AF_INET6, host, &address.sin6_addr)
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in6.self) }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, host, &address.sin_addr)
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in.self) }
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        }
        guard bound == 0 else {
            close(fd)
            throw TestSupportError("bind(\(host)) failed: errno \(errno)")
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        let port: Int = withUnsafeBytes(of: &actual) { raw in
            v6 ? Int(UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port))
               : Int(UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
        }
        return (fd, port)
    }

    /// Waits up to `timeoutMs` for `fd` to be readable.
    static func readable(_ fd: Int32, timeoutMs: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, timeoutMs) > 0
    }
}

/// A background loop on its own thread with a stop flag.
final class StoppableLoop: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    var isStopped: Bool { lock.withLock { stopped } }

    func start(_ body: @escaping @Sendable (StoppableLoop) -> Void) {
        let thread = Thread { [self] in
            body(self)
            done.signal()
        }
        thread.start()
    }

    /// Stops the loop and waits for it; true only for the first call (so callers close resources once).
    @discardableResult
    func stop() -> Bool {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if first { done.wait() }
        return first
    }
}
