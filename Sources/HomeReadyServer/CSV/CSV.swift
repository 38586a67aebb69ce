/// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends.
public enum CSV {
    /// A parsed record with the 1-based line it starts on.
    public struct Record: Sendable, Equatable {
        public var line: Int
        public var fields: [String]
    }

    /// A row-level problem: line, column name and what to do.
    public struct RowError: Codable, Sendable, Equatable {
        public var line: Int
        public var column: String?
        public var message: String
    }

    /// Parses text into records; an unterminated quote is reported at the line it started on.
    public static func parse(_ text: String) -> (records: [Record], error: RowError?) {
        var records: [Record] = []
        var field = ""
        var fields: [String] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var quoteLine = 1
        var iterator = Array(text.unicodeScalars)[...]
        var fieldStarted = false
        while let scalar = iterator.popFirst() {
            if inQuotes {
                if scalar == "\"" {
                    if iterator.first == "\"" {
                        iterator.removeFirst()
                        field.unicodeScalars.append("\"")
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty:
                inQuotes = true
                quoteLine = line
                fieldStarted = true
            case ",":
                fields.append(field)
                field = ""
                fieldStarted = true
            case "\r":
                continue
            case "\n":
                if fieldStarted || !field.isEmpty || !fields.isEmpty {
                    fields.append(field)
                    records.append(Record(line: recordLine, fields: fields))
                }
                fields = []
                field = ""
                fieldStarted = false
                line += 1
                recordLine = line
            default:
                field.unicodeScalars.append(scalar)
                fieldStarted = true
            }
        }
        if inQuotes {
            return (records, RowError(line: quoteLine, column: nil, message: "a quoted field is never closed"))
        }
        if fieldStarted || !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            records.append(Record(line: recordLine, fields: fields))
        }
        return (records, nil)
    }

    /// Quotes a field when it needs it.
    public static func escape(_ value: String) -> String {
        // By UTF-8 byte: the four are ASCII, which no byte of a longer character equals. (By Character, "\r\n" is
        // one Character equal to neither "\r" nor "\n": found by Scripts/bench/fuzz.)
        guard value.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return value }
        // Doubled by scalar: a quote followed by a combining mark is one Character that is not "\"".
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in value.unicodeScalars {
            if scalar == "\"" { quoted.append("\"") }
            quoted.append(scalar)
        }
        quoted.append("\"")
        return String(quoted)
    }

    /// One CSV line (with LF).
    public static func line(_ fields: [String]) -> String {
        var line = ""
        append(fields, to: &line)
        return line
    }

    /// Appends one CSV line (with LF) to `text`, field by field.
    public static func append(_ fields: [String], to text: inout String) {
        for (index, field) in fields.enumerated() {
            if index > 0 { text += "," }
            text += escape(field)
        }
        text += "\n"
    }
}
