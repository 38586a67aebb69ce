import Foundation
import HomeReadyLocalization

/// A roster row from CSV: columns `employee_id,name,contact,site,campaign,team,role,language` (names, not ids).
public struct RosterRow: Sendable, Equatable {
    public var line: Int
    public var employeeId: String
    public var name: String
    public var contact: String?
    public var site: String?
    public var campaign: String?
    public var team: String?
    public var role: String?
    /// The language the agent reads, `es` or `en` (a tag such as `es-MX` is accepted and shortened).
    public var language: String? = nil
    /// The agent's supervisor, coordinator and director for escalations (issue 20), from the optional columns
    /// `supervisor_name`, `supervisor_email`, `supervisor_chat_webhook`, `supervisor_language` (and the same with
    /// `coordinator_` and `director_`). Only roles the row fills in; each has an email or a chat webhook.
    public var contacts: [Recipient] = []
}

/// The outcome of an import or its dry run.
public struct ImportResult: Codable, Sendable, Equatable {
    public var dryRun: Bool
    public var created: Int
    public var updated: Int
    /// Every bad row; when not empty nothing was imported.
    public var errors: [CSV.RowError]
}

/// Reads and checks a roster CSV: required header columns, non-empty keys, no duplicate employee ids.
enum RosterImport {
    static let layout = CSVTable.Layout(
        columns: ["employee_id", "name", "contact", "site", "campaign", "team", "role", "language"]
            + contactRoles.flatMap { role in contactFields.map { "\(role)_\($0)" } },
        required: ["employee_id", "name"], key: "employee_id", keyName: "employee id")

    /// The languages the `language` column takes.
    static let languages: Set<String> = ["es", "en"]

    /// The escalation contacts a row may name, and each one's columns (`supervisor_email`, …).
    static let contactRoles = ["supervisor", "coordinator", "director"]
    static let contactFields = ["name", "email", "chat_webhook", "language"]

    static func rows(from text: String) -> (rows: [RosterRow], errors: [CSV.RowError]) {
        let table = CSVTable(text, layout: layout)
        var errors = table.errors
        let rows = table.rows.compactMap { row -> RosterRow? in
            var language: String?
            if let value = row["language"] {
                let offered = Language(tag: value).map(\.rawValue)
                guard let offered, languages.contains(offered) else {
                    errors.append(
                        .init(line: row.line, column: "language",
                              message: "`language` must be es or en (the language the agent reads), got \"\(value)\""))
                    return nil
                }
                language = offered
            }
            var contacts: [Recipient] = []
            for role in contactRoles {
                let (contact, problem) = contact(role, in: row)
                if let problem {
                    errors.append(problem)
                    return nil
                }
                if let contact { contacts.append(contact) }
            }
            return RosterRow(
                line: row.line, employeeId: row["employee_id"] ?? "", name: row["name"] ?? "", contact: row["contact"],
                site: row["site"], campaign: row["campaign"], team: row["team"], role: row["role"], language: language,
                contacts: contacts)
        }
        return (rows, errors.sorted { $0.line < $1.line })
    }

    /// One role's contact from a row's `<role>_*` columns: nil when they are all empty, an error naming the
    /// column when they are filled in wrongly.
    static func contact(_ role: String, in row: CSVTable.Row) -> (Recipient?, CSV.RowError?) {
        let name = row["\(role)_name"], email = row["\(role)_email"]
        let webhook = row["\(role)_chat_webhook"], language = row["\(role)_language"]
        guard name != nil || email != nil || webhook != nil || language != nil else { return (nil, nil) }
        func error(_ column: String, _ message: String) -> (Recipient?, CSV.RowError?) {
            (nil, CSV.RowError(line: row.line, column: "\(role)_\(column)", message: message))
        }
        guard email != nil || webhook != nil else {
            return error("email", "the \(role) needs `\(role)_email` or `\(role)_chat_webhook` to be reached")
        }
        if let email, !(email.contains("@") && !email.hasPrefix("@") && !email.hasSuffix("@") && !email.contains(" ")) {
            return error("email", "`\(role)_email` must be an email address such as ana@example.com, got \"\(email)\"")
        }
        var url: URL?
        if let webhook {
            guard let parsed = URL(string: webhook), let scheme = parsed.scheme?.lowercased(),
                scheme == "https" || scheme == "http", parsed.host != nil
            else {
                return error(
                    "chat_webhook",
                    "`\(role)_chat_webhook` must be an http(s) incoming-webhook URL (Slack or Teams), got \"\(webhook)\"")
            }
            url = parsed
        }
        var code: String?
        if let language {
            guard let offered = Language(tag: language).map(\.rawValue), languages.contains(offered) else {
                return error("language", "`\(role)_language` must be es or en, got \"\(language)\"")
            }
            code = offered
        }
        return (
            Recipient(role: role, name: name ?? email ?? webhook ?? role, email: email, chatWebhook: url, language: code),
            nil
        )
    }
}
