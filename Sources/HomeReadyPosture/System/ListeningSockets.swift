/// A socket waiting for connections (TCP in LISTEN state) or bound for datagrams (UDP).
public struct ListeningSocket: Codable, Sendable, Equatable, Hashable {
    /// `tcp` or `udp`.
    public var proto: String
    public var address: String
    public var port: Int

    public init(proto: String, address: String, port: Int) {
        self.proto = proto
        self.address = address
        self.port = port
    }

    enum CodingKeys: String, CodingKey {
        case proto = "protocol"
        case address, port
    }

    /// Whether the address is loopback only (not reachable from other hosts).
    public var isLoopback: Bool { address.hasPrefix("127.") || address == "::1" }
}

/// Reads listening sockets from `/proc/net/{tcp,tcp6,udp,udp6}`.
public enum ListeningSockets {
    /// Every listening socket in `tree`'s `/proc/net`.
    public static func list(in tree: FileTree) -> [ListeningSocket] {
        var result = Set<ListeningSocket>()
        for (file, proto, state) in [
            ("tcp", "tcp", "0A"), ("tcp6", "tcp", "0A"), ("udp", "udp", "07"), ("udp6", "udp", "07"),
        ] {
            guard let text = try? tree.read("/proc/net/\(file)", limit: 64 << 20) else { continue }
            result.formUnion(parse(text, proto: proto, listenState: state))
        }
        return result.sorted { ($0.proto, $0.port, $0.address) < ($1.proto, $1.port, $1.address) }
    }

    /// Parses one `/proc/net` socket table.
    public static func parse(_ text: String, proto: String, listenState: String) -> [ListeningSocket] {
        var result: [ListeningSocket] = []
        for line in text.split(separator: "\n").dropFirst() {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            guard columns.count > 3, columns[3] == listenState else { continue }
            let local = columns[1].split(separator: ":")
            guard local.count == 2, let port = Int(local[1], radix: 16) else { continue }
            result.append(ListeningSocket(proto: proto, address: decodeAddress(String(local[0])), port: port))
        }
        return result
    }

    /// Decodes the kernel's hex address (host-order 32-bit words) into dotted or colon notation.
    static func decodeAddress(_ hex: String) -> String {
        let bytes = stride(from: 0, to: hex.count - 1, by: 2).compactMap { offset -> UInt8? in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)
        }
        // Each 32-bit word is little-endian on the machines we support.
        var ordered: [UInt8] = []
        for word in stride(from: 0, to: bytes.count, by: 4) {
            ordered += bytes[word..<min(word + 4, bytes.count)].reversed()
        }
        if ordered.count == 4 { return ordered.map(String.init).joined(separator: ".") }
        if ordered.count == 16 {
            if ordered[0..<10].allSatisfy({ $0 == 0 }) && ordered[10] == 0xff && ordered[11] == 0xff {
                return ordered[12...].map(String.init).joined(separator: ".")
            }
            if ordered.allSatisfy({ $0 == 0 }) { return "::" }
            if ordered[0..<15].allSatisfy({ $0 == 0 }) && ordered[15] == 1 { return "::1" }
            let groups = stride(from: 0, to: 16, by: 2).map {
                String(UInt16(ordered[$0]) << 8 | UInt16(ordered[$0 + 1]), radix: 16)
            }
            return groups.joined(separator: ":")
        }
        return hex
    }
}
