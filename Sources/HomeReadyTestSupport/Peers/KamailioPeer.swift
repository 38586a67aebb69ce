import Foundation

/// Kamailio as a softphone's SBC on loopback: answers SIP OPTIONS with `200 OK` over UDP and TCP on `port` (and
/// TLS on `tlsPort` with a self-signed certificate for 127.0.0.1), statelessly (the `sl` module), adding
/// `received` and `rport` to the top Via as RFC 3581 asks. Other requests get 405. Stop it with `stop()`.
public final class KamailioPeer: @unchecked Sendable {
    /// The UDP and TCP port.
    public let port: Int
    /// The TLS port, when started with `tls: true`.
    public let tlsPort: Int?
    private let pidFile: String
    private let logPath: String
    private let directory: TemporaryDirectory

    /// What Kamailio printed (its log goes to stderr).
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    private init(port: Int, tlsPort: Int?, pidFile: String, logPath: String, directory: TemporaryDirectory) {
        self.port = port
        self.tlsPort = tlsPort
        self.pidFile = pidFile
        self.logPath = logPath
        self.directory = directory
    }

    /// Why Kamailio cannot run here (with TLS when `tls`), or nil.
    public static func unavailableReason(tls: Bool) -> String? {
        PeerRequirement.missing(tls ? [.kamailio, .kamailioTLS, .openssl] : [.kamailio])
    }

    /// Writes a minimal kamailio.cfg, starts Kamailio in the foreground and waits until it accepts TCP. Blocking:
    /// from async tests, call it off Swift's cooperative pool (its few threads would starve process reaping).
    public static func start(tls: Bool = false) throws -> KamailioPeer {
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
        // Kamailio runs detached (setsid -f: not a child of the test process, so nothing it does to its parent can
        // disturb the reaping of the test's other child processes); its main pid comes from the pid file.
        let logPath = "\(directory.path)/kamailio.log"
        let pidPath = "\(directory.path)/kamailio.pid"
        // Kamailio keeps stdin, stdout and stderr only: an inherited descriptor (Foundation's per-process socket
        // among them) held open by the daemon would stop Foundation from noticing another child's exit.
        let closeInherited = "for fd in /proc/$$/fd/*; do n=${fd##*/}; [ \"$n\" -gt 2 ] && eval \"exec $n>&-\" 2>/dev/null; done; "
        let command =
            closeInherited + "exec setsid -f kamailio -f '\(config.path)' -DD -E -Y '\(directory.path)' -P '\(pidPath)' -w '\(directory.path)'"
            + " > '\(logPath)' 2>&1 < /dev/null"
        let status = try spawnAndWait(["/bin/bash", "-c", command])
        guard status == 0 else {
            directory.remove()
            throw TestSupportError("kamailio could not be started: sh exited with status \(status)")
        }
        let peer = KamailioPeer(port: port, tlsPort: tlsPort, pidFile: pidPath, logPath: logPath, directory: directory)
        for _ in 0..<400 {
            if FreePort.accepts(port: port), tlsPort.map({ FreePort.accepts(port: $0) }) ?? true, peer.mainPID != nil {
                return peer
            }
            if peer.mainPID == nil, !peer.log.isEmpty, peer.log.contains("ERROR: bad config") { break }
            usleep(25_000)
        }
        let log = peer.log
        peer.stop()
        throw TestSupportError("kamailio did not listen on 127.0.0.1:\(port): \(log)")
    }

    /// Runs `argv` with posix_spawn and waits for it with waitpid: the launcher exits at once, and a child that
    /// quick is not always reaped by Foundation's Process here (seen: a zombie `setsid` and a test that hung).
    static func spawnAndWait(_ argv: [String]) throws -> Int32 {
        var pid: pid_t = 0
        let arguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        let result = posix_spawn(&pid, argv[0], nil, nil, arguments, environ)
        guard result == 0 else { throw TestSupportError("posix_spawn \(argv[0]) failed: \(String(cString: strerror(result)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw TestSupportError("waitpid failed: \(String(cString: strerror(errno)))") }
        }
        return (status >> 8) & 0xFF
    }

    /// The main Kamailio process, from its pid file.
    var mainPID: Int32? {
        (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Stops Kamailio and its workers (its own session and process group, from setsid: SIGTERM to the group, then
    /// SIGKILL after 2 s; a worker can outlive the main process otherwise) and removes its folder.
    public func stop() {
        if let pid = mainPID, pid > 1 {
            kill(-pid, SIGTERM)
            for _ in 0..<200 where kill(-pid, 0) == 0 { usleep(10_000) }
            if kill(-pid, 0) == 0 { kill(-pid, SIGKILL) }
        }
        directory.remove()
    }
}
