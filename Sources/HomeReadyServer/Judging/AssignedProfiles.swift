import Crypto
import Foundation
import HomeReadyJudging
import HomeReadyModel
import HomeReadyProfiles
import Synchronization

/// The profiles campaigns are assigned, as the server serves them: read from the profile folders (then
/// ./Profiles, then the built-in set), each new version recorded in `profile_versions` so a report made against
/// the previous one can still be judged with it during the campaign's grace period. Cached for the lookup TTL.
struct AssignedProfiles: Sendable {
    /// A profile as served now, with the versions the server served before.
    struct Served: Sendable {
        var yaml: String
        /// The YAML's SHA-256 prefix (the device profile route's ETag).
        var digest: String
        var current: Profile
        var currentSince: Date
        /// The version served before the current one, parsed.
        var previous: Profile?

        /// The assigned profile as the judge's acceptance rules see it.
        func assigned(graceHours: Int) -> AssignedProfile {
            AssignedProfile(
                id: current.id, currentVersion: current.version, currentSince: currentSince,
                previousVersion: previous?.version, graceHours: graceHours)
        }

        /// The parsed profile of `version` (the current one when the server has no other).
        func profile(version: Int) -> Profile {
            version == previous?.version ? previous! : current
        }
    }

    let repository: any InventoryRepository
    let directories: [String]
    private let cache: ExpiringCache<String, Served>
    private let lastParsed = LastParsed()

    /// The last profile parsed for each id, kept past the cache's expiry: when the file still holds the same
    /// YAML it is served again without parsing it or recording its version once more. Before this, every
    /// request that found the cache expired parsed the YAML again (2 % of the server's time under ingest).
    private final class LastParsed: Sendable {
        let entries = Mutex<[String: Served]>([:])
    }

    init(repository: any InventoryRepository, configuration: ServerConfiguration) {
        self.repository = repository
        directories = configuration.profileDirectories
        cache = ExpiringCache(ttl: configuration.lookupCacheTTL)
    }

    /// The profile `id` as served now, or nil when no profile folder holds it. Requests that find it missing
    /// together (a burst of reports at start-up) share one reading of its file.
    func served(_ id: String, now: Date = Date()) async throws -> Served? {
        try await cache.valueIfFound(for: id) { try await load(id, now: now) }
    }

    /// Reads profile `id` from its file; parses it and records its version only when its YAML changed.
    private func load(_ id: String, now: Date) async throws -> Served? {
        guard let yaml = Self.profileText(id: id, directories: directories) else { return nil }
        if let unchanged = lastParsed.entries.withLock({ $0[id] }), unchanged.yaml == yaml { return unchanged }
        let loader = ProfileLoader(searchPath: searchPath)
        let current: Profile
        do { current = try loader.load(yaml: yaml, name: id) } catch {
            throw Problem(
                .internalServerError, "Profile cannot be read",
                detail: "profile \"\(id)\" on the server does not load (\(error.description)); fix it (homeready profile lint)")
        }
        let digest = SHA256.hash(data: Data(yaml.utf8)).prefix(16).hexEncoded
        let versions = try await repository.recordProfileVersion(
            profileId: id, version: current.version, digest: digest, yaml: yaml, at: now)
        let since = versions.filter { $0.version == current.version }.map(\.firstSeenAt).min() ?? now
        let previous = versions.filter { $0.version < current.version }.max { $0.version < $1.version }
            .flatMap { try? loader.load(yaml: $0.yaml, name: id) }
        let served = Served(yaml: yaml, digest: digest, current: current, currentSince: since, previous: previous)
        lastParsed.entries.withLock { $0[id] = served }
        return served
    }

    private var searchPath: ProfileSearchPath {
        var folders = directories.map { URL(fileURLWithPath: $0) }
        folders.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Profiles"))
        return ProfileSearchPath(directories: folders)
    }

    /// The YAML of profile `id` from `directories`, then ./Profiles, then the built-in set.
    static func profileText(id: String, directories: [String]) -> String? {
        guard id.range(of: "^[A-Za-z0-9._-]+$", options: .regularExpression) != nil, !id.hasPrefix(".") else { return nil }
        var folders = directories.map { URL(fileURLWithPath: $0) }
        folders.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Profiles"))
        if let builtin = ProfileSearchPath.builtinDirectory { folders.append(builtin) }
        for folder in folders {
            for name in ["\(id).yaml", "\(id).yml"] {
                if let text = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) { return text }
            }
        }
        return nil
    }
}
