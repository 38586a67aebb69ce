import Foundation
import HomeReadyTestSupport

/// Real peers for the notification channels: an SMTP server (Python's aiosmtpd, Debian `python3-aiosmtpd`) and
/// an HTTP webhook receiver (Python's http.server), both on 127.0.0.1, each writing what it received to a folder.
/// The SMTP sink decodes every message with Python's `email` package (an independent RFC 5322/2047/2045 reader).
enum NotificationPeers {
    /// A Python that can import aiosmtpd: Debian's /usr/bin/python3 first (where the package installs it), then
    /// the `python3` on PATH.
    static let smtpPython: String? = {
        for candidate in ["/usr/bin/python3", "python3"] {
            if let result = try? Subprocess.run([candidate, "-c", "import aiosmtpd"], timeout: 30), result.status == 0 {
                return candidate
            }
        }
        return nil
    }()

    /// Why the SMTP tests cannot run here, or nil.
    static var smtpUnavailableReason: String? {
        smtpPython == nil ? "python3 with aiosmtpd is missing: install python3-aiosmtpd (Scripts/bootstrap)" : nil
    }

    /// A Python for the webhook receiver (the standard library only).
    static var webhookPython: String? {
        for candidate in ["/usr/bin/python3", "python3"] where (try? Subprocess.executableURL(candidate)) != nil {
            return candidate
        }
        return nil
    }

    /// A running peer and the folder it writes into.
    final class Peer: @unchecked Sendable {
        let process: BackgroundProcess
        let folder: TemporaryDirectory
        let port: Int

        init(process: BackgroundProcess, folder: TemporaryDirectory, port: Int) {
            self.process = process
            self.folder = folder
            self.port = port
        }

        /// The JSON records received so far, oldest first.
        func records() -> [[String: Any]] {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
                .filter { $0.hasSuffix(".json") }.sorted()
            return names.compactMap { name in
                guard let data = FileManager.default.contents(atPath: folder.url.appendingPathComponent(name).path)
                else { return nil }
                return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            }
        }

        /// Waits until at least `count` records arrived (each file is complete once it has its final name).
        func waitForRecords(_ count: Int, timeout: Double = 10) -> [[String: Any]] {
            let deadline = Date().addingTimeInterval(timeout)
            var found = records()
            while found.count < count && Date() < deadline {
                usleep(20_000)
                found = records()
            }
            return found
        }

        func stop() {
            process.stop()
            folder.remove()
        }
    }

    enum SMTPMode: String {
        case plain, starttls, tls
    }

    /// Starts aiosmtpd on a free port. `mode` picks plain, STARTTLS (required by the server) or implicit TLS;
    /// `login` ("user:password") makes AUTH required (aiosmtpd only offers it over TLS).
    static func startSMTP(
        mode: SMTPMode = .plain, certificate: (cert: String, key: String)? = nil, login: String? = nil
    )
        throws -> Peer
    {
        guard let python = smtpPython else { throw TestSupportError("python3-aiosmtpd is not installed") }
        let folder = try TemporaryDirectory(prefix: "hr-smtp-sink")
        let port = try FreePort.tcp()
        var argv = [python, "-c", smtpSink, String(port), folder.path, "--mode", mode.rawValue]
        if let certificate { argv += ["--cert", certificate.cert, "--key", certificate.key] }
        if let login { argv += ["--auth", login] }
        let process = try Subprocess.start(argv)
        let peer = Peer(process: process, folder: folder, port: port)
        let deadline = Date().addingTimeInterval(20)
        while !process.log.contains("smtp-sink ready") {
            guard process.isRunning, Date() < deadline else {
                let log = process.log
                peer.stop()
                throw TestSupportError("the SMTP sink did not start: \(log)")
            }
            usleep(20_000)
        }
        return peer
    }

    /// Starts the webhook receiver on a free port; every POST is answered with `status`.
    static func startWebhookReceiver(status: Int = 200) throws -> Peer {
        guard let python = webhookPython else { throw TestSupportError("python3 is not installed") }
        let folder = try TemporaryDirectory(prefix: "hr-webhook-sink")
        let port = try FreePort.tcp()
        let process = try Subprocess.start([python, "-c", webhookSink, String(port), folder.path, String(status)])
        let peer = Peer(process: process, folder: folder, port: port)
        do { try FreePort.waitForListener(port: port, timeout: 20) } catch {
            peer.stop()
            throw error
        }
        return peer
    }

    /// aiosmtpd's Controller (refusing any recipient at `refused.example.com` with 550); writes NNNN.json per message: the envelope, whether TLS and AUTH were used, the raw
    /// message, and its fields as Python's `email` package decodes them (policy=default: RFC 2047 words decoded).
    static let smtpSink = #"""
        import argparse, email, email.policy, json, os, ssl, sys, time
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        parser = argparse.ArgumentParser()
        parser.add_argument("port", type=int)
        parser.add_argument("folder")
        parser.add_argument("--mode", default="plain")
        parser.add_argument("--cert")
        parser.add_argument("--key")
        parser.add_argument("--auth")
        args = parser.parse_args()

        class Sink:
            def __init__(self):
                self.count = 0

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address.endswith("@refused.example.com"):
                    return "550 5.1.1 No such user here"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                self.count += 1
                raw = envelope.original_content
                message = email.message_from_bytes(raw, policy=email.policy.default)
                part = message.get_body(preferencelist=("plain",))
                record = {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    # STARTTLS sets session.ssl; implicit TLS (smtps) shows on the transport.
                    "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                    "authenticated": bool(session.authenticated),
                    "raw": raw.decode("ascii", errors="replace"),
                    "raw_is_ascii": all(b < 128 for b in raw),
                    "subject": str(message["subject"]),
                    "from": str(message["from"]),
                    "from_display_name": message["from"].addresses[0].display_name,
                    "to": str(message["to"]),
                    "to_display_name": message["to"].addresses[0].display_name,
                    "to_address": message["to"].addresses[0].addr_spec,
                    "date": str(message["date"]),
                    "date_parses": message["date"].datetime is not None,
                    "message_id": str(message["message-id"]),
                    "references": str(message["references"]) if message["references"] else None,
                    "content_type": message.get_content_type(),
                    "charset": message.get_content_charset(),
                    "transfer_encoding": message["content-transfer-encoding"],
                    "content_language": message["content-language"],
                    "body": part.get_content() if part is not None else None,
                    "defects": [type(d).__name__ for d in message.defects]
                        + [type(d).__name__ for h in message.keys() for d in getattr(message[h], "defects", [])],
                }
                name = os.path.join(args.folder, "%04d" % self.count)
                with open(name + ".tmp", "w", encoding="utf-8") as out:
                    json.dump(record, out, ensure_ascii=False)
                os.rename(name + ".tmp", name + ".json")
                return "250 Message accepted for delivery"

        def authenticator(server, session, envelope, mechanism, auth_data):
            user, _, password = args.auth.partition(":")
            ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() \
                and auth_data.password == password.encode()
            return AuthResult(success=ok, handled=False)

        options = dict(hostname="127.0.0.1", port=args.port)
        if args.mode in ("starttls", "tls"):
            context = ssl.SSLContext(ssl.PROTOCOL_TLS)
            context.load_cert_chain(args.cert, args.key)
            if args.mode == "starttls":
                options.update(tls_context=context, require_starttls=True)
            else:
                options.update(ssl_context=context)
        if args.auth:
            options.update(authenticator=authenticator, auth_required=True, auth_require_tls=True)
        controller = Controller(Sink(), **options)
        controller.start()
        print("smtp-sink ready", flush=True)
        try:
            while True:
                time.sleep(3600)
        finally:
            controller.stop()
        """#

    /// http.server; writes NNNN.json per POST: path, Content-Type and the body text.
    static let webhookSink = #"""
        import json, os, sys
        from http.server import BaseHTTPRequestHandler, HTTPServer

        port, folder, status = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
        count = [0]

        class Receiver(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                count[0] += 1
                name = os.path.join(folder, "%04d" % count[0])
                with open(name + ".tmp", "w", encoding="utf-8") as out:
                    json.dump({"path": self.path, "content_type": self.headers.get("Content-Type"),
                               "body": body.decode("utf-8")}, out, ensure_ascii=False)
                os.rename(name + ".tmp", name + ".json")
                reply = b"1" if status < 300 else b"no_service"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
        """#
}
