import Crypto
import Foundation
import HomeReadyModel
import Logging
import ServiceLifecycle

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends a webhook POST; returns the HTTP status. Injected so tests and other transports can replace it.
public protocol WebhookTransport: Sendable {
    func post(url: String, body: Data, headers: [String: String]) async throws -> Int
}

/// Foundation's URLSession (libcurl on Linux).
public struct URLSessionWebhookTransport: WebhookTransport {
    public var timeout: TimeInterval

    public init(timeout: TimeInterval = 10) { self.timeout = timeout }

    public func post(url: String, body: Data, headers: [String: String]) async throws -> Int {
        guard let target = URL(string: url) else { throw ServerError.storage("webhook URL \(url) is not a URL") }
        var request = URLRequest(url: target, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}

/// How deliveries are retried.
public struct WebhookPolicy: Sendable {
    /// The waits between attempts: the shared exponential `Backoff`, from 5 s doubling up to 1 h by default, ±10 %.
    public var backoff: Backoff
    /// Attempts before giving up (default 10).
    public var maxAttempts: Int
    /// How often the dispatcher looks for due deliveries (default 1 s).
    public var pollInterval: Duration
    /// Days after which a shipment counts as overdue (default 5).
    public var overdueDays: Int

    public init(
        baseDelay: TimeInterval = 5, maxDelay: TimeInterval = 3600, maxAttempts: Int = 10,
        pollInterval: Duration = .seconds(1), overdueDays: Int = 5
    ) {
        self.backoff = Backoff(initialDelay: baseDelay, maximumDelay: maxDelay, jitter: .proportional(0.1))
        self.maxAttempts = maxAttempts
        self.pollInterval = pollInterval
        self.overdueDays = overdueDays
    }

    /// Delay after `attempts` failed attempts: base · 2^(attempts−1), capped, with ±10% jitter.
    func delay(afterAttempts attempts: Int) -> TimeInterval {
        backoff.delay(afterAttempt: attempts, unit: Double.random(in: 0..<1))
    }
}

/// Delivers queued webhook events: signed (HMAC-SHA256), retried with exponential backoff, each attempt logged.
///
/// The signature header is `X-HomeReady-Signature: sha256=HEX` over `TIMESTAMP.BODY` with the webhook's secret,
/// where TIMESTAMP is the `X-HomeReady-Timestamp` header (Unix seconds). Safe with several instances: deliveries
/// are claimed with a lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`).
public struct WebhookDispatcher: Service {
    let repository: SQLRepository
    let transport: any WebhookTransport
    let policy: WebhookPolicy
    let logger: Logger

    public init(
        repository: SQLRepository, transport: any WebhookTransport = URLSessionWebhookTransport(),
        policy: WebhookPolicy = WebhookPolicy(), logger: Logger
    ) {
        self.repository = repository
        self.transport = transport
        self.policy = policy
        self.logger = logger
    }

    /// The signature header value for a body.
    public static func signature(secret: String, timestamp: String, body: Data) -> String {
        var message = Data(timestamp.utf8)
        message.append(UInt8(ascii: "."))
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.hexEncoded
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                do {
                    _ = try await runOnce(now: Date())
                } catch {
                    logger.warning("webhook.dispatch.failed", metadata: ["error": "\(String(describing: error))"])
                }
                try? await Task.sleep(for: policy.pollInterval)
            }
        } onGracefulShutdown: {}
    }

    /// Queues overdue shipments, then sends every due delivery once; returns how many were attempted.
    @discardableResult
    public func runOnce(now: Date) async throws -> Int {
        _ = try await repository.enqueueOverdue(
            shippedBefore: now.addingTimeInterval(-Double(policy.overdueDays) * 86_400), now: now)
        let due = try await repository.claimDueDeliveries(now: now, limit: 50, lease: 60, maxAttempts: policy.maxAttempts)
        for delivery in due {
            let body = Data(delivery.payload.utf8)
            let timestamp = String(Int(now.timeIntervalSince1970))
            let headers = [
                "Content-Type": "application/json", "X-HomeReady-Event": delivery.event,
                "X-HomeReady-Delivery": delivery.id, "X-HomeReady-Timestamp": timestamp,
                "X-HomeReady-Signature": Self.signature(secret: delivery.secret, timestamp: timestamp, body: body),
            ]
            let start = ContinuousClock.now
            var status: Int?
            var failure: String?
            do {
                status = try await transport.post(url: delivery.url, body: body, headers: headers)
                if let code = status, !(200..<300).contains(code) { failure = "HTTP \(code)" }
            } catch {
                failure = String(describing: error)
            }
            let elapsed = ContinuousClock.now - start
            let attempts = delivery.attempts + 1
            let retryAt: Date? =
                failure == nil || attempts >= policy.maxAttempts
                ? nil : now.addingTimeInterval(policy.delay(afterAttempts: attempts))
            try await repository.recordAttempt(
                deliveryId: delivery.id, status: status, error: failure,
                durationMs: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
                at: now, retryAt: retryAt)
            logger.debug(
                "webhook.attempt",
                metadata: ["webhook.delivery": "\(delivery.id)", "webhook.status": "\(status.map(String.init) ?? "none")"])
        }
        return due.count
    }
}
