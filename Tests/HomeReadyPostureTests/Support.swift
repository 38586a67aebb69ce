import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Logging

@testable import HomeReadyPosture

let testLogger = Logger(label: "posture-tests")

/// A rule in a line.
func rule(
    _ kind: PostureRuleKind, _ target: String? = nil, _ op: PostureOperator?, _ value: String? = nil,
    argv: [String]? = nil, capture: String? = nil, files: String? = nil, exitStatus: Int? = nil, timeout: Double? = nil
) -> PostureRule {
    PostureRule(
        kind: kind, target: target, argv: argv, op: op, value: value, capture: capture, files: files,
        exitStatus: exitStatus, timeoutSeconds: timeout)
}

/// Evaluates one rule on the live system with file rules rooted at `root` (and /proc, /sys from `systemRoot`).
func evaluate(_ rule: PostureRule, root: TemporaryDirectory? = nil, systemRoot: TemporaryDirectory? = nil) async
    -> RuleOutcome
{
    let system = LiveSystem(
        systemTree: systemRoot.map { FileTree(root: $0.url) } ?? FileTree(),
        fileTree: root.map { FileTree(root: $0.url) } ?? FileTree(), logger: testLogger)
    return await RuleEvaluator(system: system).evaluate(rule)
}

/// Evaluates one rule against recorded facts.
func evaluate(_ rule: PostureRule, snapshot: PostureSnapshot) async -> RuleOutcome {
    await RuleEvaluator(system: RecordedSystem(snapshot: snapshot)).evaluate(rule)
}

extension RuleOutcome {
    var status: String {
        switch self {
        case .pass: return "pass"
        case .fail: return "fail"
        case .error: return "error"
        }
    }
}

/// Sets a file's mode.
func chmod(_ url: URL, _ mode: Int) throws {
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
}

/// A TCP or UDP socket bound on 127.0.0.1 at a free port, closed by `close()`.
final class BoundSocket {
    let fd: Int32
    let port: Int

    init(udp: Bool = false) throws {
        (fd, port) = try FreePort.bind(udp: udp)
        if !udp { _ = listen(fd, 4) }
    }

    func close() { _ = Glibc.close(fd) }
}
