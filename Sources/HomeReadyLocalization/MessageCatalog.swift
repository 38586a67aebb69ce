import Foundation
import HomeReadyModel

/// Every text HomeReady shows a person, by language: `Catalog/<language>.lproj/*.strings`, Apple's
/// strings format (`"key" = "text";` with `/* comments */` for translators), which translation tools read.
/// Placeholders are named, `{measured}`; a key ending `.one` is used instead of its base key when `{count}` is 1.
/// How to add a language: docs/i18n.md.
public struct MessageCatalog: Sendable {
    /// Texts by language, then key.
    public let tables: [Language: [String: String]]

    /// The catalog shipped with the program.
    public static let shipped: MessageCatalog = {
        do {
            guard let folder = Bundle.module.url(forResource: "Catalog", withExtension: nil) else {
                throw CatalogError(file: "Catalog", problem: "the program's resource bundle has no Catalog folder")
            }
            return try MessageCatalog.load(from: folder)
        } catch {
            // The catalog is part of the program; a broken one is a build defect the catalog tests catch.
            fatalError("HomeReady's message catalog cannot be read: \(error)")
        }
    }()

    public init(tables: [Language: [String: String]]) {
        self.tables = tables
    }

    /// Reads every `<language>.lproj/*.strings` under `folder` (one table per part of the program:
    /// `Localizable.strings` for the agent and the findings, `Dashboard.strings`, `SelfTest.strings`, ...). A key
    /// must appear in one table only.
    public static func load(from folder: URL) throws -> MessageCatalog {
        var tables: [Language: [String: String]] = [:]
        for language in Language.offered {
            let lproj = folder.appendingPathComponent("\(language.rawValue).lproj")
            let files = try FileManager.default.contentsOfDirectory(atPath: lproj.path)
                .filter { $0.hasSuffix(".strings") }.sorted()
            var table: [String: String] = [:]
            for name in files {
                let file = lproj.appendingPathComponent(name)
                for (key, text) in try parse(try Data(contentsOf: file), file: file.path) {
                    if table[key] != nil {
                        throw CatalogError(file: file.path, problem: "key \"\(key)\" is also in another table of \(language.rawValue).lproj")
                    }
                    table[key] = text
                }
            }
            tables[language] = table
        }
        return MessageCatalog(tables: tables)
    }

    /// Parses one strings file.
    public static func parse(_ data: Data, file: String) throws -> [String: String] {
        let value: Any
        do {
            value = try PropertyListSerialization.propertyList(from: data, options: [], format: nil)
        } catch {
            throw CatalogError(file: file, problem: "not a strings file (\"key\" = \"text\"; per entry): \(error)")
        }
        guard let table = value as? [String: String] else {
            throw CatalogError(file: file, problem: "expected \"key\" = \"text\"; entries only")
        }
        return table
    }

    /// The `{name}` placeholders of a text, in order of appearance.
    public static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// The text for `key` in `language`, English when that language lacks it; nil when English lacks it too.
    public func template(_ key: String, _ language: Language) -> String? {
        let table = language == .pseudo ? .en : language
        return tables[table]?[key] ?? tables[.en]?[key]
    }
}

/// A catalog file that cannot be read.
public struct CatalogError: Error, CustomStringConvertible {
    public var file: String
    public var problem: String
    public var description: String { "\(file): \(problem)" }
}
