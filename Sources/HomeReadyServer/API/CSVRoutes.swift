import Foundation
import Hummingbird

/// CSV import of the roster and CSV exports (admin; exports also for planners).
struct CSVRoutes {
    let repository: any ServerRepository
    let configuration: ServerConfiguration

    func add(to router: RouterGroup<ServerRequestContext>) {
        router.post("import/roster") { request, context in
            _ = try context.require(.admin)
            let buffer = try await request.bodyBytes(limit: configuration.maxCSVBytes)
            let dryRun = request.uri.queryParameters.get("dry_run").map { $0 == "true" || $0 == "1" } ?? false
            let result = try await importRoster(String(buffer: buffer), dryRun: dryRun, repository: repository)
            return EditedResponse(status: result.errors.isEmpty ? .ok : .unprocessableContent, response: result)
        }
        router.post("import/shipments") { request, context in
            let principal = try context.require(.admin)
            let buffer = try await request.bodyBytes(limit: configuration.maxCSVBytes)
            let dryRun = request.uri.queryParameters.get("dry_run").map { $0 == "true" || $0 == "1" } ?? false
            let result = try await importShipments(
                String(buffer: buffer), dryRun: dryRun, actor: principal.actor, importer: repository)
            return EditedResponse(status: result.errors.isEmpty ? .ok : .unprocessableContent, response: result)
        }
        router.get("export/readiness.csv") { _, context in
            _ = try context.require(.admin, .planner)
            let now = Date()
            return csvResponse { emit in try await repository.exportReadinessCSV(now: now, emit: emit) }
        }
        router.get("export/equipment.csv") { _, context in
            _ = try context.require(.admin, .planner)
            return csvResponse { emit in try await repository.exportEquipmentCSV(emit: emit) }
        }
    }

    /// A CSV response streamed as the export produces it (chunked): the first rows leave before the last are
    /// read. An error after the first bytes ends the response early (the client sees a truncated body and the
    /// server logs the error); before them it is the usual problem document.
    func csvResponse(
        _ export: @escaping @Sendable ((String) async throws -> Void) async throws -> Void
    ) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/csv; charset=utf-8"],
            body: ResponseBody { writer in
                try await export { chunk in try await writer.write(ByteBuffer(string: chunk)) }
                try await writer.finish(nil)
            })
    }
}

extension ImportResult: ResponseEncodable {}

/// Parses and imports a roster CSV (shared by the API and the `import-roster` subcommand).
public func importRoster(_ text: String, dryRun: Bool, repository: any InventoryRepository) async throws -> ImportResult {
    let (rows, errors) = RosterImport.rows(from: text)
    if !errors.isEmpty { return ImportResult(dryRun: dryRun, created: 0, updated: 0, errors: errors) }
    return try await repository.importRoster(rows, dryRun: dryRun)
}

/// Parses and imports a shipments CSV (shared by the API and the `import-shipments` subcommand).
public func importShipments(_ text: String, dryRun: Bool, actor: String, importer: any ShipmentImporting) async throws
    -> ImportResult
{
    let (rows, errors) = ShipmentImport.rows(from: text)
    if errors.isEmpty { return try await importer.importShipments(rows, dryRun: dryRun, actor: actor) }
    // Report every bad row at once: the rows that read well are still checked against the database (dry run).
    let checked = try await importer.importShipments(rows, dryRun: true, actor: actor)
    let all = (errors + checked.errors).sorted { ($0.line, $0.column ?? "") < ($1.line, $1.column ?? "") }
    return ImportResult(dryRun: dryRun, created: 0, updated: 0, errors: all)
}
