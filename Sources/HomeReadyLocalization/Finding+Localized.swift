import HomeReadyModel

extension Finding {
    /// Whether findings made from catalog texts render their English sentences at once (the default). The
    /// server's ingest judges a report for its verdict and check states alone and stores neither sentence, so it
    /// turns this off around the judge (`withoutEnglishText`): rendering was 6 % of its time under load.
    @TaskLocal static var rendersEnglish = true

    /// Runs `body` with findings made from catalog texts left without their English renderings: `message` is
    /// empty and `remediation` is empty where there is a fix; `messageText` and `remediationText` are whole.
    public static func withoutEnglishText<T>(_ body: () throws -> T) rethrows -> T {
        try $rendersEnglish.withValue(false, operation: body)
    }

    /// A finding whose sentences come from the message catalog: `message` and `remediation` are their English
    /// renderings (what JSON readers and logs see), `messageText` and `remediationText` render in any language.
    /// The judges and the probe's faults both make their findings this way.
    public init(
        id: String, section: Section, severity: Severity, status: FindingStatus,
        measured: FindingValue? = nil, limit: FindingValue? = nil, unit: String? = nil,
        text: LocalizedText, fix: LocalizedText? = nil
    ) {
        let renders = Self.rendersEnglish
        self.init(
            id: id, section: section, severity: severity, status: status, measured: measured, limit: limit, unit: unit,
            message: renders ? Localizer.english.render(text) : "",
            remediation: fix.map { renders ? Localizer.english.render($0) : "" },
            messageText: text, remediationText: fix)
    }
}

extension LocalizedText {
    /// A catalog key with no arguments.
    public static func key(_ key: String) -> LocalizedText { LocalizedText(key) }
}
