import HomeReadyJudging
import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Logging
import Testing

@testable import HomeReadyVPN

@Suite("Tunnel state with a real tun interface and a health URL in a network lab")
struct TunnelLabTests {
    @Test("a tun interface is seen; a corporate net routed into it passes, one routed elsewhere fails; health URL")
    func tunnelState() async throws {
        try TestEnvironment.require(NetworkLab.unavailableReason)
        try await withUniqueNetworkLab { lab in
            try await withTemporaryDirectory { directory in
                // A tun device on this side with a private test subnet: what a connected VPN client adds. It exists
                // only for this test and carries no traffic off the machine.
                let name = "tunhr\(String(UUID().uuidString.prefix(5)).lowercased())"
                let subnet = Int.random(in: 1...250)
                for argv in [
                    ["ip", "tuntap", "add", "dev", name, "mode", "tun"],
                    ["ip", "addr", "add", "10.201.\(subnet).1/24", "dev", name],
                    ["ip", "link", "set", name, "up"],
                ] {
                    let output = try Subprocess.run(argv)
                    try #require(output.status == 0, "\(argv.joined(separator: " ")): \(output.stderr)")
                }
                defer { _ = try? Subprocess.run(["ip", "link", "del", name]) }
                try directory.write("index.html", "ok")
                let web = try lab.start([
                    "python3", "-m", "http.server", "8080", "--bind", lab.remoteAddress, "-d", directory.path,
                ])
                defer { web.stop() }
                try VPNPeers.waitForListener(port: 8080, udp: false, namespace: lab.namespace)

                let labNetwork = lab.remoteAddress.split(separator: ".").prefix(3).joined(separator: ".") + ".0/30"
                let settings = VPNSettings(
                    corporateNetworks: ["10.201.\(subnet).0/24", labNetwork], corporateNames: ["localhost"],
                    healthURL: "http://\(lab.remoteAddress):8080/index.html")
                let status = await TunnelInspector.inspect(settings, options: VPNCheckOptions(timeoutSeconds: 3))
                #expect(status.interfaces.contains(name))
                #expect(status.routes.first?.throughTunnel == true)
                #expect(status.routes.first?.interface == name)
                #expect(status.routes.last?.throughTunnel == false)
                #expect(status.routes.last?.interface == lab.hostInterface)
                #expect(status.names.first?.addresses.isEmpty == false)
                #expect(status.health?.statusCode == 200)
                let findings = VPNJudge.tunnelFindings(status, settings: settings)
                #expect(findings.first?.status == .fail)
                #expect(findings.first?.message.contains(lab.hostInterface) == true)
            }
        }
    }
}
