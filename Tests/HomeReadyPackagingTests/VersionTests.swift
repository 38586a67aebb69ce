import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Testing

/// One version, from `HomeReadyVersion.current`, in both programs and in `Scripts/package`.
@Suite("One version number")
struct VersionTests {
    static func program(_ name: String) throws -> String {
        let path = TestEnvironment.productsDirectory.appendingPathComponent(name).path
        try TestEnvironment.require(
            FileManager.default.isExecutableFile(atPath: path)
                ? nil : "\(path) is not built (HOMEREADY_AGENT_ONLY=1 leaves the server out)")
        return path
    }

    @Test("homeready --version and homeready-server --version print HomeReadyVersion.current")
    func bothProgramsPrintTheVersion() throws {
        for name in ["homeready", "homeready-server"] {
            let result = try Subprocess.run([try Self.program(name), "--version"])
            #expect(result.status == 0)
            #expect(result.stdout == "\(HomeReadyVersion.current)\n", "\(name): \(result.stdout)")
        }
    }

    @Test("Scripts/package reads the version from the file that declares it")
    func packageScriptReadsTheDeclaration() throws {
        // The line Scripts/package's sed reads; a reworded declaration must change the script too.
        let source = try String(
            contentsOf: TestEnvironment.packageRoot.appendingPathComponent("Sources/HomeReadyModel/HomeReadyVersion.swift"),
            encoding: .utf8)
        #expect(source.contains("    public static let current = \"\(HomeReadyVersion.current)\"\n"))
        let script = try String(
            contentsOf: TestEnvironment.packageRoot.appendingPathComponent("Scripts/package"), encoding: .utf8)
        #expect(script.contains(#"sed -n 's/^ *public static let current = "\([^"]*\)".*/\1/p' "$version_file""#))
    }

    @Test("every homeready-server subcommand takes the database from HOMEREADY_DB when --db is absent")
    func serverReadsTheDatabaseFromTheEnvironment() throws {
        let server = try Self.program("homeready-server")
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let database = dir.url.appendingPathComponent("from-env.sqlite")
        let migrate = try Subprocess.run(
            [server, "migrate", "--log-level", "warning"], environment: ["HOMEREADY_DB": "sqlite:\(database.path)"])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(FileManager.default.fileExists(atPath: database.path))
        let backup = dir.url.appendingPathComponent("copy.sqlite")
        let copy = try Subprocess.run(
            [server, "backup", "--to", backup.path, "--log-level", "warning"],
            environment: ["HOMEREADY_DB": "sqlite:\(database.path)"])
        #expect(copy.status == 0, "\(copy.stderr)")
        #expect(FileManager.default.fileExists(atPath: backup.path))
        // --db still wins, and a bad value says what to give without echoing a password.
        let bad = try Subprocess.run(
            [server, "migrate", "--db", "mysql://root:s3cret@db/x"], environment: ["HOMEREADY_DB": "sqlite:\(database.path)"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("sqlite:PATH"), "\(bad.stderr)")
        #expect(!bad.stderr.contains("s3cret"), "\(bad.stderr)")
    }
}
