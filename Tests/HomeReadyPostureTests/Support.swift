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
        let fd = socket(AF_INET, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket failed") }
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw TestSupportError("bind failed") }
        if !udp { _ = listen(fd, 4) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(fd) }
}
