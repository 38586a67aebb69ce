import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The outcome of resolving a host name.
public struct HostResolution: Sendable, Equatable {
    /// Every address the name resolved to (IPv4 and IPv6), in the resolver's order, without duplicates.
    public var addresses: [String]
    /// How long the resolution took.
    public var elapsedMs: Double
    /// Why resolution failed, or nil when it produced addresses.
    public var failure: String?

    /// Creates a resolution (used by injected resolvers in tests too).
    public init(addresses: [String], elapsedMs: Double, failure: String? = nil) {
        self.addresses = addresses
        self.elapsedMs = elapsedMs
        self.failure = failure
    }
}

/// Resumes a continuation with the first value offered and ignores the rest.
private final class ResumeOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<HostResolution, Never>?>

    init(_ continuation: CheckedContinuation<HostResolution, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: HostResolution) {
        continuation.withLock { pending in
            pending?.resume(returning: value)
            pending = nil
        }
    }
}

/// Resolves host names with the system resolver (`getaddrinfo`, so `/etc/hosts`, nsswitch and the configured
/// DNS servers apply, as for the VPN client itself).
public enum HostResolver {
    /// Resolves `host` to all its A and AAAA addresses, giving up after `timeout` seconds. An address literal
    /// resolves to itself without any query.
    public static func resolve(_ host: String, timeout: Double) async -> HostResolution {
        if IPEndpoint(address: host, port: 0) != nil {
            return HostResolution(addresses: [host], elapsedMs: 0)
        }
        let stopwatch = Stopwatch()
        // getaddrinfo cannot be cancelled: race it against the deadline and let a late answer be dropped (a task
        // group would wait for the lookup at its end, so the race resumes a continuation once instead).
        return await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            let thread = Thread { once.resume(lookUp(host, stopwatch: stopwatch)) }
            thread.start()
            Task {
                try? await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                once.resume(
                    HostResolution(
                        addresses: [], elapsedMs: stopwatch.elapsedMs,
                        failure: "no answer from the resolver within \(timeout) s"))
            }
        }
    }

    /// Resolves `host` on the calling thread, with the system resolver's own timeouts: for code that already runs
    /// on a blocking thread (the echo stream). An address literal resolves to itself without any query.
    public static func resolveBlocking(_ host: String) -> HostResolution {
        if IPEndpoint(address: host, port: 0) != nil {
            return HostResolution(addresses: [host], elapsedMs: 0)
        }
        return lookUp(host, stopwatch: Stopwatch())
    }

    private static func lookUp(_ host: String, stopwatch: Stopwatch) -> HostResolution {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #else
            hints.ai_socktype = SOCK_DGRAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        let elapsed = stopwatch.elapsedMs
        guard status == 0, let first = result else {
            return HostResolution(addresses: [], elapsedMs: elapsed, failure: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = info.pointee.ai_addr, let endpoint = IPEndpoint.from(address),
                !addresses.contains(endpoint.address)
            {
                addresses.append(endpoint.address)
            }
            cursor = info.pointee.ai_next
        }
        return HostResolution(addresses: addresses, elapsedMs: elapsed)
    }
}
