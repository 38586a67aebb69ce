/// An installed package and its version.
public struct InstalledPackage: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    /// `dpkg` or `rpm`.
    public var manager: String

    public init(name: String, version: String, manager: String) {
        self.name = name
        self.version = version
        self.manager = manager
    }
}

/// Reads installed packages: dpkg's status file, or `rpm -q` where RPM is the package manager.
public enum PackageDatabase {
    /// The dpkg status file inside a tree.
    public static let dpkgStatus = "/var/lib/dpkg/status"

    /// Every package dpkg lists as installed, by name (architecture qualifiers dropped).
    public static func dpkgPackages(in tree: FileTree) throws(PostureError) -> [String: InstalledPackage]? {
        guard let text = try tree.read(dpkgStatus, limit: 256 << 20) else { return nil }
        return parseDpkgStatus(text)
    }

    /// Parses dpkg's status file (stanzas separated by blank lines).
    public static func parseDpkgStatus(_ text: String) -> [String: InstalledPackage] {
        var result: [String: InstalledPackage] = [:]
        var name: String?
        var version: String?
        var installed = false
        func flush() {
            if let name, let version, installed {
                result[name] = InstalledPackage(name: name, version: version, manager: "dpkg")
            }
            name = nil
            version = nil
            installed = false
        }
        // Line by line without an array of every line: a desktop's status file holds some 100,000 lines.
        var start = text.startIndex
        while start < text.endIndex {
            let end = text.utf8[start...].firstIndex(of: UInt8(ascii: "\n")) ?? text.endIndex
            let line = text[start..<end]
            start = end < text.endIndex ? text.utf8.index(after: end) : end
            if line.isEmpty {
                flush()
            } else if line.hasPrefix("Package: ") {
                name = String(line.dropFirst(9)).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix("Version: ") {
                version = String(line.dropFirst(9)).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix("Status: ") {
                installed = line.hasSuffix(" installed")
            }
        }
        flush()
        return result
    }

    /// Asks rpm for one package; `nil` when it is not installed.
    public static func rpmPackage(_ name: String, runner: CommandRunner) async throws(PostureError) -> InstalledPackage?
    {
        let output = try await runner.run(
            ["rpm", "-q", "--queryformat", "%{EPOCH}:%{VERSION}-%{RELEASE}\\n", name], timeout: 15)
        guard output.exitStatus == 0, let line = output.output.split(separator: "\n").first else { return nil }
        var version = String(line)
        if version.hasPrefix("(none):") { version.removeFirst(7) }
        return InstalledPackage(name: name, version: version, manager: "rpm")
    }
}
