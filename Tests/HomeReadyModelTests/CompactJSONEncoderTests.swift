import Foundation
import HomeReadyModel
import Testing

@Suite("Compact JSON encoder: the same values as JSONEncoder, written in one pass")
struct CompactJSONEncoderTests {
    let compact = CompactJSONEncoder()

    /// The JSON value of `bytes`, for comparing two texts as values (key order and number spelling aside).
    func value(_ bytes: [UInt8]) throws -> NSObject {
        try #require(JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) as? NSObject)
    }

    @Test func aReportDecodesToItselfAndEqualsJSONEncodersText() throws {
        let report = CheckReportTests.sample()
        let text = try compact.encode(report)
        #expect(try ReportCoding.decoder().decode(CheckReport.self, from: Data(text)) == report)
        #expect(try value(text) == value(Array(ReportCoding.encoder().encode(report))))
        // Keys in the order the report declares them, times as the contract writes them.
        let string = String(decoding: text, as: UTF8.self)
        #expect(string.hasPrefix(#"{"schema_version":1,"report_id":"6F1C1E1A-7C7B-4C55-9C38-1D0B5B1E2A11","agent":{"employee_id":"E1001""#))
        #expect(string.contains(#""started_at":"2026-11-18T11:06:40Z""#))
    }

    @Test func escapesWhatJSONRequiresAndLeavesTheRestAsItIs() throws {
        let text = "quote \" backslash \\ slash / newline \n tab \t bell \u{07} ñandú 📞 \u{1F}"
        let bytes = try compact.encode(["k\"ey": text])
        #expect(String(decoding: bytes, as: UTF8.self)
            == #"{"k\"ey":"quote \" backslash \\ slash / newline \n tab \t bell \u0007 ñandú 📞 \u001f"}"#)
        #expect(try JSONDecoder().decode([String: String].self, from: Data(bytes)) == ["k\"ey": text])
    }

    @Test(arguments: [0.1, 1e-7, 1e300, -0.0, 42.0, -3.25, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude])
    func numbersReadBackExactly(_ number: Double) throws {
        let bytes = try compact.encode([number])
        #expect(try JSONDecoder().decode([Double].self, from: Data(bytes)) == [number])
        #expect(try value(bytes) == value(Array(JSONEncoder().encode([number]))))
    }

    @Test func integersAtTheirLimitsAndWholeDoublesWithoutAFraction() throws {
        struct Figures: Codable, Equatable {
            var small = Int64.min, large = UInt64.max, zero = 0, negative = -17, byte: UInt8 = 255
            var whole = 42.0, float: Float = 0.1
        }
        let bytes = try compact.encode(Figures())
        #expect(String(decoding: bytes, as: UTF8.self)
            == #"{"small":-9223372036854775808,"large":18446744073709551615,"zero":0,"negative":-17,"byte":255,"whole":42,"float":0.1}"#)
        #expect(try JSONDecoder().decode(Figures.self, from: Data(bytes)) == Figures())
    }

    @Test func nilIsLeftOutOfObjectsAndWrittenInArrays() throws {
        struct Optionals: Codable, Equatable { var present: String? = "x"; var absent: Int? = nil; var list: [Int?] = [1, nil] }
        #expect(String(decoding: try compact.encode(Optionals()), as: UTF8.self) == #"{"present":"x","list":[1,null]}"#)
    }

    @Test func datesDataAndURLsAsJSONEncoderWritesThem() throws {
        struct Things: Encodable {
            var at = Date(timeIntervalSince1970: 1_800_000_000.9)
            var bytes = Data([0, 1, 2, 250])
            var link = URL(string: "https://example.com/a?b=c")!
            var nothing = Empty()
        }
        struct Empty: Encodable { func encode(to encoder: any Encoder) throws {} }
        #expect(String(decoding: try compact.encode(Things()), as: UTF8.self)
            == #"{"at":"2027-01-15T08:00:00Z","bytes":"AAEC+g==","link":"https://example.com/a?b=c","nothing":{}}"#)
        let custom = CompactJSONEncoder(formatDate: { String($0.timeIntervalSince1970) })
        #expect(String(decoding: try custom.encode([Date(timeIntervalSince1970: 5)]), as: UTF8.self) == #"["5.0"]"#)
    }

    @Test func notANumberIsAnErrorNamingTheValue() {
        #expect {
            try compact.encode(["jitter": Double.nan])
        } throws: { error in
            "\(error)".contains("nan is not a JSON number")
        }
        #expect(throws: EncodingError.self) { try compact.encode([Double.infinity]) }
    }

    @Test func containersUsedAgainstTheirRulesAreErrorsNotBrokenText() {
        struct TwoKinds: Encodable {
            enum Key: CodingKey { case a }
            func encode(to encoder: any Encoder) throws {
                var object = encoder.container(keyedBy: Key.self)
                try object.encode(1, forKey: .a)
                var array = encoder.unkeyedContainer()
                try array.encode(2)
            }
        }
        struct Twice: Encodable {
            func encode(to encoder: any Encoder) throws {
                var single = encoder.singleValueContainer()
                try single.encode(1)
                try single.encode(2)
            }
        }
        struct Nested: Encodable {
            enum Key: CodingKey { case a }
            func encode(to encoder: any Encoder) throws {
                var object = encoder.container(keyedBy: Key.self)
                var inner = object.nestedContainer(keyedBy: Key.self, forKey: .a)
                try inner.encode(1, forKey: .a)
            }
        }
        struct Unfilled: Encodable {
            func encode(to encoder: any Encoder) throws { _ = encoder.singleValueContainer() }
        }
        #expect { try compact.encode(TwoKinds()) } throws: { "\($0)".contains("opened an array after an object") }
        #expect { try compact.encode(Twice()) } throws: { "\($0)".contains("encoded into twice") }
        #expect { try compact.encode(Nested()) } throws: { "\($0)".contains("does not support nestedContainer(keyedBy:forKey:)") }
        #expect { try compact.encode(Unfilled()) } throws: { "\($0)".contains("encoded nothing into it") }
    }

    @Test func aContainerOpenedTwiceGoesOnWhereItLeftOff() throws {
        struct Split: Encodable {
            enum Key: CodingKey { case a, b }
            func encode(to encoder: any Encoder) throws {
                var first = encoder.container(keyedBy: Key.self)
                try first.encode(1, forKey: .a)
                var second = encoder.container(keyedBy: Key.self)
                try second.encode(2, forKey: .b)
            }
        }
        #expect(String(decoding: try compact.encode([Split(), Split()]), as: UTF8.self) == #"[{"a":1,"b":2},{"a":1,"b":2}]"#)
    }
}
