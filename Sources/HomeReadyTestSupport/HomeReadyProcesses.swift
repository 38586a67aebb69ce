import Foundation

/// A real `homeready-server` process on SQLite for end-to-end tests, restartable on the same port and database.
public final class HomeReadyServerProcess: @unchecked Sendable {
    public let directory: URL
    public let port: Int
    public let database: String
    public let extraArguments: [String]
    public private(set) var process: BackgroundProcess?
    /// `http://127.0.0.1:PORT` (or `https://` with TLS arguments).
    public var url: String { (extraArguments.contains("--tls-cert") ? "https" : "http") + "://127.0.0.1:\(port)" }

    public static var executable: String { TestEnvironment.productsDirectory.appendingPathComponent("homeready-server").path }

    /// Migrates a fresh SQLite database in `directory` and picks a free port; call `start()` to serve.
    public init(directory: URL, extraArguments: [String] = []) throws {
        self.directory = directory
        self.port = try FreePort.tcp()
        self.database = "sqlite:" + directory.appendingPathComponent("inventory.sqlite").path
        self.extraArguments = extraArguments
        try run(["migrate"])
    }

    /// Runs a `homeready-server` subcommand against this database; returns its standard output.
    @discardableResult
    public func run(_ arguments: [String]) throws -> String {
        let result = try Subprocess.run([Self.executable] + arguments.prefix(1) + ["--db", database] + arguments.dropFirst())
        guard result.status == 0 else {
            throw TestSupportError("homeready-server \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts serving and waits until the port accepts connections.
    public func start() throws {
        process = try Subprocess.start(
            [Self.executable, "serve", "--db", database, "--listen", "127.0.0.1:\(port)", "--log-level", "warning"]
                + extraArguments)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if LoopbackProbe.accepts(port: port) { return }
            if process?.isRunning == false { break }
            usleep(50_000)
        }
        throw TestSupportError("homeready-server did not start on port \(port): \(process?.log ?? "")")
    }

    /// Kills the server with SIGKILL (no graceful shutdown) and waits for it to be gone.
    public func kill9() {
        guard let process else { return }
        process.signal(SIGKILL)
        process.stop(grace: 0.1)
        self.process = nil
    }

    /// Stops the server gracefully.
    public func stop() {
        process?.stop()
        process = nil
    }

    /// Imports roster rows `employee_id,name` (optionally with more columns in `header`).
    public func importRoster(_ csv: String) throws {
        let file = directory.appendingPathComponent("roster-\(UUID().uuidString).csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        try run(["import-roster", file.path])
    }

    /// A one-time enrollment code for an employee.
    public func enrollmentCode(employeeID: String) throws -> String {
        try run(["enrollment-code", "--employee-id", employeeID])
    }

    deinit { process?.stop(grace: 0.5) }
}

/// Runs the built `homeready` agent with its state under one folder (`HOMEREADY_HOME`).
public struct HomeReadyAgentProcess: Sendable {
    public let home: URL

    public static var executable: String { TestEnvironment.productsDirectory.appendingPathComponent("homeready").path }

    public init(home: URL) {
        self.home = home
    }

    public var environment: [String: String] { ["HOMEREADY_HOME": home.path, "XDG_CONFIG_HOME": home.appendingPathComponent("xdg").path] }

    /// Runs `homeready ARGUMENTS` to completion.
    @discardableResult
    public func run(_ arguments: [String], timeout: Double = 120) throws -> ProcessOutput {
        try Subprocess.run([Self.executable] + arguments, environment: environment, timeout: timeout)
    }

    /// Reports waiting in the spool.
    public var pendingCount: Int {
        let spool = home.appendingPathComponent("state/spool")
        return ((try? FileManager.default.contentsOfDirectory(atPath: spool.path)) ?? []).filter { $0.hasSuffix(".report") }.count
    }

    /// Reports moved to `rejected/`.
    public var rejectedCount: Int {
        let folder = home.appendingPathComponent("state/spool/rejected")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".report") }.count
    }
}

/// Connection probes for the process helpers.
public enum LoopbackProbe {
    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
