#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small helpers over file descriptors shared by the TCP and UDP sockets.
enum SocketSupport {
    static var streamType: Int32 {
        #if canImport(Glibc)
            Int32(SOCK_STREAM.rawValue)
        #else
            SOCK_STREAM
        #endif
    }

    static var datagramType: Int32 {
        #if canImport(Glibc)
            Int32(SOCK_DGRAM.rawValue)
        #else
            SOCK_DGRAM
        #endif
    }

    /// Binds the socket to a network interface (SO_BINDTODEVICE: needs CAP_NET_RAW on older kernels).
    static func bind(_ fd: Int32, toInterface name: String) throws {
        #if os(Linux)
            let result = name.withCString { pointer in
                setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, pointer, socklen_t(strlen(pointer) + 1))
            }
            if result != 0 { throw SocketError.interface(name, errno: errno) }
        #endif
    }

    static func setNonBlocking(_ fd: Int32, _ on: Bool) {
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK)
    }

    /// Waits until `fd` is ready for `events`; returns the revents, 0 on timeout, -1 on error.
    static func wait(_ fd: Int32, events: Int16, timeoutMs: Int) -> Int16 {
        var descriptor = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let result = poll(&descriptor, 1, Int32(max(0, min(timeoutMs, Int(Int32.max)))))
            if result > 0 { return descriptor.revents }
            if result == 0 { return 0 }
            if errno != EINTR { return -1 }
        }
    }

    static func localEndpoint(_ fd: Int32) -> IPEndpoint? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { return nil }
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { IPEndpoint.from($0) }
        }
    }
}
