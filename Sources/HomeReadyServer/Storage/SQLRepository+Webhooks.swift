import Foundation
import HomeReadyModel
import SQLKit

extension SQLRepository {
    public func createWebhook(url: String, events: [WebhookEvent], secret: String, at: Date) async throws
        -> WebhookRecord
    {
        let id = Self.newID()
        try await writing(field: "url") { db in
            try await db.raw(
                """
                INSERT INTO webhooks (id, url, secret, events, created_at)
                VALUES (\(bind: id), \(bind: url), \(bind: secret), \(bind: events.map(\.rawValue).joined(separator: ",")),
                        \(millis: at))
                """
            ).run()
        }
        return WebhookRecord(id: id, url: url, events: events)
    }

    /// A page of a webhook's deliveries: one range of `webhook_deliveries_webhook` (migration 21) from the
    /// cursor on, so a page costs the same however many deliveries the webhook has had.
    public func deliveries(webhookId: String, after: String?, limit: Int) async throws -> [DeliveryRecord] {
        try await store.withConnection { db in
            let from = try await Self.keysetAfter(
                after, table: "webhook_deliveries", key: "created_at", scope: "webhook_id = \(bind: webhookId)",
                what: "delivery of this webhook", on: db)
            return try await db.raw(
                """
                SELECT id, webhook_id, event, payload, attempts, next_attempt_at, delivered_at, last_status, last_error
                FROM webhook_deliveries WHERE webhook_id = \(bind: webhookId)\(from)
                ORDER BY created_at, id LIMIT \(literal: limit)
                """
            ).all().map {
                DeliveryRecord(
                    id: try $0.string("id"), webhookId: try $0.string("webhook_id"), event: try $0.string("event"),
                    payload: try $0.string("payload"), attempts: try $0.int("attempts"),
                    nextAttemptAt: try $0.optionalDate("next_attempt_at"), deliveredAt: try $0.optionalDate("delivered_at"),
                    lastStatus: try $0.optionalInt64("last_status").map(Int.init),
                    lastError: try $0.optionalString("last_error"))
            }
        }
    }

    /// Number of attempts logged for a delivery.
    public func attemptCount(deliveryId: String) async throws -> Int {
        try await store.withConnection { db in
            try await db.raw("SELECT COUNT(*) AS n FROM webhook_attempts WHERE delivery_id = \(bind: deliveryId)").all()
                .first?.int("n") ?? 0
        }
    }

    /// Queues an event for every webhook subscribed to it, inside the caller's transaction (an outbox: the event
    /// exists exactly when the change that caused it was committed).
    /// `subscribers`, when given, are the ids `subscribers(of:on:)` read in the same transaction (a batch reads
    /// them once).
    static func enqueue<T: Encodable & Sendable>(
        _ event: WebhookEvent, data: T, at: Date, subscribers: [String]? = nil, on db: any SQLDatabase
    ) async throws {
        let targets: [String]
        if let subscribers { targets = subscribers } else { targets = try await Self.subscribers(of: event, on: db) }
        guard !targets.isEmpty else { return }
        let encoder = APICoding.encoder
        let payload = String(decoding: try encoder.encode(WebhookPayload(event: event.rawValue, at: at, data: data)), as: UTF8.self)
        for hook in targets {
            try await db.raw(
                """
                INSERT INTO webhook_deliveries (id, webhook_id, event, payload, attempts, next_attempt_at, created_at)
                VALUES (\(bind: newID()), \(bind: hook), \(bind: event.rawValue), \(bind: payload), 0,
                        \(millis: at), \(millis: at))
                """
            ).run()
        }
    }

    /// The ids of the webhooks subscribed to `event`.
    static func subscribers(of event: WebhookEvent, on db: any SQLDatabase) async throws -> [String] {
        let hooks = try await db.raw("SELECT id, events FROM webhooks").all()
        return try hooks.filter { try $0.string("events").split(separator: ",").contains(Substring(event.rawValue)) }
            .map { try $0.string("id") }
    }

    /// Claims up to `limit` due deliveries, leasing them for `lease` so other instances skip them meanwhile.
    func claimDueDeliveries(now: Date, limit: Int, lease: TimeInterval, maxAttempts: Int) async throws -> [DueDelivery] {
        try await writing(field: nil) { db in
            let lock: SQLQueryString = store.backend == .postgres ? " FOR UPDATE OF d SKIP LOCKED" : ""
            let rows = try await db.raw(
                """
                SELECT d.id, w.url, w.secret, d.event, d.payload, d.attempts FROM webhook_deliveries d
                JOIN webhooks w ON w.id = d.webhook_id
                WHERE d.delivered_at IS NULL AND d.attempts < \(literal: maxAttempts)
                      AND d.next_attempt_at <= \(millis: now)
                ORDER BY d.next_attempt_at LIMIT \(literal: limit)\(lock)
                """
            ).all()
            let due = try rows.map {
                DueDelivery(
                    id: try $0.string("id"), url: try $0.string("url"), secret: try $0.string("secret"),
                    event: try $0.string("event"), payload: try $0.string("payload"), attempts: try $0.int("attempts"))
            }
            for delivery in due {
                try await db.raw(
                    """
                    UPDATE webhook_deliveries SET next_attempt_at = \(millis: now.addingTimeInterval(lease))
                    WHERE id = \(bind: delivery.id)
                    """
                ).run()
            }
            return due
        }
    }

    /// Logs an attempt; a 2xx marks the delivery done, anything else schedules `retryAt` (nil: give up).
    func recordAttempt(
        deliveryId: String, status: Int?, error: String?, durationMs: Int, at: Date, retryAt: Date?
    ) async throws {
        try await writing(field: nil) { db in
            try await db.raw(
                """
                INSERT INTO webhook_attempts (id, delivery_id, at, status, error, duration_ms)
                VALUES (\(bind: Self.newID()), \(bind: deliveryId), \(millis: at),
                        \(unsafeRaw: status.map(String.init) ?? "NULL"), \(bind: error), \(literal: durationMs))
                """
            ).run()
            let delivered = status.map { (200..<300).contains($0) } ?? false
            try await db.raw(
                """
                UPDATE webhook_deliveries SET attempts = attempts + 1,
                    last_status = \(unsafeRaw: status.map(String.init) ?? "NULL"), last_error = \(bind: error),
                    delivered_at = \(millis: delivered ? at : nil),
                    next_attempt_at = \(millis: delivered ? nil : retryAt)
                WHERE id = \(bind: deliveryId)
                """
            ).run()
        }
    }

    /// Queues `shipment.overdue` once for each item shipped before `shippedBefore` and not delivered.
    func enqueueOverdue(shippedBefore: Date, now: Date) async throws -> Int {
        try await writing(field: nil) { db in
            let rows = try await db.raw(
                """
                SELECT \(Self.itemColumns) FROM equipment_items
                WHERE state = 'shipped' AND shipped_at < \(millis: shippedBefore) AND overdue_notified_at IS NULL
                """
            ).all()
            let items = try rows.map(Self.item)
            for item in items {
                try await Self.enqueue(.shipmentOverdue, data: item, at: now, on: db)
                try await db.raw("UPDATE equipment_items SET overdue_notified_at = \(millis: now) WHERE id = \(bind: item.id)").run()
            }
            return items.count
        }
    }
}
