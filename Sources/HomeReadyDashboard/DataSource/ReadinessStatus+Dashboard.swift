import HomeReadyModel

/// How the pages show the model's readiness status.
extension ReadinessStatus {
    /// The label a person reads.
    public var label: String {
        switch self {
        case .ready: "Ready"
        case .atRisk: "At risk"
        case .notReady: "Not ready"
        case .unknown: "Unknown"
        }
    }

    /// The status in the pages' URLs and CSS classes (`at-risk`, `not-ready`): the dashboard's links and styles
    /// keep their form.
    public var slug: String { rawValue.replacingOccurrences(of: "_", with: "-") }

    /// The status a `slug` names; nil for any other text.
    public init?(slug: String) {
        self.init(rawValue: slug.replacingOccurrences(of: "-", with: "_"))
    }
}
