import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Small socket helpers shared by the UDP test peers.
enum UDPTestSocket {
    /// A UDP socket bound to `host` (an IPv4 or IPv6 literal) on an ephemeral port; returns the fd and the port.
    static func bind(host: String) throws -> (fd: Int32, port: Int) {
        try FreePort.bind(host: host, udp: true)
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
