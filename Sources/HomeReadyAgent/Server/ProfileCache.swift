import Foundation
import HomeReadyModel

/// The assigned profile as last fetched, kept for offline checks (`$XDG_CACHE_HOME/homeready/profiles`).
public struct ProfileCache: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    var file: URL { directory.appendingPathComponent("assigned.json") }

    /// The cached profile, if any.
    public func load() -> ServerClient.AssignedProfile? {
        guard let data = try? Data(contentsOf: file) else { return nil }
        return try? ReportCoding.decoder().decode(ServerClient.AssignedProfile.self, from: data)
    }

    /// Stores a fetched profile durably.
    public func save(_ profile: ServerClient.AssignedProfile) throws(AgentError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = ReportCoding.dateEncoding
        guard let data = try? encoder.encode(profile) else { return }
        try SecureFile.makeDirectory(directory)
        try SecureFile.write(data, to: file)
    }
}
