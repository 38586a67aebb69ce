/// What the firewall collectors found.
struct FirewallState: Equatable {
    var backend: String
    var active: Bool
    var defaultDeny: Bool
    var evidence: String

    var facts: FactSet {
        [
            "firewall.backend": .text(backend), "firewall.active": .flag(active),
            "firewall.default_deny": .flag(defaultDeny),
            "firewall.evidence": .text(evidence),
        ]
    }
}

/// Firewall facts: active with inbound default-deny, from ufw's configuration, the nftables ruleset, or iptables.
enum FirewallFacts {
    static func collect(in tree: FileTree, runner: CommandRunner) async -> FactSet {
        if let ufw = ufwState(in: tree), ufw.active { return ufw.facts }
        if runner.resolve("firewall-cmd") != nil,
            let state = try? await runner.run(["firewall-cmd", "--state"], timeout: 10), state.exitStatus == 0,
            state.output.contains("running")
        {
            let zone =
                (try? await runner.run(["firewall-cmd", "--get-default-zone"], timeout: 10))?.output
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            return firewalldState(defaultZone: zone).facts
        }
        var problems: [String] = []
        if runner.resolve("nft") != nil {
            if let output = try? await runner.run(["nft", "list", "ruleset"], timeout: 10), output.exitStatus == 0 {
                let state = nftState(output.output)
                if state.active { return state.facts }
            } else {
                problems.append("`nft list ruleset` failed (run as root to read the firewall)")
            }
        }
        for program in ["iptables-legacy", "iptables"] where runner.resolve(program) != nil {
            if let output = try? await runner.run([program, "-S", "INPUT"], timeout: 10), output.exitStatus == 0 {
                let state = iptablesState(output.output, backend: "iptables")
                if state.active { return state.facts }
            } else {
                problems.append("`\(program) -S INPUT` failed")
            }
        }
        if !problems.isEmpty,
            problems.count
                == [runner.resolve("nft"), runner.resolve("iptables-legacy"), runner.resolve("iptables")].compactMap({
                    $0
                }).count
        {
            // Nothing could be read: the facts are unknown rather than "no firewall".
            return ["firewall.evidence": .text(problems.joined(separator: "; "))]
        }
        return FirewallState(backend: "none", active: false, defaultDeny: false, evidence: "no firewall rules loaded")
            .facts
    }

    /// firewalld rejects unsolicited inbound traffic unless the default zone accepts everything (`trusted`).
    static func firewalldState(defaultZone: String) -> FirewallState {
        FirewallState(
            backend: "firewalld", active: true, defaultDeny: defaultZone != "trusted",
            evidence: "firewalld running, default zone \(defaultZone.isEmpty ? "unknown" : defaultZone)")
    }

    /// ufw from its configuration files (readable without root).
    static func ufwState(in tree: FileTree) -> FirewallState? {
        guard let conf = try? tree.read("/etc/ufw/ufw.conf") else { return nil }
        let enabled = SystemFacts.parseOSRelease(conf)["ENABLED"]?.lowercased() == "yes"
        let defaults = ((try? tree.read("/etc/default/ufw"))).map(SystemFacts.parseOSRelease) ?? [:]
        let policy = defaults["DEFAULT_INPUT_POLICY"]?.uppercased() ?? "DROP"
        return FirewallState(
            backend: "ufw", active: enabled, defaultDeny: enabled && (policy == "DROP" || policy == "REJECT"),
            evidence: "ufw ENABLED=\(enabled ? "yes" : "no"), DEFAULT_INPUT_POLICY=\(policy)")
    }

    /// Reads `nft list ruleset`: inbound default-deny when a chain hooked on `input` has `policy drop` or ends
    /// with an unconditional `drop`/`reject` rule.
    static func nftState(_ ruleset: String) -> FirewallState {
        var chains = 0
        var inputChains: [(name: String, deny: Bool, how: String)] = []
        var current: (name: String, isInput: Bool, policyDrop: Bool, lastRule: String)?
        for raw in ruleset.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("chain ") {
                current = (String(line.dropFirst(6).split(separator: " ").first ?? ""), false, false, "")
                chains += 1
            } else if line == "}" {
                if let chain = current, chain.isInput {
                    let last = chain.lastRule
                    let endsWithDrop =
                        last == "drop" || last.hasPrefix("reject")
                        || last.hasPrefix("counter") && (last.hasSuffix(" drop") || last.contains(" reject"))
                    let how =
                        chain.policyDrop ? "policy drop" : endsWithDrop ? "final rule \"\(last)\"" : "policy accept"
                    inputChains.append((chain.name, chain.policyDrop || endsWithDrop, how))
                }
                current = nil
            } else if current != nil {
                if line.hasPrefix("type ") && line.contains("hook input") {
                    current?.isInput = true
                    current?.policyDrop = line.contains("policy drop")
                } else if !line.isEmpty && !line.hasPrefix("#") {
                    current?.lastRule = line
                }
            }
        }
        let deny = inputChains.first { $0.deny }
        let evidence: String
        if let deny {
            evidence = "nftables input chain \(deny.name): \(deny.how)"
        } else if let first = inputChains.first {
            evidence = "nftables input chain \(first.name): \(first.how)"
        } else {
            evidence = chains == 0 ? "nftables ruleset is empty" : "nftables has no chain hooked on input"
        }
        return FirewallState(backend: "nftables", active: chains > 0, defaultDeny: deny != nil, evidence: evidence)
    }

    /// Reads `iptables -S INPUT`: `-P INPUT DROP`, or a final unconditional `-A INPUT -j DROP/REJECT`.
    static func iptablesState(_ text: String, backend: String) -> FirewallState {
        let lines = text.split(separator: "\n").map(String.init)
        let policy = lines.first { $0.hasPrefix("-P INPUT") }?.split(separator: " ").last.map(String.init) ?? "ACCEPT"
        let rules = lines.filter { $0.hasPrefix("-A INPUT") }
        let last = rules.last ?? ""
        let finalDeny = last == "-A INPUT -j DROP" || last.hasPrefix("-A INPUT -j REJECT")
        let deny = policy == "DROP" || finalDeny
        return FirewallState(
            backend: backend, active: !rules.isEmpty || policy != "ACCEPT", defaultDeny: deny,
            evidence: "iptables INPUT policy \(policy)\(finalDeny ? ", final rule \(last)" : "")")
    }
}
