import Foundation
import HomeReadyModel

/// One problem found in a profile file, located where it was written.
public struct ProfileDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation?
    /// The dotted path of the offending field, e.g. `network.max_jitter_ms`.
    public var field: String
    /// What is wrong and what was expected.
    public var message: String

    public init(location: SourceLocation?, field: String, message: String) {
        self.location = location
        self.field = field
        self.message = message
    }

    public var description: String {
        let place = location.map { "\($0): " } ?? ""
        return field.isEmpty ? "\(place)\(message)" : "\(place)`\(field)` \(message)"
    }
}

/// The error thrown when a profile cannot be loaded: every problem found, not only the first.
public struct ProfileError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [ProfileDiagnostic]

    public init(_ diagnostics: [ProfileDiagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Loads profiles from files or by id along a search path, resolving `extends`.
public struct ProfileLoader: Sendable {
    public var searchPath: ProfileSearchPath

    public init(searchPath: ProfileSearchPath = .standard()) {
        self.searchPath = searchPath
    }

    /// Loads a profile named by a file path or an id, with inheritance resolved.
    public func load(_ idOrPath: String) throws(ProfileError) -> Profile {
        throw ProfileError([ProfileDiagnostic(location: nil, field: "", message: "profile loading is not implemented yet")])
    }
}

/// Where profiles named by id are looked for, in order.
public struct ProfileSearchPath: Sendable {
    public var directories: [URL]
    /// Whether the profiles built into the binary are searched last.
    public var includeBuiltin: Bool

    public init(directories: [URL], includeBuiltin: Bool = true) {
        self.directories = directories
        self.includeBuiltin = includeBuiltin
    }

    /// The working directory's `Profiles/`, the user's config directory, the system directory, then built-ins.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> ProfileSearchPath {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: "/root")
        let config = environment["XDG_CONFIG_HOME"].map { URL(fileURLWithPath: $0) } ?? home.appendingPathComponent(".config")
        return ProfileSearchPath(directories: [
            cwd.appendingPathComponent("Profiles"),
            config.appendingPathComponent("homeready/profiles"),
            URL(fileURLWithPath: "/etc/homeready/profiles"),
        ])
    }
}
