import ArgumentParser
import Foundation
import HomeReadyServer

struct ImportShipments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-shipments",
        abstract: """
            Create or update equipment by asset tag from a CSV (asset_tag,kind,model,serial,employee_id,carrier,\
            tracking_number,shipped_at,delivered_at,note), moving each item to shipped or delivered; all or nothing.
            """)
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "The CSV file.") var file: String
    @Flag(help: "Check every row (transitions included) and report, importing nothing.") var dryRun = false

    func run() async throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let (store, repository) = try await openRepository(try options.configuration(), logger: options.logger)
        let result: ImportResult
        do {
            result = try await importShipments(text, dryRun: dryRun, actor: "cli", importer: repository)
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
        try ImportOutput(file: file, dryRun: dryRun).print(result)
    }
}

/// How the import subcommands report: each bad row as FILE:LINE column C: message on stderr (exit 1), or the
/// counts on stdout.
struct ImportOutput {
    let file: String
    let dryRun: Bool

    func print(_ result: ImportResult) throws {
        for error in result.errors {
            let column = error.column.map { " column \($0)" } ?? ""
            FileHandle.standardError.write(Data("\(file):\(error.line)\(column): \(error.message)\n".utf8))
        }
        guard result.errors.isEmpty else { throw ExitCode(1) }
        let verbs = dryRun ? ("would create", "would update") : ("created", "updated")
        Swift.print("\(verbs.0) \(result.created), \(verbs.1) \(result.updated)")
    }
}
