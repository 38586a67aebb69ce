import Foundation
import HomeReadyJudging
import HomeReadyModel
import HomeReadyProfiles
import HomeReadyTestSupport
import Testing

/// The server writes the reports it makes itself (browser self-tests, demo fleets) with `CompactJSONEncoder`: every
/// report the judge can produce must read back as itself, and as the same JSON value as `JSONEncoder` writes.
@Suite("Judged reports through the compact encoder")
struct JudgedReportEncodingTests {
    static let profiles: [Profile] = {
        let loader = ProfileLoader(
            searchPath: ProfileSearchPath(directories: [TestEnvironment.packageRoot.appendingPathComponent("Profiles")]))
        return ["inbound-voice", "outbound-payments", "chat-email", "supervisor", "linux-baseline", "macos-baseline"]
            .map { try! loader.load($0) }
    }()

    @Test("random judged reports for every shipped profile read back as themselves")
    func randomJudgedReports() throws {
        var rng = SplitMix64(seed: 21)
        let compact = CompactJSONEncoder()
        let encoder = ReportCoding.encoder()
        var compared = 0
        for profile in Self.profiles {
            for index in 0..<50 {
                let measured = RandomMeasurements.report(
                    for: profile, employeeID: "E\(index)", finishedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(index)),
                    using: &rng)
                let report = ReportJudge.judged(measured, profile: profile)
                let text = Data(try compact.encode(report))
                let decoded = try ReportCoding.decoder().decode(CheckReport.self, from: text)
                #expect(decoded == report, "\(profile.id) #\(index)")
                let ours = try JSONSerialization.jsonObject(with: text) as? NSDictionary
                let foundations = try JSONSerialization.jsonObject(with: encoder.encode(report)) as? NSDictionary
                #expect(ours != nil && ours == foundations, "\(profile.id) #\(index)")
                compared += 1
            }
        }
        #expect(compared == 300)
    }
}
