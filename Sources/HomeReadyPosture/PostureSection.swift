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
        let system: any PostureSystem
        if let factsFile = options.factsFile {
            do {
                let snapshot = try PostureSnapshot.load(from: factsFile)
                system = RecordedSystem(snapshot: snapshot, files: options.root.map { FileTree(root: $0) })
            } catch {
                return SectionOutcome(findings: [
                    Finding(
                        id: "posture.facts", section: .posture, severity: .critical, status: .error,
                        message: error.message,
                        remediation: "Record facts with `homeready facts --all > FILE` and pass that file.")
                ])
            }
        } else {
            system = LiveSystem(fileTree: FileTree(root: options.root ?? URL(fileURLWithPath: "/")), logger: logger)
        }
        return await run(
            profile: profile, system: system, role: options.role, includePosture: includePosture,
            includeEquipment: includeEquipment, progress: progress, logger: logger)
    }

    /// Evaluates against any system (live or recorded).
    public static func run(
        profile: Profile, system: any PostureSystem, role: String? = nil, includePosture: Bool = true,
        includeEquipment: Bool = true, progress: @escaping ProgressHandler = { _ in }, logger: Logger
    ) async -> SectionOutcome {
        var outcome = SectionOutcome()
        let evaluator = CheckEvaluator(system: system)
        if includePosture {
            var results: [PostureResult] = []
            var gate: RuleOutcome = .pass("")
            if let requirements = profile.requirements {
                progress(CheckProgress(phase: "posture.requirements", message: "Checking whether the profile applies"))
                gate = await evaluator.combine(requirements.condition, requirements.rules)
                let title = requirements.title ?? "Profile \(profile.id) applies to this endpoint"
                switch gate {
                case .pass: break
                case .fail(let evidence):
                    outcome.findings.append(
                        Finding(
                            id: "posture.requirements", section: .posture, severity: .info, status: .notApplicable,
                            message: "\(title): no (\(RuleOutcome.short(evidence))); posture checks not applicable"))
                case .error(let reason):
                    outcome.findings.append(
                        Finding(
                            id: "posture.requirements", section: .posture, severity: .critical, status: .error,
                            message: "\(title): cannot tell (\(RuleOutcome.short(reason)))",
                            remediation: "Fix the profile's requirements, or run the check where they can be evaluated."
                        ))
                }
            }
            for (index, check) in profile.posture.enumerated() {
                progress(
                    CheckProgress(
                        phase: "posture.\(check.id)",
                        message: "Checking \(check.title) (\(index + 1)/\(profile.posture.count))"))
                let result: PostureResult
                switch gate {
                case .pass:
                    result = await evaluator.evaluate(check)
                case .fail(let evidence), .error(let evidence):
                    result = PostureResult(
                        id: check.id, title: check.title, status: gate.isFail ? .notApplicable : .error,
                        severity: check.severity, evidence: RuleOutcome.short("profile requirements: \(evidence)"),
                        remediation: check.remediation, references: check.references.isEmpty ? nil : check.references)
                }
                logger.debug(
                    "posture.check",
                    metadata: ["posture.check": "\(check.id)", "posture.status": "\(result.status.rawValue)"])
                results.append(result)
                if gate.isPass { outcome.findings.append(finding(for: result)) }
            }
            outcome.posture = results
        }
        if includeEquipment {
            progress(CheckProgress(phase: "equipment", message: "Detecting equipment"))
            let facts = await system.facts()
            let (results, findings) = EquipmentMatcher.match(profile.equipment, role: role, facts: facts)
            outcome.equipment = results
            outcome.findings += findings
        }
        return outcome
    }

    /// The report finding for a posture result.
    static func finding(for result: PostureResult) -> Finding {
        let message: String
        switch result.status {
        case .pass: message = result.title
        case .notApplicable: message = "\(result.title): not applicable"
        default: message = result.evidence.map { "\(result.title): \($0)" } ?? result.title
        }
        return Finding(
            id: "posture.\(result.id)", section: .posture, severity: result.severity, status: result.status,
            message: message,
            remediation: result.status == .fail || result.status == .error ? result.remediation : nil)
    }
}
