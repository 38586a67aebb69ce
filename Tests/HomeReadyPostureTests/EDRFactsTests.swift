import Foundation
import HomeReadyTestSupport
import Testing

@testable import HomeReadyPosture

/// Writes a process into a `/proc`-like tree: its name, command line, `exe` link and cgroup.
private func process(
    _ tree: TemporaryDirectory, _ pid: Int, _ name: String, exe: String? = nil, cgroup: String? = nil
) throws {
    try tree.write("proc/\(pid)/comm", name + "\n")
    try tree.write("proc/\(pid)/cmdline", (exe ?? name) + "\0")
    if let exe {
        try FileManager.default.createSymbolicLink(
            atPath: tree.url.appendingPathComponent("proc/\(pid)/exe").path, withDestinationPath: exe)
    }
    if let cgroup { try tree.write("proc/\(pid)/cgroup", "0::\(cgroup)\n") }
}

private func edrFacts(_ tree: TemporaryDirectory, runner: CommandRunner = CommandRunner(), commands: Bool = false)
    async -> FactSet
{
    let files = FileTree(root: tree.url)
    return await EDRCatalog.collect(
        processes: ProcessTable.list(in: files), tree: files, runner: runner, runsCommands: commands)
}

@Suite("EDR facts")
struct EDRFactsTests {
    @Test func processNameAloneIsNotCounted() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try process(
            tree, 812, "falcon-sensor", exe: "/tmp/falcon-sensor", cgroup: "/user.slice/user-1000.slice/session-2.scope"
        )
        let facts = await edrFacts(tree)
        #expect(facts["edr.running"] == .list([]))
        #expect(facts["edr.any_running"] == .flag(false))
        #expect(
            facts["edr.unconfirmed"]
                == .list([
                    "CrowdStrike Falcon (falcon-sensor) pid 812: executable /tmp/falcon-sensor, no unit, "
                        + "none of falcon-sensor.service active"
                ]))
        #expect(facts["edr.evidence"]?.description.contains("not counted") == true)
    }

    @Test func aUserUnitNamedLikeTheServiceDoesNotCount() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try process(
            tree, 900, "falcon-sensor", exe: "/home/eve/falcon-sensor",
            cgroup: "/user.slice/user-1000.slice/user@1000.service/app.slice/falcon-sensor.service")
        #expect(await edrFacts(tree)["edr.any_running"] == .flag(false))
    }

    @Test func processInItsActiveUnitCounts() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try process(
            tree, 812, "falcon-sensor", exe: "/usr/local/falcon/sensor", cgroup: "/system.slice/falcon-sensor.service")
        let facts = await edrFacts(tree)
        #expect(facts["edr.running"] == .list(["CrowdStrike Falcon (falcon-sensor)"]))
        #expect(facts["edr.any_running"] == .flag(true))
        #expect(facts["edr.unconfirmed"] == .list([]))
        #expect(
            facts["edr.evidence"] == .text("CrowdStrike Falcon (falcon-sensor): pid 812 runs in falcon-sensor.service"))
    }

    @Test func processWithActiveUnitListedByTheSystemManagerCounts() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try process(tree, 77, "wdavdaemon")
        try FileManager.default.createDirectory(
            at: tree.url.appendingPathComponent("run/systemd/units"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: tree.url.appendingPathComponent("run/systemd/units/invocation:mdatp.service").path,
            withDestinationPath: "0123456789abcdef0123456789abcdef")
        let facts = await edrFacts(tree)
        #expect(facts["edr.running"] == .list(["Microsoft Defender for Endpoint (wdavdaemon)"]))
        #expect(facts["edr.evidence"]?.description.contains("mdatp.service active") == true)
    }

    @Test func processRunningTheProductBinaryCounts() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try process(tree, 812, "falcon-sensor", exe: "/opt/CrowdStrike/falcon-sensor")
        try process(tree, 1200, "clamd", exe: "/usr/sbin/clamd (deleted)")
        try process(tree, 1300, "osqueryd", exe: "/home/eve/osqueryd")
        let facts = await edrFacts(tree)
        #expect(facts["edr.running"] == .list(["CrowdStrike Falcon (falcon-sensor)", "ClamAV (clamd)"]))
        #expect(facts["edr.any_running"] == .flag(true))
        #expect(
            facts["edr.unconfirmed"]
                == .list([
                    "osquery (osqueryd) pid 1300: executable /home/eve/osqueryd, no unit, none of osqueryd.service active"
                ]))
    }

    @Test func templateUnitInstancesBelongToTheProduct() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try process(
            tree, 5, "clamd", exe: "/opt/clam/clamd", cgroup: "/system.slice/system-clamd.slice/clamd@scan.service")
        #expect(await edrFacts(tree)["edr.running"] == .list(["ClamAV (clamd)"]))
        #expect(EDRCatalog.products.last?.owns(unit: "clamd@.service") == true)
        #expect(EDRCatalog.products.last?.owns(unit: "clamdx.service") == false)
    }

    @Test func systemctlIsAskedOnlyWhenSystemdRuns() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try process(tree, 40, "s1-agent")
        let systemctl = try tree.write(
            "bin/systemctl",
            "#!/bin/sh\n[ \"$2\" = sentinelone.service ] && { echo active; exit 0; }\necho inactive; exit 3\n")
        try chmod(systemctl, 0o755)
        let runner = CommandRunner(searchPath: [tree.url.appendingPathComponent("bin").path])
        #expect(await edrFacts(tree, runner: runner, commands: true)["edr.any_running"] == .flag(false))
        try FileManager.default.createDirectory(
            at: tree.url.appendingPathComponent("run/systemd/system"), withIntermediateDirectories: true)
        #expect(await edrFacts(tree, runner: runner, commands: false)["edr.any_running"] == .flag(false))
        #expect(
            await edrFacts(tree, runner: runner, commands: true)["edr.running"] == .list(["SentinelOne (s1-agent)"]))
    }

    @Test func noEdrSaysSo() async throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try process(tree, 1, "systemd")
        let facts = await edrFacts(tree)
        #expect(facts["edr.any_running"] == .flag(false))
        #expect(facts["edr.evidence"] == .text("no known EDR process runs"))
    }
}
