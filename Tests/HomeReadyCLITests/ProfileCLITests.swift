import Foundation
import HomeReadyTestSupport
import Testing

/// Runs the built `homeready` binary end to end: stdout, stderr and exit codes.
@Suite("homeready profile (end to end)")
struct ProfileCLITests {
    static var homeready: String { TestEnvironment.productsDirectory.appendingPathComponent("homeready").path }

    @Test func lintOfTheShippedProfilesExitsZero() throws {
        let profiles = TestEnvironment.packageRoot.appendingPathComponent("Profiles")
        let files = try FileManager.default.contentsOfDirectory(atPath: profiles.path)
            .filter { $0.hasSuffix(".yaml") }.map { profiles.appendingPathComponent($0).path }
        let result = try Subprocess.run([Self.homeready, "profile", "lint"] + files)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.components(separatedBy: ": ok").count == files.count + 1)
    }

    @Test func lintWithThreeMistakesExitsTwoAndNamesAllThree() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("three.yaml", """
            id: three
            title: Three mistakes
            version: 1
            network:
              max_jiter_ms: 30
              min_download_mbps: fast
            vpn:
              gateways:
                - {name: corp, host: 127.0.0.1, transport: ipsec}
            """)
        let result = try Subprocess.run([Self.homeready, "profile", "lint", file.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("three.yaml:5:3: `network.max_jiter_ms`"))
        #expect(result.stderr.contains("three.yaml:6:22: `network.min_download_mbps`"))
        #expect(result.stderr.contains("three.yaml:9:48: `vpn.gateways[0].transport`"))
        #expect(result.stderr.contains("3 problems found"))
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test func showResolvesInheritanceAsYAMLAndJSON() throws {
        let yaml = try Subprocess.run([Self.homeready, "profile", "show", "supervisor"])
        #expect(yaml.status == 0, "\(yaml.stderr)")
        #expect(yaml.stdout.contains("concurrent_calls: 2"))
        #expect(yaml.stdout.contains("usb_headset"))
        let json = try Subprocess.run([Self.homeready, "profile", "show", "supervisor", "--json"])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["id"] as? String == "supervisor")
    }

    @Test func showOfAMissingProfileExitsTwoWithTheSearchPath() throws {
        let result = try Subprocess.run([Self.homeready, "profile", "show", "no-such-profile"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no profile \"no-such-profile\""))
        #expect(result.stderr.contains("available:"))
    }

    @Test func badCheckOptionsAreUsageErrors() throws {
        let result = try Subprocess.run([Self.homeready, "check", "--only", "network,wifi"])
        #expect(result.status == 64 || result.status == 2)
        #expect(result.stderr.contains("\"wifi\" is not one of them"))
    }
}
