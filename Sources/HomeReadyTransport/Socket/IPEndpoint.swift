#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IP address literal and a port: where a socket connects or sends.
public struct IPEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The address as text, `10.0.0.1` or `2001:db8::1`.
    public var address: String
    public var port: Int
    /// Whether the address is IPv6.
    public var isIPv6: Bool

    /// Creates an endpoint from an address literal; nil when `address` is not an IPv4 or IPv6 literal.
    public init?(address: String, port: Int) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            isIPv6 = false
        } else if inet_pton(AF_INET6, address, &v6) == 1 {
            isIPv6 = true
        } else {
            return nil
        }
        self.address = address
        self.port = port
    }

    /// The canonical text of an address literal (`2001:0db8:0:0::1` → `2001:db8::1`), nil when not a literal.
    public static func canonical(_ address: String) -> String? {
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            guard inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count)) != nil else { return nil }
            return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }
        var v4 = in_addr()
        return inet_pton(AF_INET, address, &v4) == 1 ? address : nil
    }

    /// `10.0.0.1:443` or `[2001:db8::1]:443`.
    public var description: String { isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)" }

    var family: Int32 { isIPv6 ? AF_INET6 : AF_INET }

    /// Calls `body` with this endpoint as a `sockaddr`.
    func withSockAddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        if isIPv6 {
            var storage = sockaddr_in6()
            storage.sin6_family = sa_family_t(AF_INET6)
            storage.sin6_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
            _ = inet_pton(AF_INET6, address, &storage.sin6_addr)
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        var storage = sockaddr_in()
        storage.sin_family = sa_family_t(AF_INET)
        storage.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        _ = inet_pton(AF_INET, address, &storage.sin_addr)
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    /// Reads an endpoint from a `sockaddr` (IPv4 or IPv6), nil for other families.
    static func from(_ address: UnsafePointer<sockaddr>) -> IPEndpoint? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                var addr = v4.pointee.sin_addr
                guard inet_ntop(AF_INET, &addr, &buffer, socklen_t(buffer.count)) != nil else { return nil }
                let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                return IPEndpoint(address: text, port: Int(UInt16(bigEndian: v4.pointee.sin_port)))
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var addr = v6.pointee.sin6_addr
                guard inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count)) != nil else { return nil }
                let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                return IPEndpoint(address: text, port: Int(UInt16(bigEndian: v6.pointee.sin6_port)))
            }
        default:
            return nil
        }
    }
}
