import Foundation

/// The outcome of a finished child process.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs programs for tests: real peers (nginx, openssl, iperf3, ...) and the built executables.
public enum Subprocess {
    /// Runs `argv` to completion and captures its output. `argv[0]` is looked up on `PATH` unless it is a path.
    @discardableResult
    public static func run(
        _ argv: [String], environment: [String: String]? = nil, input: Data? = nil, timeout: Double = 120
    ) throws -> ProcessOutput {
        let process = Process()
        process.executableURL = try executableURL(argv[0])
        process.arguments = Array(argv.dropFirst())
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("hr-out-\(UUID().uuidString)")
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("hr-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(input)
            try? inputPipe.fileHandleForWriting.close()
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            usleep(200_000)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        return ProcessOutput(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    /// Starts a long-running peer; stop it with `BackgroundProcess.stop()`.
    public static func start(_ argv: [String], environment: [String: String]? = nil) throws -> BackgroundProcess {
        let process = Process()
        process.executableURL = try executableURL(argv[0])
        process.arguments = Array(argv.dropFirst())
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("hr-bg-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return BackgroundProcess(process: process, logURL: log)
    }

    /// Resolves a program name on `PATH` (and the sbin directories, where root tools live).
    public static func executableURL(_ name: String) throws -> URL {
        if name.contains("/") { return URL(fileURLWithPath: name) }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin:/usr/local/sbin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        throw TestSupportError("program \(name) not found on PATH; run Scripts/bootstrap to install test peers")
    }

    /// Whether a program is installed.
    public static func isInstalled(_ name: String) -> Bool {
        (try? executableURL(name)) != nil
    }
}

/// A child process running in the background for the duration of a test.
public final class BackgroundProcess: @unchecked Sendable {
    private let process: Process
    public let logURL: URL

    init(process: Process, logURL: URL) {
        self.process = process
        self.logURL = logURL
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// What the process printed so far.
    public var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM, then SIGKILL after a grace period, and waits for the exit.
    public func stop(grace: Double = 2) {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: logURL)
    }

    /// Sends a signal without waiting.
    public func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits up to `timeout` seconds for the process to exit; its exit status, or nil while it still runs.
    public func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// An error raised by test support code.
public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
