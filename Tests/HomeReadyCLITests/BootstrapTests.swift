import Foundation
import HomeReadyTestSupport
import Testing

/// `Scripts/bootstrap` must install every peer the tests start, so a fresh machine passes the README's test
/// command (a recommended package that happened to be installed once hid the charon plugins).
@Suite("Scripts/bootstrap installs every test peer")
struct BootstrapTests {
    /// The package names in the script's `packages=( … )` list, comments left out.
    static func bootstrapPackages() throws -> Set<String> {
        let script = try String(
            contentsOf: TestEnvironment.packageRoot.appendingPathComponent("Scripts/bootstrap"), encoding: .utf8)
        guard let start = script.range(of: "packages=(\n"),
            let end = script.range(of: "\n)\n", range: start.upperBound..<script.endIndex)
        else { throw TestSupportError("Scripts/bootstrap has no packages=( … ) list") }
        let words = script[start.upperBound..<end.lowerBound].split(separator: "\n").flatMap { line in
            (line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .split(separator: " ")
        }
        return Set(words.map(String.init))
    }

    @Test("every peer's Debian package is named in Scripts/bootstrap")
    func everyPeerPackageIsBootstrapped() throws {
        let packages = try Self.bootstrapPackages()
        #expect(packages.contains("libstrongswan-standard-plugins"))
        for peer in PeerRequirement.all {
            #expect(packages.contains(peer.package), "\(peer) is used by tests but Scripts/bootstrap does not install it")
        }
    }

    @Test("each plugin file a test configures belongs to the package named for it")
    func pluginPackagesMatchDpkg() throws {
        try TestEnvironment.require(PeerRequirement.missing(PeerRequirement.all))
        for peer in PeerRequirement.all where peer.path.hasPrefix("/") {
            let owner = try Subprocess.run(["dpkg-query", "-S", peer.path])
            let package = owner.stdout.split(separator: ":").first.map(String.init)
            #expect(package == peer.package, "\(peer.path) belongs to \(owner.stdout), not \(peer.package)")
        }
    }

    @Test("a missing peer's message names the package and how to install it")
    func missingPeerMessage() {
        let absent = PeerRequirement(
            name: "strongSwan's openssl plugin", path: "/nonexistent/libstrongswan-openssl.so",
            package: "libstrongswan-standard-plugins")
        #expect(!absent.isInstalled)
        let message = PeerRequirement.missing([.python3, absent])
        #expect(message?.contains("libstrongswan-standard-plugins") == true)
        #expect(message?.contains("apt-get install --no-install-recommends libstrongswan-standard-plugins") == true)
        #expect(message?.contains("Scripts/bootstrap") == true)
    }
}
