/// A CSV file read as a table of named columns, checked the same way for every importer: the header names known
/// columns and has the required ones, each row has as many fields as the header, required fields are not empty,
/// and the key column does not repeat. Every problem is a `CSV.RowError` with its line and column.
struct CSVTable {
    /// One data row: its line and its non-empty (trimmed) values by lowercase column name.
    struct Row {
        var line: Int
        var values: [String: String]

        subscript(_ column: String) -> String? { values[column] }
    }

    /// The columns a file may have, which of them must be filled, and the key that must not repeat.
    struct Layout {
        var columns: [String]
        var required: [String]
        var key: String
        /// How the key is called in "X repeats line N" messages, e.g. "employee id".
        var keyName: String
    }

    var rows: [Row] = []
    var errors: [CSV.RowError] = []

    /// Reads `text` against `layout`; rows with a problem are reported and left out of `rows`.
    init(_ text: String, layout: Layout) {
        let (records, parseError) = CSV.parse(text)
        if let parseError {
            errors = [parseError]
            return
        }
        guard let header = records.first else {
            errors = [CSV.RowError(line: 1, column: nil, message: "the file is empty; the first line must name the columns")]
            return
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for column in layout.required where !names.contains(column) {
            errors.append(.init(line: header.line, column: column, message: "the header lacks the `\(column)` column"))
        }
        for name in names where !layout.columns.contains(name) {
            errors.append(
                .init(line: header.line, column: name,
                      message: "unknown column `\(name)`; known: \(layout.columns.joined(separator: ", "))"))
        }
        guard errors.isEmpty else { return }
        var seen: [String: Int] = [:]
        for record in records.dropFirst() {
            guard record.fields.count == names.count else {
                errors.append(
                    .init(line: record.line, column: nil,
                          message: "has \(record.fields.count) fields, the header has \(names.count)"))
                continue
            }
            var values: [String: String] = [:]
            for (name, value) in zip(names, record.fields) {
                let trimmed = value.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty { values[name] = trimmed }
            }
            var bad = false
            for column in layout.required where values[column] == nil {
                errors.append(.init(line: record.line, column: column, message: "`\(column)` is empty"))
                bad = true
            }
            if let key = values[layout.key] {
                if let first = seen[key] {
                    errors.append(
                        .init(line: record.line, column: layout.key, message: "\(layout.keyName) \(key) repeats line \(first)"))
                    bad = true
                } else {
                    seen[key] = record.line
                }
            }
            if !bad { rows.append(Row(line: record.line, values: values)) }
        }
    }
}
