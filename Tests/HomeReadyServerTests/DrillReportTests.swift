import Foundation
import HomeReadyDashboard
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyDashboard
@testable import HomeReadyServer

/// The drill pages and the report for the continuity committee, from a real server (SQLite, and PostgreSQL
/// through `Scripts/with-postgres`): the start form, the HTML report (self-contained) and the PDF, read back with
/// poppler's `pdftotext` and checked with `qpdf --check` (Scripts/bootstrap installs both: under CI they must be
/// there), in Spanish and English.
@Suite("Drill report", .serialized)
struct DrillReportTests {
    static func tool(_ name: String) -> Bool {
        (try? Subprocess.run(["sh", "-c", "command -v \(name)"], timeout: 10).status) == 0
    }

    static var pdfToolsPresent: Bool { tool("pdftotext") && tool("qpdf") }

    /// `text` with no-break and narrow no-break spaces (which figures may carry) as plain spaces.
    static func plain(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{202F}", with: " ").replacingOccurrences(of: "\u{A0}", with: " ")
    }

    /// Fetches `path` with the dashboard session cookie; returns status, content type and body.
    static func fetch(_ instance: LiveInstance, _ path: String, cookie: String, form: String? = nil) throws
        -> (status: Int, type: String, body: Data)
    {
        var arguments = [
            "curl", "-s", "-o", "-", "-w", "\n%{http_code} %{content_type}", "-H", "Cookie: hr_session=\(cookie)",
        ]
        if let form { arguments += ["--data-raw", form] }
        let out = try Subprocess.run(arguments + [instance.base + path], timeout: 30)
        let data = Data(out.stdout.utf8)
        // The status line is the last line; a PDF body is binary, so fetch bytes separately below when needed.
        let lines = out.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let trailer = lines.last.map(String.init) ?? ""
        let parts = trailer.split(separator: " ", maxSplits: 1).map(String.init)
        return (Int(parts.first ?? "") ?? -1, parts.count > 1 ? parts[1] : "", data)
    }

    /// Downloads `path` into a file (binary-safe).
    static func download(_ instance: LiveInstance, _ path: String, cookie: String, to file: URL) throws -> String {
        let out = try Subprocess.run(
            [
                "curl", "-s", "-o", file.path, "-w", "%{http_code} %{content_type}", "-H",
                "Cookie: hr_session=\(cookie)",
                instance.base + path,
            ], timeout: 30)
        return out.stdout
    }

    @Test("WinAnsi bytes for Spanish text, escapes, and exact xref offsets")
    func pdfWriterBytes() throws {
        #expect(PDFWriter.literal("Año (ñ) \\ ¿¡€–") == Array("A\\361o \\(\\361\\) \\\\ \\277\\241\\200\\226".utf8))
        #expect(PDFWriter.winAnsi("中") == UInt8(ascii: "?"))
        var page = PDFWriter.Page()
        page.text("Informe: José Núñez", x: 50, y: 700, size: 12)
        page.polyline([(50, 100), (100, 150), (200, 120)], width: 2, color: .green)
        var writer = PDFWriter()
        writer.title = "Prueba"
        writer.pages = [page, PDFWriter.Page()]
        let data = writer.data()
        let bytes = [UInt8](data)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-1.4\n"))
        // Every xref entry points at "N 0 obj".
        let start = try #require(
            Int(text.components(separatedBy: "startxref\n").last?.split(separator: "\n").first ?? ""))
        let table = String(decoding: bytes[start...], as: UTF8.self)
        #expect(table.hasPrefix("xref\n0 10\n"), "\(table.prefix(40))")
        let entries = table.split(separator: "\n").dropFirst(3).prefix(9)
        for (index, entry) in entries.enumerated() {
            #expect(entry.count == 19, "an entry is 20 bytes with its end of line")
            let offset = try #require(Int(entry.prefix(10)))
            let at = String(decoding: bytes[offset..<min(offset + 12, bytes.count)], as: UTF8.self)
            #expect(at.hasPrefix("\(index + 1) 0 obj"), "object \(index + 1) at \(offset): \(at)")
        }
    }

    @Test("start form, live page, HTML and PDF reports in Spanish and English", arguments: TestBackend.available)
    func reports(backend: TestBackend) async throws {
        #expect(Self.pdfToolsPresent || !TestEnvironment.isCI, "pdftotext and qpdf are missing: run Scripts/bootstrap")
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 7200).rounded(.down))
        let clock = DrillTestClock(start)
        try await Harness.with(backend, configure: { $0.drillClock = clock.closure }) { h in
            let cookie = try await DashboardLiveTests.signIn(h)
            let instance = try await LiveInstance.start(h.configuration)
            let directory = try TemporaryDirectory(prefix: "drill-report")
            defer { directory.remove() }
            do {
                func create(_ path: String, _ json: [String: Any]) async throws -> String {
                    let reply = try await RawHTTP.json(
                        port: instance.port, method: "POST", path: "/api/v1/\(path)", token: h.adminToken, json: json)
                    return try #require(reply.json["id"] as? String, "\(reply.text)")
                }
                let campaign = try await create(
                    "campaigns",
                    ["name": "Cobranza Ñuñoa", "profile_id": "linux-baseline", "cutover_date": "2026-12-24"])
                var agents: [String: String] = [:]
                for (employee, name) in [
                    ("E1", "Ana Pérez"), ("E2", "Íñigo Sáenz"), ("E3", "Lucía Gómez"), ("E4", "José Núñez"),
                ] {
                    agents[employee] = try await create(
                        "agents", ["employee_id": employee, "name": name, "campaign_id": campaign])
                }
                // The form starts a drill (CSRF token of the session) and redirects to its page.
                let started = try Self.fetch(
                    instance, "/drills", cookie: cookie,
                    form:
                        "csrf=csrf&scope=campaign%3A\(campaign)&deadline_minutes=30&target_percent=90&name=Simulacro+de+diciembre"
                )
                #expect(started.status == 303, "\(String(decoding: started.body, as: UTF8.self))")
                let drills = try await Drills(repository: h.repository, now: clock.closure).drills(limit: 5)
                let drill = try #require(drills.first)
                #expect(drill.name == "Simulacro de diciembre" && drill.agents == 4 && drill.targetReadyShare == 0.9)
                #expect(drill.createdBy == "dashboard:watcher")
                // A refused form says which field, in the reader's language.
                let refused = try Self.fetch(
                    instance, "/drills?lang=es", cookie: cookie,
                    form: "csrf=csrf&scope=campaign%3A\(campaign)&deadline_minutes=0&target_percent=90")
                let refusedText = String(decoding: refused.body, as: UTF8.self)
                #expect(refused.status == 400 && refusedText.contains("data-field=\"deadline_minutes\""))
                #expect(refusedText.contains("El plazo es un número entero de minutos"), "\(refusedText.prefix(400))")

                // Reports at minutes 5 (E1 ready), 8 (E2 not ready), 20 (E3 ready); E4 never answers.
                for (employee, minute, verdict) in [
                    ("E1", 5.0, Verdict.ready), ("E2", 8, .notReady), ("E3", 20, .ready),
                ] {
                    let at = start.addingTimeInterval(minute * 60)
                    _ = try await h.repository.ingest(
                        sampleReport(employeeId: employee, verdict: verdict, finishedAt: at), body: "{}",
                        agentId: agents[employee]!, deviceId: nil, at: at)
                }
                clock.set(start.addingTimeInterval(70 * 60))

                let history = try Self.fetch(instance, "/drills?lang=es", cookie: cookie)
                let historyText = Self.plain(String(decoding: history.body, as: UTF8.self))
                #expect(history.status == 200 && historyText.contains("Simulacros de continuidad"))
                #expect(historyText.contains("Simulacro de diciembre") && historyText.contains("20 min"))
                #expect(historyText.contains("meta no cumplida"), "share at the RTO 50 % against 90 %")

                let page = try Self.fetch(instance, "/drills/\(drill.id)?lang=en", cookie: cookie)
                let pageText = Self.plain(String(decoding: page.body, as: UTF8.self))
                #expect(
                    page.status == 200 && pageText.contains("id=\"drill-chart\"") && pageText.contains("data-live-src"))
                #expect(pageText.contains("José Núñez") && pageText.contains("posture.disk-encryption"))
                #expect(pageText.contains("target missed"))

                // The HTML report is self-contained: no stylesheet, script or image fetched from anywhere.
                let html = try Self.fetch(instance, "/drills/\(drill.id)/report.html?lang=es", cookie: cookie)
                let htmlText = Self.plain(String(decoding: html.body, as: UTF8.self))
                #expect(html.status == 200 && html.type.hasPrefix("text/html"))
                #expect(htmlText.contains("Informe del simulacro de continuidad") && htmlText.contains("<svg"))
                #expect(!htmlText.contains("<link") && !htmlText.contains("<script") && !htmlText.contains("src="))
                #expect(htmlText.contains("no se cumplió la meta del 90 %"), "\(htmlText.prefix(2000))")

                for (language, expected) in [
                    (
                        "es",
                        [
                            "Informe del simulacro de continuidad", "José Núñez", "no se cumplió la meta",
                            "Página 1 de 1",
                            "Tiempo al 50 % de listos", "posture.disk-encryption", "Cobranza Ñuñoa",
                        ]
                    ),
                    (
                        "en",
                        [
                            "Continuity drill report", "José Núñez", "the target of 90% was missed", "Page 1 of 1",
                            "Time to 50 % ready",
                        ]
                    ),
                ] {
                    let file = directory.url.appendingPathComponent("drill-\(language).pdf")
                    let answer = try Self.download(
                        instance, "/drills/\(drill.id)/report.pdf?lang=\(language)", cookie: cookie, to: file)
                    #expect(answer == "200 application/pdf", "\(answer)")
                    let bytes = try Data(contentsOf: file)
                    // HOMEREADY_DRILL_REPORTS=DIR keeps the PDFs to look at.
                    if let keep = ProcessInfo.processInfo.environment["HOMEREADY_DRILL_REPORTS"] {
                        try? bytes.write(to: URL(fileURLWithPath: keep).appendingPathComponent("drill-\(language).pdf"))
                    }
                    #expect(bytes.starts(with: Array("%PDF-1.4".utf8)) && bytes.count > 2000, "\(bytes.count) bytes")
                    guard Self.pdfToolsPresent else { continue }
                    let check = try Subprocess.run(["qpdf", "--check", file.path], timeout: 30)
                    #expect(
                        check.status == 0 && check.stdout.contains("No syntax or stream encoding errors"),
                        "\(check.stdout) \(check.stderr)")
                    let text = try Subprocess.run(["pdftotext", "-enc", "UTF-8", file.path, "-"], timeout: 30)
                    #expect(text.status == 0 && text.stderr.isEmpty, "\(text.stderr)")
                    // Lines wrap where the page ends them: read the text as one line.
                    let flowing = Self.plain(text.stdout).replacingOccurrences(of: "\n", with: " ")
                    for phrase in expected {
                        #expect(flowing.contains(phrase), "\(language): \"\(phrase)\" not in\n\(text.stdout)")
                    }
                }
                // Signed out: no report.
                let anonymous = try Subprocess.run(
                    [
                        "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                        "\(instance.base)/drills/\(drill.id)/report.pdf",
                    ])
                #expect(anonymous.stdout == "303")
            } catch {
                Issue.record(error)
            }
            await instance.stop()
        }
    }
}
