import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyServer

/// The dashboard's form to send instructions from IT (issue 20, point 3, the dashboard side): a message in
/// Spanish and English to a campaign and a check now to one agent reach those agents' devices through the server's
/// instruction logic; refusals name the field in the reader's language; a forged CSRF token sends nothing.
@Suite("Instruction form on the dashboard", .serialized)
struct DrillInstructionFormTests {
    static func post(_ instance: LiveInstance, _ path: String, cookie: String, form: String) throws -> (Int, String) {
        let out = try Subprocess.run(
            [
                "curl", "-s", "-w", "\n%{http_code}", "-H", "Cookie: hr_session=\(cookie)", "--data-raw", form,
                instance.base + path,
            ], timeout: 30)
        var lines = out.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let status = Int(lines.removeLast()) ?? -1
        return (status, DrillReportTests.plain(lines.joined(separator: "\n")))
    }

    @Test(
        "a campaign message in two languages and a check now to one agent reach their devices; refusals; CSRF",
        arguments: TestBackend.available)
    func sendFromTheForm(backend: TestBackend) async throws {
        try await Harness.with(backend) { h in
            let cookie = try await DashboardLiveTests.signIn(h)
            let instance = try await LiveInstance.start(h.configuration)
            do {
                let (_, _, devices) = try await DrillAPITests.fleet(port: instance.port, admin: h.adminToken)
                let (status, page) = try Self.post(
                    instance, "/instructions?lang=es", cookie: cookie,
                    form: "csrf=csrf&target_type=campaign&target=Voz&kind=message"
                        + "&text_es=Mantenimiento+de+la+VPN+a+las+22%3A00&text_en=VPN+maintenance+at+22%3A00")
                #expect(status == 200 && page.contains("Enviada a 4 agentes."), "\(page.prefix(3000))")
                #expect(
                    page.contains("Mantenimiento de la VPN") || page.contains("VPN maintenance"), "the list shows it")
                let e1 = devices["E1"]!
                let (single, singlePage) = try Self.post(
                    instance, "/instructions?lang=en", cookie: cookie,
                    form: "csrf=csrf&target_type=agent&target=\(e1.agentId)&kind=check_now")
                #expect(single == 200 && singlePage.contains("Sent to 1 agent."), "\(singlePage.prefix(2000))")
                let polled = try await DrillAPITests.get(instance.port, "/api/v1/device/instructions", token: e1.token)
                let items = polled.json["items"] as? [[String: Any]] ?? []
                #expect(items.compactMap { $0["kind"] as? String } == ["message", "check_now"], "\(polled.text)")
                let message = try #require(items.first)
                #expect(message["text"] as? String == "VPN maintenance at 22:00")
                #expect(
                    (message["texts"] as? [String: String]) == [
                        "es": "Mantenimiento de la VPN a las 22:00", "en": "VPN maintenance at 22:00",
                    ])
                let e5 = try await DrillAPITests.get(
                    instance.port, "/api/v1/device/instructions", token: devices["E5"]!.token)
                #expect((e5.json["items"] as? [[String: Any]])?.isEmpty == true, "E5 is not in the campaign")
                let listed = try await DrillAPITests.get(instance.port, "/api/v1/instructions", token: h.adminToken)
                #expect(
                    (listed.json["items"] as? [[String: Any]])?.first?["created_by"] as? String == "dashboard:watcher")

                for (form, field, text) in [
                    ("target_type=team&target=Nowhere&kind=check_now", "team", "ningún equipo tiene ese id o nombre"),
                    (
                        "target_type=campaign&target=Voz&kind=message&text_es=+&text_en=", "text",
                        "un mensaje necesita su texto"
                    ),
                    ("target_type=agent&target=&kind=check_now", "agent_id", "No se envió"),
                    ("target_type=planet&target=Mars&kind=check_now", "target", "indique a quién va"),
                ] {
                    let (refused, body) = try Self.post(
                        instance, "/instructions?lang=es", cookie: cookie, form: "csrf=csrf&" + form)
                    #expect(refused == 400, "\(form): \(refused)")
                    #expect(
                        body.contains("data-field=\"\(field)\"") && body.contains(text), "\(form): \(body.prefix(3000))"
                    )
                }
                let (forged, _) = try Self.post(
                    instance, "/instructions", cookie: cookie,
                    form: "csrf=forged&target_type=campaign&target=Voz&kind=check_now")
                #expect(forged == 403)
                let after = try await DrillAPITests.get(instance.port, "/api/v1/instructions", token: h.adminToken)
                #expect(
                    (after.json["items"] as? [Any])?.count == 2, "refused and forged forms sent nothing: \(after.text)")
            } catch {
                Issue.record(error)
            }
            await instance.stop()
        }
    }
}
