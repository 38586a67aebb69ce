import Foundation
import HomeReadyAgent
import HomeReadyLocalization
import HomeReadyModel
import HomeReadyTestSupport
import Testing

/// The built `homeready` speaks the agent's language on screen and keeps its JSON the same in every language.
@Suite("homeready check in Spanish and English (end to end)")
struct LanguageCLITests {
    static var homeready: String { ProfileCLITests.homeready }

    /// The environment of a shell whose locale is `lang`, with nothing else choosing the language.
    static func environment(lang: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["LC_ALL", "LC_MESSAGES", "LANGUAGE"] { environment.removeValue(forKey: name) }
        environment["LANG"] = lang
        environment["HOME"] = NSTemporaryDirectory()  // not enrolled: nothing is uploaded
        return environment
    }

    static func report(lang: String) throws -> (report: CheckReport, json: String) {
        let run = try Subprocess.run(
            [homeready, "check", "--only", "posture,equipment", "--profile", "inbound-voice", "--json",
             "--employee-id", "E1001"],
            environment: environment(lang: lang))
        #expect(run.status != 2, "\(run.stderr)")
        return (try ReportCoding.decoder().decode(CheckReport.self, from: Data(run.stdout.utf8)), run.stdout)
    }

    @Test("LANG=es_MX.UTF-8: the verdict and every finding in Spanish, the fixes too")
    func spanishScreen() throws {
        let run = try Subprocess.run(
            [Self.homeready, "check", "--only", "posture,equipment", "--profile", "inbound-voice", "--employee-id", "E1001"],
            environment: Self.environment(lang: "es_MX.UTF-8"))
        let screen = run.stderr
        #expect(screen.contains("Resultado: "), "\(screen)")
        #expect(!screen.contains("Verdict:"))
        let report = try Self.report(lang: "es_MX.UTF-8").report
        #expect(!report.findings.isEmpty)
        let spanish = Localizer(.es)
        for finding in report.findings {
            let text = try #require(finding.messageText, "\(finding.id) carries no localized text")
            var plain = text
            if let key = text.key, let variant = ReportRenderer.plainVariants[key] { plain.key = variant }
            let line = spanish.render(plain)
            #expect(screen.contains(line), "\(finding.id): the screen lacks \"\(line)\"\n\(screen)")
            #expect(line != Localizer.english.render(plain), "\(finding.id) reads the same in English: \"\(line)\"")
            if let fix = finding.remediationText, finding.status != .pass {
                #expect(screen.contains(spanish.render(fix)), "\(finding.id): the fix is not in Spanish\n\(screen)")
            }
        }
        // Technical detail is for --verbose: no fact names or device paths on the agent's screen.
        #expect(!screen.contains(" = false"), "\(screen)")
        let verbose = try Subprocess.run(
            [Self.homeready, "check", "--only", "posture", "--profile", "inbound-voice", "--verbose", "--lang", "en"],
            environment: Self.environment(lang: "es_MX.UTF-8"))
        #expect(verbose.stderr.contains("Verdict: "), "--lang en wins over LANG")
        #expect(verbose.stderr.contains("(posture."), "--verbose names the check ids")
    }

    @Test("--json is byte-identical in Spanish and English but for the report's id and times")
    func jsonIsTheSame() throws {
        let spanish = try Self.report(lang: "es_MX.UTF-8")
        let english = try Self.report(lang: "en_US.UTF-8")
        // Same findings, same English messages, same localizable texts.
        #expect(spanish.report.findings == english.report.findings)
        func stripped(_ json: String) -> String {
            json.split(separator: "\n").filter {
                !$0.contains("\"report_id\"") && !$0.contains("\"started_at\"") && !$0.contains("\"finished_at\"")
                    && !$0.contains("\"duration_ms\"") && !$0.contains("\"collected_at\"")
            }.joined(separator: "\n")
        }
        #expect(stripped(spanish.json) == stripped(english.json))
    }

    @Test("in the pseudo-locale every line of the agent's screen comes from a catalog (nothing hard-coded in English)")
    func pseudoLocale() throws {
        let run = try Subprocess.run(
            [Self.homeready, "check", "--only", "posture,equipment", "--profile", "inbound-voice", "--lang", "en-XA"],
            environment: Self.environment(lang: "C"))
        let lines = run.stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        #expect(lines.count > 5, "\(run.stderr)")
        let plain = lines.filter { !$0.contains("[") || !$0.contains("~") }
        #expect(plain.isEmpty, "lines not from the catalog: \(plain)")
    }

    @Test("--lang takes es or en and says so otherwise")
    func badLanguage() throws {
        let run = try Subprocess.run([Self.homeready, "check", "--lang", "fr"], environment: Self.environment(lang: "C"))
        #expect(run.status == 64)
        #expect(run.stderr.contains("--lang takes es or en; got \"fr\""), "\(run.stderr)")
    }
}
