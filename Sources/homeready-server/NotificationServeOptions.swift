import ArgumentParser
import Foundation
import HomeReadyServer

/// `serve` options for notification email (docs/notifications.md). Chat webhooks need no option: each contact's
/// webhook URL comes from the roster.
struct NotificationServeOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Mail server for notifications: smtp://HOST:PORT[?starttls=required], smtps://USER:PASSWORD@HOST "
                + "(default: $HOMEREADY_SMTP_URL, which keeps a password off the command line).",
            valueName: "url"))
    var smtpUrl: String?
    @Option(name: .long, help: "Read the SMTP password from this file's first line (with a user name in --smtp-url).")
    var smtpPasswordFile: String?
    @Option(
        name: .long,
        help: "Sender of notification email, e.g. homeready@example.com or \"HomeReady <homeready@example.com>\".")
    var smtpFrom: String?

    /// `--smtp-url`, else `HOMEREADY_SMTP_URL`.
    var url: String? {
        smtpUrl ?? ProcessInfo.processInfo.environment["HOMEREADY_SMTP_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func validate() throws {
        if smtpPasswordFile != nil, url == nil {
            throw ValidationError("--smtp-password-file needs --smtp-url smtp://USER@HOST:PORT")
        }
        var configuration = ServerConfiguration()
        try apply(to: &configuration)
        do { _ = try configuration.smtpSettings() } catch { throw ValidationError(error.description) }
    }

    func apply(to configuration: inout ServerConfiguration) throws {
        configuration.smtpFrom = smtpFrom
        guard var text = url else {
            configuration.smtpURL = nil
            return
        }
        if let smtpPasswordFile {
            let contents: String
            do { contents = try String(contentsOfFile: smtpPasswordFile, encoding: .utf8) } catch {
                throw ValidationError(
                    "cannot read --smtp-password-file \(smtpPasswordFile): check the path and its permissions")
            }
            let password =
                contents.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard !password.isEmpty else { throw ValidationError("--smtp-password-file \(smtpPasswordFile) is empty") }
            guard var components = URLComponents(string: text), components.user != nil else {
                throw ValidationError("--smtp-password-file needs a user name in --smtp-url: smtp://USER@HOST:PORT")
            }
            guard components.password == nil else {
                throw ValidationError("--smtp-url already holds a password; drop it or drop --smtp-password-file")
            }
            components.password = password
            text = components.string ?? text
        }
        configuration.smtpURL = text
    }
}
