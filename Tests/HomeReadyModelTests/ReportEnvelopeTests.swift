import Foundation
import HomeReadyModel
import Testing

@Suite("Report envelope: what the server reads of a report")
struct ReportEnvelopeTests {
    static func json(_ report: CheckReport = CheckReportTests.sample()) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try ReportCoding.encoder().encode(report)) as! [String: Any]
    }

    static func read(_ object: [String: Any]) throws -> ReportEnvelope {
        try ReportEnvelope.read(json: Array(try JSONSerialization.data(withJSONObject: object)))
    }

    static func fieldError(_ object: [String: Any]) -> ReportEnvelope.FieldError? {
        do {
            _ = try read(object)
            return nil
        } catch {
            return error as? ReportEnvelope.FieldError
        }
    }

    @Test func readsWhatTheDecoderReads() throws {
        var report = CheckReportTests.sample()
        let bytes = Array(try ReportCoding.encoder(pretty: true).encode(report))
        #expect(try ReportEnvelope.read(json: bytes) == ReportEnvelope(report))
        report.equipment = nil
        report.findings = []
        #expect(try ReportEnvelope.read(json: Array(try ReportCoding.encoder().encode(report))) == ReportEnvelope(report))
    }

    @Test func namesTheFieldAtFault() throws {
        var object = try Self.json()
        object["verdict"] = "maybe"
        #expect(Self.fieldError(object)?.field == "verdict")
        #expect(Self.fieldError(object)?.expected?.hasPrefix("one of ready, ready_with_warnings") == true)
        // Fields are judged in the documented order, as the decoder does: the missing report id comes first.
        object.removeValue(forKey: "report_id")
        #expect(Self.fieldError(object) == ReportEnvelope.FieldError(field: "report_id", expected: nil))

        object = try Self.json()
        var findings = object["findings"] as! [[String: Any]]
        findings[1]["status"] = 3
        object["findings"] = findings
        #expect(Self.fieldError(object) == ReportEnvelope.FieldError(field: "findings[1].status", expected: "a string"))

        object = try Self.json()
        object["agent"] = ["hostname": "x"]
        #expect(Self.fieldError(object) == ReportEnvelope.FieldError(field: "agent.employee_id", expected: nil))
        object["agent"] = "E1"
        #expect(Self.fieldError(object) == ReportEnvelope.FieldError(field: "agent", expected: "an object"))

        object = try Self.json()
        object["started_at"] = "yesterday"
        #expect(Self.fieldError(object)?.field == "started_at")
        object = try Self.json()
        object["report_id"] = "not-a-uuid"
        #expect(Self.fieldError(object) == ReportEnvelope.FieldError(field: "report_id", expected: "a UUID"))
        object = try Self.json()
        object["equipment"] = [["kind": "usb_headset"]]
        #expect(Self.fieldError(object) == ReportEnvelope.FieldError(field: "equipment[0].present", expected: nil))
    }

    @Test func readsAsTheDecoderDoesAtTheEdges() throws {
        var object = try Self.json()
        object["equipment"] = NSNull()
        object["schema_version"] = 1.0
        #expect(try Self.read(object).equipment == [])
        #expect(try Self.read(object).schemaVersion == 1)
        // A repeated member counts once, the first (as JSONDecoder reads it).
        let text = #"{"schema_version":1,"schema_version":2,"# + String(
            decoding: try ReportCoding.encoder().encode(CheckReportTests.sample()).dropFirst(), as: UTF8.self)
        let first = try ReportEnvelope.read(json: Array(text.utf8))
        let decoded = try ReportCoding.decoder().decode(CheckReport.self, from: Data(text.utf8))
        #expect(first.schemaVersion == 1)
        #expect(first == ReportEnvelope(decoded))
    }

    /// The judge decodes the report with its findings cut out: the same report as the judging decoder reads from
    /// the whole text, whatever the layout (pretty or compact, findings first, last or repeated).
    @Test func marksTheFindingsTheJudgeDecodesWithout() throws {
        let report = CheckReportTests.sample()
        let compact = String(decoding: try ReportCoding.encoder().encode(report), as: UTF8.self)
        let layouts = [
            String(decoding: try ReportCoding.encoder(pretty: true).encode(report), as: UTF8.self),
            compact,
            // Findings first, with white space around them, then again (the first counts).
            #"{ "findings" : [ {"id":"x","section":"general","severity":"info","status":"pass","message":"m"} ] ,"#
                + compact.dropFirst().dropLast() + #","findings":[]}"#,
        ]
        for text in layouts {
            let bytes = Array(text.utf8)
            var findingsAt: Range<Int>?
            let envelope = try ReportEnvelope.read(json: bytes, findingsAt: &findingsAt)
            let range = try #require(findingsAt)
            #expect(bytes[range].first == UInt8(ascii: "["))
            #expect(bytes[range].last == UInt8(ascii: "]"))
            let cut = ReportCoding.withoutClaimedFindings(bytes, at: range)
            let decoder = ReportCoding.judgingDecoder()
            #expect(try decoder.decode(CheckReport.self, from: Data(cut)) == decoder.decode(CheckReport.self, from: Data(bytes)))
            #expect(try ReportEnvelope.read(json: cut).findings == [])
            #expect(envelope.findings.count == (text == layouts[2] ? 1 : report.findings.count))
        }
    }

    @Test func isStricterThanTheDecoderAboutUnreadText() throws {
        // JSONDecoder only checks the numbers it decodes; RFC 8259 forbids leading zeros anywhere.
        var text = String(decoding: try ReportCoding.encoder().encode(CheckReportTests.sample()), as: UTF8.self)
        text.insert(contentsOf: #""unread":05,"#, at: text.index(after: text.startIndex))
        #expect((try? ReportCoding.decoder().decode(CheckReport.self, from: Data(text.utf8))) != nil)
        #expect(throws: JSONReader.Malformed.self) { try ReportEnvelope.read(json: Array(text.utf8)) }
    }

    @Test func refusesTextThatIsNotJSON() throws {
        var text = String(decoding: try ReportCoding.encoder().encode(CheckReportTests.sample()), as: UTF8.self)
        text.removeLast()
        #expect(throws: JSONReader.Malformed.self) { try ReportEnvelope.read(json: Array(text.utf8)) }
    }

    /// The server decodes reports without the agent's findings (`ReportCoding.judgingDecoder()`), so the envelope
    /// checks them: every finding the full decoder refuses, the envelope refuses, naming the field.
    @Test func checksTheClaimedFindingsAsTheDecoderWould() throws {
        let cases: [(member: String, value: Any?, expected: String?)] = [
            ("severity", "urgent", "one of critical, warning, info"),
            ("severity", nil, nil),
            ("message", nil, nil),
            ("message", NSNull(), "a string"),
            ("message", 3, "a string"),
            ("measured", ["value": 1], "a number, a string, true or false"),
            ("limit", [1], "a number, a string, true or false"),
            ("unit", 4, "a string"),
            ("remediation", true, "a string"),
            ("message_text", "text", "an object"),
            ("remediation_text", 1, "an object"),
        ]
        for (member, value, expected) in cases {
            var object = try Self.json()
            var findings = object["findings"] as! [[String: Any]]
            findings[1][member] = value
            object["findings"] = findings
            #expect(
                Self.fieldError(object) == ReportEnvelope.FieldError(field: "findings[1].\(member)", expected: expected),
                "\(member) = \(String(describing: value))")
            let bytes = try JSONSerialization.data(withJSONObject: object)
            #expect(throws: DecodingError.self, "\(member) = \(String(describing: value))") {
                try ReportCoding.decoder().decode(CheckReport.self, from: bytes)
            }
        }
        // What the decoder takes, the envelope takes: optional members may be null, and values of every kind.
        var object = try Self.json()
        var findings = object["findings"] as! [[String: Any]]
        findings[0]["measured"] = NSNull()
        findings[0]["limit"] = "enabled"
        findings[1]["measured"] = false
        findings[1]["unit"] = NSNull()
        findings[1]["remediation_text"] = NSNull()
        object["findings"] = findings
        let bytes = try JSONSerialization.data(withJSONObject: object)
        let decoded = try ReportCoding.decoder().decode(CheckReport.self, from: bytes)
        #expect(try ReportEnvelope.read(json: Array(bytes)) == ReportEnvelope(decoded))
    }
}
