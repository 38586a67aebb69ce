import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyPosture

@Suite("file and directory rules on real files")
struct FileRuleTests {
    @Test func existsAndNotExists() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try root.write("etc/present.conf", "x\n")
        #expect(await evaluate(rule(.file, "/etc/present.conf", .exists), root: root).status == "pass")
        #expect(await evaluate(rule(.file, "/etc/absent.conf", .exists), root: root).status == "fail")
        #expect(await evaluate(rule(.file, "/etc/absent.conf", .notExists), root: root).status == "pass")
        #expect(await evaluate(rule(.file, "/etc/present.conf", .notExists), root: root).status == "fail")
    }

    @Test func matchesReportsTheMatchingLine() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try root.write("etc/ssh/sshd_config", "# comment\nPort 22\nPermitRootLogin no\n")
        let pass = await evaluate(
            rule(.file, "/etc/ssh/sshd_config", .matches, #"^\s*PermitRootLogin\s+no"#), root: root)
        #expect(pass == .pass("/etc/ssh/sshd_config:3: PermitRootLogin no"))
        let fail = await evaluate(
            rule(.file, "/etc/ssh/sshd_config", .notMatches, #"^PermitRootLogin\s+no"#), root: root)
        #expect(fail == .fail("/etc/ssh/sshd_config:3: PermitRootLogin no"))
        #expect(
            await evaluate(rule(.file, "/etc/ssh/sshd_config", .matches, "^PasswordAuthentication"), root: root).status
                == "fail")
        // A missing file holds no line: `matches` fails, `not_matches` passes.
        #expect(await evaluate(rule(.file, "/etc/missing", .matches, "x"), root: root).status == "fail")
        #expect(await evaluate(rule(.file, "/etc/missing", .notMatches, "x"), root: root).status == "pass")
    }

    @Test func containsEqualsAndCaptureComparisons() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try root.write("etc/login.defs", "PASS_MAX_DAYS\t90\nPASS_MIN_LEN 12\nUMASK 027\n")
        try root.write("sys/value", "1\n")
        let defs = "/etc/login.defs"
        #expect(await evaluate(rule(.file, defs, .contains, "UMASK 027"), root: root).status == "pass")
        #expect(await evaluate(rule(.file, defs, .notContains, "UMASK 022"), root: root).status == "pass")
        #expect(await evaluate(rule(.file, defs, .contains, "UMASK 022"), root: root).status == "fail")
        #expect(await evaluate(rule(.file, "/sys/value", .equals, "1"), root: root).status == "pass")
        #expect(await evaluate(rule(.file, "/sys/value", .notEquals, "1"), root: root).status == "fail")
        let capture = #"^PASS_MAX_DAYS\s+(\d+)"#
        #expect(
            await evaluate(rule(.file, defs, .lessOrEqual, "90", capture: capture), root: root)
                == .pass("/etc/login.defs:1: PASS_MAX_DAYS\t90 (<= 90)"))
        #expect(await evaluate(rule(.file, defs, .lessThan, "90", capture: capture), root: root).status == "fail")
        #expect(await evaluate(rule(.file, defs, .numericEqual, "90", capture: capture), root: root).status == "pass")
        #expect(await evaluate(rule(.file, defs, .greaterOrEqual, "91", capture: capture), root: root).status == "fail")
        #expect(await evaluate(rule(.file, defs, .greaterThan, "30", capture: capture), root: root).status == "pass")
        #expect(
            await evaluate(rule(.file, defs, .equals, "027", capture: #"^UMASK\s+(\S+)"#), root: root).status == "pass")
        // No line for the capture: comparison fails; the whole text not a number: error with the reason.
        #expect(await evaluate(rule(.file, defs, .lessThan, "5", capture: "^NOPE (\\d+)"), root: root).status == "fail")
        let notNumber = await evaluate(rule(.file, defs, .lessThan, "5"), root: root)
        #expect(notNumber.status == "error")
        #expect(notNumber.evidence.contains("not a number"))
    }

    @Test func versionComparisonsOnCapturedValues() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try root.write("opt/agent/VERSION", "agent 7.10.2\n")
        let capture = #"agent (\S+)"#
        #expect(
            await evaluate(rule(.file, "/opt/agent/VERSION", .versionAtLeast, "7.9", capture: capture), root: root)
                .status == "pass")
        #expect(
            await evaluate(rule(.file, "/opt/agent/VERSION", .versionLessThan, "7.9", capture: capture), root: root)
                .status == "fail")
        #expect(
            await evaluate(
                rule(.file, "/opt/agent/VERSION", .versionLessOrEqual, "7.10.2", capture: capture), root: root
            ).status == "pass")
        #expect(
            await evaluate(
                rule(.file, "/opt/agent/VERSION", .versionGreaterThan, "7.10.2", capture: capture), root: root
            ).status == "fail")
    }

    @Test func modeAndOwner() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let shadow = try root.write("etc/shadow", "root:*:1::::::\n")
        try root.write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nagent:x:4242:4242::/home/agent:/bin/sh\n")
        try root.write("etc/group", "root:x:0:\nshadowish:x:4343:\n")
        try chmod(shadow, 0o640)
        #expect(
            await evaluate(rule(.file, "/etc/shadow", .modeAtMost, "0640"), root: root)
                == .pass("/etc/shadow mode 0640"))
        #expect(
            await evaluate(rule(.file, "/etc/shadow", .modeAtMost, "0600"), root: root)
                == .fail("/etc/shadow mode 0640, more than 0600"))
        try chmod(shadow, 0o4600)
        #expect(await evaluate(rule(.file, "/etc/shadow", .modeAtMost, "0755"), root: root).status == "fail")
        #expect(await evaluate(rule(.file, "/etc/nothing", .modeAtMost, "0755"), root: root).status == "fail")
        let uid = Int(geteuid())
        let gid = Int(getegid())
        #expect(await evaluate(rule(.file, "/etc/shadow", .ownedBy, "\(uid)"), root: root).status == "pass")
        #expect(await evaluate(rule(.file, "/etc/shadow", .ownedBy, "\(uid):\(gid)"), root: root).status == "pass")
        #expect(await evaluate(rule(.file, "/etc/shadow", .ownedBy, "4242"), root: root).status == "fail")
        if TestEnvironment.isRoot {
            // Names come from the tree's own passwd and group files.
            chown(shadow.path, 4242, 4343)
            #expect(
                await evaluate(rule(.file, "/etc/shadow", .ownedBy, "agent:shadowish"), root: root)
                    == .pass("/etc/shadow owned by agent:shadowish"))
            #expect(await evaluate(rule(.file, "/etc/shadow", .ownedBy, "root"), root: root).status == "fail")
        } else {
            try TestEnvironment.skip(because: "chown needs root")
        }
    }

    @Test func directoryRules() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try root.write("etc/ssh/sshd_config.d/10-base.conf", "X11Forwarding no\n")
        try root.write("etc/ssh/sshd_config.d/50-root.conf", "PermitRootLogin yes\n")
        try root.write("etc/ssh/sshd_config.d/README", "PermitRootLogin yes is bad\n")
        let dir = "/etc/ssh/sshd_config.d"
        #expect(await evaluate(rule(.directory, dir, .exists), root: root).status == "pass")
        #expect(await evaluate(rule(.directory, "/etc/nope", .exists), root: root).status == "fail")
        #expect(await evaluate(rule(.directory, "/etc/nope", .notExists), root: root).status == "pass")
        #expect(await evaluate(rule(.directory, dir, .contains, "10-base.conf"), root: root).status == "pass")
        #expect(await evaluate(rule(.directory, dir, .notContains, "10-base.conf"), root: root).status == "fail")
        let hit = await evaluate(
            rule(.directory, dir, .notMatches, #"^PermitRootLogin\s+yes"#, files: #"\.conf$"#), root: root)
        #expect(hit == .fail("/etc/ssh/sshd_config.d/50-root.conf:1: PermitRootLogin yes"))
        #expect(await evaluate(rule(.directory, dir, .matches, "^X11Forwarding no"), root: root).status == "pass")
        #expect(await evaluate(rule(.directory, dir, .matches, "^Banner"), root: root).status == "fail")
        try chmod(root.url.appendingPathComponent("etc/ssh/sshd_config.d"), 0o755)
        #expect(await evaluate(rule(.directory, dir, .modeAtMost, "0755"), root: root).status == "pass")
        #expect(await evaluate(rule(.directory, dir, .modeAtMost, "0700"), root: root).status == "fail")
        #expect(await evaluate(rule(.directory, dir, .ownedBy, "\(geteuid())"), root: root).status == "pass")
    }

    @Test func unreadableFileIsAnErrorNotACrash() async throws {
        guard !TestEnvironment.isRoot else {
            // Root reads everything; prove instead that a bad regex in an unchecked rule is an error.
            let root = try TemporaryDirectory()
            defer { root.remove() }
            try root.write("etc/x", "a\n")
            let outcome = await evaluate(rule(.file, "/etc/x", .matches, "(unclosed"), root: root)
            #expect(outcome.status == "error")
            #expect(outcome.evidence.contains("not a valid regular expression"))
            return
        }
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let secret = try root.write("etc/secret", "a\n")
        try chmod(secret, 0o000)
        #expect(await evaluate(rule(.file, "/etc/secret", .matches, "a"), root: root).status == "error")
    }
}
