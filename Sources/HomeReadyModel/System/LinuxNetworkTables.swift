/// Parsers for the Linux kernel's network tables (`/proc/net/route`, `/proc/net/wireless`): pure text to values,
/// shared by the posture facts and the network probe's first-hop measurement.
public enum LinuxNetworkTables {
    /// An IPv4 route: the interface and the gateway packets leave by.
    public struct Route: Sendable, Equatable {
        public var interface: String
        /// The gateway in dotted form, nil for a point-to-point default route (gateway 0.0.0.0).
        public var gateway: String?
    }

    /// The default route from `/proc/net/route` (destination and mask 00000000), lowest metric first.
    public static func defaultRoute(_ routeTable: String) -> Route? {
        var best: (route: Route, metric: Int)?
        for line in routeTable.split(separator: "\n").dropFirst() {
            let columns = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard columns.count >= 8, columns[1] == "00000000", columns[7] == "00000000" else { continue }
            let metric = Int(columns[6]) ?? 0
            let route = Route(interface: String(columns[0]), gateway: dottedAddress(littleEndianHex: columns[2]))
            if best == nil || metric < best!.metric { best = (route, metric) }
        }
        return best?.route
    }

    /// The route the kernel picks for `address` (dotted IPv4) from `/proc/net/route`: the longest matching prefix,
    /// then the lowest metric. Nil when no route matches or `address` is not IPv4.
    public static func route(to address: String, in routeTable: String) -> Route? {
        let octets = address.split(separator: ".").compactMap { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 < 256 }) else { return nil }
        // The kernel prints addresses as little-endian hex: build the target the same way.
        let target = octets[0] | octets[1] << 8 | octets[2] << 16 | octets[3] << 24
        var best: (route: Route, prefix: Int, metric: Int)?
        for line in routeTable.split(separator: "\n").dropFirst() {
            let columns = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard columns.count >= 8, let destination = UInt32(columns[1], radix: 16), let mask = UInt32(columns[7], radix: 16),
                target & mask == destination & mask
            else { continue }
            let prefix = mask.nonzeroBitCount
            let metric = Int(columns[6]) ?? 0
            guard best == nil || prefix > best!.prefix || (prefix == best!.prefix && metric < best!.metric) else { continue }
            best = (Route(interface: String(columns[0]), gateway: dottedAddress(littleEndianHex: columns[2])), prefix, metric)
        }
        return best?.route
    }

    /// Signal level (dBm) per interface from `/proc/net/wireless`.
    public static func wirelessLevels(_ text: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for line in text.split(separator: "\n").dropFirst(2) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let columns = parts[1].split(separator: " ", omittingEmptySubsequences: true)
            guard columns.count >= 3 else { continue }
            var level = Substring(columns[2])
            while level.last == "." { level = level.dropLast() }
            guard var value = Double(level) else { continue }
            // Old drivers report an unsigned byte (e.g. 200 = -56 dBm).
            if value > 63 { value -= 256 }
            let name = parts[0].drop { $0 == " " || $0 == "\t" }
            result[String(name)] = value
        }
        return result
    }

    /// `0101A8C0` (the kernel's little-endian hex) → `192.168.1.1`; nil for 0.0.0.0 or malformed text.
    static func dottedAddress<Text: StringProtocol>(littleEndianHex hex: Text) -> String? {
        guard hex.count == 8, let value = UInt32(hex, radix: 16), value != 0 else { return nil }
        return (0..<4).map { String((value >> (8 * UInt32($0))) & 0xFF) }.joined(separator: ".")
    }
}
