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

/// The posture and equipment sections of `homeready check`: they collect and evaluate on this machine; the judge
/// (`PostureJudge`, `EquipmentJudge`) turns the results into findings.
public enum PostureSection {
    /// Evaluates the profile's posture checks and detects equipment. Never throws: a rule that cannot be
    /// evaluated is an `error` result with the reason.
    public static func run(
        profile: Profile, options: PostureCheckOptions, includePosture: Bool, includeEquipment: Bool,
        progress: @escaping ProgressHandler, logger: Logger
    ) async -> SectionOutcome {
        let system: any PostureSystem
        let collection: PostureCollection
        if let factsFile = options.factsFile {
            collection = .recordedFacts
            do {
                let snapshot = try PostureSnapshot.load(from: factsFile)
                system = RecordedSystem(snapshot: snapshot, files: options.root.map { FileTree(root: $0) })
            } catch {
                return SectionOutcome(
                    observations: [
                        Finding(
                            id: "posture.facts", section: .posture, severity: .critical, status: .error,
                            message: error.message,
                            remediation: "Record facts with `homeready facts --all > FILE` and pass that file.")
                    ],
                    postureContext: PostureContext(collection: collection))
            }
        } else {
            collection = options.root == nil ? .live : .preparedRoot
            system = LiveSystem(fileTree: FileTree(root: options.root ?? URL(fileURLWithPath: "/")), logger: logger)
        }
        var outcome = await run(
            profile: profile, system: system, role: options.role, includePosture: includePosture,
            includeEquipment: includeEquipment, progress: progress, logger: logger)
        if includePosture { outcome.postureContext?.collection = collection }
        return outcome
    }

    /// Evaluates against any system (live or recorded); the posture context says `live`.
    public static func run(
        profile: Profile, system: any PostureSystem, role: String? = nil, includePosture: Bool = true,
        includeEquipment: Bool = true, progress: @escaping ProgressHandler = { _ in }, logger: Logger
    ) async -> SectionOutcome {
        var outcome = SectionOutcome()
        let evaluator = CheckEvaluator(system: system)
        if includePosture {
            var results: [PostureResult] = []
            var gate: RuleOutcome = .pass("")
            var context = PostureContext(collection: .live)
            if let requirements = profile.requirements {
                progress(CheckProgress(phase: "posture.requirements", message: "Checking whether the profile applies"))
                gate = await evaluator.combine(requirements.condition, requirements.rules)
                switch gate {
                case .pass(let evidence):
                    context.requirements = PostureGate(status: .pass, evidence: RuleOutcome.short(evidence))
                case .fail(let evidence):
                    context.requirements = PostureGate(status: .notApplicable, evidence: RuleOutcome.short(evidence))
                case .error(let reason):
                    context.requirements = PostureGate(status: .error, evidence: RuleOutcome.short(reason))
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
            }
            outcome.posture = results
            outcome.postureContext = context
        }
        if includeEquipment {
            progress(CheckProgress(phase: "equipment", message: "Detecting equipment"))
            outcome.equipment = EquipmentMatcher.detect(profile.equipment, role: role, facts: await system.facts())
        }
        return outcome
    }
}
