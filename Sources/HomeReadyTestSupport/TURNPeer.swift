import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// coturn's `turnserver` on loopback with the TURN REST API shared secret (`--use-auth-secret
/// --static-auth-secret`), for tests of the browser self-test's relayed call.
///
/// `udp: false` starts it with `--no-udp` (clients can reach it over TCP only: the page must fall back);
/// `tls: true` adds a TLS listener with a self-signed certificate. `user:` replaces the shared secret with one
/// static long-term user (`--lt-cred-mech --user`), for TURN client tests; `restCredentials` makes TURN REST
/// credentials from the secret as the inventory server does. coturn refuses loopback peers unless
/// `--allow-loopback-peers`, which it only takes together with `--no-cli`.
public final class TURNPeer: @unchecked Sendable {
    /// The port for UDP and TCP clients.
    public let port: Int
    /// The TLS port, when started with `tls: true`.
    public let tlsPort: Int?
    public let secret: String
    private let process: BackgroundProcess
    private let directory: TemporaryDirectory

    public var server: String { "127.0.0.1:\(port)" }
    public var log: String { process.log }

    private init(port: Int, tlsPort: Int?, secret: String, process: BackgroundProcess, directory: TemporaryDirectory) {
        self.port = port
        self.tlsPort = tlsPort
        self.secret = secret
        self.process = process
        self.directory = directory
    }

    /// Starts coturn and waits until it accepts TCP connections and, unless `udp: false`, listens on UDP. A port
    /// taken between its choice and coturn's bind (coturn then runs without that listener) means a new start on
    /// other ports, up to three.
    public static func start(udp: Bool = true, tls: Bool = false, user: (name: String, password: String)? = nil)
        async throws -> TURNPeer
    {
        var attempt = 1
        while true {
            do {
                return try await startOnce(udp: udp, tls: tls, user: user)
            } catch is ListenerMissing where attempt < 3 {
                attempt += 1
            }
        }
    }

    /// coturn started but one of its listeners is not there (`bind: Address already in use` in its log).
    struct ListenerMissing: Error, CustomStringConvertible {
        let description: String
    }

    private static func startOnce(udp: Bool, tls: Bool, user: (name: String, password: String)?) async throws -> TURNPeer {
        let directory = try TemporaryDirectory(prefix: "homeready-turn")
        let port = try VPNPeers.freeLoopbackPort()
        let secret = "turn-secret-" + UUID().uuidString
        let relayBase = 20_000 + Int.random(in: 0..<400) * 100
        var arguments = [
            "turnserver", "--no-cli", "--allow-loopback-peers", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
            "--listening-port=\(port)", "--realm=homeready.test",
            "--min-port=\(relayBase)", "--max-port=\(relayBase + 99)", "--no-dtls", "--no-multicast-peers",
            "--userdb=\(directory.path)/turndb", "--pidfile=\(directory.path)/turnserver.pid", "--log-file=stdout",
            "--simple-log", "--no-stun-backward-compatibility",
        ]
        if let user {
            arguments += ["--lt-cred-mech", "--user=\(user.name):\(user.password)"]
        } else {
            arguments += ["--use-auth-secret", "--static-auth-secret=\(secret)"]
        }
        if !udp { arguments.append("--no-udp") }
        var tlsPort: Int?
        if tls {
            let certificate = try TestCertificateAuthority.selfSigned(
                file: "turn", commonName: "127.0.0.1", names: ["127.0.0.1", "localhost"], in: directory.path)
            let chosen = try VPNPeers.freeLoopbackPort()
            tlsPort = chosen
            arguments += ["--tls-listening-port=\(chosen)", "--cert=\(certificate.cert)", "--pkey=\(certificate.key)"]
        } else {
            arguments.append("--no-tls")
        }
        let process = try Subprocess.start(arguments)
        let peer = TURNPeer(port: port, tlsPort: tlsPort, secret: secret, process: process, directory: directory)
        for _ in 0..<200 {
            guard process.isRunning else {
                peer.stop()
                throw TestSupportError("turnserver exited: \(peer.log)")
            }
            if FreePort.accepts(port: port) {
                guard udp else { return peer }
                do {
                    try FreePort.waitForListener(port: port, udp: true, timeout: 5)
                    return peer
                } catch {
                    peer.stop()
                    throw ListenerMissing(description: "turnserver has no UDP listener on \(port): \(peer.log)")
                }
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        peer.stop()
        throw TestSupportError("turnserver did not listen on 127.0.0.1:\(port): \(peer.log)")
    }

    /// TURN REST credentials for `user` valid for `lifetime` seconds, as the inventory server mints them: username
    /// `EXPIRY:USER`, password base64(HMAC-SHA1(secret, username)) (computed with `openssl`).
    public func restCredentials(user: String, lifetime: TimeInterval = 600) throws -> (username: String, password: String) {
        let username = "\(Int(Date().timeIntervalSince1970 + lifetime)):\(user)"
        let output = try Subprocess.run([
            "sh", "-c", "printf '%s' \"$1\" | openssl dgst -sha1 -hmac \"$2\" -binary | base64", "sh", username, secret,
        ])
        let password = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard output.status == 0, !password.isEmpty else { throw TestSupportError("openssl dgst failed: \(output.stderr)") }
        return (username, password)
    }

    /// Stops coturn and removes its folder.
    public func stop() {
        process.stop()
        directory.remove()
    }
}
