import Foundation
import HomeReadyTestSupport
import Testing

/// `Scripts/package` refuses bad input with a message that says what to do, before building anything.
@Suite("Scripts/package errors")
struct PackageScriptTests {
    static let script = TestEnvironment.packageRoot.appendingPathComponent("Scripts/package").path

    @Test("a missing tool is named with the Debian package that brings it")
    func missingToolNamesItsPackage() throws {
        // A PATH with every program of this machine but dpkg-shlibdeps.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let fm = FileManager.default
        for folder in ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
            for name in (try? fm.contentsOfDirectory(atPath: folder)) ?? [] where name != "dpkg-shlibdeps" {
                try? fm.createSymbolicLink(atPath: dir.path + "/" + name, withDestinationPath: folder + "/" + name)
            }
        }
        let swiftFolder = (try? Subprocess.executableURL("swift"))?.deletingLastPathComponent().path ?? "/opt/swift/usr/bin"
        let result = try Subprocess.run(
            [Self.script, "--output", dir.url.appendingPathComponent("out").path],
            environment: ["PATH": "\(dir.path):\(swiftFolder)"])
        #expect(result.status == 2)
        #expect(
            result.stderr.contains(
                "dpkg-shlibdeps is missing: it comes with the Debian package dpkg-dev; run Scripts/bootstrap, or as root: "
                    + "apt-get install --no-install-recommends dpkg-dev"), "\(result.stderr)")
        #expect(!result.stderr.contains("release build"), "nothing may be built before the tools are checked")
    }

    @Test("unknown options and a missing folder say what to give")
    func badOptions() throws {
        let unknown = try Subprocess.run([Self.script, "--outptu", "dist"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("package: unknown option --outptu (options: --output DIR, --skip-build, "))
        let configuration = try Subprocess.run([Self.script, "--configuration", "fast"])
        #expect(configuration.status == 2)
        #expect(configuration.stderr.contains("--configuration needs release or debug"))
        let missing = try Subprocess.run([Self.script, "--output"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--output needs a folder"))
        let help = try Subprocess.run([Self.script, "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("homeready-server_VERSION_amd64.deb"))
    }
}
