import HomeReadyModel

/// Findings only a browser self-test gives: the relayed voice path and the headset tests.
enum BrowserJudge {
    /// The browser-specific findings for `browser` against `profile`.
    static func findings(browser: BrowserResult, profile: Profile) -> [Finding] {
        []
    }
}
