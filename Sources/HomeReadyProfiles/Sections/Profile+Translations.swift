import HomeReadyModel
import Yams

// Checks `translations:` against the texts the resolved profile writes (docs/profiles.md#translations).

extension Profile {
    /// The network thresholds by finding id, with their YAML keys, in the order the judge writes them.
    static var thresholdFindings: [(id: String, key: String, threshold: KeyPath<NetworkThresholds, Threshold?>)] {
        [
            ("network.download", "min_download_mbps", \.minDownloadMbps),
            ("network.upload", "min_upload_mbps", \.minUploadMbps),
            ("network.latency_idle", "max_latency_idle_ms", \.maxLatencyIdleMs),
            ("network.latency_loaded", "max_latency_loaded_ms", \.maxLatencyLoadedMs),
            ("network.jitter", "max_jitter_ms", \.maxJitterMs),
            ("network.loss", "max_loss_percent", \.maxLossPercent),
            ("network.dns", "max_dns_ms", \.maxDNSMs),
            ("voice.mos", "min_mos", \.minMOS),
        ]
    }

    /// Every text path the profile writes an (English) text for, in file order: `<finding id>.title` and
    /// `<finding id>.remediation` of posture checks, `posture.requirements.title`, network threshold and
    /// equipment remediations. These are the paths `translations` may name.
    var translatablePaths: [String] {
        var paths: [String] = []
        if requirements?.title != nil { paths.append("posture.requirements.title") }
        for check in posture {
            paths.append("posture.\(check.id).title")
            if check.remediation != nil { paths.append("posture.\(check.id).remediation") }
        }
        for finding in Self.thresholdFindings where network[keyPath: finding.threshold]?.remediation != nil {
            paths.append("\(finding.id).remediation")
        }
        for item in equipment where item.remediation != nil {
            paths.append("equipment.\(item.kind.rawValue).remediation")
        }
        return paths
    }

    /// Why `path` names no text of this profile, or nil when it does.
    func untranslatableReason(_ path: String) -> String? {
        let known = Set(translatablePaths)
        if known.contains(path) { return nil }
        let (finding, text) = Self.split(path)
        let checks = posture.map(\.id)
        let list = { (names: [String]) in names.isEmpty ? "none" : names.joined(separator: ", ") }
        if finding == "posture.requirements", text == "title" {
            return requirements == nil
                ? "names the `requirements` title, but the profile has no `requirements`"
                : "names the `requirements` title, but `requirements` has no `title`"
        }
        if finding.hasPrefix("posture.") {
            let id = String(finding.dropFirst("posture.".count))
            guard let check = posture.first(where: { $0.id == id }) else {
                return "names no posture check `\(id)`\(suggestion(id, checks)); checks: \(list(checks))"
            }
            return "names the remediation of posture check `\(check.id)`, which has none: write `remediation` on the check first"
        }
        let thresholds = Self.thresholdFindings.map(\.id)
        if let threshold = Self.thresholdFindings.first(where: { $0.id == finding }) {
            if text == "title" {
                return "names a title, but network findings take their titles from HomeReady's catalog: only `\(finding).remediation` can be translated"
            }
            return network[keyPath: threshold.threshold] == nil
                ? "names `network.\(threshold.key)`, which the profile does not set"
                : "names the remediation of `network.\(threshold.key)`, which has none: write it as `{limit, remediation}` first"
        }
        if finding.hasPrefix("network.") || finding.hasPrefix("voice.") {
            return "names no network threshold `\(finding)`\(suggestion(finding, thresholds)); thresholds: \(thresholds.joined(separator: ", "))"
        }
        if finding.hasPrefix("equipment.") {
            let kind = String(finding.dropFirst("equipment.".count))
            let kinds = EquipmentKind.allCases.map(\.rawValue)
            guard let known = EquipmentKind(rawValue: kind) else {
                return "names no equipment kind `\(kind)`\(suggestion(kind, kinds)); kinds: \(kinds.joined(separator: ", "))"
            }
            if text == "title" {
                return "names a title, but equipment findings take their titles from HomeReady's catalog: only `\(finding).remediation` can be translated"
            }
            guard let item = equipment.first(where: { $0.kind == known }) else {
                return "names equipment `\(kind)`, which the profile does not require; equipment: \(list(equipment.map(\.kind.rawValue)))"
            }
            return "names the remediation of equipment `\(item.kind.rawValue)`, which has none: write `remediation` on it first"
        }
        return "names no text of the profile: VPN findings take all their texts from HomeReady's catalog"
    }

    /// `posture.disk-encryption.title` → (`posture.disk-encryption`, `title`).
    static func split(_ path: String) -> (finding: String, text: String) {
        guard let dot = path.lastIndex(of: ".") else { return (path, "") }
        return (String(path[..<dot]), String(path[path.index(after: dot)...]))
    }
}

enum TranslationCheck {
    /// The translations written in `own` (one file's document) that name no text of `resolved` (that file with
    /// its parents applied), located in the file that wrote them. Nothing when `resolved` cannot be read: the
    /// load reports why.
    static func diagnostics(own: Node, resolved: Node, file: String) -> [ProfileDiagnostic] {
        guard let languages = own.mapping?["translations"]?.mapping else { return [] }
        let scratch = YAMLDiagnostics(file: file)
        guard let profile = Profile.read(resolved, mode: .resolved, diagnostics: scratch) else { return [] }
        let located = YAMLDiagnostics(file: file)
        for (languageKey, table) in languages {
            guard let language = languageKey.string, let texts = table.mapping else { continue }
            for (pathKey, _) in texts {
                guard let path = pathKey.string, let reason = profile.untranslatableReason(path) else { continue }
                located.report(pathKey, field: "translations.\(language).\(path)", reason)
            }
        }
        return located.diagnostics
    }
}
