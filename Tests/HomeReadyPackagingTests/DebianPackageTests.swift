import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Testing

/// `Scripts/package` builds both Debian packages once (release, `--static-swift-stdlib`; under `Scripts/test` the
/// debug build relinked the same way, `HOMEREADY_TEST_PACKAGES`, see docs/packaging.md); every test here checks
/// those two files: their fields and contents, lintian, and an install into a fresh debootstrap root where the
/// agent runs, the server starts from its unit's own command line, every unit passes `systemd-analyze verify`,
/// and an upgrade migrates after a backup.
@Suite("Debian packages (Scripts/package)", .serialized)
struct DebianPackageTests {
    static let peers: [PeerRequirement] = [.debootstrap, .lintian, .dpkgShlibdeps, .strip, .systemdAnalyze]

    /// The built packages; skips (fails under CI) when this machine cannot build or install them.
    static func packages() throws -> BuiltPackages {
        try TestEnvironment.require(
            ProcessInfo.processInfo.environment["HOMEREADY_AGENT_ONLY"] == "1"
                ? "HOMEREADY_AGENT_ONLY=1 leaves the server out of the build, so its package cannot be made" : nil)
        try TestEnvironment.require(peers)
        return try BuiltPackages.get()
    }

    /// A fresh root with both packages installed.
    static func installedRoot(_ packages: BuiltPackages) throws -> DebianRoot {
        try TestEnvironment.require(
            TestEnvironment.isRoot ? nil : "debootstrap and chroot need root (CI runs Scripts/test as root)")
        let depends = try [packages.agent, packages.server].flatMap {
            DebianPackage.dependencyNames(try DebianPackage.field("Depends", of: $0))
        }
        // systemd too, as on a real server: systemd-analyze verify reads its units (sysinit.target, ...) there.
        let root = try DebianRoot.make(including: depends + ["systemd"])
        let install = try root.install([packages.agent, packages.server])
        if install.status != 0 {
            root.remove()
            throw TestSupportError("dpkg -i failed (\(install.status)): \(install.stdout)\(install.stderr)")
        }
        return root
    }

    @Test("both packages carry the one version, amd64, and Debian's libraries as dependencies")
    func fields() throws {
        let packages = try Self.packages()
        #expect(packages.version == HomeReadyVersion.current)
        #expect(packages.agent.lastPathComponent == "homeready_\(HomeReadyVersion.current)_amd64.deb")
        #expect(packages.server.lastPathComponent == "homeready-server_\(HomeReadyVersion.current)_amd64.deb")
        for deb in [packages.agent, packages.server] {
            #expect(try DebianPackage.field("Version", of: deb) == HomeReadyVersion.current)
            #expect(try DebianPackage.field("Architecture", of: deb) == "amd64")
            let depends = DebianPackage.dependencyNames(try DebianPackage.field("Depends", of: deb))
            // The Swift runtime is linked in: only Debian's C libraries remain.
            #expect(depends.contains("libc6"), "\(deb.lastPathComponent): \(depends)")
            #expect(!depends.contains { $0.contains("swift") }, "\(depends)")
        }
        let agentDepends = DebianPackage.dependencyNames(try DebianPackage.field("Depends", of: packages.agent))
        #expect(agentDepends.contains("libcurl4"), "\(agentDepends)")
        #expect(agentDepends.contains("libssl3"), "\(agentDepends)")
        let serverDepends = DebianPackage.dependencyNames(try DebianPackage.field("Depends", of: packages.server))
        #expect(serverDepends.contains("adduser"), "the postinst creates the system user with adduser: \(serverDepends)")
        print("Scripts/package: \(Int(packages.seconds)) s\n\(packages.summary)")
    }

    @Test("every shared library the binaries load comes from a package they depend on")
    func dependenciesCoverTheLinkedLibraries() throws {
        let packages = try Self.packages()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for (deb, program) in [(packages.agent, "homeready"), (packages.server, "homeready-server")] {
            let tree = dir.url.appendingPathComponent(program)
            #expect(try Subprocess.run(["dpkg-deb", "-x", deb.path, tree.path]).status == 0)
            let binary = tree.appendingPathComponent("usr/lib/\(program)/\(program)").path
            let ldd = try Subprocess.run(["ldd", binary])
            #expect(ldd.status == 0, "\(ldd.stderr)")
            #expect(!ldd.stdout.contains("not found"), "\(ldd.stdout)")
            #expect(!ldd.stdout.contains("libswift"), "the Swift runtime must be linked in: \(ldd.stdout)")
            #expect(!ldd.stdout.contains("libFoundation"), "Foundation must be linked in: \(ldd.stdout)")
            let depends = Set(DebianPackage.dependencyNames(try DebianPackage.field("Depends", of: deb)))
            // The libraries the binary names itself (NEEDED); theirs are their own packages' business.
            let dynamic = try Subprocess.run(["objdump", "-p", binary])
            let needed = Set(dynamic.stdout.split(separator: "\n").compactMap { line -> String? in
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                return words.count == 2 && words[0] == "NEEDED" ? String(words[1]) : nil
            })
            #expect(needed.contains { $0.hasPrefix("libc.so") }, "\(dynamic.stdout)")
            for line in ldd.stdout.split(separator: "\n") {
                guard let arrow = line.range(of: " => "), let path = line[arrow.upperBound...].split(separator: " ").first,
                    let soname = line[..<arrow.lowerBound].split(separator: " ").first.map(String.init),
                    needed.contains(soname)
                else { continue }
                let package = try Self.owner(of: String(path))
                #expect(
                    depends.contains(package) || package == "libc6",
                    "\(program) loads \(path) from \(package), which its Depends (\(depends.sorted())) does not name")
            }
        }
    }

    /// The Debian package that installed a library: dpkg knows some by their /lib path, some by /usr/lib (merged
    /// /usr), and others only by the file a symlink names.
    static func owner(of path: String) throws -> String {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        for candidate in [path, "/usr" + path, real, real.replacingOccurrences(of: "/usr/lib/", with: "/lib/")] {
            let result = try Subprocess.run(["dpkg-query", "-S", candidate])
            if result.status == 0, let name = result.stdout.split(separator: ":").first {
                return String(name)
            }
        }
        return "no package (\(path))"
    }

    @Test("the agent package holds the program, profiles, schemas, completions, man page and user units")
    func agentContents() throws {
        let contents = Set(try DebianPackage.contents(of: try Self.packages().agent))
        for path in [
            "/usr/bin/homeready", "/usr/lib/homeready/homeready",
            "/usr/lib/homeready/HomeReady_HomeReadyProfiles.resources",
            "/usr/share/homeready/profiles/linux-baseline.yaml", "/usr/share/homeready/profiles/inbound-voice.yaml",
            "/usr/share/homeready/schemas/profile.json", "/usr/share/homeready/schemas/report.json",
            "/usr/share/bash-completion/completions/homeready", "/usr/share/zsh/vendor-completions/_homeready",
            "/usr/share/fish/vendor_completions.d/homeready.fish", "/usr/share/man/man1/homeready.1.gz",
            "/usr/lib/systemd/user/homeready-check.service", "/usr/lib/systemd/user/homeready-check.timer",
            "/usr/share/doc/homeready/copyright", "/usr/share/doc/homeready/changelog.gz",
        ] {
            #expect(contents.contains(path), "homeready package lacks \(path)")
        }
        #expect(!contents.contains { $0.hasPrefix("/etc") }, "the agent ships no configuration")
    }

    @Test("the server package holds the program, its resources, the units, server.env and the docs")
    func serverContents() throws {
        let contents = Set(try DebianPackage.contents(of: try Self.packages().server))
        for path in [
            "/usr/bin/homeready-server", "/usr/lib/homeready-server/homeready-server",
            "/usr/lib/homeready-server/HomeReady_HomeReadyServer.resources",
            "/usr/lib/homeready-server/HomeReady_HomeReadyDashboard.resources",
            "/usr/lib/homeready-server/HomeReady_HomeReadySelfTest.resources",
            "/usr/lib/systemd/system/homeready-server.service", "/usr/lib/systemd/system/homeready-server-backup.service",
            "/usr/lib/systemd/system/homeready-server-backup.timer", "/etc/homeready/server.env",
            "/usr/share/man/man1/homeready-server.1.gz", "/usr/share/bash-completion/completions/homeready-server",
            "/usr/share/doc/homeready-server/README.Debian", "/usr/share/doc/homeready-server/copyright",
        ] {
            #expect(contents.contains(path), "homeready-server package lacks \(path)")
        }
        #expect(!contents.contains { $0.hasPrefix("/var") }, "/var/lib/homeready is made by postinst, not shipped")
    }

    @Test("lintian finds no error in either package")
    func lintian() throws {
        let packages = try Self.packages()
        let result = try Subprocess.run(
            ["lintian", "--no-tag-display-limit", packages.agent.path, packages.server.path], timeout: 900)
        let lines = (result.stdout + result.stderr).split(separator: "\n").map(String.init)
        let errors = lines.filter { $0.hasPrefix("E: ") }
        #expect(errors.isEmpty, "lintian errors:\n\(errors.joined(separator: "\n"))")
        #expect(!lines.contains { $0.contains("internal error") || $0.contains("Cannot") }, "\(lines)")
        print("lintian: \(errors.count) errors, \(lines.filter { $0.hasPrefix("W: ") }.count) warnings\n"
            + lines.joined(separator: "\n"))
    }

    @Test("installed into a fresh Debian root: the agent runs, the server starts from its unit, units verify")
    func installAndRun() throws {
        let packages = try Self.packages()
        let root = try Self.installedRoot(packages)
        defer { root.remove() }

        // The agent: one version everywhere, its profiles lint clean, its built-in profiles load.
        let version = try root.run(["homeready", "--version"])
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == HomeReadyVersion.current)
        let profiles = try FileManager.default.contentsOfDirectory(atPath: root.path + "/usr/share/homeready/profiles")
            .filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(profiles.count >= 6)
        let lint = try root.run(["homeready", "profile", "lint"] + profiles.map { "/usr/share/homeready/profiles/\($0)" })
        #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
        #expect(lint.stdout.components(separatedBy: ": ok").count == profiles.count + 1, "\(lint.stdout)")
        let show = try root.run(["homeready", "profile", "show", "outbound-payments"], user: "nobody:nogroup")
        #expect(show.status == 0, "built-in profiles must load from the installed resources: \(show.stderr)")
        let serverVersion = try root.run(["homeready-server", "--version"])
        #expect(serverVersion.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == HomeReadyVersion.current)
        let report = try root.run(
            ["homeready", "check", "--json", "--only", "equipment", "--profile", "linux-baseline"], user: "nobody:nogroup")
        let reportObject = try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any]
        #expect((reportObject?["tool"] as? [String: Any])?["version"] as? String == HomeReadyVersion.current, "\(report)")

        // The server's postinst: the system user, its folders, the settings readable by it alone.
        #expect(try root.run(["getent", "passwd", "homeready"]).stdout.contains(":/var/lib/homeready:/usr/sbin/nologin"))
        let modes = try root.run(["stat", "-c", "%U:%G %a %n", "/etc/homeready/server.env", "/var/lib/homeready"])
        #expect(modes.stdout.contains("root:homeready 640 /etc/homeready/server.env"), "\(modes.stdout)")
        #expect(modes.stdout.contains("homeready:homeready 750 /var/lib/homeready"), "\(modes.stdout)")

        // The server, started as its unit starts it: ExecStart expanded with the EnvironmentFile, as User=.
        let unit = try root.read("/usr/lib/systemd/system/homeready-server.service")
        for option in [
            "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectHome=yes",
            "ReadWritePaths=/var/lib/homeready /var/backups/homeready", "CapabilityBoundingSet=",
        ] {
            #expect(unit.contains("\n\(option)\n"), "homeready-server.service lacks \(option)")
        }
        let execStart = try #require(SystemdUnit.values("ExecStart", in: unit).first)
        #expect(!execStart.contains("HOMEREADY_DB"), "the database URL (a password) must not be on the command line")
        let user = try #require(SystemdUnit.values("User", in: unit).first)
        let group = try #require(SystemdUnit.values("Group", in: unit).first)
        let envFile = try #require(SystemdUnit.values("EnvironmentFile", in: unit).first)
        var environment = SystemdUnit.environmentFile(try root.read(envFile))
        #expect(environment["HOMEREADY_DB"] == "sqlite:/var/lib/homeready/homeready.sqlite")
        // The one change from the shipped settings: a free port, so the test runs beside other servers.
        let port = try FreePort.tcp()
        environment["HOMEREADY_LISTEN"] = "127.0.0.1:\(port)"
        let argv = SystemdUnit.commandLine(execStart, environment: environment)
        #expect(argv.first == "/usr/bin/homeready-server")
        let server = try root.start(argv, user: "\(user):\(group)", environment: environment)
        var health: RawHTTP.Response?
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, server.isRunning {
            if FreePort.accepts(port: port) {
                health = try? RawHTTP.blockingRequest(port: port, method: "GET", path: "/healthz", timeout: 10)
                if health?.status == 200 { break }
            }
            usleep(100_000)
        }
        #expect(health?.status == 200, "the server did not answer /healthz: \(server.log)")
        #expect(health?.json["status"] as? String == "ok")
        #expect(health?.json["database"] as? String == "sqlite")
        for name in ["profile", "report"] {
            let schema = try RawHTTP.blockingRequest(port: port, method: "GET", path: "/schemas/\(name).json", timeout: 10)
            #expect(schema.status == 200)
            // The server's bundled schema and the agent package's copy are the same file.
            #expect(schema.body == (try Data(contentsOf: root.file("/usr/share/homeready/schemas/\(name).json"))))
        }
        let login = try RawHTTP.blockingRequest(port: port, method: "GET", path: "/login", timeout: 10)
        #expect(login.status == 200, "the dashboard's templates must load from the installed resources")
        server.signal(SIGTERM)
        #expect(server.waitForExit(timeout: 30) == 0, "SIGTERM must end the server gracefully: \(server.log)")
        let database = try root.run(["stat", "-c", "%U", "/var/lib/homeready/homeready.sqlite"])
        #expect(database.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "homeready")

        // Every unit of both packages passes systemd-analyze verify, run in the root (its systemd, its files: the
        // commands the units name must exist there). --man=no: man-db is not in the root; lintian checks the pages.
        let systemUnits = ["homeready-server.service", "homeready-server-backup.service", "homeready-server-backup.timer"]
            .map { "/usr/lib/systemd/system/" + $0 }
        let userUnits = ["homeready-check.service", "homeready-check.timer"].map { "/usr/lib/systemd/user/" + $0 }
        for (scope, units) in [("--system", systemUnits), ("--user", userUnits)] {
            let verify = try root.run(
                ["systemd-analyze", "verify", scope, "--man=no"] + units,
                environment: ["XDG_RUNTIME_DIR": "/tmp", "SYSTEMD_LOG_LEVEL": "notice"])
            let complaints = (verify.stdout + verify.stderr).split(separator: "\n").filter {
                !$0.contains("Failed to connect") && !$0.contains("bus")
            }
            #expect(verify.status == 0, "systemd-analyze verify \(scope): \(verify.stdout)\(verify.stderr)")
            #expect(complaints.isEmpty, "systemd-analyze verify \(scope): \(complaints)")
        }
    }

    @Test("an upgrade backs up the SQLite database and migrates it; removal keeps the data")
    func upgradeAndRemoval() throws {
        let packages = try Self.packages()
        let root = try Self.installedRoot(packages)
        defer { root.remove() }
        // A database from the installed version, made as the service would.
        let migrate = try root.run(
            ["homeready-server", "migrate"], user: "homeready:homeready",
            environment: ["HOMEREADY_DB": "sqlite:/var/lib/homeready/homeready.sqlite"])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        // Installing the package over itself runs postinst configure with the old version: the upgrade path.
        let upgrade = try root.install([packages.server])
        #expect(upgrade.status == 0, "\(upgrade.stdout)\(upgrade.stderr)")
        #expect(upgrade.stdout.contains("backing up /var/lib/homeready/homeready.sqlite"), "\(upgrade.stdout)")
        let backups = try FileManager.default.contentsOfDirectory(atPath: root.path + "/var/backups/homeready")
        #expect(backups.contains { $0.hasPrefix("homeready-before-") && $0.hasSuffix("-from-\(packages.version).sqlite") },
                "\(backups)")
        // A broken database setting stops the upgrade with the reason, before anything is restarted.
        let env = root.file("/etc/homeready/server.env")
        let settings = try String(contentsOf: env, encoding: .utf8)
        try settings.replacingOccurrences(of: "HOMEREADY_DB=sqlite:", with: "HOMEREADY_DB=mysql:")
            .write(to: env, atomically: false, encoding: .utf8)
        let broken = try root.install([packages.server])
        #expect(broken.status != 0)
        #expect((broken.stdout + broken.stderr).contains("the database migration failed"), "\(broken.stdout)\(broken.stderr)")
        #expect(!(broken.stdout + broken.stderr).contains("Fatal error"))
        try settings.write(to: env, atomically: false, encoding: .utf8)
        #expect(try root.run(["dpkg", "--configure", "-a"]).status == 0)

        let remove = try root.run(["dpkg", "--purge", "homeready-server", "homeready"])
        #expect(remove.status == 0, "\(remove.stdout)\(remove.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root.path + "/usr/bin/homeready"))
        #expect(!FileManager.default.fileExists(atPath: root.path + "/etc/homeready/server.env"))
        #expect(FileManager.default.fileExists(atPath: root.path + "/var/lib/homeready/homeready.sqlite"),
                "the inventory survives a purge")
    }
}
