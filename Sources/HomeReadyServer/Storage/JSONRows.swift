import Foundation
import HomeReadyModel
import SQLKit

/// Rows sent to the database as one JSON array of arrays in one parameter, read back as a table `entry(value)`
/// whose `value ->> N` is the row's Nth column.
///
/// A statement then has one parameter for any number of rows: its text stays the same, and no value goes through
/// the driver's binding one at a time (for a multi-row `VALUES` that cost more than the statement itself). SQLite
/// walks the array with `jsonb_each`, whose rows are binary JSON that `->>` reads without parsing each row's text
/// again; PostgreSQL with `json_array_elements`. `->>` gives text (SQLite: the JSON scalar's own type): cast
/// numbers with `CAST(entry.value ->> N AS BIGINT)`.
enum JSONRows {
    /// `FROM` source for `rows`, each a JSON array text (`JSONText.row`).
    static func source(_ rows: [String], on db: any SQLDatabase) -> SQLQueryString {
        let json = "[" + rows.joined(separator: ",") + "]"
        return db.dialect.name == "postgresql"
            ? "json_array_elements(\(bind: json)::json) AS entry(value)" : "jsonb_each(\(bind: json)) AS entry"
    }
}

/// Minimal JSON text building for statement parameters (`JSONRows`).
enum JSONText {
    /// A cell of a row: text or an integer, either of them possibly null.
    enum Cell {
        case text(String?)
        case integer(Int64?)
    }

    /// A row as a JSON array.
    static func row(_ cells: Cell...) -> String {
        var out = "["
        for (index, cell) in cells.enumerated() {
            if index > 0 { out += "," }
            switch cell {
            case .text(let text?): out += quoted(text)
            case .integer(let number?): out += String(number)
            case .text(nil), .integer(nil): out += "null"
            }
        }
        return out + "]"
    }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String { CompactJSONEncoder.quoted(text) }
}
