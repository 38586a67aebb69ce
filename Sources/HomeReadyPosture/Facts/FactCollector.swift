import Foundation
import Logging

/// Collects the built-in facts of this endpoint (what `homeready facts` prints).
public struct FactCollector: Sendable {
    /// The system tree read for `/proc`, `/sys` and `/etc` (a prepared directory in tests).
    public var tree: FileTree
    public var runner: CommandRunner
    /// The environment of the user running the check (`USER`, `SUDO_USER`, session bus).
    public var environment: [String: String]
    /// Whether to run commands (firewall, screen lock); off for prepared trees.
    public var runsCommands: Bool
    public var logger: Logger

    public init(
        tree: FileTree = FileTree(), runner: CommandRunner = CommandRunner(),
        environment: [String: String] = ProcessInfo.processInfo.environment, runsCommands: Bool = true, logger: Logger
    ) {
        self.tree = tree
        self.runner = runner
        self.environment = environment
        self.runsCommands = runsCommands
        self.logger = logger
    }

    /// Every built-in fact this machine can tell. A collector that cannot tell leaves its facts out.
    public func collect(processes: [RunningProcess]? = nil, packages: [String: InstalledPackage]? = nil) async
        -> FactSet
    {
        let started = Date()
        var facts = SystemFacts.collect(in: tree)
        facts.merge(DiskFacts.collect(in: tree)) { $1 }
        let processList = processes ?? ProcessTable.list(in: tree)
        facts.merge(
            await EDRCatalog.collect(processes: processList, tree: tree, runner: runner, runsCommands: runsCommands)
        ) { $1 }
        let packageList = packages ?? (try? PackageDatabase.dpkgPackages(in: tree))
        facts.merge(UpdateFacts.collect(in: tree, packages: packageList)) { $1 }
        facts.merge(NetworkFacts.collect(in: tree)) { $1 }
        facts.merge(PeripheralFacts.collect(in: tree)) { $1 }
        let user = environment["USER"] ?? environment["LOGNAME"] ?? (geteuid() == 0 ? "root" : "uid \(geteuid())")
        facts["user.name"] = .text(user)
        if runsCommands {
            facts.merge(await FirewallFacts.collect(in: tree, runner: runner)) { $1 }
            facts.merge(await ScreenLockFacts.collect(runner: runner, environment: environment, tree: tree)) { $1 }
        } else if let ufw = FirewallFacts.ufwState(in: tree) {
            facts.merge(ufw.facts) { $1 }
        }
        logger.debug(
            "posture.facts.collected",
            metadata: ["facts.count": "\(facts.count)", "facts.ms": "\(Int(Date().timeIntervalSince(started) * 1000))"])
        return facts
    }

    /// A snapshot for `--facts` runs: facts, and with `all` the process, package, sysctl, module and socket tables.
    public func snapshot(all: Bool) async -> PostureSnapshot {
        let processes = ProcessTable.list(in: tree)
        let packages = (try? PackageDatabase.dpkgPackages(in: tree))
        var snapshot = PostureSnapshot(
            collectedAt: Date(), facts: await collect(processes: processes, packages: packages))
        if all {
            snapshot.processes = processes
            snapshot.packages = packages
            snapshot.sysctl = sysctlTable()
            snapshot.kernelModules = KernelState.loadedModules(in: tree).sorted()
            snapshot.listening = ListeningSockets.list(in: tree)
        }
        return snapshot
    }

    /// Every readable key under `/proc/sys` (at most 10 000).
    func sysctlTable() -> [String: String] {
        var result: [String: String] = [:]
        var pending = [""]
        while let relative = pending.popLast(), result.count < 10_000 {
            let directory = "/proc/sys" + relative
            for entry in tree.list(directory) ?? [] {
                let path = "\(relative)/\(entry)"
                if tree.isDirectory("/proc/sys\(path)") {
                    pending.append(path)
                } else if let status = tree.status("/proc/sys\(path)"), status.mode & 0o444 != 0,
                    let value = try? KernelState.sysctl(String(path.dropFirst()), in: tree)
                {
                    result[path.dropFirst().replacingOccurrences(of: "/", with: ".")] = value
                }
            }
        }
        return result
    }
}
