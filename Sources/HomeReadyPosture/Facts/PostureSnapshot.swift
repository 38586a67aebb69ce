import Foundation
import HomeReadyModel

/// Everything the rule engine may need about an endpoint, as `homeready facts --all` records it.
///
/// A `--facts FILE` run evaluates against such a snapshot instead of the live machine. Parts left out are
/// `nil`; a rule that needs a missing part is an `error` result saying how to record it.
public struct PostureSnapshot: Codable, Sendable, Equatable {
    /// The snapshot format written by this build.
    public static let currentFormat = 1

    /// The snapshot format version (`currentFormat`).
    public var format: Int
    public var collectedAt: Date?
    /// The built-in facts (and `custom.*` ones).
    public var facts: FactSet
    public var processes: [RunningProcess]?
    public var packages: [String: InstalledPackage]?
    public var sysctl: [String: String]?
    public var kernelModules: [String]?
    public var listening: [ListeningSocket]?
    /// Recorded outputs of `command` rules, matched by argument vector.
    public var commands: [CommandOutput]?

    public init(
        format: Int = PostureSnapshot.currentFormat, collectedAt: Date? = nil, facts: FactSet = [:],
        processes: [RunningProcess]? = nil, packages: [String: InstalledPackage]? = nil,
        sysctl: [String: String]? = nil, kernelModules: [String]? = nil, listening: [ListeningSocket]? = nil,
        commands: [CommandOutput]? = nil
    ) {
        self.format = format
        self.collectedAt = collectedAt
        self.facts = facts
        self.processes = processes
        self.packages = packages
        self.sysctl = sysctl
        self.kernelModules = kernelModules
        self.listening = listening
        self.commands = commands
    }

    enum CodingKeys: String, CodingKey {
        case format
        case collectedAt = "collected_at"
        case facts, processes, packages, sysctl
        case kernelModules = "kernel_modules"
        case listening, commands
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decodeIfPresent(Int.self, forKey: .format) ?? Self.currentFormat
        collectedAt = try container.decodeIfPresent(Date.self, forKey: .collectedAt)
        facts = try container.decodeIfPresent(FactSet.self, forKey: .facts) ?? [:]
        processes = try container.decodeIfPresent([RunningProcess].self, forKey: .processes)
        packages = try container.decodeIfPresent([String: InstalledPackage].self, forKey: .packages)
        sysctl = try container.decodeIfPresent([String: String].self, forKey: .sysctl)
        kernelModules = try container.decodeIfPresent([String].self, forKey: .kernelModules)
        listening = try container.decodeIfPresent([ListeningSocket].self, forKey: .listening)
        commands = try container.decodeIfPresent([CommandOutput].self, forKey: .commands)
    }

    /// Reads a snapshot written by `homeready facts` (or by hand).
    public static func load(from url: URL) throws(PostureError) -> PostureSnapshot {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .factsFileUnreadable(url.path, "\(error.localizedDescription)")
        }
        let snapshot: PostureSnapshot
        do {
            snapshot = try decode(data)
        } catch let DecodingError.dataCorrupted(context) {
            throw .factsFileInvalid(url.path, describe(context))
        } catch let DecodingError.typeMismatch(_, context) {
            throw .factsFileInvalid(url.path, describe(context))
        } catch let DecodingError.keyNotFound(key, context) {
            throw .factsFileInvalid(url.path, "missing `\(key.stringValue)` at \(path(context))")
        } catch {
            throw .factsFileInvalid(url.path, "\(error)")
        }
        guard snapshot.format <= currentFormat else {
            throw .factsFileInvalid(
                url.path, "format \(snapshot.format) was written by a newer homeready (this one reads \(currentFormat))"
            )
        }
        return snapshot
    }

    /// Decodes the JSON `homeready facts` prints.
    public static func decode(_ data: Data) throws -> PostureSnapshot {
        try ReportCoding.decoder().decode(PostureSnapshot.self, from: data)
    }

    /// JSON as `homeready facts` prints it (sorted keys, ISO-8601 times).
    public func encoded() throws -> Data {
        try ReportCoding.encoder(pretty: true).encode(self)
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return text.isEmpty ? "the top level" : String(text.drop { $0 == "." })
    }

    private static func describe(_ context: DecodingError.Context) -> String {
        "\(context.debugDescription) at \(path(context))"
    }
}
