import Testing

@testable import HomeReadyModel

@Suite struct LinuxNetworkTablesTests {
    // A home laptop: Wi-Fi default route via 192.168.1.254 (metric 600), a wired one via 192.168.1.1 (metric 100),
    // the LAN itself, and a VPN tunnel owning 10.0.0.0/8.
    let table = """
        Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
        wlp2s0\t00000000\tFE01A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
        enp0s31f6\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
        enp0s31f6\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0
        tun0\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0
        """

    @Test("the default route is the lowest metric's, with its gateway")
    func defaultRoute() {
        #expect(LinuxNetworkTables.defaultRoute(table) == .init(interface: "enp0s31f6", gateway: "192.168.1.1"))
        #expect(LinuxNetworkTables.defaultRoute("Iface\tDestination\n") == nil)
    }

    @Test("the route toward a server: longest prefix, and no gateway on the LAN or in the tunnel")
    func routeToward() {
        #expect(LinuxNetworkTables.route(to: "203.0.113.9", in: table) == .init(interface: "enp0s31f6", gateway: "192.168.1.1"))
        #expect(LinuxNetworkTables.route(to: "192.168.1.20", in: table) == .init(interface: "enp0s31f6", gateway: nil))
        #expect(LinuxNetworkTables.route(to: "10.20.30.40", in: table) == .init(interface: "tun0", gateway: nil))
        #expect(LinuxNetworkTables.route(to: "not-an-address", in: table) == nil)
        #expect(LinuxNetworkTables.route(to: "fd00::1", in: table) == nil)
    }

    @Test("Wi-Fi levels in dBm, old drivers' unsigned bytes included")
    func wirelessLevels() {
        let text = """
            Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE
             face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22
            wlp2s0: 0000   54.  -56.  -256        0      0      0      0     12        0
              wlan1: 0000   40.  200.  0        0      0      0      0     0        0
            """
        #expect(LinuxNetworkTables.wirelessLevels(text) == ["wlp2s0": -56, "wlan1": -56])
    }
}
