import Foundation
import HomeReadyTestSupport

/// The two packages `Scripts/package` built, once per test run: every test of the suite shares them, so the
/// release build is paid for once.
struct BuiltPackages: Sendable {
    var agent: URL
    var server: URL
    var version: String
    /// What `Scripts/package` printed (build time, sizes, Depends).
    var summary: String
    var seconds: Double

    static let shared: Result<BuiltPackages, any Error> = Result { try build() }

    static func get() throws -> BuiltPackages { try shared.get() }

    /// The packages `Scripts/test` built before the run (`HOMEREADY_TEST_PACKAGES`, a debug build), else a release
    /// build by `Scripts/package` here.
    private static func build() throws -> BuiltPackages {
        if let prebuilt = ProcessInfo.processInfo.environment["HOMEREADY_TEST_PACKAGES"], !prebuilt.isEmpty {
            let folder = URL(fileURLWithPath: prebuilt)
            let log = (try? String(contentsOf: folder.appendingPathComponent("package.log"), encoding: .utf8)) ?? ""
            return try found(in: folder, summary: log, seconds: 0)
        }
        let root = TestEnvironment.packageRoot
        let output = root.appendingPathComponent(".build-package/test-debs")
        try? FileManager.default.removeItem(at: output)
        let started = Date()
        let result = try Subprocess.run(
            [root.appendingPathComponent("Scripts/package").path, "--output", output.path], timeout: 3 * 3600)
        guard result.status == 0 else {
            throw TestSupportError("Scripts/package exited \(result.status): \(result.stderr)\(result.stdout)")
        }
        return try found(
            in: output, summary: result.stderr + result.stdout, seconds: Date().timeIntervalSince(started))
    }

    private static func found(in output: URL, summary: String, seconds: Double) throws -> BuiltPackages {
        let files = try FileManager.default.contentsOfDirectory(atPath: output.path)
        func deb(_ prefix: String) throws -> URL {
            guard let name = files.first(where: { $0.hasPrefix(prefix) && $0.hasSuffix("_amd64.deb") }) else {
                throw TestSupportError("Scripts/package made no \(prefix)*_amd64.deb in \(output.path): \(files)")
            }
            return output.appendingPathComponent(name)
        }
        let agent = try deb("homeready_")
        let version = try DebianPackage.field("Version", of: agent)
        return BuiltPackages(
            agent: agent, server: try deb("homeready-server_"), version: version, summary: summary, seconds: seconds)
    }
}

/// Reading `.deb` files with dpkg-deb.
enum DebianPackage {
    static func field(_ name: String, of deb: URL) throws -> String {
        let result = try Subprocess.run(["dpkg-deb", "-f", deb.path, name])
        guard result.status == 0 else { throw TestSupportError("dpkg-deb -f \(deb.path) \(name): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The paths in the package's data, without the leading `.`, e.g. `/usr/bin/homeready`.
    static func contents(of deb: URL) throws -> [String] {
        let result = try Subprocess.run(["dpkg-deb", "--contents", deb.path])
        guard result.status == 0 else { throw TestSupportError("dpkg-deb --contents \(deb.path): \(result.stderr)") }
        return result.stdout.split(separator: "\n").compactMap { line in
            // drwxr-xr-x root/root 0 2026-11-24 16:00 ./usr/bin/homeready -> ../lib/homeready/homeready
            guard let path = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(5).first else {
                return nil
            }
            let text = String(path.dropFirst())
            return text.hasSuffix("/") && text.count > 1 ? String(text.dropLast()) : text
        }
    }

    /// The package names in a Depends field, alternatives and versions left out.
    static func dependencyNames(_ depends: String) -> [String] {
        depends.split(separator: ",").compactMap { item in
            item.split(separator: "|").first?.split(separator: "(").first?
                .trimmingCharacters(in: .whitespaces)
        }
    }
}

/// A fresh Debian root made by debootstrap, with the packages' dependencies, to install the packages into.
///
/// debootstrap runs once per suite, release and package list, and its result is kept as a tarball in
/// `~/.cache/homeready/debootstrap/` (a week at most: Debian's point releases move on); each test unpacks a
/// fresh copy. Commands run in it through chroot in a private mount namespace that has /proc and /dev mounted,
/// so nothing stays mounted when a test stops.
struct DebianRoot {
    let directory: TemporaryDirectory
    var path: String { directory.path }

    static var mirror: String {
        ProcessInfo.processInfo.environment["HOMEREADY_DEBIAN_MIRROR"] ?? "http://deb.debian.org/debian"
    }

    /// The release of this machine (the binaries link against its libraries).
    static func suite() throws -> String {
        let release = try String(contentsOfFile: "/etc/os-release", encoding: .utf8)
        guard let line = release.split(separator: "\n").first(where: { $0.hasPrefix("VERSION_CODENAME=") }) else {
            throw TestSupportError("/etc/os-release names no VERSION_CODENAME: is this Debian?")
        }
        return String(line.dropFirst("VERSION_CODENAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    /// A fresh root with `packages` installed besides the minimal base.
    static func make(including packages: [String]) throws -> DebianRoot {
        let tarball = try cachedTarball(including: packages)
        let directory = try TemporaryDirectory(prefix: "homeready-debian-root")
        let unpack = try Subprocess.run(["tar", "-xf", tarball.path, "-C", directory.path], timeout: 600)
        guard unpack.status == 0 else {
            directory.remove()
            throw TestSupportError("could not unpack \(tarball.path): \(unpack.stderr)")
        }
        return DebianRoot(directory: directory)
    }

    private static func cachedTarball(including packages: [String]) throws -> URL {
        let suite = try suite()
        let list = Set(packages).sorted().joined(separator: ",")
        // Keyed on everything that shapes the root.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(suite) minbase \(mirror) \(list)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        let folder = URL(
            fileURLWithPath: ProcessInfo.processInfo.environment["HOMEREADY_DEBOOTSTRAP_CACHE"]
                ?? "\(home)/.cache/homeready/debootstrap")
        let tarball = folder.appendingPathComponent("\(suite)-minbase-\(String(hash, radix: 16)).tar")
        if let attributes = try? FileManager.default.attributesOfItem(atPath: tarball.path),
            let modified = attributes[.modificationDate] as? Date, Date().timeIntervalSince(modified) < 7 * 86_400
        {
            return tarball
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let staging = try TemporaryDirectory(prefix: "homeready-debootstrap")
        defer { staging.remove() }
        let target = staging.url.appendingPathComponent("root")
        let made = try Subprocess.run(
            ["debootstrap", "--variant=minbase", "--include=\(list)", suite, target.path, mirror], timeout: 1800)
        guard made.status == 0 else {
            let log = (try? String(contentsOf: target.appendingPathComponent("debootstrap/debootstrap.log"), encoding: .utf8)) ?? ""
            throw TestSupportError(
                "debootstrap \(suite) from \(mirror) failed (\(made.status)): \(made.stderr.suffix(2000)) \(log.suffix(2000))")
        }
        let partial = folder.appendingPathComponent(tarball.lastPathComponent + ".partial")
        let packed = try Subprocess.run(["tar", "-cf", partial.path, "-C", target.path, "."], timeout: 600)
        guard packed.status == 0 else { throw TestSupportError("could not pack the root: \(packed.stderr)") }
        try? FileManager.default.removeItem(at: tarball)
        try FileManager.default.moveItem(at: partial, to: tarball)
        return tarball
    }

    func remove() { directory.remove() }

    /// The environment of a command in the root: what systemd or a root shell would give, no more.
    static let baseEnvironment = [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "HOME=/root",
        "DEBIAN_FRONTEND=noninteractive",
    ]

    /// The command line that runs `argv` in the root as `user` (`USER:GROUP`; root when nil) with `environment`
    /// only.
    func command(_ argv: [String], user: String? = nil, environment: [String: String] = [:]) -> [String] {
        let env = Self.baseEnvironment + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let chroot = ["chroot"] + (user.map { ["--userspec=\($0)"] } ?? []) + [path, "/usr/bin/env", "-i"] + env
        // mount needs its own namespace: the mounts vanish with the command.
        let script = "mount -t proc proc \"$0/proc\" && mount --bind /dev \"$0/dev\" && exec \"$@\""
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, path] + chroot + argv
    }

    @discardableResult
    func run(_ argv: [String], user: String? = nil, environment: [String: String] = [:], timeout: Double = 300) throws
        -> ProcessOutput
    {
        try Subprocess.run(command(argv, user: user, environment: environment), timeout: timeout)
    }

    func start(_ argv: [String], user: String? = nil, environment: [String: String] = [:]) throws -> BackgroundProcess {
        try Subprocess.start(command(argv, user: user, environment: environment))
    }

    /// A file of the root, by its path inside it.
    func file(_ inside: String) -> URL { URL(fileURLWithPath: path + inside) }

    func read(_ inside: String) throws -> String { try String(contentsOf: file(inside), encoding: .utf8) }

    /// Copies the packages into the root and installs them with `dpkg -i`.
    func install(_ debs: [URL]) throws -> ProcessOutput {
        var inside: [String] = []
        for deb in debs {
            let target = "/tmp/\(deb.lastPathComponent)"
            try? FileManager.default.removeItem(at: file(target))
            try FileManager.default.copyItem(at: deb, to: file(target))
            inside.append(target)
        }
        return try run(["dpkg", "-i"] + inside, timeout: 600)
    }
}

/// Reading systemd units the way systemd does, for the parts a test needs.
enum SystemdUnit {
    /// The values of `key=` lines in `text` (in order).
    static func values(_ key: String, in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            line.hasPrefix("\(key)=") ? String(line.dropFirst(key.count + 1)) : nil
        }
    }

    /// `KEY=VALUE` lines of an EnvironmentFile (comments and blank lines skipped; surrounding quotes removed).
    static func environmentFile(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), !trimmed.hasPrefix(";"), let equals = trimmed.firstIndex(of: "=") else { continue }
            var value = String(trimmed[trimmed.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            result[String(trimmed[..<equals]).trimmingCharacters(in: .whitespaces)] = value
        }
        return result
    }

    /// An `ExecStart=` command line as systemd expands it: `${VAR}` is one word, `$VAR` splits at white space,
    /// a leading `-`, `@`, `+`, `!` or `:` prefix is dropped.
    static func commandLine(_ line: String, environment: [String: String]) -> [String] {
        var text = Substring(line)
        while let first = text.first, "-@+!:".contains(first) { text = text.dropFirst() }
        var words: [String] = []
        for word in text.split(whereSeparator: \.isWhitespace) {
            if word.hasPrefix("${"), word.hasSuffix("}") {
                words.append(environment[String(word.dropFirst(2).dropLast())] ?? "")
            } else if word.hasPrefix("$"), !word.contains("{") {
                words += (environment[String(word.dropFirst())] ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
            } else {
                words.append(String(word))
            }
        }
        return words
    }
}
