import Foundation

/// An nftables table of its own that drops traffic to one loopback port, the way a home router's or a company
/// firewall drops UDP: packets vanish (no ICMP answer), so a client only learns by timing out. Only loopback
/// (`iifname "lo"`) and only the given port are touched; `remove()` deletes the table. Needs root and `nft`.
public struct LoopbackFirewall: Sendable {
    public let table: String

    /// Drops every UDP datagram sent to `port` on loopback.
    public static func dropUDP(toPort port: Int) throws -> LoopbackFirewall {
        let table = "homeready_test_\(getpid())_\(port)"
        let ruleset = """
            table inet \(table) {
              chain input {
                type filter hook input priority 0; policy accept;
                iifname "lo" udp dport \(port) counter drop
              }
            }
            """
        let out = try Subprocess.run(["nft", "-f", "-"], input: Data(ruleset.utf8), timeout: 10)
        guard out.status == 0 else {
            throw TestSupportError("nft could not add table \(table): \(out.stderr)")
        }
        return LoopbackFirewall(table: table)
    }

    /// Datagrams the rule dropped so far.
    public func droppedPackets() throws -> Int {
        let out = try Subprocess.run(["nft", "list", "table", "inet", table], timeout: 10)
        guard let range = out.stdout.range(of: #"counter packets (\d+)"#, options: .regularExpression) else { return 0 }
        return Int(out.stdout[range].split(separator: " ").last ?? "") ?? 0
    }

    /// Deletes the table (safe to call twice).
    public func remove() {
        _ = try? Subprocess.run(["nft", "delete", "table", "inet", table], timeout: 10)
    }

    /// Why the firewall cannot be used here, or nil.
    public static var unavailableReason: String? {
        if !TestEnvironment.isRoot { return "needs root (nftables)" }
        return PeerRequirement.missing([.nft])
    }
}
