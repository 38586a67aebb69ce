/// EDR and antivirus agents recognised by their process names.
public enum EDRCatalog {
    /// Process name → product.
    public static let processes: [(process: String, product: String)] = [
        ("falcon-sensor", "CrowdStrike Falcon"),
        ("wdavdaemon", "Microsoft Defender for Endpoint"),
        ("s1-agent", "SentinelOne"),
        ("sentinelone-agent", "SentinelOne"),
        ("cbagentd", "Carbon Black Cloud"),
        ("elastic-endpoint", "Elastic Defend"),
        ("wazuh-agentd", "Wazuh"),
        ("ossec-agentd", "OSSEC"),
        ("osqueryd", "osquery"),
        ("sophos_threat_detector", "Sophos Protection for Linux"),
        ("ds_agent", "Trend Micro Deep Security"),
        ("xagt", "Trellix Endpoint Security"),
        ("cylancesvc", "Cylance"),
        ("taniumclient", "Tanium"),
        ("traps_pmd", "Cortex XDR"),
        ("kesl", "Kaspersky Endpoint Security"),
        ("esets_daemon", "ESET"),
        ("clamd", "ClamAV"),
    ]

    /// Facts: the products whose processes run.
    static func facts(processes: [RunningProcess]) -> FactSet {
        var found: [String] = []
        for entry in Self.processes where processes.contains(where: { $0.isNamed(entry.process) }) {
            let label = "\(entry.product) (\(entry.process))"
            if !found.contains(label) { found.append(label) }
        }
        return ["edr.running": .list(found), "edr.any_running": .flag(!found.isEmpty)]
    }
}
