import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Finding free local ports and waiting for listeners: the one place tests and peers do either.
public enum FreePort {
    /// A port free on 127.0.0.1 for both TCP and UDP right now, for a peer to listen on (coturn and Kamailio take
    /// both). It is drawn below the kernel's ephemeral range (`ip_local_port_range`) when there is room, so that
    /// no outgoing socket opened elsewhere in the run takes it between this choice and the peer's bind; otherwise
    /// the kernel chooses.
    public static func tcp() throws -> Int {
        let candidates = listeningRange()
        for _ in 0..<200 {
            let port = candidates.isEmpty ? 0 : Int.random(in: candidates)
            guard let (tcpSocket, chosen) = try? bind(udp: false, port: port) else { continue }
            defer { close(tcpSocket) }
            guard let (udpSocket, _) = try? bind(udp: true, port: chosen) else { continue }
            close(udpSocket)
            return chosen
        }
        throw TestSupportError("no port was free for both TCP and UDP on 127.0.0.1 after 200 tries")
    }

    /// Ports from 10,000 up to the start of the kernel's ephemeral range, or empty when that leaves fewer than
    /// 5,000 (then the kernel chooses).
    static func listeningRange() -> Range<Int> {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let low = text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
        return low - 10_000 >= 5_000 ? 10_000..<low : 0..<0
    }

    /// A socket bound to `host` (an IPv4 or IPv6 literal) on `port`, or on one the kernel chose when `port` is 0;
    /// the caller closes `fd`. TCP sockets are not yet listening.
    public static func bind(host: String = "127.0.0.1", udp: Bool, port: Int = 0) throws -> (fd: Int32, port: Int) {
        let v6 = host.contains(":")
        let type = Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue)
        let fd = socket(v6 ? AF_INET6 : AF_INET, type, 0)
        guard fd >= 0 else { throw TestSupportError("socket() failed: \(String(cString: strerror(errno)))") }
        var storage = sockaddr_storage()
        var length: socklen_t
        if v6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = UInt16(port).bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in6.self) }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in.self) }
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw TestSupportError("bind(\(host), port \(port)) failed: \(reason)")
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        let port: Int = withUnsafeBytes(of: &actual) { raw in
            v6
                ? Int(UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port))
                : Int(UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
        }
        return (fd, port)
    }

    /// A blocking TCP connection to `host`:`port` (an IPv4 literal); the caller closes the descriptor. With
    /// `timeout`, connecting, sending and receiving each give up after that many seconds.
    public static func connect(host: String = "127.0.0.1", port: Int, timeout: Double? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket() failed: \(String(cString: strerror(errno)))") }
        if let timeout {
            var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw TestSupportError("connect to \(host):\(port) failed: \(reason)")
        }
        return fd
    }

    /// Whether something accepts a TCP connection on `host`:`port` (an IPv4 literal) right now.
    public static func accepts(host: String = "127.0.0.1", port: Int) -> Bool {
        guard let fd = try? connect(host: host, port: port) else { return false }
        close(fd)
        return true
    }

    /// Waits until something accepts TCP connections on `host`:`port` (an IPv4 literal).
    public static func waitForListener(host: String = "127.0.0.1", port: Int, timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if accepts(host: host, port: port) { return }
            usleep(50_000)
        }
        throw TestSupportError("nothing listened on \(host):\(port) within \(timeout) s")
    }

    /// Waits until something listens on `port` (TCP or UDP, any address), inside network namespace `namespace`
    /// when given: asks `ss`, since a UDP listener cannot be probed with a connection.
    public static func waitForListener(port: Int, udp: Bool, namespace: String? = nil, timeout: Double = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var argv = ["ss", "-H", udp ? "-lun" : "-ltn", "sport = :\(port)"]
        if let namespace { argv = ["ip", "netns", "exec", namespace] + argv }
        while Date() < deadline {
            let output = try Subprocess.run(argv, timeout: 5)
            if output.status == 0, !output.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
            usleep(50_000)
        }
        throw TestSupportError("nothing listens on \(udp ? "UDP" : "TCP") port \(port) after \(timeout) s")
    }
}
