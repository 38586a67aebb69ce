import ArgumentParser
import Foundation
import HomeReadyAgent
import HomeReadyModel

/// `homeready status`: enrollment, server, profile in use, and the spool.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: cliText("cli.status.abstract"))

    @Flag(help: ArgumentHelp(cliText("cli.status.json"))) var json = false

    struct Status: Encodable {
        var enrolled: Bool
        var server: String?
        var deviceId: String?
        var employeeId: String?
        var enrolledAt: Date?
        var trust: String?
        var profileId: String?
        var profileVersion: Int?
        var profileCachedAt: Date?
        var pending: Int
        var rejected: [Rejected]
        var problem: String?

        struct Rejected: Encodable { var file: String; var reason: String }
    }

    func run() throws {
        let agent = EnrolledAgent(paths: AgentPaths.standard(), logger: .init(label: "homeready"))
        var status = Status(enrolled: false, pending: agent.spool.count, rejected: agent.spool.rejected().map {
            Status.Rejected(file: $0.file, reason: $0.reason)
        })
        do {
            let enrollment = try agent.store.loadEnrollment()
            _ = try agent.store.loadKey()
            status.enrolled = true
            status.server = enrollment.serverURL
            status.deviceId = enrollment.deviceID
            status.employeeId = enrollment.employeeID
            status.enrolledAt = enrollment.enrolledAt
            status.trust = enrollment.pinnedPublicKey.map { "pin \($0)" } ?? enrollment.caFile.map { "CA bundle \($0)" }
                ?? "system CA store"
            status.profileId = enrollment.profileID
        } catch {
            status.problem = error.description
        }
        if let cached = agent.profileCache.load() {
            status.profileId = cached.id
            status.profileVersion = cached.version
            status.profileCachedAt = cached.fetchedAt
        }
        if json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.dateEncodingStrategy = ReportCoding.dateEncoding
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        } else {
            if status.enrolled {
                print("enrolled:  yes, device \(status.deviceId ?? "") for employee \(status.employeeId ?? "")")
                print("server:    \(status.server ?? "") (trust: \(status.trust ?? ""))")
            } else {
                print("enrolled:  no (\(status.problem ?? "not enrolled"))")
            }
            if let id = status.profileId {
                let version = status.profileVersion.map { " version \($0)" } ?? ""
                let cached = status.profileCachedAt.map { ", cached \(ISO8601DateFormatter().string(from: $0))" } ?? ", not cached yet"
                print("profile:   \(id)\(version)\(cached)")
            } else {
                print("profile:   none assigned")
            }
            print("pending:   \(status.pending) report(s) waiting to be sent")
            print("rejected:  \(status.rejected.count)")
            for entry in status.rejected { print("  \(entry.file): \(entry.reason)") }
        }
        if !status.enrolled, status.problem?.contains("mode") == true { throw ExitCode(2) }
    }
}
