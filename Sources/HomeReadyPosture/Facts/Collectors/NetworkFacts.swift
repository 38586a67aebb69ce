import Foundation
import HomeReadyModel

/// Network interface facts: physical interfaces, wired or Wi-Fi, link state, Wi-Fi signal, default route.
enum NetworkFacts {
    struct Interface: Equatable {
        var name: String
        var wireless: Bool
        var up: Bool
    }

    static func collect(in tree: FileTree) -> FactSet {
        let interfaces = physicalInterfaces(in: tree)
        var facts: FactSet = [
            "network.interfaces": .list(
                interfaces.map { "\($0.name):\($0.wireless ? "wifi" : "wired"):\($0.up ? "up" : "down")" }),
            "network.wired_up": .flag(interfaces.contains { !$0.wireless && $0.up }),
            "network.wifi_up": .flag(interfaces.contains { $0.wireless && $0.up }),
        ]
        if let wireless = try? tree.read("/proc/net/wireless") {
            let levels = parseWireless(wireless)
            let connected = interfaces.filter { $0.wireless && $0.up }.map(\.name)
            if let level = connected.compactMap({ levels[$0] }).max() ?? levels.values.max() {
                facts["network.wifi_signal_dbm"] = .number(level)
            }
        }
        if let routes = try? tree.read("/proc/net/route"), let device = defaultRouteInterface(routes) {
            facts["network.default_interface"] = .text(device)
            let kind = interfaces.first { $0.name == device }.map { $0.wireless ? "wifi" : "wired" } ?? "other"
            facts["network.default_kind"] = .text(kind)
        }
        return facts
    }

    /// Interfaces backed by a device (`/sys/class/net/X/device`), skipping loopback, bridges, veths and tunnels.
    static func physicalInterfaces(in tree: FileTree) -> [Interface] {
        (tree.list("/sys/class/net") ?? []).compactMap { name in
            let base = "/sys/class/net/\(name)"
            guard name != "lo", tree.exists("\(base)/device") else { return nil }
            let wireless = tree.exists("\(base)/wireless") || tree.exists("\(base)/phy80211")
            let operstate = tree.value("\(base)/operstate") ?? "unknown"
            let carrier = tree.value("\(base)/carrier") == "1"
            return Interface(
                name: name, wireless: wireless, up: operstate == "up" || (operstate == "unknown" && carrier))
        }
    }

    /// Signal level (dBm) per interface from `/proc/net/wireless`.
    static func parseWireless(_ text: String) -> [String: Double] { LinuxNetworkTables.wirelessLevels(text) }

    /// The interface of the default route with the lowest metric.
    static func defaultRouteInterface(_ text: String) -> String? { LinuxNetworkTables.defaultRoute(text)?.interface }
}
