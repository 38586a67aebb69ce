/// One EDR or antivirus product: the process names it runs as, its systemd units and its installed binaries.
public struct EDRProduct: Sendable, Equatable {
    /// The product's name, e.g. `CrowdStrike Falcon`.
    public var name: String
    /// Process names (`comm`, or the base name of the command) the product runs as.
    public var processes: [String]
    /// systemd units that run it; a name ending in `@.service` stands for every instance of that template.
    public var units: [String]
    /// Absolute paths of the product's executables, as `/proc/PID/exe` shows them.
    public var binaries: [String]

    public init(name: String, processes: [String], units: [String], binaries: [String]) {
        self.name = name
        self.processes = processes
        self.units = units
        self.binaries = binaries
    }

    /// Whether `unit` is one of this product's units (template instances included).
    public func owns(unit: String) -> Bool {
        units.contains { known in
            if known.hasSuffix("@.service") {
                return unit.hasPrefix(String(known.dropLast(".service".count))) && unit.hasSuffix(".service")
            }
            return known == unit
        }
    }
}

/// EDR and antivirus agents, recognised by a running process that is confirmed by its service or its binary.
public enum EDRCatalog {
    /// The products HomeReady knows, with their service units and binary paths.
    public static let products: [EDRProduct] = [
        EDRProduct(
            name: "CrowdStrike Falcon", processes: ["falcon-sensor", "falcon-sensor-bpf"],
            units: ["falcon-sensor.service"],
            binaries: ["/opt/CrowdStrike/falcon-sensor", "/opt/CrowdStrike/falcon-sensor-bpf"]),
        EDRProduct(
            name: "Microsoft Defender for Endpoint", processes: ["wdavdaemon"], units: ["mdatp.service"],
            binaries: ["/opt/microsoft/mdatp/sbin/wdavdaemon"]),
        EDRProduct(
            name: "SentinelOne", processes: ["s1-agent", "sentinelone-agent"], units: ["sentinelone.service"],
            binaries: ["/opt/sentinelone/bin/sentinelone-agent", "/opt/sentinelone/bin/s1-agent"]),
        EDRProduct(
            name: "Carbon Black Cloud", processes: ["cbagentd"], units: ["cbagentd.service"],
            binaries: ["/opt/carbonblack/psc/bin/cbagentd"]),
        EDRProduct(
            name: "Elastic Defend", processes: ["elastic-endpoint"], units: ["ElasticEndpoint.service"],
            binaries: ["/opt/Elastic/Endpoint/elastic-endpoint"]),
        EDRProduct(
            name: "Wazuh", processes: ["wazuh-agentd"], units: ["wazuh-agent.service"],
            binaries: ["/var/ossec/bin/wazuh-agentd"]),
        EDRProduct(
            name: "OSSEC", processes: ["ossec-agentd"], units: ["ossec.service", "ossec-hids.service"],
            binaries: ["/var/ossec/bin/ossec-agentd"]),
        EDRProduct(
            name: "osquery", processes: ["osqueryd"], units: ["osqueryd.service"],
            binaries: ["/opt/osquery/bin/osqueryd", "/usr/bin/osqueryd"]),
        EDRProduct(
            name: "Sophos Protection for Linux", processes: ["sophos_threat_detector"],
            units: ["sophos-spl.service"],
            binaries: ["/opt/sophos-spl/plugins/av/sbin/sophos_threat_detector"]),
        EDRProduct(
            name: "Trend Micro Deep Security", processes: ["ds_agent"], units: ["ds_agent.service"],
            binaries: ["/opt/ds_agent/ds_agent"]),
        EDRProduct(
            name: "Trellix Endpoint Security", processes: ["xagt"], units: ["xagt.service"],
            binaries: ["/opt/fireeye/bin/xagt"]),
        EDRProduct(
            name: "Cylance", processes: ["cylancesvc"], units: ["cylancesvc.service"],
            binaries: ["/opt/cylance/desktop/cylancesvc"]),
        EDRProduct(
            name: "Tanium", processes: ["taniumclient", "TaniumClient"], units: ["taniumclient.service"],
            binaries: ["/opt/Tanium/TaniumClient/TaniumClient"]),
        EDRProduct(
            name: "Cortex XDR", processes: ["traps_pmd"], units: ["traps_pmd.service"],
            binaries: ["/opt/traps/bin/traps_pmd", "/opt/traps/bin/pmd"]),
        EDRProduct(
            name: "Kaspersky Endpoint Security", processes: ["kesl"], units: ["kesl.service"],
            binaries: ["/opt/kaspersky/kesl/libexec/kesl", "/opt/kaspersky/kesl/bin/kesl"]),
        EDRProduct(
            name: "ESET", processes: ["esets_daemon"], units: ["esets.service"],
            binaries: ["/opt/eset/esets/sbin/esets_daemon"]),
        EDRProduct(
            name: "ClamAV", processes: ["clamd"], units: ["clamav-daemon.service", "clamd@.service"],
            binaries: ["/usr/sbin/clamd", "/usr/bin/clamd"]),
    ]

    /// Process name → product, for every name of every product.
    public static var processes: [(process: String, product: String)] {
        products.flatMap { product in product.processes.map { ($0, product.name) } }
    }

    /// Why a process named like a product counts (or does not).
    struct Sighting: Equatable {
        var product: EDRProduct
        var process: RunningProcess
        var processName: String
        /// What confirmed it (`unit falcon-sensor.service`, `binary /opt/...`), `nil` when nothing did.
        var confirmation: String?
        /// What was found instead, for an unconfirmed sighting.
        var found: String
    }

    /// The processes named like a product, each confirmed by the unit whose cgroup it runs in, an active unit of
    /// the product (`activeUnits`), or its executable being the product's binary.
    static func sightings(processes: [RunningProcess], tree: FileTree, activeUnits: Set<String>) -> [Sighting] {
        var result: [Sighting] = []
        for process in processes {
            for product in products {
                guard let name = product.processes.first(where: { process.isNamed($0) }) else { continue }
                let exe = executable(of: process.pid, in: tree)
                let unit = cgroupUnit(of: process.pid, in: tree)
                var confirmation: String?
                if let unit, product.owns(unit: unit) {
                    confirmation = "runs in \(unit)"
                } else if let exe, product.binaries.contains(exe) {
                    confirmation = "binary \(exe)"
                } else if let active = activeUnits.sorted().first(where: { product.owns(unit: $0) }) {
                    confirmation = "\(active) active"
                }
                let found = [
                    "executable \(exe ?? "unreadable")",
                    unit.map { "unit \($0)" } ?? "no unit",
                    "none of \(product.units.joined(separator: ", ")) active",
                ].joined(separator: ", ")
                result.append(
                    Sighting(
                        product: product, process: process, processName: name, confirmation: confirmation,
                        found: found))
                break
            }
        }
        return result
    }

    /// Facts: confirmed products (`edr.running`, `edr.any_running`), processes named like a product but confirmed by
    /// neither unit nor binary (`edr.unconfirmed`), and a sentence saying which (`edr.evidence`).
    static func facts(processes: [RunningProcess], tree: FileTree = FileTree(), activeUnits: Set<String> = [])
        -> FactSet
    {
        let sightings = sightings(processes: processes, tree: tree, activeUnits: activeUnits)
        var running: [String] = []
        var unconfirmed: [String] = []
        var evidence: [String] = []
        for sighting in sightings {
            let label = "\(sighting.product.name) (\(sighting.processName))"
            if let confirmation = sighting.confirmation {
                if !running.contains(label) {
                    running.append(label)
                    evidence.append("\(label): pid \(sighting.process.pid) \(confirmation)")
                }
            } else {
                unconfirmed.append("\(label) pid \(sighting.process.pid): \(sighting.found)")
            }
        }
        // A product confirmed by another of its processes needs no unconfirmed line.
        unconfirmed.removeAll { line in running.contains { line.hasPrefix($0 + " pid ") } }
        if !unconfirmed.isEmpty {
            evidence.append("not counted (\(unconfirmed.count) process(es) named like an EDR, see edr.unconfirmed)")
        }
        return [
            "edr.running": .list(running), "edr.any_running": .flag(!running.isEmpty),
            "edr.unconfirmed": .list(unconfirmed),
            "edr.evidence": .text(evidence.isEmpty ? "no known EDR process runs" : evidence.joined(separator: "; ")),
        ]
    }

    /// The facts, asking `systemctl is-active` about the units of unconfirmed products when `runsCommands` is set
    /// and systemd runs; units listed in `/run/systemd/units` count as active without asking.
    static func collect(processes: [RunningProcess], tree: FileTree, runner: CommandRunner, runsCommands: Bool) async
        -> FactSet
    {
        var active = activeUnits(in: tree)
        if runsCommands, tree.isDirectory("/run/systemd/system"), runner.resolve("systemctl") != nil {
            let pending = sightings(processes: processes, tree: tree, activeUnits: active)
                .filter { $0.confirmation == nil }
                .flatMap { $0.product.units.filter { !$0.hasSuffix("@.service") } }
            for unit in Set(pending).sorted() {
                if let output = try? await runner.run(["systemctl", "is-active", unit], timeout: 5),
                    output.exitStatus == 0,
                    output.output.trimmingCharacters(in: .whitespacesAndNewlines) == "active"
                {
                    active.insert(unit)
                }
            }
        }
        return facts(processes: processes, tree: tree, activeUnits: active)
    }

    /// Units systemd has started (`/run/systemd/units/invocation:UNIT` links).
    static func activeUnits(in tree: FileTree) -> Set<String> {
        let prefix = "invocation:"
        return Set(
            (tree.list("/run/systemd/units") ?? []).filter { $0.hasPrefix(prefix) }.map {
                String($0.dropFirst(prefix.count))
            })
    }

    /// The target of `/proc/PID/exe`, without the ` (deleted)` mark of a replaced binary.
    static func executable(of pid: Int, in tree: FileTree) -> String? {
        guard let target = tree.linkTarget("/proc/\(pid)/exe") else { return nil }
        return target.hasSuffix(" (deleted)") ? String(target.dropLast(" (deleted)".count)) : target
    }

    /// The system unit (`*.service` under `system.slice`) whose cgroup the process runs in, from `/proc/PID/cgroup`.
    static func cgroupUnit(of pid: Int, in tree: FileTree) -> String? {
        guard let text = tree.value("/proc/\(pid)/cgroup") else { return nil }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, fields[1].isEmpty || fields[1] == "name=systemd" else { continue }
            // Only the system manager's units: a user may name a unit of their own `falcon-sensor.service`.
            let components = fields[2].split(separator: "/")
            guard components.first == "system.slice" else { continue }
            if let unit = components.first(where: { $0.hasSuffix(".service") }) { return String(unit) }
        }
        return nil
    }
}
