import Foundation

/// Kamailio as a softphone's SBC on loopback: answers SIP OPTIONS with `200 OK` over UDP and TCP on `port` (and
/// TLS on `tlsPort` with a self-signed certificate for 127.0.0.1), statelessly (the `sl` module), adding
/// `received` and `rport` to the top Via as RFC 3581 asks. Other requests get 405. Stop it with `stop()`.
public final class KamailioPeer: @unchecked Sendable {
    /// The UDP and TCP port.
    public let port: Int
    /// The TLS port, when started with `tls: true`.
    public let tlsPort: Int?
    private let process: BackgroundProcess
    private let directory: TemporaryDirectory

    /// What Kamailio printed (its log goes to stderr).
    public var log: String { process.log }

    private init(port: Int, tlsPort: Int?, process: BackgroundProcess, directory: TemporaryDirectory) {
        self.port = port
        self.tlsPort = tlsPort
        self.process = process
        self.directory = directory
    }

    /// Why Kamailio cannot run here (with TLS when `tls`), or nil.
    public static func unavailableReason(tls: Bool) -> String? {
        PeerRequirement.missing(tls ? [.kamailio, .kamailioTLS, .openssl] : [.kamailio])
    }

    /// Writes a minimal kamailio.cfg, starts Kamailio in the foreground and waits until it accepts TCP.
    public static func start(tls: Bool = false) async throws -> KamailioPeer {
        if let missing = unavailableReason(tls: tls) { throw TestSupportError(missing) }
        let directory = try TemporaryDirectory(prefix: "homeready-kamailio")
        let port = try FreePort.tcp()
        var tlsPort: Int?
        var tlsLines = ""
        if tls {
            let chosen = try FreePort.tcp()
            tlsPort = chosen
            let certificate = try TestCertificateAuthority.selfSigned(
                file: "sbc", commonName: "127.0.0.1", names: ["127.0.0.1", "localhost"], in: directory.path)
            let tlsConfig = try directory.write(
                "tls.cfg",
                """
                [server:default]
                method = TLSv1.2+
                verify_certificate = no
                require_certificate = no
                private_key = \(certificate.key)
                certificate = \(certificate.cert)

                [client:default]
                verify_certificate = no
                require_certificate = no
                """)
            tlsLines = """
                enable_tls=yes
                listen=tls:127.0.0.1:\(chosen)
                loadmodule "tls.so"
                modparam("tls", "config", "\(tlsConfig.path)")
                """
        }
        let modules = PeerRequirement.kamailioTLS.path.replacingOccurrences(of: "/tls.so", with: "/")
        let config = try directory.write(
            "kamailio.cfg",
            """
            #!KAMAILIO
            debug=2
            log_stderror=yes
            children=1
            tcp_children=1
            auto_aliases=no
            listen=udp:127.0.0.1:\(port)
            listen=tcp:127.0.0.1:\(port)
            mpath="\(modules)"
            loadmodule "sl.so"
            \(tlsLines)

            request_route {
                if (method=="OPTIONS") {
                    sl_send_reply("200", "OK");
                    exit;
                }
                sl_send_reply("405", "Method Not Allowed");
            }
            """)
        let process = try Subprocess.start([
            "kamailio", "-f", config.path, "-DD", "-E", "-Y", directory.path, "-P", "\(directory.path)/kamailio.pid",
            "-w", directory.path,
        ])
        let peer = KamailioPeer(port: port, tlsPort: tlsPort, process: process, directory: directory)
        for _ in 0..<200 {
            guard process.isRunning else {
                peer.stop()
                throw TestSupportError("kamailio exited: \(peer.log)")
            }
            if FreePort.accepts(port: port), tlsPort.map({ FreePort.accepts(port: $0) }) ?? true {
                try FreePort.waitForListener(port: port, udp: true, timeout: 5)
                return peer
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        peer.stop()
        throw TestSupportError("kamailio did not listen on 127.0.0.1:\(port): \(peer.log)")
    }

    /// Stops Kamailio and removes its folder.
    public func stop() {
        process.stop()
        directory.remove()
    }
}
