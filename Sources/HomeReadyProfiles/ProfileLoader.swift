import Foundation
import HomeReadyModel
import Yams

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

    init(_ message: String, location: SourceLocation? = nil) {
        self.diagnostics = [ProfileDiagnostic(location: location, field: "", message: message)]
    }

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
        try load(source: try locate(idOrPath, relativeTo: nil))
    }

    /// Loads a profile file with inheritance resolved.
    public func load(file: URL) throws(ProfileError) -> Profile {
        try load(source: try ProfileSource.file(file))
    }

    /// Loads a profile from YAML text (`name` is used in error locations).
    public func load(yaml: String, name: String) throws(ProfileError) -> Profile {
        try load(source: ProfileSource(name: name, text: yaml, directory: nil))
    }

    /// Every problem in each file (with inheritance applied); an empty list means the file is clean.
    public func lint(file: URL) -> [ProfileDiagnostic] {
        do {
            _ = try load(file: file)
            return []
        } catch {
            return error.diagnostics.sorted {
                ($0.location?.file ?? "", $0.location?.line ?? 0, $0.location?.column ?? 0)
                    < ($1.location?.file ?? "", $1.location?.line ?? 0, $1.location?.column ?? 0)
            }
        }
    }

    /// The names of the profiles available by id, in search order (built-ins last).
    public func availableProfiles() -> [String] {
        var names: [String] = []
        for directory in searchPath.directories + (searchPath.includeBuiltin ? [ProfileSearchPath.builtinDirectory].compactMap { $0 } : []) {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for file in files.sorted() where file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
                let id = String(file.split(separator: ".").dropLast().joined(separator: "."))
                if !names.contains(id) { names.append(id) }
            }
        }
        return names
    }

    // MARK: Resolution

    private func load(source: ProfileSource) throws(ProfileError) -> Profile {
        let merged = try resolvedNode(source: source, chain: [])
        let diagnostics = YAMLDiagnostics(file: source.name)
        guard let profile = Profile.read(merged, mode: .resolved, diagnostics: diagnostics) else {
            throw ProfileError(diagnostics.diagnostics.isEmpty
                ? [ProfileDiagnostic(location: nil, field: "", message: "\(source.name): the profile is incomplete")]
                : diagnostics.diagnostics)
        }
        return profile
    }

    /// Parses and validates one file on its own, then applies its parent's document underneath it.
    private func resolvedNode(source: ProfileSource, chain: [String]) throws(ProfileError) -> Node {
        let node = try source.parse()
        let diagnostics = YAMLDiagnostics(file: source.name)
        let own = Profile.read(node, mode: .partial, diagnostics: diagnostics)
        guard let own, diagnostics.diagnostics.isEmpty else { throw ProfileError(diagnostics.diagnostics) }
        guard let parentID = own.extends else { return try checkedTranslations(of: node, resolved: node, source: source) }
        let extendsLocation = diagnostics.location(of: node.mapping?["extends"])
        if parentID == own.id || chain.contains(parentID) {
            let cycle = (chain + [own.id, parentID]).joined(separator: " → ")
            throw ProfileError([ProfileDiagnostic(
                location: extendsLocation, field: "extends",
                message: "makes an inheritance cycle (\(cycle)): a profile cannot extend itself, directly or through others")])
        }
        let parentSource: ProfileSource
        do {
            parentSource = try locate(parentID, relativeTo: source.directory)
        } catch {
            throw ProfileError([ProfileDiagnostic(
                location: extendsLocation, field: "extends",
                message: "names profile \"\(parentID)\", which was not found (looked in \(searchDescription(relativeTo: source.directory)))")])
        }
        let parent: Node
        do {
            parent = try resolvedNode(source: parentSource, chain: chain + [own.id])
        } catch {
            throw ProfileError(error.diagnostics)
        }
        return try checkedTranslations(of: node, resolved: ProfileMerge.merge(parent: parent, child: node), source: source)
    }

    /// Returns `resolved` when the file's own `translations` name only texts the resolved profile writes; throws the
    /// located problems otherwise (in the file that wrote them, since each level checks its own).
    private func checkedTranslations(of own: Node, resolved: Node, source: ProfileSource) throws(ProfileError) -> Node {
        let problems = TranslationCheck.diagnostics(own: own, resolved: resolved, file: source.name)
        guard problems.isEmpty else { throw ProfileError(problems) }
        return resolved
    }

    /// Finds a profile by path or id: the including file's folder, then the search path, then built-ins.
    func locate(_ idOrPath: String, relativeTo directory: URL?) throws(ProfileError) -> ProfileSource {
        let looksLikePath = idOrPath.contains("/") || idOrPath.hasSuffix(".yaml") || idOrPath.hasSuffix(".yml")
        if looksLikePath {
            let url = URL(fileURLWithPath: idOrPath)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ProfileError("profile file \(idOrPath) does not exist")
            }
            return try ProfileSource.file(url)
        }
        let directories = (directory.map { [$0] } ?? []) + searchPath.directories
        for dir in directories {
            for ext in ["yaml", "yml"] {
                let url = dir.appendingPathComponent("\(idOrPath).\(ext)")
                if FileManager.default.fileExists(atPath: url.path) { return try ProfileSource.file(url) }
            }
        }
        if searchPath.includeBuiltin, let builtin = ProfileSearchPath.builtinDirectory {
            let url = builtin.appendingPathComponent("\(idOrPath).yaml")
            if FileManager.default.fileExists(atPath: url.path) {
                var source = try ProfileSource.file(url)
                source.name = "builtin:\(idOrPath).yaml"
                return source
            }
        }
        throw ProfileError(
            "no profile \"\(idOrPath)\" (looked in \(searchDescription(relativeTo: directory))); available: \(availableProfiles().joined(separator: ", "))")
    }

    private func searchDescription(relativeTo directory: URL?) -> String {
        var places = ((directory.map { [$0] } ?? []) + searchPath.directories).map(\.path)
        if searchPath.includeBuiltin { places.append("the built-in profiles") }
        return places.joined(separator: ", ")
    }
}

/// A profile document's text and where it came from.
struct ProfileSource {
    var name: String
    var text: String
    var directory: URL?

    static func file(_ url: URL) throws(ProfileError) -> ProfileSource {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ProfileError("cannot read profile file \(url.path): \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ProfileError("profile file \(url.path) is not UTF-8 text")
        }
        return ProfileSource(name: displayPath(url), text: text, directory: url.deletingLastPathComponent())
    }

    /// Parses the YAML text; syntax errors carry their line and column.
    func parse() throws(ProfileError) -> Node {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ProfileError("\(name): the file is empty; a profile needs at least `id`, `title` and `version`",
                                   location: SourceLocation(file: name, line: 1, column: 1))
            }
            return node
        } catch let error as ProfileError {
            throw error
        } catch let error as YamlError {
            throw ProfileError([Self.diagnostic(for: error, file: name)])
        } catch {
            throw ProfileError("\(name): cannot parse YAML: \(error)")
        }
    }

    static func diagnostic(for error: YamlError, file: String) -> ProfileDiagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            return ProfileDiagnostic(location: at(mark), field: "", message: "is not valid YAML: \(detail)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return ProfileDiagnostic(
                location: at(context.mark), field: duplicates.joined(separator: ", "),
                message: "is written twice in the same mapping: keep one")
        default:
            return ProfileDiagnostic(location: SourceLocation(file: file, line: 1, column: 1), field: "", message: "is not valid YAML: \(error)")
        }
    }

    /// A path relative to the working directory when it lies below it (shorter, clickable messages).
    static func displayPath(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let path = url.standardizedFileURL.path
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
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

    /// The folder of profiles shipped inside the binary's resources.
    public static var builtinDirectory: URL? {
        Bundle.module.resourceURL?.appendingPathComponent("Builtin")
    }
}
