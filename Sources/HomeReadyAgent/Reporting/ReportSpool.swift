import Foundation

/// A signed report waiting in the spool for the server's acknowledgement.
public struct SpooledReport: Sendable, Equatable {
    public var reportID: UUID
    public var deviceID: String
    /// Base64 Ed25519 signature of `body` (see `ReportSignature`).
    public var signature: String
    /// The exact report JSON bytes that were signed.
    public var body: Data
    public var file: URL
}

/// The on-disk queue of signed reports. A report enters with `add` (durably: write, fsync, rename) and leaves
/// only with `remove`, after the server acknowledged it; it survives crashes and reboots.
///
/// Each report is one file `REPORT_ID.report`: a JSON header line (`device_id`, `signature`), then the body.
/// A file that cannot be read back is moved to `corrupt/` (never deleted); one the server refused for good is
/// moved to `rejected/` with the reason, so it no longer blocks the queue and IT can look at it.
public struct ReportSpool: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    var corruptDirectory: URL { directory.appendingPathComponent("corrupt") }
    var rejectedDirectory: URL { directory.appendingPathComponent("rejected") }

    private struct Header: Codable {
        var format: Int
        var deviceID: String
        var signature: String

        enum CodingKeys: String, CodingKey {
            case format
            case deviceID = "device_id"
            case signature
        }
    }

    /// Saves a signed report durably. Adding the same report id again replaces the file (same content).
    @discardableResult
    public func add(reportID: UUID, deviceID: String, signature: String, body: Data) throws(AgentError) -> SpooledReport {
        try SecureFile.makeDirectory(directory)
        let header = Header(format: 1, deviceID: deviceID, signature: signature)
        var data = (try? JSONEncoder().encode(header)) ?? Data()
        data.append(UInt8(ascii: "\n"))
        data.append(body)
        let file = directory.appendingPathComponent("\(reportID.uuidString).report")
        try SecureFile.write(data, to: file)
        return SpooledReport(reportID: reportID, deviceID: deviceID, signature: signature, body: body, file: file)
    }

    /// Reports waiting to be sent, oldest first. Unreadable files are moved to `corrupt/` and listed in `problems`.
    public func pending() -> (reports: [SpooledReport], problems: [String]) {
        let files = (try? FileManager.default.contentsOfDirectory(
            at: directory, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        var reports: [(Date, SpooledReport)] = []
        var problems: [String] = []
        for file in files where file.pathExtension == "report" {
            let modified = (try? file.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            if let report = read(file) {
                reports.append((modified, report))
            } else {
                let moved = quarantine(file, into: corruptDirectory)
                problems.append("\(file.lastPathComponent) could not be read back and was moved to \(moved.path); it is kept for IT")
            }
        }
        return (reports.sorted { ($0.0, $0.1.reportID.uuidString) < ($1.0, $1.1.reportID.uuidString) }.map(\.1), problems)
    }

    /// Number of reports waiting, without reading them.
    public var count: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".report") }.count
    }

    /// Reports the server refused for good, with their reasons.
    public func rejected() -> [(file: String, reason: String)] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: rejectedDirectory.path)) ?? []
        return files.filter { $0.hasSuffix(".report") }.sorted().map { name in
            let reason = (try? String(contentsOf: rejectedDirectory.appendingPathComponent(name + ".reason"), encoding: .utf8)) ?? ""
            return (name, reason.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Removes a report the server acknowledged.
    public func remove(_ report: SpooledReport) {
        unlink(report.file.path)
        SecureFile.syncDirectory(directory)
    }

    /// Moves a report the server refused for good out of the queue, keeping it and the reason.
    public func reject(_ report: SpooledReport, reason: String) {
        let moved = quarantine(report.file, into: rejectedDirectory)
        try? SecureFile.write(Data(reason.utf8), to: URL(fileURLWithPath: moved.path + ".reason"))
    }

    private func read(_ file: URL) -> SpooledReport? {
        guard let data = try? Data(contentsOf: file), let newline = data.firstIndex(of: UInt8(ascii: "\n")),
            let header = try? JSONDecoder().decode(Header.self, from: data[data.startIndex..<newline]), header.format == 1,
            let id = UUID(uuidString: file.deletingPathExtension().lastPathComponent)
        else { return nil }
        let body = Data(data[data.index(after: newline)...])
        guard (try? JSONSerialization.jsonObject(with: body)) != nil else { return nil }
        return SpooledReport(reportID: id, deviceID: header.deviceID, signature: header.signature, body: body, file: file)
    }

    private func quarantine(_ file: URL, into folder: URL) -> URL {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let target = folder.appendingPathComponent(file.lastPathComponent)
        unlink(target.path)
        if rename(file.path, target.path) != 0 { return file }
        SecureFile.syncDirectory(directory)
        return target
    }
}
