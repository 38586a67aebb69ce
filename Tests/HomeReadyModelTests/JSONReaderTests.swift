import Foundation
import HomeReadyModel
import Testing

@Suite("JSON reader: strict RFC 8259, values built only on request")
struct JSONReaderTests {
    /// Reads `text` as a document, skipping every member.
    static func accepts(_ text: String) -> Bool {
        var reader = JSONReader(Array(text.utf8))
        return (try? reader.readDocument { _, _ in false }) != nil
    }

    static let valid = [
        "{}", " { } ", "\u{FEFF}{}", #"{"a":1}"#, #"{"a":-0.5e+10,"b":1E2,"c":0,"d":-0}"#,
        #"{"a":[1,[2,[3,{}]],{"b":null}],"c":"x\n","d":true,"e":false}"#,
        #"{"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#, "{\"é\":\"ü\"}", "{\n\t\"a\" : [ ] \r\n}",
    ]

    static let invalid = [
        "", "{", "}", "[]", "1", #""a""#, #"{"a"}"#, #"{"a":}"#, #"{"a":1,}"#, #"{,"a":1}"#, #"{"a":01}"#,
        #"{"a":1.}"#, #"{"a":.5}"#, #"{"a":1e}"#, #"{"a":+1}"#, #"{"a":tru}"#, #"{"a":nul}"#, #"{"a":[1,]}"#,
        #"{"a":[1 2]}"#, "{\"a\":\"\u{01}\"}", #"{"a":"\x"}"#, #"{"a":"\u12"}"#, #"{"a":"\ud800"}"#,
        #"{"a":"\udc00x"}"#, #"{"a":"unterminated}"#, #"{"a":1}x"#, #"{"a":1}{}"#, #"{a:1}"#, "{'a':1}",
    ]

    @Test("accepts what JSON allows", arguments: valid)
    func acceptsValid(_ text: String) {
        #expect(Self.accepts(text))
        let bomless = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        #expect((try? JSONSerialization.jsonObject(with: Data(bomless.utf8))) != nil)
    }

    @Test("refuses what JSON does not (and anything but one object)", arguments: invalid)
    func refusesInvalid(_ text: String) {
        #expect(!Self.accepts(text))
    }

    @Test func refusesInvalidUTF8InSkippedAndReadStrings() {
        for value in [[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80]] as [[UInt8]] {
            var skipped = JSONReader(Array(#"{"a":""#.utf8) + value + Array(#""}"#.utf8))
            #expect(throws: JSONReader.Malformed.self) { try skipped.readDocument { _, _ in false } }
            var read = JSONReader(Array(#"{"a":""#.utf8) + value + Array(#""}"#.utf8))
            #expect(throws: JSONReader.Malformed.self) {
                try read.readDocument { _, reader in
                    _ = try reader.readString()
                    return true
                }
            }
        }
    }

    @Test func limitsNesting() {
        let deep = String(repeating: #"{"a":"#, count: 600) + "1" + String(repeating: "}", count: 600)
        #expect(!Self.accepts(deep))
        let fine = String(repeating: #"{"a":"#, count: 100) + "1" + String(repeating: "}", count: 100)
        #expect(Self.accepts(fine))
    }

    @Test func readsStringsNumbersAndBooleans() throws {
        let text = #"{"s":"a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00","i":42,"w":1.0,"e":1e2,"f":1.5,"t":true,"n":null}"#
        var reader = JSONReader(Array(text.utf8))
        var seen: [String: String] = [:]
        try reader.readDocument { key, reader in
            switch key {
            case "s": seen[key.description] = try reader.readString()
            case "i", "w", "e", "f": seen[key.description] = (try reader.readInt()).map(String.init) ?? "not whole"
            case "t": seen[key.description] = String(try reader.readBool())
            default: return false
            }
            return true
        }
        #expect(seen["s"] == "a\"b\\c/\u{8}\u{C}\n\r\t\u{E9}\u{1F600}")
        #expect(seen["i"] == "42" && seen["w"] == "1" && seen["e"] == "100" && seen["f"] == "not whole")
        #expect(seen["t"] == "true")
    }

    @Test func malformedTextSaysWhereAndWhy() {
        var reader = JSONReader(Array(#"{"a":[1,]}"#.utf8))
        #expect(throws: JSONReader.Malformed(offset: 8, reason: "expected a value")) {
            try reader.readDocument { _, _ in false }
        }
    }

    /// Every byte string of up to three bytes from a set that covers each UTF-8 boundary (lead bytes, continuation
    /// ranges, overlong forms, surrogates, past U+10FFFF), plus 2,000 random ones up to 12 bytes: the reader
    /// accepts a string, skipped or read, exactly when Swift's own validation does, and reads the same text.
    @Test func validatesUTF8AsTheStandardLibraryDoes() throws {
        let edges: [UInt8] = [
            0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF,
            0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ]
        var cases: [[UInt8]] = edges.map { [$0] }
        for a in edges { for b in edges { cases.append([a, b]) } }
        for a in edges where a >= 0xC0 { for b in edges { for c in edges { cases.append([a, b, c]) } } }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            cases.append((0..<Int.random(in: 1...12, using: &generator)).map { _ in
                Bool.random(using: &generator) ? edges.randomElement(using: &generator)! : UInt8.random(in: 0x20...0xFF, using: &generator)
            })
        }
        for value in cases where !value.contains(UInt8(ascii: "\"")) && !value.contains(UInt8(ascii: "\\")) {
            let expected = String(validating: value, as: UTF8.self)
            let document = Array(#"{"a":""#.utf8) + value + Array(#""}"#.utf8)
            var skipped = JSONReader(document)
            #expect(((try? skipped.readDocument { _, _ in false }) != nil) == (expected != nil), "\(value)")
            var read = JSONReader(document)
            var text: String?
            _ = try? read.readDocument { _, reader in
                text = try reader.readString()
                return true
            }
            #expect(text == expected, "\(value)")
            // The same bytes after an escape take the reader's other path.
            var escaped = JSONReader(Array(#"{"a":"\n"#.utf8) + value + Array(#""}"#.utf8))
            text = nil
            _ = try? escaped.readDocument { _, reader in
                text = try reader.readString()
                return true
            }
            #expect(text == expected.map { "\n" + $0 }, "\(value)")
        }
    }

    /// A member name matches the literal it spells, also when written with escapes, and nothing else; names past
    /// 16 bytes match no name the reader can be asked about.
    @Test func matchesMemberNamesWithoutStrings() throws {
        let text = #"{"id":1,"i":2,"idx":3,"\u0069d":4,"remediation_text":5,"remediation_text_":6,"é":7,"":8}"#
        var reader = JSONReader(Array(text.utf8))
        var names: [String] = [], matched: [Int] = []
        try reader.readDocument { name, reader in
            names.append(name.description)
            let value = try reader.readInt() ?? -1
            switch name {
            case "id": matched.append(value)
            case "remediation_text": matched.append(value * 10)
            case "é": matched.append(value * 100)
            case "": matched.append(value * 1_000)
            default: break
            }
            #expect((name == "i") == (value == 2))
            return true
        }
        #expect(matched == [1, 4, 50, 700, 8_000])
        #expect(names == ["id", "i", "idx", "id", "remediation_text", "a name of 17 bytes", "é", ""])
    }

    @Test func readsHyphenatedUUIDsAsFoundationDoes() {
        for _ in 0..<200 {
            let uuid = UUID()
            #expect(UUID(hyphenated: uuid.uuidString) == uuid)
            #expect(UUID(hyphenated: uuid.uuidString.lowercased()) == uuid)
        }
        let text = "E621E1F8-C36C-495A-93FC-0C247A3E6E5F"
        let malformed = [
            "", "E621E1F8C36C495A93FC0C247A3E6E5F", "E621E1F8-C36C-495A-93FC-0C247A3E6E5", text + "0", " " + text,
            "E621E1F8-C36C-495A-93FC_0C247A3E6E5F", "G621E1F8-C36C-495A-93FC-0C247A3E6E5F", "E621E1F-8C36C-495A-93FC-0C247A3E6E5F",
            "{E621E1F8-C36C-495A-93FC-0C247A3E6E5F}", "E621E1F8-C36C-495A-93FC-0C247A3E6É5",
        ]
        for candidate in malformed {
            #expect(UUID(hyphenated: candidate) == nil, "\(candidate)")
            #expect(UUID(uuidString: candidate) == nil, "\(candidate)")
        }
        #expect(UUID(hyphenated: text) == UUID(uuidString: text))
    }
}
