import Foundation

/// A roster row from CSV: columns `employee_id,name,contact,site,campaign,team,role` (names, not ids).
public struct RosterRow: Sendable, Equatable {
    public var line: Int
    public var employeeId: String
    public var name: String
    public var contact: String?
    public var site: String?
    public var campaign: String?
    public var team: String?
    public var role: String?
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
        columns: ["employee_id", "name", "contact", "site", "campaign", "team", "role"],
        required: ["employee_id", "name"], key: "employee_id", keyName: "employee id")

    static func rows(from text: String) -> (rows: [RosterRow], errors: [CSV.RowError]) {
        let table = CSVTable(text, layout: layout)
        let rows = table.rows.map {
            RosterRow(
                line: $0.line, employeeId: $0["employee_id"] ?? "", name: $0["name"] ?? "", contact: $0["contact"],
                site: $0["site"], campaign: $0["campaign"], team: $0["team"], role: $0["role"])
        }
        return (rows, table.errors)
    }
}
