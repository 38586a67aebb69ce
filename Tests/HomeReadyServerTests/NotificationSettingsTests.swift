import Foundation
import HomeReadyTestSupport
import Testing

@testable import HomeReadyServer

/// `--smtp-url` / `--smtp-from` parsing, chat webhook kinds, the RFC 5322 composer, and the serve flags end to end.
@Suite("Notification settings and message format")
struct NotificationSettingsTests {
    @Test("SMTP URL forms: ports, STARTTLS modes, credentials kept apart from the URL curl sees")
    func smtpURLForms() throws {
        let plain = try SMTPSettings(url: "smtp://mail.example.com", from: "homeready@example.com")
        #expect(plain.port == 25)
        #expect(plain.security == .startTLSOptional)
        #expect(plain.username == nil)

        let submission = try SMTPSettings(
            url: "smtp://ops%40example.com:p%40ss:w0rd@mail.example.com:587", from: "HomeReady <homeready@example.com>")
        #expect(submission.username == "ops@example.com")
        #expect(submission.password == "p@ss:w0rd")
        #expect(submission.security == .startTLSRequired)
        #expect(submission.curlURL == "smtp://mail.example.com:587")
        #expect(submission.from == Mailbox(displayName: "HomeReady", address: "homeready@example.com"))
        #expect(!submission.description.contains("p@ss"))
        #expect(submission.description == "smtp://mail.example.com:587 (STARTTLS required, AUTH)")
        var dumped = ""
        dump(submission, to: &dumped)
        #expect(!dumped.contains("p@ss") && !String(reflecting: submission).contains("p@ss"))

        let implicit = try SMTPSettings(url: "smtps://u:p@mail.example.com?timeout=5", from: "a@example.com")
        #expect(implicit.port == 465)
        #expect(implicit.security == .implicitTLS)
        #expect(implicit.timeoutSeconds == 5)

        let lab = try SMTPSettings(url: "smtp://u:p@127.0.0.1:2525?starttls=never", from: "a@example.com")
        #expect(lab.security == .plain)
    }

    @Test("bad --smtp-url and --smtp-from values are refused with the flag, what was expected and an example")
    func smtpURLErrors() throws {
        func message(_ url: String, from: String = "a@example.com") -> String {
            do {
                _ = try SMTPSettings(url: url, from: from)
                return "accepted"
            } catch { return error.description }
        }
        #expect(message("http://mail.example.com").contains("must start with smtp:// or smtps://"))
        #expect(message("smtp://").contains("has no host"))
        #expect(message("smtp://mail.example.com/relay").contains("takes no path"))
        #expect(
            message("smtp://mail.example.com?starttls=maybe").contains("starttls must be required, optional or never"))
        #expect(message("smtps://mail.example.com?starttls=required").contains("smtp:// only"))
        #expect(message("smtp://mail.example.com?cafile=/nonexistent/ca.pem").contains("cannot be read"))
        #expect(message("smtp://mail.example.com?tls=1").contains("unknown query item \"tls\""))
        #expect(message("smtp://mail.example.com?timeout=0").contains("timeout must be seconds"))
        #expect(
            message("smtp://mail.example.com", from: "not an address").contains("--smtp-from must be an email address"))
        #expect(message("smtp://mail.example.com", from: "a@example.com\r\nBcc: x@y").contains("--smtp-from"))
        #expect(message("smtp://:secret@mail.example.com").contains("password but no user name"))
        #expect(!message("smtp://:secret@mail.example.com").contains("secret"))

        var configuration = ServerConfiguration()
        configuration.smtpURL = "smtp://mail.example.com"
        #expect(throws: NotificationError.smtpFrom) { try configuration.smtpSettings() }
        configuration.smtpURL = nil
        configuration.smtpFrom = "a@example.com"
        #expect(throws: NotificationError.smtpURL) { try configuration.smtpSettings() }
        configuration.smtpFrom = nil
        #expect(try configuration.smtpSettings() == nil)
    }

    @Test("chat webhook kind: by host, or by slack+/teams+ prefix (lab URLs), the prefix removed before posting")
    func chatKinds() throws {
        func hook(_ text: String) throws -> ChatWebhook { try ChatWebhook(URL(string: text)!) }
        #expect(try hook("https://hooks.slack.com/services/T/B/X").kind == .slack)
        #expect(try hook("https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def").kind == .teams)
        #expect(
            try hook("https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke").kind
                == .teams)
        #expect(try hook("https://chat.example.com/hooks/abc").kind == .slack, "Slack's format is the common default")
        let lab = try hook("teams+http://127.0.0.1:8099/hook?x=1")
        #expect(lab.kind == .teams)
        #expect(lab.url == "http://127.0.0.1:8099/hook?x=1")
        #expect(lab.redacted == "teams webhook at 127.0.0.1:8099")
        #expect(try hook("slack+https://contoso.webhook.office.com/x").kind == .slack, "the prefix wins over the host")
        #expect(throws: NotificationError.chatWebhook) { try hook("discord+https://example.com/x") }
        #expect(throws: NotificationError.chatWebhook) { try hook("mailto:ops@example.com") }
    }

    @Test("composer: RFC 2047 words never split a character, quoted-printable lines ≤ 76, no header injection")
    func composer() throws {
        let long = String(repeating: "Comprobación fallida en la conexión doméstica ", count: 4)
        let words = EmailComposer.encodedWords(long, nameLength: 7)
        let encoded = words.components(separatedBy: "\r\n ")
        #expect(encoded.count > 1)
        var decoded = Data()
        for word in encoded {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let base64 = String(word.dropFirst(10).dropLast(2))
            let chunk = try #require(Data(base64Encoded: base64))
            #expect(String(data: chunk, encoding: .utf8) != nil, "each word is whole UTF-8")
            decoded.append(chunk)
        }
        #expect(String(data: decoded, encoding: .utf8) == long)
        #expect(EmailComposer.encodedWords("Plain ASCII subject", nameLength: 7) == "Plain ASCII subject")

        let qp = EmailComposer.quotedPrintable(String(repeating: "ñandú = 100 % ", count: 12) + "fin \nsegunda línea\t")
        #expect(qp.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(qp.contains("=C3=B1and=C3=BA =3D 100 %"))
        #expect(qp.contains("fin=20\r\n"), "trailing space encoded")
        #expect(qp.hasSuffix("l=C3=ADnea=09"))

        let message = OutgoingMessage(
            recipient: Recipient(role: "agent", name: "Eve\r\nBcc: victim@example.com", email: "eve@example.com"),
            subject: "Hola\r\nBcc: victim@example.com", body: "x")
        let text = String(
            decoding: EmailComposer.compose(message, from: Mailbox(address: "hr@example.com"), to: "eve@example.com"),
            as: UTF8.self)
        let headerBlock = try #require(text.components(separatedBy: "\r\n\r\n").first)
        #expect(!headerBlock.split(separator: "\r\n").contains { $0.hasPrefix("Bcc:") })
        #expect(headerBlock.contains("Subject: Hola  Bcc: victim@example.com"))
        #expect(
            EmailComposer.rfc5322Date(Date(timeIntervalSince1970: 1_796_531_400)) == "Sun, 06 Dec 2026 04:30:00 +0000")
    }

    @Test("serve: --smtp-url/--smtp-from validated at start; the SMTP password never reaches the log at trace")
    func serveFlags() async throws {
        try TestEnvironment.require(ServerProcess.unavailableReason)
        let directory = try TemporaryDirectory(prefix: "hr-smtp-serve")
        defer { directory.remove() }
        let db = "sqlite:" + directory.url.appendingPathComponent("inventory.sqlite").path

        let wrongScheme = try Subprocess.run(
            [
                ServerProcess.executable, "serve", "--db", db, "--smtp-url", "http://mail.example.com", "--smtp-from",
                "a@example.com",
            ])
        #expect(wrongScheme.status == 64)
        #expect(wrongScheme.stderr.contains("--smtp-url must start with smtp:// or smtps://"), "\(wrongScheme.stderr)")
        let noFrom = try Subprocess.run([
            ServerProcess.executable, "serve", "--db", db, "--smtp-url", "smtp://mail.example.com",
        ])
        #expect(noFrom.status == 64)
        #expect(noFrom.stderr.contains("--smtp-url needs --smtp-from"), "\(noFrom.stderr)")
        let passwordWithoutUser = try directory.write("smtp-password", "from-file-Secret-42\n")
        let noUser = try Subprocess.run([
            ServerProcess.executable, "serve", "--db", db, "--smtp-url", "smtp://mail.example.com", "--smtp-from",
            "a@example.com",
            "--smtp-password-file", passwordWithoutUser.path,
        ])
        #expect(noUser.status == 64)
        #expect(noUser.stderr.contains("needs a user name"), "\(noUser.stderr)")
        #expect(!noUser.stderr.contains("from-file-Secret-42"))

        let password = "Url-Secret-9f3k"
        let port = try FreePort.tcp()
        let server = try Subprocess.start(
            [
                ServerProcess.executable, "serve", "--db", db, "--listen", "127.0.0.1:\(port)", "--log-level", "trace",
                "--smtp-from", "HomeReady <homeready@example.com>",
            ],
            environment: ["HOMEREADY_SMTP_URL": "smtp://ops:\(password)@127.0.0.1:9?starttls=required"])
        defer { server.stop() }
        try FreePort.waitForListener(port: port, timeout: 30)
        #expect(try await RawHTTP.request(port: port, method: "GET", path: "/healthz").status == 200)
        let log = server.log
        #expect(!log.isEmpty)
        #expect(!log.contains(password))
    }
}
