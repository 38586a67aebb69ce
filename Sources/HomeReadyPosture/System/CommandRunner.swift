import Foundation
import Synchronization

/// What a command printed and how it ended.
public struct CommandOutput: Codable, Sendable, Equatable {
    /// The argument vector that ran.
    public var argv: [String]
    /// Exit status; `nil` when the command was killed (timeout) or could not start.
    public var exitStatus: Int?
    /// Standard output followed by standard error, cut at the output cap.
    public var output: String
    /// Whether the output was cut at the cap.
    public var truncated: Bool
    /// Whether the command was killed at its timeout.
    public var timedOut: Bool

    public init(argv: [String], exitStatus: Int?, output: String, truncated: Bool = false, timedOut: Bool = false) {
        self.argv = argv
        self.exitStatus = exitStatus
        self.output = output
        self.truncated = truncated
        self.timedOut = timedOut
    }

    enum CodingKeys: String, CodingKey {
        case argv
        case exitStatus = "exit_status"
        case output, truncated
        case timedOut = "timed_out"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        argv = try container.decode([String].self, forKey: .argv)
        exitStatus = try container.decodeIfPresent(Int.self, forKey: .exitStatus)
        output = try container.decodeIfPresent(String.self, forKey: .output) ?? ""
        truncated = try container.decodeIfPresent(Bool.self, forKey: .truncated) ?? false
        timedOut = try container.decodeIfPresent(Bool.self, forKey: .timedOut) ?? false
    }
}

/// Runs programs without a shell, each with a timeout and an output cap.
public struct CommandRunner: Sendable {
    /// Default time a command may run.
    public static let defaultTimeout: Double = 10
    /// The longest time a rule may ask for.
    public static let maximumTimeout: Double = 60
    /// Bytes of output kept per command.
    public static let defaultOutputCap = 64 * 1024

    /// Directories searched for a program named without a slash.
    public var searchPath: [String]
    /// Bytes of output kept; the rest is drained and dropped.
    public var outputCap: Int

    public init(
        searchPath: [String] = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"],
        outputCap: Int = CommandRunner.defaultOutputCap
    ) {
        self.searchPath = searchPath
        self.outputCap = outputCap
    }

    /// The full path of a program, or `nil` when it is not installed.
    public func resolve(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        for directory in searchPath {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `argv` with standard input closed, `LC_ALL=C`, and the given environment additions. A command that
    /// outlives `timeout` is terminated (then killed) and reported with `timedOut`; output past the cap is
    /// drained and dropped. Throws only when the program cannot be found or started.
    public func run(
        _ argv: [String], timeout: Double = CommandRunner.defaultTimeout, environment: [String: String] = [:]
    )
        async throws(PostureError) -> CommandOutput
    {
        guard let program = argv.first, !program.isEmpty else {
            throw .commandFailed("(empty)", "the argument vector is empty")
        }
        guard let executable = resolve(program) else {
            throw .commandFailed(program, "not found in \(searchPath.joined(separator: ":"))")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(argv.dropFirst())
        var env = ["PATH": searchPath.joined(separator: ":"), "LC_ALL": "C", "LANG": "C"]
        if let home = ProcessInfo.processInfo.environment["HOME"] { env["HOME"] = home }
        env.merge(environment) { $1 }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let collector = OutputCollector(cap: outputCap)
        do {
            try process.run()
        } catch {
            throw .commandFailed(program, "\(error)")
        }
        try? pipe.fileHandleForWriting.close()
        let reader = pipe.fileHandleForReading
        let thread = Thread {
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                collector.append(chunk)
            }
            collector.finish()
        }
        thread.start()

        let limit = min(max(timeout, 0.05), Self.maximumTimeout)
        let deadline = Date().addingTimeInterval(limit)
        var timedOut = false
        while process.isRunning {
            if Date() >= deadline {
                timedOut = true
                // Children the command started would keep running (and hold the output pipe): kill them too.
                for child in Self.descendants(of: process.processIdentifier) { kill(child, SIGKILL) }
                process.terminate()
                let grace = Date().addingTimeInterval(0.5)
                while process.isRunning && Date() < grace { try? await Task.sleep(nanoseconds: 10_000_000) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        process.waitUntilExit()
        // A grandchild may hold the pipe open: wait briefly for the end of output, never forever.
        let drain = Date().addingTimeInterval(0.3)
        while !collector.isFinished && Date() < drain { try? await Task.sleep(nanoseconds: 5_000_000) }
        let (data, truncated) = collector.snapshot()
        let status: Int? =
            timedOut || process.terminationReason == .uncaughtSignal ? nil : Int(process.terminationStatus)
        return CommandOutput(
            argv: argv, exitStatus: status, output: String(decoding: data, as: UTF8.self), truncated: truncated,
            timedOut: timedOut)
    }
}

extension CommandRunner {
    /// Every process below `pid` in the process tree, from `/proc/PID/stat` parent ids (Linux; empty elsewhere).
    static func descendants(of pid: Int32) -> [Int32] {
        var parents: [Int32: Int32] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { parents[child] = parent }
        }
        var result: [Int32] = []
        var frontier = [pid]
        while let current = frontier.popLast() {
            for (child, parent) in parents where parent == current && !result.contains(child) {
                result.append(child)
                frontier.append(child)
            }
        }
        return result
    }
}

/// Collects a child's output up to a cap, from the reader thread.
private final class OutputCollector: Sendable {
    private struct State {
        var data = Data()
        var truncated = false
        var finished = false
    }

    private let state = Mutex(State())
    private let cap: Int

    init(cap: Int) { self.cap = cap }

    func append(_ chunk: Data) {
        state.withLock { state in
            let room = cap - state.data.count
            if room >= chunk.count {
                state.data.append(chunk)
            } else {
                if room > 0 { state.data.append(chunk.prefix(room)) }
                state.truncated = true
            }
        }
    }

    func finish() {
        state.withLock { $0.finished = true }
    }

    var isFinished: Bool { state.withLock { $0.finished } }

    func snapshot() -> (Data, Bool) {
        state.withLock { ($0.data, $0.truncated) }
    }
}
