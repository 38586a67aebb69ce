import Foundation
import HomeReadyModel
import Logging

extension PostureSnapshot {
    /// Records this endpoint for `homeready facts`: the facts, with `all` the system tables, and with a profile
    /// the outputs of its command rules, so the snapshot replays the profile elsewhere (`check --facts`).
    public static func record(
        all: Bool, profile: Profile? = nil, tree: FileTree = FileTree(), runner: CommandRunner = CommandRunner(),
        logger: Logger
    ) async -> PostureSnapshot {
        let collector = FactCollector(tree: tree, runner: runner, logger: logger)
        var snapshot = await collector.snapshot(all: all)
        if let profile {
            var outputs: [CommandOutput] = []
            var rules = profile.posture.flatMap { $0.appliesWhen + $0.rules }
            rules += profile.requirements?.rules ?? []
            func flatten(_ rules: [PostureRule]) -> [PostureRule] {
                rules.flatMap { $0.kind == .group ? flatten($0.rules ?? []) : [$0] }
            }
            for rule in flatten(rules) where rule.kind == .command {
                guard let argv = rule.argv, !outputs.contains(where: { $0.argv == argv }) else { continue }
                let timeout = min(rule.timeoutSeconds ?? CommandRunner.defaultTimeout, CommandRunner.maximumTimeout)
                if let output = try? await runner.run(argv, timeout: timeout) { outputs.append(output) }
            }
            snapshot.commands = outputs
        }
        return snapshot
    }
}
