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
    static let columns = ["employee_id", "name", "contact", "site", "campaign", "team", "role"]
    static let required = ["employee_id", "name"]

    static func rows(from text: String) -> (rows: [RosterRow], errors: [CSV.RowError]) {
        let (records, parseError) = CSV.parse(text)
        if let parseError { return ([], [parseError]) }
        guard let header = records.first else {
            return ([], [CSV.RowError(line: 1, column: nil, message: "the file is empty; the first line must name the columns")])
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var errors: [CSV.RowError] = []
        for column in required where !names.contains(column) {
            errors.append(.init(line: header.line, column: column, message: "the header lacks the `\(column)` column"))
        }
        for name in names where !columns.contains(name) {
            errors.append(.init(line: header.line, column: name, message: "unknown column `\(name)`; known: \(columns.joined(separator: ", "))"))
        }
        guard errors.isEmpty else { return ([], errors) }
        var rows: [RosterRow] = []
        var seen: [String: Int] = [:]
        for record in records.dropFirst() {
            guard record.fields.count == names.count else {
                errors.append(.init(line: record.line, column: nil, message: "has \(record.fields.count) fields, the header has \(names.count)"))
                continue
            }
            var values: [String: String] = [:]
            for (name, value) in zip(names, record.fields) {
                let trimmed = value.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty { values[name] = trimmed }
            }
            var bad = false
            for column in required where values[column] == nil {
                errors.append(.init(line: record.line, column: column, message: "`\(column)` is empty"))
                bad = true
            }
            if let id = values["employee_id"] {
                if let first = seen[id] {
                    errors.append(.init(line: record.line, column: "employee_id", message: "employee id \(id) repeats line \(first)"))
                    bad = true
                } else {
                    seen[id] = record.line
                }
            }
            if bad { continue }
            rows.append(
                RosterRow(
                    line: record.line, employeeId: values["employee_id"]!, name: values["name"]!, contact: values["contact"],
                    site: values["site"], campaign: values["campaign"], team: values["team"], role: values["role"]))
        }
        return (rows, errors)
    }
}
