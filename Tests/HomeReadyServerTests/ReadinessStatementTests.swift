import Crypto
import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyServer

/// Readiness as an access signal (issue 20, point 6): signed statements, the published key, the verifier and the
/// `agent.readiness_changed` webhook, against a real server on 127.0.0.1 and real database files.
@Suite("Readiness statements", .serialized)
struct ReadinessStatementTests {
    /// Verifies a compact JWS the way docs/readiness-statement.md shows, with Python's `cryptography` (an
    /// implementation that is not ours). Prints `ok` or `bad signature`.
    static let pythonVerifier = """
        import base64, sys
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.exceptions import InvalidSignature
        def b64url(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(sys.argv[1]))
        header, payload, signature = sys.stdin.read().strip().split(".")
        try:
            key.verify(b64url(signature), (header + "." + payload).encode("ascii"))
            print("ok")
        except InvalidSignature:
            print("bad signature")
        """

    /// Whether Python with the `cryptography` package is here to verify independently.
    static var pythonCanVerify: Bool {
        guard let result = try? Subprocess.run(["python3", "-c", "import cryptography"], timeout: 30) else { return false }
        return result.status == 0
    }

    /// `statement` with the character at `index` of part `part` (0 header, 1 payload, 2 signature) changed.
    static func tampered(_ statement: String, part: Int, at index: Int) -> String {
        var parts = statement.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var characters = Array(parts[part])
        characters[index] = characters[index] == "A" ? "B" : "A"
        parts[part] = String(characters)
        return parts.joined(separator: ".")
    }

    @Test("a statement verifies with the published key and fails when one byte changes; unknown agent 404",
          arguments: TestBackend.available)
    func signedStatement(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await runLiveServer(repository: harness.repository, configuration: harness.configuration) { port in
                let admin = harness.adminToken
                let campaign = try await RawHTTP.json(
                    port: port, method: "POST", path: "/api/v1/campaigns", token: admin,
                    json: ["name": "Voice", "profile_id": "linux-baseline", "cutover_date": "2026-12-01"])
                let campaignId = try #require(campaign.json["id"] as? String)
                let created = try await RawHTTP.json(
                    port: port, method: "POST", path: "/api/v1/agents", token: admin,
                    json: ["employee_id": "E1", "name": "Ada", "campaign_id": campaignId])
                let agentId = try #require(created.json["id"] as? String)
                let report = sampleReport(employeeId: "E1", verdict: .ready)
                _ = try await harness.repository.ingest(
                    report, body: "{}", agentId: agentId, deviceId: nil, at: Date())

                // The key is public material: no token.
                let published = try await RawHTTP.request(port: port, method: "GET", path: "/api/v1/readiness-key")
                #expect(published.status == 200, "\(published.text)")
                #expect(published.json["algorithm"] as? String == "EdDSA")
                let publicKeyText = try #require(published.json["public_key"] as? String)
                let keyId = try #require(published.json["key_id"] as? String)
                #expect((published.json["jwk"] as? [String: Any])?["kid"] as? String == keyId)

                let answer = try await RawHTTP.request(
                    port: port, method: "GET", path: "/api/v1/agents/\(agentId)/readiness-statement",
                    headers: ["Authorization": "Bearer \(harness.plannerToken)"])
                #expect(answer.status == 200, "\(answer.text)")
                #expect(answer.headers["cache-control"] == "no-store")
                let statement = try #require(answer.json["statement"] as? String)
                let publicKey = try ReadinessStatementVerifier.publicKey(base64: publicKeyText)
                let claims = try ReadinessStatementVerifier.verify(statement, publicKey: publicKey)
                #expect(claims.status == .ready && claims.ready)
                #expect(claims.agentId == agentId && claims.subject == agentId && claims.employeeId == "E1")
                #expect(claims.campaignId == campaignId)
                #expect(claims.reportId == report.reportID.uuidString.lowercased())
                #expect(claims.reportAt == Int64(report.finishedAt.timeIntervalSince1970))
                #expect(claims.expiresAt - claims.issuedAt == 900)
                #expect(claims.keyId == keyId)
                let header = try #require(Base64URL.decode(String(statement.split(separator: ".")[0])))
                let headerJSON = try #require(try JSONSerialization.jsonObject(with: header) as? [String: Any])
                #expect(headerJSON["alg"] as? String == "EdDSA" && headerJSON["kid"] as? String == keyId)

                // One changed byte anywhere signed is refused.
                for (part, index) in [(1, 10), (2, 20), (0, 5)] {
                    let changed = Self.tampered(statement, part: part, at: index)
                    #expect(throws: ReadinessStatementError.self) {
                        try ReadinessStatementVerifier.verify(changed, publicKey: publicKey)
                    }
                }
                do {
                    _ = try ReadinessStatementVerifier.verify(Self.tampered(statement, part: 1, at: 10), publicKey: publicKey)
                    Issue.record("a changed payload verified")
                } catch let error as ReadinessStatementError {
                    #expect(error.kind == .badSignature, "\(error)")
                }

                // A platform's own library agrees: Python's cryptography with the published key (Scripts/bootstrap
                // installs python3-cryptography: under CI it must be there).
                #expect(Self.pythonCanVerify || !TestEnvironment.isCI, "python3 with cryptography is missing: run Scripts/bootstrap")
                if Self.pythonCanVerify {
                    let good = try Subprocess.run(
                        ["python3", "-c", Self.pythonVerifier, publicKeyText], input: Data(statement.utf8))
                    #expect(good.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(good.stderr)")
                    let bad = try Subprocess.run(
                        ["python3", "-c", Self.pythonVerifier, publicKeyText],
                        input: Data(Self.tampered(statement, part: 1, at: 10).utf8))
                    #expect(bad.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "bad signature", "\(bad.stderr)")
                }

                // `Accept: application/jwt` answers the bare token.
                let bare = try await RawHTTP.request(
                    port: port, method: "GET", path: "/api/v1/agents/\(agentId)/readiness-statement",
                    headers: ["Authorization": "Bearer \(admin)", "Accept": "application/jwt"])
                #expect(bare.headers["content-type"] == "application/jwt")
                #expect(try ReadinessStatementVerifier.verify(bare.text, publicKey: publicKey).agentId == agentId)

                // A not-ready verdict is what the next statement says.
                _ = try await harness.repository.ingest(
                    sampleReport(employeeId: "E1", verdict: .notReady, finishedAt: report.finishedAt.addingTimeInterval(60)),
                    body: "{}", agentId: agentId, deviceId: nil, at: Date())
                let later = try await RawHTTP.request(
                    port: port, method: "GET", path: "/api/v1/agents/\(agentId)/readiness-statement",
                    headers: ["Authorization": "Bearer \(admin)"])
                let notReady = try ReadinessStatementVerifier.verify(
                    try #require(later.json["statement"] as? String), publicKey: publicKey)
                #expect(notReady.status == .notReady && !notReady.ready)
                #expect(notReady.reasons.contains("verdict.not_ready"))

                let unknown = try await RawHTTP.request(
                    port: port, method: "GET", path: "/api/v1/agents/no-such-agent/readiness-statement",
                    headers: ["Authorization": "Bearer \(admin)"])
                #expect(unknown.status == 404)
                #expect(unknown.headers["content-type"]?.hasPrefix("application/problem+json") == true)
                #expect((unknown.json["detail"] as? String)?.contains("no agent with id \"no-such-agent\"") == true)
                let anonymous = try await RawHTTP.request(
                    port: port, method: "GET", path: "/api/v1/agents/\(agentId)/readiness-statement")
                #expect(anonymous.status == 401)
            }
        }
    }

    @Test("the verifier refuses an expired statement, another key's and malformed ones; verify-statement exits 1 with the reason")
    func verifierRefusals() throws {
        let key = ReadinessSigningKey(createdAt: Date())
        let publicKey = key.publicKey.rawRepresentation.base64EncodedString()
        let now = Date()
        func statement(issued: Date, ttl: TimeInterval) throws -> String {
            try key.sign(
                ReadinessClaims(
                    issuer: "homeready-server", agentId: "a1", employeeId: "E1", campaignId: nil, status: .ready,
                    evidence: .cli, reasons: [], reportId: "r1", reportAt: issued.addingTimeInterval(-60),
                    issuedAt: issued, expiresAt: issued.addingTimeInterval(ttl), keyId: key.keyId))
        }
        let expired = try statement(issued: now.addingTimeInterval(-1200), ttl: 900)
        let valid = try statement(issued: now, ttl: 900)
        let verifyingKey = try ReadinessStatementVerifier.publicKey(base64: publicKey)
        #expect(try ReadinessStatementVerifier.verify(valid, publicKey: verifyingKey, now: now).reportId == "r1")
        func kind(_ text: String, key: Curve25519.Signing.PublicKey = verifyingKey, leeway: TimeInterval = 0)
            -> ReadinessStatementError.Kind?
        {
            do {
                _ = try ReadinessStatementVerifier.verify(text, publicKey: key, now: now, leeway: leeway)
                return nil
            } catch { return error.kind }
        }
        #expect(kind(expired) == .expired)
        #expect(kind(expired, leeway: 600) == nil)  // 300 s past expiry, within a 600 s leeway
        #expect(kind(valid, key: Curve25519.Signing.PrivateKey().publicKey) == .wrongKey)
        #expect(kind("not a statement") == .malformed)
        #expect(kind("a.b") == .malformed)
        let parts = valid.split(separator: ".")
        let noneHeader = Base64URL.encode(Data("{\"alg\":\"none\"}".utf8))
        #expect(kind("\(noneHeader).\(parts[1]).") == .unsupportedAlgorithm)
        #expect(throws: ReadinessStatementError.self) { try ReadinessStatementVerifier.publicKey(base64: "c2hvcnQ=") }

        // The subcommand, as a platform's operator runs it.
        let binary = TestEnvironment.productsDirectory.appendingPathComponent("homeready-server").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            try TestEnvironment.skip(because: "\(binary) is not built (swift build --build-tests builds it)")
        }
        let directory = try TemporaryDirectory(prefix: "hr-statement")
        defer { directory.remove() }
        let expiredFile = try directory.write("expired.jws", expired + "\n")
        let keyFile = try directory.write("key.json", "{\"algorithm\":\"EdDSA\",\"public_key\":\"\(publicKey)\"}")
        let refused = try Subprocess.run([binary, "verify-statement", "--key", publicKey, "--statement", expiredFile.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("refused: expired at"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        let good = try Subprocess.run(
            [binary, "verify-statement", "--key", keyFile.path, "--statement", "-"],
            input: Data("{\"statement\":\"\(valid)\"}".utf8))
        #expect(good.status == 0, "\(good.stderr)")
        let printed = try #require(try JSONSerialization.jsonObject(with: Data(good.stdout.utf8)) as? [String: Any])
        #expect(printed["status"] as? String == "ready" && printed["report_id"] as? String == "r1")
        #expect(good.stderr.contains("valid: signed by key \(key.keyId)"), "\(good.stderr)")
        let tampered = try Subprocess.run(
            [binary, "verify-statement", "--key", publicKey, "--statement", "-"],
            input: Data(Self.tampered(valid, part: 1, at: 10).utf8))
        #expect(tampered.status == 1)
        #expect(tampered.stderr.contains("refused: bad signature"), "\(tampered.stderr)")
        let malformed = try Subprocess.run(
            [binary, "verify-statement", "--key", publicKey, "--statement", "-"], input: Data("hello".utf8))
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("refused: malformed statement"), "\(malformed.stderr)")
    }

    @Test("agent.readiness_changed is POSTed once when a report turns ready to not ready, never for an unchanged status",
          arguments: TestBackend.available)
    func readinessChangedWebhook(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await withReceiver(failures: 0) { receiver in
                let receiverPort = await receiver.port
                try await runLiveServer(repository: harness.repository, configuration: harness.configuration) { port in
                    let admin = harness.adminToken
                    let hook = try await RawHTTP.json(
                        port: port, method: "POST", path: "/api/v1/webhooks", token: admin,
                        json: ["url": "http://127.0.0.1:\(receiverPort)/hook", "events": ["agent.readiness_changed"]])
                    #expect(hook.status == 201, "\(hook.text)")
                    let hookId = try #require(hook.json["id"] as? String)
                    let created = try await RawHTTP.json(
                        port: port, method: "POST", path: "/api/v1/agents", token: admin,
                        json: ["employee_id": "E7", "name": "Eve"])
                    let agentId = try #require(created.json["id"] as? String)
                    let dispatcher = WebhookDispatcher(
                        repository: harness.repository, policy: WebhookPolicy(), logger: Harness.logger)
                    let t0 = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
                    var reportIds: [String] = []
                    // unknown → ready (a change), ready again (none), not ready (a change), not ready again (none).
                    for (offset, verdict) in [(0.0, Verdict.ready), (60, .ready), (120, .notReady), (180, .notReady)] {
                        let report = sampleReport(employeeId: "E7", verdict: verdict, finishedAt: t0.addingTimeInterval(offset))
                        reportIds.append(report.reportID.uuidString.lowercased())
                        _ = try await harness.repository.ingest(
                            report, body: "{}", agentId: agentId, deviceId: nil, at: Date())
                    }
                    let queued = try await harness.repository.deliveries(webhookId: hookId, after: nil, limit: 1000)
                    #expect(queued.map(\.event) == ["agent.readiness_changed", "agent.readiness_changed"])
                    #expect(try await dispatcher.runOnce(now: Date()) == 2)
                    let received = await receiver.received
                    #expect(received.count == 2)
                    var changes: [(String?, String?, String?, Bool?)] = []
                    for item in received.sorted(by: { $0.headers["x-homeready-timestamp"] ?? "" < $1.headers["x-homeready-timestamp"] ?? "" }) {
                        #expect(item.headers["x-homeready-event"] == "agent.readiness_changed")
                        #expect(item.headers["x-homeready-signature"]?.hasPrefix("sha256=") == true)
                        let json = try #require(try JSONSerialization.jsonObject(with: item.body) as? [String: Any])
                        let data = try #require(json["data"] as? [String: Any])
                        #expect(data["agent_id"] as? String == agentId && data["employee_id"] as? String == "E7")
                        changes.append(
                            (data["previous_status"] as? String, data["status"] as? String, data["report_id"] as? String,
                             data["ready"] as? Bool))
                    }
                    let ordered = changes.sorted { ($0.0 ?? "") > ($1.0 ?? "") }  // "unknown" before "ready"
                    #expect(ordered.count == 2)
                    if ordered.count == 2 {
                        #expect(ordered[0].0 == "unknown" && ordered[0].1 == "ready" && ordered[0].2 == reportIds[0])
                        #expect(ordered[0].3 == true)
                        #expect(ordered[1].0 == "ready" && ordered[1].1 == "not_ready" && ordered[1].2 == reportIds[2])
                        #expect(ordered[1].3 == false)
                    }
                }
            }
        }
    }

    @Test("two instances on one database sign with one key, created once even when they race",
          arguments: TestBackend.available)
    func sharedKey(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let (secondStore, second) = try await openRepository(harness.configuration, logger: Harness.logger)
            let outcome: Result<Void, any Error>
            do {
                // Both ask for the key at once on a database that has none yet.
                async let first = harness.repository.readinessSigningKey(now: Date())
                async let other = second.readinessSigningKey(now: Date())
                let (a, b) = try await (first, other)
                #expect(a.keyId == b.keyId)
                #expect(a.publicKey.rawRepresentation == b.publicKey.rawRepresentation)
                let rows = try await harness.store.withConnection { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM signing_keys").all().first?.int("n")
                }
                #expect(rows == 1)
                let agent = try await harness.repository.createAgent(NewAgent(employeeId: "S1", name: "Sam"))
                try await runLiveServer(repository: harness.repository, configuration: harness.configuration) { one in
                    try await runLiveServer(repository: second, configuration: harness.configuration) { two in
                        let key = try await RawHTTP.request(port: one, method: "GET", path: "/api/v1/readiness-key")
                        let publicKey = try ReadinessStatementVerifier.publicKey(
                            base64: try #require(key.json["public_key"] as? String))
                        let fromTwo = try await RawHTTP.request(
                            port: two, method: "GET", path: "/api/v1/agents/\(agent.id)/readiness-statement",
                            headers: ["Authorization": "Bearer \(harness.adminToken)"])
                        let claims = try ReadinessStatementVerifier.verify(
                            try #require(fromTwo.json["statement"] as? String), publicKey: publicKey)
                        #expect(claims.status == .unknown && claims.reportId == nil && !claims.ready)
                    }
                }
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            await secondStore.shutdown()
            try outcome.get()
        }
    }
}
