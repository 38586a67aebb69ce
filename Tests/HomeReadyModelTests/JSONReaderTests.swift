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
            case "s": seen[key] = try reader.readString()
            case "i", "w", "e", "f": seen[key] = (try reader.readInt()).map(String.init) ?? "not whole"
            case "t": seen[key] = String(try reader.readBool())
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
}
