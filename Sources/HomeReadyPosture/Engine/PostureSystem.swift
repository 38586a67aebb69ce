import Foundation
import Logging

/// What the rule engine inspects: the live endpoint, or a recorded snapshot of one.
public protocol PostureSystem: Sendable {
    /// The tree `file` and `directory` rules read.
    func fileTree() throws(PostureError) -> FileTree
    /// The built-in facts.
    func facts() async -> FactSet
    /// Runs (or replays) a command rule's argument vector.
    func run(_ argv: [String], timeout: Double) async throws(PostureError) -> CommandOutput
    func processes() async throws(PostureError) -> [RunningProcess]
    /// The installed package named `name`, `nil` when it is not installed.
    func package(_ name: String) async throws(PostureError) -> InstalledPackage?
    /// A sysctl value, `nil` when the key does not exist.
    func sysctl(_ key: String) async throws(PostureError) -> String?
    func isModuleLoaded(_ name: String) async throws(PostureError) -> Bool
    func listening() async throws(PostureError) -> [ListeningSocket]
}

/// The live endpoint, reading each table once per run.
public actor LiveSystem: PostureSystem {
    private let systemTree: FileTree
    private let files: FileTree
    private let collector: FactCollector
    private let runner: CommandRunner
    private var cachedFacts: FactSet?
    private var cachedProcesses: [RunningProcess]?
    private var cachedPackages: [String: InstalledPackage]??
    private var cachedModules: Set<String>?
    private var cachedSockets: [ListeningSocket]?

    /// A live system: `systemTree` for `/proc`, `/sys`, `/etc` facts, `fileTree` for file rules (`--root`).
    public init(
        systemTree: FileTree = FileTree(), fileTree: FileTree = FileTree(), runner: CommandRunner = CommandRunner(),
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger
    ) {
        self.systemTree = systemTree
        self.files = fileTree
        self.runner = runner
        self.collector = FactCollector(tree: systemTree, runner: runner, environment: environment, logger: logger)
    }

    public nonisolated func fileTree() throws(PostureError) -> FileTree { files }

    public func facts() async -> FactSet {
        if let cachedFacts { return cachedFacts }
        let processes = try? await self.processes()
        let packages = try? dpkgPackages()
        let facts = await collector.collect(processes: processes, packages: packages)
        cachedFacts = facts
        return facts
    }

    public func run(_ argv: [String], timeout: Double) async throws(PostureError) -> CommandOutput {
        try await runner.run(argv, timeout: timeout)
    }

    public func processes() async throws(PostureError) -> [RunningProcess] {
        if let cachedProcesses { return cachedProcesses }
        let list = ProcessTable.list(in: systemTree)
        cachedProcesses = list
        return list
    }

    private func dpkgPackages() throws(PostureError) -> [String: InstalledPackage]? {
        if let cachedPackages { return cachedPackages }
        let packages = try PackageDatabase.dpkgPackages(in: systemTree)
        cachedPackages = .some(packages)
        return packages
    }

    public func package(_ name: String) async throws(PostureError) -> InstalledPackage? {
        if let packages = try dpkgPackages() { return packages[name] }
        if runner.resolve("rpm") != nil { return try await PackageDatabase.rpmPackage(name, runner: runner) }
        throw .notRecorded("package database (neither dpkg's \(PackageDatabase.dpkgStatus) nor rpm was found)")
    }

    public func sysctl(_ key: String) async throws(PostureError) -> String? {
        try KernelState.sysctl(key, in: systemTree)
    }

    public func isModuleLoaded(_ name: String) async throws(PostureError) -> Bool {
        let loaded = cachedModules ?? KernelState.loadedModules(in: systemTree)
        cachedModules = loaded
        return KernelState.isModuleLoaded(name, in: systemTree, loaded: loaded)
    }

    public func listening() async throws(PostureError) -> [ListeningSocket] {
        if let cachedSockets { return cachedSockets }
        let sockets = ListeningSockets.list(in: systemTree)
        cachedSockets = sockets
        return sockets
    }
}

/// A snapshot recorded by `homeready facts --all` (or written by hand), for `--facts FILE` runs.
public struct RecordedSystem: PostureSystem {
    /// What was recorded.
    public var snapshot: PostureSnapshot
    /// The prepared tree for file rules (`--root`); file rules are errors without one.
    public var files: FileTree?

    public init(snapshot: PostureSnapshot, files: FileTree? = nil) {
        self.snapshot = snapshot
        self.files = files
    }

    public func fileTree() throws(PostureError) -> FileTree {
        guard let files else {
            throw .notRecorded("files; pass --root DIR with a prepared tree to evaluate file rules")
        }
        return files
    }

    public func facts() async -> FactSet { snapshot.facts }

    public func run(_ argv: [String], timeout: Double) async throws(PostureError) -> CommandOutput {
        guard let output = snapshot.commands?.first(where: { $0.argv == argv }) else {
            throw .notRecorded("output for the command \(argv.joined(separator: " ")) (add it under `commands`)")
        }
        return output
    }

    public func processes() async throws(PostureError) -> [RunningProcess] {
        guard let processes = snapshot.processes else { throw .notRecorded("process list (`processes`)") }
        return processes
    }

    public func package(_ name: String) async throws(PostureError) -> InstalledPackage? {
        guard let packages = snapshot.packages else { throw .notRecorded("package list (`packages`)") }
        return packages[name]
    }

    public func sysctl(_ key: String) async throws(PostureError) -> String? {
        guard let table = snapshot.sysctl else { throw .notRecorded("sysctl values (`sysctl`)") }
        return table[key.replacingOccurrences(of: "/", with: ".")]
    }

    public func isModuleLoaded(_ name: String) async throws(PostureError) -> Bool {
        guard let modules = snapshot.kernelModules else { throw .notRecorded("kernel module list (`kernel_modules`)") }
        return modules.contains(name.replacingOccurrences(of: "-", with: "_"))
    }

    public func listening() async throws(PostureError) -> [ListeningSocket] {
        guard let sockets = snapshot.listening else { throw .notRecorded("listening sockets (`listening`)") }
        return sockets
    }
}
