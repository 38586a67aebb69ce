import HomeReadyModel

extension Finding {
    /// A finding whose sentences come from the message catalog: `message` and `remediation` are their English
    /// renderings (what JSON readers and logs see), `messageText` and `remediationText` render in any language.
    /// The judges and the probe's faults both make their findings this way.
    public init(
        id: String, section: Section, severity: Severity, status: FindingStatus,
        measured: FindingValue? = nil, limit: FindingValue? = nil, unit: String? = nil,
        text: LocalizedText, fix: LocalizedText? = nil
    ) {
        self.init(
            id: id, section: section, severity: severity, status: status, measured: measured, limit: limit, unit: unit,
            message: Localizer.english.render(text), remediation: fix.map { Localizer.english.render($0) },
            messageText: text, remediationText: fix)
    }
}

extension LocalizedText {
    /// A catalog key with no arguments.
    public static func key(_ key: String) -> LocalizedText { LocalizedText(key) }
}
