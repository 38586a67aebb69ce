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
        columns: ["employee_id", "name", "contact", "site", "campaign", "team", "role", "language"],
        required: ["employee_id", "name"], key: "employee_id", keyName: "employee id")

    /// The languages the `language` column takes.
    static let languages: Set<String> = ["es", "en"]

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
            return RosterRow(
                line: row.line, employeeId: row["employee_id"] ?? "", name: row["name"] ?? "", contact: row["contact"],
                site: row["site"], campaign: row["campaign"], team: row["team"], role: row["role"], language: language)
        }
        return (rows, errors.sorted { $0.line < $1.line })
    }
}
