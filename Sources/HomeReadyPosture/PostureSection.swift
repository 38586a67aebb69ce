import Foundation
import HomeReadyModel
import Logging

/// How the posture and equipment sections run.
public struct PostureCheckOptions: Sendable {
    /// Evaluate against facts recorded in this JSON file instead of this machine.
    public var factsFile: URL?
    /// Evaluate file rules against this prepared tree instead of `/`.
    public var root: URL?
    /// The agent's role, for role-specific equipment requirements.
    public var role: String?

    public init(factsFile: URL? = nil, root: URL? = nil, role: String? = nil) {
        self.factsFile = factsFile
        self.root = root
        self.role = role
    }
}

/// The posture and equipment sections of `homeready check`.
public enum PostureSection {
    /// Evaluates the profile's posture checks and equipment requirements. Never throws: a rule that cannot be
    /// evaluated is an `error` result with the reason.
    public static func run(
        profile: Profile, options: PostureCheckOptions, includePosture: Bool, includeEquipment: Bool,
        progress: @escaping ProgressHandler, logger: Logger
    ) async -> SectionOutcome {
        // Placeholder until the posture engine lands (issue 5).
        SectionOutcome(findings: [
            Finding(
                id: "posture.not_implemented", section: .posture, severity: .info, status: .skipped,
                message: "The posture check is not available in this build.")
        ])
    }
}
