import Foundation
import HomeReadyModel
import Testing

@Suite("Compact JSON decoder: the values and errors of JSONDecoder")
struct CompactJSONDecoderTests {
    static let compact = CompactJSONDecoder(decodeDate: ReportCoding.decodeDate)

    /// A report with every section the judge reads.
    static func fullReport() -> CheckReport {
        var report = CheckReportTests.sample()
        report.observations = [report.findings[1]]
        report.source = .cli
        report.postureContext = nil
        report.findings[0].messageText = LocalizedText("network.download", ["measured": .number(48.2, unit: "Mbit/s")])
        return report
    }

    /// What a decoding came to: the value, or the error's kind, type and coding path.
    enum Outcome<T: Equatable>: Equatable, CustomStringConvertible {
        case value(T)
        case failure(String)

        var description: String {
            switch self {
            case .value(let value): "value \(value)"
            case .failure(let failure): failure
            }
        }

        var failed: Bool { if case .failure = self { true } else { false } }
    }

    static func outcome<T: Decodable & Equatable>(_ type: T.Type, _ decode: () throws -> T) -> Outcome<T> {
        do {
            return .value(try decode())
        } catch let error as DecodingError {
            func path(_ context: DecodingError.Context) -> String {
                context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            }
            switch error {
            case .keyNotFound(let key, let context): return .failure("keyNotFound \(path(context)).\(key.stringValue)")
            case .typeMismatch(let type, let context): return .failure("typeMismatch \(type) at \(path(context))")
            case .valueNotFound(let type, let context): return .failure("valueNotFound \(type) at \(path(context))")
            case .dataCorrupted(let context): return .failure("dataCorrupted at \(path(context))")
            @unknown default: return .failure("\(error)")
            }
        } catch {
            return .failure("other \(error)")
        }
    }

    static func both<T: Decodable & Equatable>(_ type: T.Type, _ bytes: [UInt8]) -> (foundation: Outcome<T>, compact: Outcome<T>) {
        (
            outcome(T.self) { try ReportCoding.decoder().decode(T.self, from: Data(bytes)) },
            outcome(T.self) { try compact.decode(T.self, from: bytes) }
        )
    }

    /// Whether the two decoders agree. The one difference allowed: a number that does not fit its type is named
    /// by its path here, where `JSONDecoder`'s error has an empty one.
    static func agree<T>(_ foundation: Outcome<T>, _ compact: Outcome<T>) -> Bool {
        if foundation == compact { return true }
        guard case .failure("dataCorrupted at ") = foundation, case .failure(let failure) = compact else { return false }
        return failure.hasPrefix("dataCorrupted at .")
    }

    @Test func aReportDecodesToWhatJSONDecoderGives() throws {
        let report = Self.fullReport()
        let bytes = Array(try ReportCoding.encoder().encode(report))
        #expect(try Self.compact.decode(CheckReport.self, from: bytes) == report)
        let judged = try ReportCoding.judging.decode(CheckReport.self, from: bytes)
        #expect(judged == (try ReportCoding.judgingDecoder().decode(CheckReport.self, from: Data(bytes))))
        #expect(judged.findings.isEmpty)
    }

    /// Every member and element of a full report, in turn removed or replaced by a value of each other kind: both
    /// decoders give the same value, or fail the same way at the same path.
    @Test func everyChangeToAReportDecodesOrFailsAsWithJSONDecoder() throws {
        let document = try JSONSerialization.jsonObject(with: try ReportCoding.encoder().encode(Self.fullReport()))
        let replacements: [Any?] = [nil, NSNull(), "x", "2026-11-24T16:00:00Z", 1.5, 7, -1, 1e300, true, [Any](), [String: Any]()]
        var compared = 0
        for path in Self.paths(in: document) {
            for replacement in replacements {
                let changed = Self.replacing(path, in: document, with: replacement)
                let bytes = Array(try JSONSerialization.data(withJSONObject: changed))
                let (foundation, compact) = Self.both(CheckReport.self, bytes)
                #expect(Self.agree(foundation, compact), "\(path) = \(String(describing: replacement)): \(foundation) / \(compact)")
                compared += 1
            }
        }
        #expect(compared > 1_000)
    }

    /// Text that is not JSON fails at the top, also where `JSONDecoder` lets it through in a member it does not
    /// read (the last three).
    @Test func textThatIsNotJSONIsDataCorruptedAtTheTop() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        for text in ["", "{", #"{"a":1}x"#, "[1] [2]", deep] {
            #expect(Self.both(CheckReport.self, Array(text.utf8)).compact == .failure("dataCorrupted at "), "\(text)")
        }
        struct One: Decodable, Equatable { var one: Int }
        for text in [#"{"one":1,"a":01}"#, "{\"one\":1,\"a\":\"\u{01}\"}", #"{"one":1,"a":[1,]}"#] {
            let (foundation, compact) = Self.both(One.self, Array(text.utf8))
            #expect(foundation == .value(One(one: 1)), "\(text)")
            #expect(compact == .failure("dataCorrupted at "), "\(text)")
        }
    }

    /// Nesting as deep as the reader allows (512 levels) decodes.
    @Test func decodesNestingToTheReadersLimit() throws {
        let depth = JSONReader.maxDepth - 1
        let text = String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
        var value = try Self.compact.decode(Nested.self, from: Array(text.utf8))
        var levels = 1
        while case .list(let inner) = value, let first = inner.first {
            value = first
            levels += 1
        }
        #expect(levels == depth + 1 && value == .number(1))
    }

    indirect enum Nested: Decodable, Equatable {
        case number(Int)
        case list([Nested])

        init(from decoder: any Decoder) throws {
            if var list = try? decoder.unkeyedContainer() {
                var items: [Nested] = []
                while !list.isAtEnd { items.append(try list.decode(Nested.self)) }
                self = .list(items)
            } else {
                self = .number(try decoder.singleValueContainer().decode(Int.self))
            }
        }
    }

    struct Scalars: Codable, Equatable {
        var int: Int
        var small: Int8
        var unsigned: UInt16
        var float: Float
        var double: Double
        var text: String
        var flag: Bool
        var list: [Int?]
        var nested: [[String]]
        var map: [String: Double]
        var id: UUID
        var data: Data
        var url: URL
        var when: Date
        var optional: String?
    }

    static let scalars = #"""
        {"int": 9223372036854775807, "small": -128, "unsigned": 65535, "float": 1.5, "double": -2.5e-3,
         "text": "a\"\u00e9\ud83d\ude00", "flag": false, "list": [1, null, 3.0, 1e2], "nested": [[], ["x"]],
         "map": {"b": 1, "a\u0041": 2}, "id": "e621e1f8-c36c-495a-93fc-0c247a3e6e5f", "data": "AAEC",
         "url": "https://example.com/a?b=c", "when": "2026-11-24T16:00:00Z", "optional": null}
        """#

    @Test func scalarsListsMapsAndFoundationTypes() throws {
        let (foundation, compact) = Self.both(Scalars.self, Array(Self.scalars.utf8))
        #expect(!foundation.failed)
        #expect(compact == foundation)
        let decoded = try Self.compact.decode(Scalars.self, from: Array(Self.scalars.utf8))
        #expect(decoded.map == ["b": 1, "aA": 2] && decoded.list == [1, nil, 3, 100] && decoded.text == "a\"é😀")
    }

    @Test(arguments: [
        ("int", "9223372036854775808"), ("int", "1.5"), ("int", "1e19"), ("small", "128"), ("unsigned", "-1"),
        ("float", "1e39"), ("double", "1e400"), ("text", "1"), ("flag", "0"), ("list", "[\"1\"]"), ("list", "{}"),
        ("nested", "[[1]]"), ("map", "[]"), ("map", #"{"a":"b"}"#), ("id", "\"e621e1f8c36c495a93fc0c247a3e6e5f\""),
        ("data", "\"not base64!\""), ("when", "\"yesterday\""), ("when", "1"), ("text", "null"), ("optional", "1"),
        ("id", "null"), ("data", "null"), ("url", "null"), ("when", "null"), ("url", "1"), ("data", "[]"),
    ])
    func aWrongValueFailsAsWithJSONDecoder(member: String, value: String) {
        let text = Self.scalars.replacingOccurrences(
            of: #"(?<="\#(member)": )(\[\[\], \["x"\]\]|\[[^\]]*\]|\{[^}]*\}|"[^"]*"|[^,}\s]+)"#, with: value,
            options: .regularExpression)
        #expect(text != Self.scalars)
        let (foundation, compact) = Self.both(Scalars.self, Array(text.utf8))
        #expect(foundation.failed, "\(member): \(foundation)")
        #expect(Self.agree(foundation, compact), "\(member) = \(value): \(foundation) / \(compact)")
    }

    @Test func aMemberWrittenTwiceCountsOnceAndAMissingOneIsNamed() {
        let twice = Self.scalars.replacingOccurrences(of: #""flag": false"#, with: #""flag": false, "flag": true"#)
        let (foundation, compact) = Self.both(Scalars.self, Array(twice.utf8))
        #expect(compact == foundation)
        let missing = Self.scalars.replacingOccurrences(of: #""flag": false,"#, with: "")
        #expect(Self.both(Scalars.self, Array(missing.utf8)).compact == .failure("keyNotFound .flag"))
    }

    // MARK: Changing a document

    /// The path of every member and element, outermost first.
    static func paths(in value: Any, at path: [Any] = []) -> [[Any]] {
        var found: [[Any]] = path.isEmpty ? [] : [path]
        if let object = value as? [String: Any] {
            for (key, member) in object { found += paths(in: member, at: path + [key]) }
        } else if let array = value as? [Any] {
            for (index, element) in array.enumerated() { found += paths(in: element, at: path + [index]) }
        }
        return found
    }

    /// `value` with what `path` names removed (`replacement` nil) or replaced.
    static func replacing(_ path: [Any], in value: Any, with replacement: Any?) -> Any {
        guard let step = path.first else { return replacement ?? NSNull() }
        let rest = Array(path.dropFirst())
        if var object = value as? [String: Any], let key = step as? String {
            if rest.isEmpty, replacement == nil {
                object.removeValue(forKey: key)
            } else {
                object[key] = replacing(rest, in: object[key] ?? NSNull(), with: replacement)
            }
            return object
        }
        if var array = value as? [Any], let index = step as? Int {
            if rest.isEmpty, replacement == nil {
                array.remove(at: index)
            } else {
                array[index] = replacing(rest, in: array[index], with: replacement)
            }
            return array
        }
        return value
    }
}
