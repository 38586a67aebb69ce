import HomeReadyModel

/// The parts of a check a profile requires, and whether a report covers them all. A report that does not is never
/// counted as ready: it is `incomplete`, with the gap in plain words. Pure.
public enum ProfileCoverage {
    /// A part of the check, as people name it.
    public enum Part: String, Sendable, CaseIterable, Comparable {
        case network, vpn, posture, equipment

        public static func < (lhs: Part, rhs: Part) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// The parts `profile` requires of an agent of `role`.
    public static func requiredParts(of profile: Profile, role: String?) -> [Part] {
        var parts: [Part] = []
        let network = profile.network
        let thresholds = [
            network.minDownloadMbps, network.minUploadMbps, network.maxLatencyIdleMs, network.maxLatencyLoadedMs,
            network.maxJitterMs, network.maxLossPercent, network.minMOS, network.maxDNSMs,
        ]
        if thresholds.contains(where: { $0 != nil }) { parts.append(.network) }
        let vpn = profile.vpn
        if !vpn.gateways.isEmpty || !profile.stunServers.isEmpty || !vpn.corporateNetworks.isEmpty
            || !vpn.corporateNames.isEmpty || vpn.healthURL != nil
        {
            parts.append(.vpn)
        }
        if !profile.posture.isEmpty { parts.append(.posture) }
        if !EquipmentRequirement.applicable(profile.equipment, role: role).isEmpty { parts.append(.equipment) }
        return parts
    }

    /// The parts `report` has results for.
    public static func coveredParts(of report: CheckReport) -> [Part] {
        var parts: [Part] = []
        if report.network != nil { parts.append(.network) }
        if report.vpn != nil || report.vpnPath != nil { parts.append(.vpn) }
        if report.posture != nil { parts.append(.posture) }
        if report.equipment != nil { parts.append(.equipment) }
        return parts
    }

    /// Why `report` does not cover `profile` for an agent of `role`, in plain words; empty when it does.
    /// `acceptsBrowser` says whether the agent's campaign lets a browser self-test stand in for the full check
    /// (posture and VPN cannot be checked from a browser).
    public static func gaps(
        _ report: CheckReport, profile: Profile, role: String?, acceptsBrowser: Bool = false, campaign: String? = nil
    ) -> [String] {
        var gaps: [String] = []
        var required = requiredParts(of: profile, role: role)
        let name = "\(profile.id) v\(profile.version)"
        if report.source == .browser {
            guard acceptsBrowser else {
                return [
                    "a browser self-test cannot make this agent ready: \(campaign.map { "campaign \($0)" } ?? "the campaign") "
                        + "requires the full check (homeready check) on the agent's computer"
                ]
            }
            required.removeAll { $0 == .posture || $0 == .vpn }
        }
        let covered = coveredParts(of: report)
        let missing = required.filter { !covered.contains($0) }
        if !missing.isEmpty {
            gaps.append(
                (covered.isEmpty ? "the last report covered nothing" : "the last report covered only \(list(covered.map(\.rawValue)))")
                    + "; \(name) also needs \(list(missing.map(\.rawValue)))")
        }
        if required.contains(.vpn), covered.contains(.vpn) {
            let checked = Set((report.vpn ?? []).map(\.name))
            let unchecked = profile.vpn.gateways.map(\.name).filter { !checked.contains($0) }
            if !unchecked.isEmpty { gaps.append("VPN gateways not checked: \(list(unchecked))") }
            let asked = Set((report.vpnPath?.stun ?? []).map { "\($0.host):\($0.port)" })
            let unasked = profile.stunServers.map { "\($0.host):\($0.port)" }.filter { !asked.contains($0) }
            if !unasked.isEmpty { gaps.append("STUN servers not asked: \(list(unasked))") }
        }
        if required.contains(.posture), let results = report.posture {
            switch report.postureContext?.collection {
            case .live?: break
            case .recordedFacts?: gaps.append("posture was replayed from a facts file, not evaluated on the agent's computer")
            case .preparedRoot?: gaps.append("posture files were read from a prepared folder, not from the agent's computer")
            case nil: gaps.append("the report does not say where its posture results come from")
            }
            let evaluated = Set(results.map(\.id))
            let skipped = profile.posture.map(\.id).filter { !evaluated.contains($0) }
            if !skipped.isEmpty { gaps.append("posture checks not evaluated: \(list(skipped))") }
        }
        if required.contains(.equipment), let results = report.equipment {
            let seen = Set(results.map(\.kind))
            let unchecked = EquipmentRequirement.applicable(profile.equipment, role: role).map(\.kind)
                .filter { report.source != .browser || Self.browserDetectable.contains($0) }
                .map(\.rawValue).filter { !seen.contains($0) }
            if !unchecked.isEmpty { gaps.append("equipment not checked: \(list(unchecked))") }
        }
        return gaps
    }

    /// Equipment a browser can see (audio and video devices); a wired link or a second screen it cannot.
    static let browserDetectable: Set<EquipmentKind> = [.usbHeadset, .headset, .webcam]

    /// `a`, `a and b`, `a, b and c`.
    static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }
}

extension ProfileCoverage {
    /// The verdict a report stands for: its judged verdict when it covers the assigned profile; `not_ready` when
    /// its findings fail, gaps or not; otherwise `incomplete` while anything is missing.
    public static func verdict(_ judged: Verdict, gaps: [String]) -> Verdict {
        guard !gaps.isEmpty, judged != .notReady else { return judged }
        return .incomplete
    }
}
