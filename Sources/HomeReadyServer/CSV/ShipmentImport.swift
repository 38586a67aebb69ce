import Foundation

/// A shipment row from CSV: columns `asset_tag,kind,model,serial,employee_id,carrier,tracking_number,shipped_at,
/// delivered_at,note`. Only `asset_tag` is required; `kind` is needed when the tag is new.
public struct ShipmentRow: Sendable, Equatable {
    public var line: Int
    public var assetTag: String
    public var kind: String?
    public var model: String?
    public var serial: String?
    public var employeeId: String?
    public var carrier: String?
    public var trackingNumber: String?
    public var shippedAt: Date?
    public var deliveredAt: Date?
    public var note: String?
}

/// Imports shipments: creates or updates equipment items by asset tag and moves each through the lifecycle.
public protocol ShipmentImporting: Sendable {
    /// Applies every row in one transaction, or none when any row is bad; `dryRun` checks everything (the
    /// transitions included) and writes nothing.
    func importShipments(_ rows: [ShipmentRow], dryRun: Bool, actor: String) async throws -> ImportResult
}

/// Reads and checks a shipments CSV (the same checks as the roster: header, field counts, required key, no
/// repeated asset tag), plus dates (`YYYY-MM-DD` or ISO 8601) and delivery not before shipping.
enum ShipmentImport {
    static let layout = CSVTable.Layout(
        columns: [
            "asset_tag", "kind", "model", "serial", "employee_id", "carrier", "tracking_number", "shipped_at",
            "delivered_at", "note",
        ],
        required: ["asset_tag"], key: "asset_tag", keyName: "asset tag")

    static func rows(from text: String) -> (rows: [ShipmentRow], errors: [CSV.RowError]) {
        let table = CSVTable(text, layout: layout)
        var errors = table.errors
        var rows: [ShipmentRow] = []
        for row in table.rows {
            var bad = false
            func date(_ column: String) -> Date? {
                guard let text = row[column] else { return nil }
                if let parsed = parseDate(text) { return parsed }
                errors.append(
                    .init(line: row.line, column: column,
                          message: "`\(text)` is not a date; write YYYY-MM-DD or an ISO 8601 time (2026-11-24T09:30:00Z)"))
                bad = true
                return nil
            }
            let shipped = date("shipped_at")
            let delivered = date("delivered_at")
            if let shipped, let delivered, delivered < shipped {
                errors.append(.init(line: row.line, column: "delivered_at", message: "delivered before it was shipped"))
                bad = true
            }
            if bad { continue }
            rows.append(
                ShipmentRow(
                    line: row.line, assetTag: row["asset_tag"] ?? "", kind: row["kind"], model: row["model"],
                    serial: row["serial"], employeeId: row["employee_id"], carrier: row["carrier"],
                    trackingNumber: row["tracking_number"], shippedAt: shipped, deliveredAt: delivered,
                    note: row["note"]))
        }
        return (rows, errors)
    }

    /// `YYYY-MM-DD` (midnight UTC) or an ISO 8601 time with a zone.
    static func parseDate(_ text: String) -> Date? {
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        guard text.count == 10 else { return nil }
        return day.date(from: text)
    }
}
