import Foundation

/// Where the agent keeps its state, following the XDG base directories.
///
/// `HOMEREADY_HOME` puts everything under one folder (tests, and several identities on one machine).
public struct AgentPaths: Sendable, Equatable {
    /// Device key and enrollment (`$XDG_CONFIG_HOME/homeready`, mode 0700).
    public var configDirectory: URL
    /// The report spool (`$XDG_STATE_HOME/homeready`).
    public var stateDirectory: URL
    /// Cached profiles (`$XDG_CACHE_HOME/homeready`).
    public var cacheDirectory: URL

    public init(configDirectory: URL, stateDirectory: URL, cacheDirectory: URL) {
        self.configDirectory = configDirectory
        self.stateDirectory = stateDirectory
        self.cacheDirectory = cacheDirectory
    }

    /// All state under one root folder.
    public init(root: URL) {
        self.init(
            configDirectory: root.appendingPathComponent("config"), stateDirectory: root.appendingPathComponent("state"),
            cacheDirectory: root.appendingPathComponent("cache"))
    }

    /// The standard locations for the current user.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> AgentPaths {
        if let root = environment["HOMEREADY_HOME"], !root.isEmpty {
            return AgentPaths(root: URL(fileURLWithPath: root))
        }
        let home = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory())
        func xdg(_ name: String, _ fallback: String) -> URL {
            if let value = environment[name], value.hasPrefix("/") { return URL(fileURLWithPath: value) }
            return home.appendingPathComponent(fallback)
        }
        return AgentPaths(
            configDirectory: xdg("XDG_CONFIG_HOME", ".config").appendingPathComponent("homeready"),
            stateDirectory: xdg("XDG_STATE_HOME", ".local/state").appendingPathComponent("homeready"),
            cacheDirectory: xdg("XDG_CACHE_HOME", ".cache").appendingPathComponent("homeready"))
    }

    public var keyFile: URL { configDirectory.appendingPathComponent("device.key") }
    public var enrollmentFile: URL { configDirectory.appendingPathComponent("enrollment.json") }
    public var spoolDirectory: URL { stateDirectory.appendingPathComponent("spool") }
    public var profileCacheDirectory: URL { cacheDirectory.appendingPathComponent("profiles") }
}
