import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyPosture

/// Builds sysfs-like trees: `slaves/` entries and `dm/` attributes as real sysfs lays them out.
private func blockDevice(
    _ tree: TemporaryDirectory, _ name: String, uuid: String? = nil, mapped: String? = nil, slaves: [String] = []
) throws {
    let base = "sys/class/block/\(name)"
    try FileManager.default.createDirectory(
        at: tree.url.appendingPathComponent(base), withIntermediateDirectories: true)
    if let uuid { try tree.write("\(base)/dm/uuid", uuid + "\n") }
    if let mapped { try tree.write("\(base)/dm/name", mapped + "\n") }
    for slave in slaves {
        try FileManager.default.createDirectory(
            at: tree.url.appendingPathComponent("\(base)/slaves/\(slave)"), withIntermediateDirectories: true)
    }
}

private func collect(_ tree: TemporaryDirectory) async -> FactSet {
    await FactCollector(
        tree: FileTree(root: tree.url), environment: ["USER": "agent"], runsCommands: false, logger: testLogger
    ).collect()
}

@Suite("fact collectors on prepared trees")
struct FactCollectorTests {
    @Test func lvmOnLuksCountsAsEncrypted() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try tree.write(
            "proc/mounts",
            """
            sysfs /sys sysfs rw 0 0
            /dev/mapper/vg-root / ext4 rw,relatime 0 0
            /dev/nvme0n1p1 /boot/efi vfat rw 0 0
            /dev/mapper/vg-home /home ext4 rw 0 0

            """)
        try blockDevice(tree, "nvme0n1p3")
        try blockDevice(tree, "nvme0n1p1")
        try blockDevice(
            tree, "dm-0", uuid: "CRYPT-LUKS2-0123456789abcdef-luks-root", mapped: "luks-root", slaves: ["nvme0n1p3"])
        try blockDevice(tree, "dm-1", uuid: "LVM-abcdefROOT", mapped: "vg-root", slaves: ["dm-0"])
        try blockDevice(tree, "dm-2", uuid: "LVM-abcdefHOME", mapped: "vg-home", slaves: ["dm-0"])
        let facts = await collect(tree)
        #expect(facts["disk.root.encrypted"] == .flag(true))
        #expect(facts["disk.root.device"] == .text("dm-1"))
        #expect(facts["disk.root.lineage"] == .text("dm-1 [LVM vg-root] < dm-0 [CRYPT-LUKS2 luks-root] < nvme0n1p3"))
        #expect(facts["disk.home.encrypted"] == .flag(true))
        #expect(facts["disk.home.device"] == .text("dm-2"))
    }

    @Test func lvmSpanningAnUnencryptedDiskIsNotEncrypted() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try tree.write("proc/mounts", "/dev/dm-1 / ext4 rw 0 0\n")
        try blockDevice(tree, "sda2")
        try blockDevice(tree, "sdb1")
        try blockDevice(tree, "dm-0", uuid: "CRYPT-LUKS1-aa-crypt", mapped: "crypt", slaves: ["sda2"])
        try blockDevice(tree, "dm-1", uuid: "LVM-xyz", mapped: "vg-root", slaves: ["dm-0", "sdb1"])
        let facts = await collect(tree)
        #expect(facts["disk.root.encrypted"] == .flag(false))
        #expect(facts["disk.root.lineage"] == .text("dm-1 [LVM vg-root] < (dm-0 [CRYPT-LUKS1 crypt] < sda2 + sdb1)"))
        // /home on the root file system inherits its answer.
        #expect(facts["disk.home.device"] == .text("dm-1"))
    }

    @Test func plainPartitionIsNotEncrypted() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try tree.write("proc/mounts", "/dev/sda1 / ext4 rw 0 0\noverlay /var/lib/docker/x overlay rw 0 0\n")
        try blockDevice(tree, "sda1")
        let facts = await collect(tree)
        #expect(facts["disk.root.encrypted"] == .flag(false))
        #expect(facts["disk.root.lineage"] == .text("sda1"))
    }

    @Test func osCpuMemoryAndUser() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try tree.write(
            "etc/os-release",
            "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\nPRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n")
        try tree.write("proc/sys/kernel/osrelease", "6.5.0-14-generic\n")
        try tree.write(
            "proc/cpuinfo",
            "processor\t: 0\nmodel name\t: Intel(R) Core(TM) i5\n\nprocessor\t: 1\nmodel name\t: Intel(R) Core(TM) i5\n"
        )
        try tree.write("proc/meminfo", "MemTotal:       16303932 kB\nMemFree:  100 kB\nMemAvailable:    8151966 kB\n")
        let facts = await collect(tree)
        #expect(facts["os.id"] == .text("ubuntu"))
        #expect(facts["os.version_id"] == .text("22.04"))
        #expect(facts["os.pretty_name"] == .text("Ubuntu 22.04.4 LTS"))
        #expect(facts["kernel.release"] == .text("6.5.0-14-generic"))
        #expect(facts["cpu.count"] == .number(2))
        #expect(facts["cpu.model"] == .text("Intel(R) Core(TM) i5"))
        #expect(facts["memory.total_mb"] == .number(15922))
        #expect(facts["memory.available_mb"] == .number(7961))
        #expect(facts["user.name"] == .text("agent"))
    }

    @Test func networkWiredWifiSignalAndDefaultRoute() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try tree.write("sys/class/net/lo/operstate", "unknown\n")
        try tree.write("sys/class/net/enp3s0/device/vendor", "0x8086\n")
        try tree.write("sys/class/net/enp3s0/operstate", "down\n")
        try tree.write("sys/class/net/wlp2s0/device/vendor", "0x8086\n")
        try tree.write("sys/class/net/wlp2s0/wireless/x", "")
        try tree.write("sys/class/net/wlp2s0/operstate", "up\n")
        try tree.write("sys/class/net/veth0/operstate", "up\n")  // virtual: no device link
        try tree.write(
            "proc/net/wireless",
            """
            Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE
             face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22
            wlp2s0: 0000   54.  -56.  -256        0      0      0      0     12        0

            """)
        try tree.write(
            "proc/net/route",
            """
            Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
            wlp2s0\t00000000\t0102A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
            wlp2s0\t0002A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0

            """)
        let facts = await collect(tree)
        #expect(facts["network.interfaces"] == .list(["enp3s0:wired:down", "wlp2s0:wifi:up"]))
        #expect(facts["network.wired_up"] == .flag(false))
        #expect(facts["network.wifi_up"] == .flag(true))
        #expect(facts["network.wifi_signal_dbm"] == .number(-56))
        #expect(facts["network.default_interface"] == .text("wlp2s0"))
        #expect(facts["network.default_kind"] == .text("wifi"))
    }

    @Test func audioUsbAndScreens() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try tree.write(
            "proc/asound/cards",
            """
             0 [PCH            ]: HDA-Intel - HDA Intel PCH
                                  HDA Intel PCH at 0xf7f10000 irq 33
             1 [Headset        ]: USB-Audio - Jabra EVOLVE 20 MS
                                  GN Netcom A/S Jabra EVOLVE 20 MS at usb-0000:00:14.0-2, full speed

            """)
        let usb = "sys/bus/usb/devices"
        try tree.write("\(usb)/usb1/idVendor", "1d6b\n")
        try tree.write("\(usb)/usb1/idProduct", "0002\n")
        try tree.write("\(usb)/1-2/idVendor", "0b0e\n")
        try tree.write("\(usb)/1-2/idProduct", "0300\n")
        try tree.write("\(usb)/1-2/manufacturer", "GN Netcom A/S\n")
        try tree.write("\(usb)/1-2/product", "Jabra EVOLVE 20 MS\n")
        try tree.write("\(usb)/1-2:1.0/bInterfaceClass", "01\n")
        try tree.write("\(usb)/1-3/idVendor", "046d\n")
        try tree.write("\(usb)/1-3/idProduct", "0825\n")
        try tree.write("\(usb)/1-3/product", "Webcam C270\n")
        try tree.write("\(usb)/1-3:1.0/bInterfaceClass", "0e\n")
        try tree.write("sys/class/drm/card0-eDP-1/status", "connected\n")
        try tree.write("sys/class/drm/card0-HDMI-A-1/status", "connected\n")
        try tree.write("sys/class/drm/card0-DP-1/status", "disconnected\n")
        try tree.write("sys/class/drm/card0/dev", "226:0\n")
        let facts = await collect(tree)
        #expect(facts["audio.devices"] == .list(["PCH: HDA Intel PCH", "Headset: Jabra EVOLVE 20 MS"]))
        #expect(facts["audio.usb_headset"] == .flag(true))
        #expect(facts["audio.headset"] == .flag(true))
        #expect(facts["usb.devices"] == .list(["0b0e:0300 GN Netcom A/S Jabra EVOLVE 20 MS", "046d:0825 Webcam C270"]))
        #expect(facts["usb.webcam"] == .flag(true))
        #expect(facts["display.screens"] == .number(2))
    }

    @Test func noDisplayInformationLeavesScreensUnknown() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        let facts = await collect(tree)
        #expect(facts["display.screens"] == nil)
        #expect(facts["audio.usb_headset"] == .flag(false))
    }

    @Test func automaticUpdatesOnDebianAndFedora() async throws {
        let debian = try TemporaryDirectory()
        defer { debian.remove() }
        try debian.write(
            "etc/apt/apt.conf.d/20auto-upgrades",
            "APT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\";\n")
        try debian.write(
            "var/lib/dpkg/status", "Package: unattended-upgrades\nStatus: install ok installed\nVersion: 2.9.1\n\n")
        var facts = await collect(debian)
        #expect(facts["updates.automatic"] == .flag(true))
        #expect(facts["updates.mechanism"] == .text("unattended-upgrades"))
        try debian.write("etc/apt/apt.conf.d/99override", "APT::Periodic::Unattended-Upgrade \"0\";\n")
        facts = await collect(debian)
        #expect(facts["updates.automatic"] == .flag(false))

        let fedora = try TemporaryDirectory()
        defer { fedora.remove() }
        try fedora.write("etc/dnf/automatic.conf", "[commands]\napply_updates = yes\n")
        try fedora.write("etc/systemd/system/timers.target.wants/dnf-automatic.timer", "")
        facts = await collect(fedora)
        #expect(facts["updates.automatic"] == .flag(true))
        #expect(facts["updates.mechanism"] == .text("dnf-automatic"))
    }

    @Test func edrProcessesAndUfw() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try tree.write("proc/812/comm", "falcon-sensor\n")
        try tree.write("proc/812/cmdline", "/opt/CrowdStrike/falcon-sensor\0")
        try tree.write("proc/900/comm", "bash\n")
        try tree.write("etc/ufw/ufw.conf", "ENABLED=yes\nLOGLEVEL=low\n")
        try tree.write("etc/default/ufw", "DEFAULT_INPUT_POLICY=\"DROP\"\n")
        let facts = await collect(tree)
        // A process name alone no longer counts (see EDRFactsTests): neither its unit nor its binary confirms it.
        #expect(facts["edr.running"] == .list([]))
        #expect(facts["edr.any_running"] == .flag(false))
        #expect(facts["firewall.backend"] == .text("ufw"))
        #expect(facts["firewall.default_deny"] == .flag(true))
    }

    @Test func kdeScreenLockerSettings() {
        #expect(
            ScreenLockFacts.kdeFacts(nil) == [
                "screen_lock.enabled": .flag(true), "screen_lock.idle_delay_seconds": .number(300),
                "screen_lock.lock_delay_seconds": .number(5),
            ])
        let off = ScreenLockFacts.kdeFacts("[Greeter]\nTheme=x\n\n[Daemon]\nAutolock=false\nTimeout=30\n")
        #expect(off["screen_lock.enabled"] == .flag(false))
        #expect(off["screen_lock.idle_delay_seconds"] == .number(1800))
    }

    @Test func liveFactsOnThisMachine() async throws {
        let facts = await FactCollector(logger: testLogger).collect()
        #expect(facts["os.family"] == .text("linux"))
        #expect(facts["kernel.release"] != nil)
        #expect(facts["disk.root.encrypted"] != nil)
        #expect(facts["firewall.evidence"] != nil)
        if case .number(let memory)? = facts["memory.total_mb"] {
            #expect(memory > 0)
        } else {
            Issue.record("no memory.total_mb")
        }
    }
}

@Suite("firewall parsing")
struct FirewallParsingTests {
    @Test func firewalldZones() {
        #expect(FirewallFacts.firewalldState(defaultZone: "public").defaultDeny)
        #expect(!FirewallFacts.firewalldState(defaultZone: "trusted").defaultDeny)
    }

    @Test func unreadableFirewallSaysWhy() async {
        let snapshot = PostureSnapshot(facts: [
            "firewall.evidence": .text("`nft list ruleset` failed (run as root to read the firewall)")
        ])
        let outcome = await evaluate(rule(.fact, "firewall.active", .equals, "true"), snapshot: snapshot)
        #expect(
            outcome
                == .error(
                    "fact firewall.active is not known on this endpoint: `nft list ruleset` failed (run as root to read the firewall)"
                ))
    }

    @Test func iptablesPolicies() {
        let drop = FirewallFacts.iptablesState("-P INPUT DROP\n-A INPUT -i lo -j ACCEPT\n", backend: "iptables")
        #expect(drop.active && drop.defaultDeny)
        let finalReject = FirewallFacts.iptablesState(
            "-P INPUT ACCEPT\n-A INPUT -m state --state ESTABLISHED -j ACCEPT\n-A INPUT -j REJECT --reject-with icmp-host-prohibited\n",
            backend: "iptables")
        #expect(finalReject.defaultDeny)
        let open = FirewallFacts.iptablesState("-P INPUT ACCEPT\n", backend: "iptables")
        #expect(!open.active && !open.defaultDeny)
    }

    /// Loads real rulesets into a throwaway network namespace and parses `nft list ruleset` from it.
    @Test func nftRulesetsFromARealNamespace() throws {
        try TestEnvironment.require(NetworkLab.unavailableReason)
        let namespace = "hrfw\(UInt32.random(in: 0..<1_000_000))"
        try Subprocess.run(["ip", "netns", "add", namespace])
        defer { _ = try? Subprocess.run(["ip", "netns", "delete", namespace]) }
        func nft(_ script: String) throws -> String {
            let load = try Subprocess.run(
                ["ip", "netns", "exec", namespace, "nft", "-f", "-"], input: Data(script.utf8))
            #expect(load.status == 0, "nft -f failed: \(load.stderr)")
            return try Subprocess.run(["ip", "netns", "exec", namespace, "nft", "list", "ruleset"]).stdout
        }
        let empty = try Subprocess.run(["ip", "netns", "exec", namespace, "nft", "list", "ruleset"]).stdout
        #expect(!FirewallFacts.nftState(empty).active)
        let policyDrop = try nft(
            """
            table inet filter {
              chain input {
                type filter hook input priority 0; policy drop;
                iif lo accept
                ct state established,related accept
                tcp dport 22 accept
              }
              chain output {
                type filter hook output priority 0; policy accept;
              }
            }
            """)
        var state = FirewallFacts.nftState(policyDrop)
        #expect(state.active && state.defaultDeny)
        #expect(state.evidence == "nftables input chain input: policy drop")
        let acceptAll = try nft(
            "flush ruleset\ntable inet filter {\nchain input {\ntype filter hook input priority 0; policy accept;\ntcp dport 22 accept\n}\n}\n"
        )
        state = FirewallFacts.nftState(acceptAll)
        #expect(state.active && !state.defaultDeny)
        let finalReject = try nft(
            "flush ruleset\ntable inet fw {\nchain filter_INPUT {\ntype filter hook input priority 10; policy accept;\nct state established accept\nreject with icmpx admin-prohibited\n}\n}\n"
        )
        state = FirewallFacts.nftState(finalReject)
        #expect(state.defaultDeny, "\(finalReject)")
    }
}
