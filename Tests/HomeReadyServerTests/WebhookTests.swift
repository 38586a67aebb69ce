import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Testing

@testable import HomeReadyServer

/// Records what a loopback receiver got, and fails the first `failures` requests with 500.
actor Receiver {
    struct Received: Sendable {
        var headers: [String: String]
        var body: Data
    }

    var received: [Received] = []
    var failures: Int
    var port = 0

    init(failures: Int) { self.failures = failures }

    func record(_ item: Received) -> HTTPResponse.Status {
        received.append(item)
        if failures > 0 {
            failures -= 1
            return .internalServerError
        }
        return .ok
    }

    func setPort(_ port: Int) { self.port = port }
}

/// Runs a real HTTP receiver on 127.0.0.1 (port 0) for the duration of `body`.
func withReceiver<T: Sendable>(failures: Int, _ body: @Sendable (Receiver) async throws -> T) async throws -> T {
    let receiver = Receiver(failures: failures)
    let router = Router()
    router.post("hook") { request, _ -> Response in
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.rawName.lowercased()] = field.value }
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let status = await receiver.record(.init(headers: headers, body: Data(buffer.readableBytesView)))
        return Response(status: status)
    }
    var logger = Logger(label: "receiver")
    logger.logLevel = .warning
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in await receiver.setPort(channel.localAddress?.port ?? 0) }, logger: logger)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        let serviceGroup = ServiceGroup(configuration: .init(services: [app], logger: logger))
        group.addTask {
            try await serviceGroup.run()
            return nil
        }
        while await receiver.port == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let result = try await body(receiver)
        await serviceGroup.triggerGracefulShutdown()
        for try await _ in group {}
        return result
    }
}

@Suite("Webhooks")
struct WebhookTests {
    @Test("a faulty item is POSTed signed, retried with backoff after a failure, every attempt logged",
          arguments: TestBackend.available)
    func faultyItem(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            try await withReceiver(failures: 1) { receiver in
                let port = await receiver.port
                let dispatcher = WebhookDispatcher(
                    repository: harness.repository, policy: WebhookPolicy(baseDelay: 30), logger: Harness.logger)
                let (hookId, secret) = try await harness.withClient { api in
                    let hook = try await api.send(
                        .post, "/api/v1/webhooks", token: api.admin,
                        json: ["url": "http://127.0.0.1:\(port)/hook", "events": ["equipment.faulty", "agent.not_ready"]])
                    #expect(hook.status == .created)
                    let bad = try await api.send(.post, "/api/v1/webhooks", token: api.admin, json: ["url": "ftp://x", "events": ["equipment.faulty"]])
                    #expect(bad.string("field") == "url")
                    #expect(try await api.send(.post, "/api/v1/webhooks", token: api.planner, json: [:]).status == .forbidden)
                    let item = try await api.create("equipment", ["kind": "usb_headset", "asset_tag": "AT-7"])
                    _ = try await api.send(.post, "/api/v1/equipment/\(item)/events", token: api.admin, json: ["event": "allocate"])
                    _ = try await api.send(.post, "/api/v1/equipment/\(item)/events", token: api.admin, json: ["event": "report_faulty"])
                    return (hook.string("id")!, hook.string("secret")!)
                }
                let t0 = Date()
                #expect(try await dispatcher.runOnce(now: t0) == 1)
                var deliveries = try await harness.repository.deliveries(webhookId: hookId, after: nil, limit: 1000)
                #expect(deliveries.count == 1)
                #expect(deliveries[0].attempts == 1 && deliveries[0].lastStatus == 500 && deliveries[0].deliveredAt == nil)
                let retry = try #require(deliveries[0].nextAttemptAt)
                #expect(retry.timeIntervalSince(t0) > 25 && retry.timeIntervalSince(t0) < 35)
                #expect(try await dispatcher.runOnce(now: t0.addingTimeInterval(5)) == 0)  // not due yet
                #expect(try await dispatcher.runOnce(now: t0.addingTimeInterval(40)) == 1)
                deliveries = try await harness.repository.deliveries(webhookId: hookId, after: nil, limit: 1000)
                #expect(deliveries[0].deliveredAt != nil && deliveries[0].lastStatus == 200)
                #expect(try await harness.repository.attemptCount(deliveryId: deliveries[0].id) == 2)
                #expect(try await dispatcher.runOnce(now: t0.addingTimeInterval(100)) == 0)

                let received = await receiver.received
                #expect(received.count == 2)
                let last = try #require(received.last)
                #expect(last.headers["x-homeready-event"] == "equipment.faulty")
                let timestamp = try #require(last.headers["x-homeready-timestamp"])
                // Checked by OpenSSL, not by the function that made it: HMAC-SHA256 over "TIMESTAMP.BODY".
                try TestEnvironment.require([.openssl])
                let openssl = try Subprocess.run(
                    ["openssl", "dgst", "-sha256", "-hmac", secret, "-r"], input: Data("\(timestamp).".utf8) + last.body)
                #expect(openssl.status == 0, "openssl dgst failed: \(openssl.stderr)")
                let hex = try #require(openssl.stdout.split(separator: " ").first, "openssl dgst printed nothing")
                #expect(hex.count == 64)
                #expect(last.headers["x-homeready-signature"] == "sha256=\(hex)")
                let json = try JSONSerialization.jsonObject(with: last.body) as? [String: Any]
                #expect((json?["data"] as? [String: Any])?["asset_tag"] as? String == "AT-7")
            }
        }
    }

    @Test("an agent newly not ready and an overdue shipment are queued once each", arguments: TestBackend.available)
    func notReadyAndOverdue(backend: TestBackend) async throws {
        try await Harness.with(backend) { harness in
            let repository = harness.repository
            let hook = try await repository.createWebhook(
                url: "http://127.0.0.1:9/unused", events: [.agentNotReady, .shipmentOverdue], secret: "s", at: Date())
            let agent = try await repository.createAgent(NewAgent(employeeId: "E1", name: "Ada"))
            let t0 = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            for (offset, verdict) in [(0.0, Verdict.ready), (60, .notReady), (120, .notReady), (180, .ready), (240, .incomplete)] {
                _ = try await repository.ingest(
                    sampleReport(employeeId: "E1", verdict: verdict, finishedAt: t0.addingTimeInterval(offset)), body: "{}",
                    agentId: agent.id, deviceId: nil, at: Date())
            }
            #expect(try await repository.deliveries(webhookId: hook.id, after: nil, limit: 1000).filter { $0.event == "agent.not_ready" }.count == 2)
            let item = try await repository.createItem(NewItem(kind: "ups"), actor: "t")
            let old = Date().addingTimeInterval(-9 * 86_400)
            _ = try await repository.applyEvent(itemId: item.id, event: .init(.allocate), actor: "t", at: old)
            _ = try await repository.applyEvent(itemId: item.id, event: .init(.ship, carrier: "UPS", trackingNumber: "1Z"), actor: "t", at: old)
            #expect(try await repository.enqueueOverdue(shippedBefore: Date().addingTimeInterval(-5 * 86_400), now: Date()) == 1)
            #expect(try await repository.enqueueOverdue(shippedBefore: Date().addingTimeInterval(-5 * 86_400), now: Date()) == 0)
            #expect(try await repository.deliveries(webhookId: hook.id, after: nil, limit: 1000).filter { $0.event == "shipment.overdue" }.count == 1)
            // The API pages them like every list: oldest first, each page from the `next` of the one before.
            let all = try await repository.deliveries(webhookId: hook.id, after: nil, limit: 1000).map(\.id)
            #expect(all.count == 3)
            let other = try await repository.createWebhook(
                url: "http://127.0.0.1:9/other", events: [.agentNotReady], secret: "s", at: Date())
            try await harness.withClient { api in
                var paged: [String] = []
                var cursor: String?
                repeat {
                    let page = try await api.send(
                        .get, "/api/v1/webhooks/\(hook.id)/deliveries?limit=1" + (cursor.map { "&after=\($0)" } ?? ""),
                        token: api.admin)
                    #expect(page.status == .ok)
                    paged += page.items.compactMap { $0["id"] as? String }
                    cursor = page.json["next"] as? String
                } while cursor != nil && paged.count < 10
                #expect(paged == all)
                // A cursor that is not one of this webhook's deliveries is refused, naming `after`.
                for after in ["nope", all[0]] {
                    let hookId = after == "nope" ? hook.id : other.id
                    let refused = try await api.send(
                        .get, "/api/v1/webhooks/\(hookId)/deliveries?after=\(after)", token: api.admin)
                    #expect(refused.status == .unprocessableContent)
                    #expect(refused.json["field"] as? String == "after")
                }
            }
        }
    }
}
