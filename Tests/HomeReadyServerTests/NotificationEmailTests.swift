import Foundation
import HomeReadyTestSupport
import Logging
import Testing

@testable import HomeReadyServer

/// Email through a real SMTP server (aiosmtpd on 127.0.0.1): what it received, decoded by Python's `email`.
@Suite(
    "Notification email over SMTP", .serialized,
    .enabled(
        if: NotificationPeers.smtpPython != nil || TestEnvironment.isCI,
        "python3 with aiosmtpd is missing: install python3-aiosmtpd (Scripts/bootstrap)"))
struct NotificationEmailTests {
    static let logger = Logger(label: "notification-tests")

    static func spanishMessage(email: String = "maria.lopez@example.com") -> OutgoingMessage {
        OutgoingMessage(
            recipient: Recipient(role: "supervisor", name: "María López Núñez", email: email, language: "es"),
            subject: "Revisión pendiente: la conexión de José Martín falló (señal débil, ¿qué hacer?)",
            body: """
                José Martín no superó la comprobación de las 09:15: la latencia hacia la plataforma de voz es de 240 ms.

                Acción sugerida: pídale que conecte el portátil por cable al router y que vuelva a ejecutar la \
                comprobación. Esta línea es larga a propósito para que la codificación quoted-printable la parta.
                .una línea que empieza con punto
                """,
            links: [
                MessageLink(
                    label: "Confirmar recepción",
                    url: URL(string: "https://homeready.example.com/escalations/42/ack?sig=abc%2Bdef&exp=1765000000")!),
                MessageLink(
                    label: "Marcar como resuelto",
                    url: URL(string: "https://homeready.example.com/escalations/42/resolve?sig=xyz")!),
            ],
            threadKey: "escalation-42")
    }

    static func settings(_ url: String, from: String = "HomeReady Centro de Mando <homeready@example.com>") throws
        -> SMTPSettings
    {
        try SMTPSettings(url: url, from: from)
    }

    @Test("a Spanish message arrives with decoded From, To, Subject, body and links, as RFC 5322 ASCII on the wire")
    func plainDelivery() async throws {
        let sink = try NotificationPeers.startSMTP()
        defer { sink.stop() }
        let mailer = SMTPMailer(
            settings: try Self.settings("smtp://127.0.0.1:\(sink.port)?starttls=never"), logger: Self.logger)
        let message = Self.spanishMessage()
        let delivery = await mailer.send(message, to: "maria.lopez@example.com")
        #expect(delivery == ChannelDelivery(channel: "email", succeeded: true))

        let received = try #require(sink.waitForRecords(1).first)
        #expect(received["mail_from"] as? String == "homeready@example.com")
        #expect(received["rcpt_tos"] as? [String] == ["maria.lopez@example.com"])
        #expect(received["subject"] as? String == message.subject)
        #expect(received["from_display_name"] as? String == "HomeReady Centro de Mando")
        #expect(received["to_display_name"] as? String == "María López Núñez")
        #expect(received["to_address"] as? String == "maria.lopez@example.com")
        #expect(received["date_parses"] as? Bool == true)
        #expect(received["content_type"] as? String == "text/plain")
        #expect(received["charset"] as? String == "utf-8")
        #expect(received["transfer_encoding"] as? String == "quoted-printable")
        #expect(received["content_language"] as? String == "es")
        #expect((received["defects"] as? [String])?.isEmpty == true, "defects: \(received["defects"] ?? "")")
        let messageID = try #require(received["message_id"] as? String)
        #expect(messageID.hasPrefix("<") && messageID.hasSuffix("@example.com>"))
        #expect(received["references"] as? String == EmailComposer.threadRootID("escalation-42", domain: "example.com"))

        let body = try #require(received["body"] as? String).replacingOccurrences(of: "\r\n", with: "\n")
        #expect(body.contains("José Martín no superó la comprobación de las 09:15"))
        #expect(body.contains("Acción sugerida: pídale que conecte el portátil por cable"))
        #expect(body.contains("\n.una línea que empieza con punto\n"), "a leading dot survives SMTP dot-stuffing")
        #expect(
            body.contains(
                "Confirmar recepción: https://homeready.example.com/escalations/42/ack?sig=abc%2Bdef&exp=1765000000\n"))
        #expect(body.contains("Marcar como resuelto: https://homeready.example.com/escalations/42/resolve?sig=xyz"))

        // On the wire: 7-bit ASCII, CRLF lines within RFC 5322's 78 characters, encoded words for the accents.
        let raw = try #require(received["raw"] as? String)
        // Kept with the results (`swift test --attachments-path DIR`): the sample in docs/notifications.md.
        Attachment.record(raw, named: "spanish-escalation.eml")
        #expect(received["raw_is_ascii"] as? Bool == true)
        let lines = raw.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 78 }, "longest line: \(lines.map(\.count).max() ?? 0)")
        #expect(raw.contains("Subject: =?UTF-8?B?"))
        #expect(!raw.contains("\n\n"), "bare LF line ends")
    }

    @Test("STARTTLS required, AUTH with user and password, the server's certificate checked against cafile")
    func startTLSWithAuth() async throws {
        let directory = try TemporaryDirectory(prefix: "hr-smtp-tls")
        defer { directory.remove() }
        let authority = try TestCertificateAuthority(commonName: "HomeReady Mail Test CA", in: directory.path)
        let leaf = try authority.issue(file: "mail", commonName: "127.0.0.1", names: ["127.0.0.1", "localhost"])
        let sink = try NotificationPeers.startSMTP(mode: .starttls, certificate: leaf, login: "centro:clave secreta/ñ")
        defer { sink.stop() }

        let good = try Self.settings(
            "smtp://centro:clave%20secreta%2F%C3%B1@127.0.0.1:\(sink.port)?cafile=\(authority.certificatePath)")
        #expect(good.security == .startTLSRequired, "a user name implies STARTTLS required")
        #expect(good.password == "clave secreta/ñ")
        let delivery = await SMTPMailer(settings: good, logger: Self.logger).send(
            Self.spanishMessage(), to: "maria.lopez@example.com")
        #expect(delivery.succeeded, "\(delivery.error ?? "")")
        let received = try #require(sink.waitForRecords(1).first)
        #expect(received["tls"] as? Bool == true)
        #expect(received["authenticated"] as? Bool == true)
        #expect(received["subject"] as? String == Self.spanishMessage().subject)

        // A wrong password: refused, in words, and the password is nowhere in the error.
        let bad = try Self.settings(
            "smtp://centro:wrong-Pa55word@127.0.0.1:\(sink.port)?cafile=\(authority.certificatePath)")
        let refused = await SMTPMailer(settings: bad, logger: Self.logger).send(
            Self.spanishMessage(), to: "maria.lopez@example.com")
        #expect(!refused.succeeded)
        let error = try #require(refused.error)
        #expect(error.contains("refused the login"), "\(error)")
        #expect(!error.contains("wrong-Pa55word"))

        // Without the private CA the certificate is not trusted: a TLS failure that says what to do.
        let untrusted = try Self.settings("smtp://centro:clave%20secreta%2F%C3%B1@127.0.0.1:\(sink.port)")
        let tlsFailure = await SMTPMailer(settings: untrusted, logger: Self.logger).send(
            Self.spanishMessage(), to: "maria.lopez@example.com")
        #expect(!tlsFailure.succeeded)
        #expect(tlsFailure.error?.contains("cafile") == true, "\(tlsFailure.error ?? "")")
        #expect(sink.records().count == 1, "only the good delivery arrived")
    }

    @Test("smtps:// speaks TLS from the first byte")
    func implicitTLS() async throws {
        let directory = try TemporaryDirectory(prefix: "hr-smtps")
        defer { directory.remove() }
        let authority = try TestCertificateAuthority(commonName: "HomeReady SMTPS Test CA", in: directory.path)
        let leaf = try authority.issue(file: "smtps", commonName: "localhost", names: ["localhost", "127.0.0.1"])
        let sink = try NotificationPeers.startSMTP(mode: .tls, certificate: leaf)
        defer { sink.stop() }
        let settings = try Self.settings("smtps://127.0.0.1:\(sink.port)?cafile=\(authority.certificatePath)")
        #expect(settings.security == .implicitTLS)
        let delivery = await SMTPMailer(settings: settings, logger: Self.logger).send(
            Self.spanishMessage(), to: "ana@example.com")
        #expect(delivery.succeeded, "\(delivery.error ?? "")")
        let received = try #require(sink.waitForRecords(1).first)
        #expect(received["tls"] as? Bool == true)
        #expect(received["rcpt_tos"] as? [String] == ["ana@example.com"])
    }

    @Test("starttls=required against a server without STARTTLS fails instead of sending in the clear")
    func startTLSRequiredButNotOffered() async throws {
        let sink = try NotificationPeers.startSMTP()
        defer { sink.stop() }
        let settings = try Self.settings("smtp://127.0.0.1:\(sink.port)?starttls=required")
        let delivery = await SMTPMailer(settings: settings, logger: Self.logger).send(
            Self.spanishMessage(), to: "ana@example.com")
        #expect(!delivery.succeeded)
        #expect(delivery.error?.contains("STARTTLS") == true, "\(delivery.error ?? "")")
        #expect(sink.records().isEmpty)
    }

    @Test("an SMTP server that is down gives succeeded: false with a readable error, quickly")
    func serverDown() async throws {
        let port = try FreePort.tcp()
        let settings = try Self.settings("smtp://127.0.0.1:\(port)")
        let started = ContinuousClock.now
        let delivery = await SMTPMailer(settings: settings, logger: Self.logger).send(
            Self.spanishMessage(), to: "ana@example.com")
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(delivery.channel == "email")
        #expect(!delivery.succeeded)
        #expect(delivery.error?.contains("refused the connection or is down") == true, "\(delivery.error ?? "")")
        #expect(delivery.error?.contains("127.0.0.1:\(port)") == true)
    }

    @Test("a recipient address the server refuses, or one that is not an address, is a failed delivery")
    func badRecipient() async throws {
        let sink = try NotificationPeers.startSMTP()
        defer { sink.stop() }
        let mailer = SMTPMailer(
            settings: try Self.settings("smtp://127.0.0.1:\(sink.port)?starttls=never"), logger: Self.logger)
        let injected = await mailer.send(Self.spanishMessage(), to: "ana@example.com\r\nRCPT TO:<evil@example.com>")
        #expect(!injected.succeeded)
        #expect(injected.error?.contains("is not an address") == true)
        let refused = await mailer.send(Self.spanishMessage(), to: "nadie@refused.example.com")
        #expect(!refused.succeeded)
        #expect(refused.error?.contains("refused the message; last reply 550") == true, "\(refused.error ?? "")")
        #expect(sink.records().isEmpty)
    }
}
