import HomeReadyModel

/// Evaluates posture checks: `applies_when` first, then the rules combined by the check's condition.
public struct CheckEvaluator: Sendable {
    /// Evaluates the individual rules.
    public var rules: RuleEvaluator

    public init(system: any PostureSystem) {
        self.rules = RuleEvaluator(system: system)
    }

    /// The result of one check, with the evidence that decided it.
    public func evaluate(_ check: PostureCheck) async -> PostureResult {
        func result(_ status: FindingStatus, _ evidence: String) -> PostureResult {
            PostureResult(
                id: check.id, title: check.title, status: status, severity: check.severity,
                evidence: RuleOutcome.short(evidence, limit: 240), remediation: check.remediation,
                references: check.references.isEmpty ? nil : check.references)
        }
        for rule in check.appliesWhen {
            switch await rules.evaluate(rule) {
            case .pass: continue
            case .fail(let evidence): return result(.notApplicable, "not applicable: \(evidence)")
            case .error(let reason): return result(.error, "applies_when: \(located(reason, rule))")
            }
        }
        let outcome = await combine(check.condition, check.rules)
        switch outcome {
        case .pass(let evidence): return result(.pass, evidence)
        case .fail(let evidence): return result(.fail, evidence)
        case .error(let reason): return result(.error, reason)
        }
    }

    /// Combines rules by a condition (see `RuleEvaluator.combine`).
    public func combine(_ condition: PostureCondition, _ list: [PostureRule]) async -> RuleOutcome {
        await rules.combine(condition, list)
    }

    private func located(_ reason: String, _ rule: PostureRule) -> String {
        rule.source.map { "\($0): \(reason)" } ?? reason
    }
}
