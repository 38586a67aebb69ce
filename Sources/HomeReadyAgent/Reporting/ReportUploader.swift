import Foundation
import HomeReadyModel
import HomeReadySigning
import Logging

/// A minimal HTTP exchange, so uploads can run over libcurl in production and anything in tests.
public protocol HTTPExchanging: Sendable {
    /// Sends one request and returns the response; throws only when no HTTP response arrived.
    func send(_ request: HTTPExchange.Request) async throws -> HTTPExchange.Response
}

/// Request and response values for `HTTPExchanging`.
public enum HTTPExchange {
    public struct Request: Sendable {
        public var method: String
        public var url: URL
        public var headers: [String: String]
        public var body: Data?
        public var timeoutSeconds: Double

        public init(method: String, url: URL, headers: [String: String] = [:], body: Data? = nil, timeoutSeconds: Double = 30) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
            self.timeoutSeconds = timeoutSeconds
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data

        public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// A header by case-insensitive name.
        public func header(_ name: String) -> String? {
            headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
        }

        /// The `detail` of an RFC 9457 problem body, else its `title`, else the body's start.
        public var problemDetail: String {
            if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
                if let detail = object["detail"] as? String { return detail }
                if let title = object["title"] as? String { return title }
            }
            return String(decoding: body.prefix(200), as: UTF8.self)
        }
    }
}

/// Uploads' retries: the shared exponential `Backoff` with full jitter, honouring the server's `Retry-After`.
public struct RetryPolicy: Sendable {
    /// The schedule of waits between attempts.
    public var backoff: Backoff
    /// Attempts per report in one flush before it is left for the next flush.
    public var maxAttempts: Int

    public init(initialDelay: Double = 0.5, maximumDelay: Double = 60, multiplier: Double = 2, maxAttempts: Int = 6) {
        backoff = Backoff(initialDelay: initialDelay, maximumDelay: maximumDelay, multiplier: multiplier, jitter: .full)
        self.maxAttempts = maxAttempts
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1), as seconds. `unit` is a random draw in 0..<1.
    public func delay(afterAttempt attempt: Int, retryAfter: Double?, unit: Double) -> Double {
        let jittered = backoff.delay(afterAttempt: attempt, unit: unit)
        if let retryAfter { return min(backoff.maximumDelay, max(retryAfter, jittered)) }
        return jittered
    }

    /// Parses `Retry-After` given in seconds or as an HTTP date.
    public static func parseRetryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSince(now)) }
    }
}

/// What a flush did.
public struct FlushSummary: Sendable, Equatable {
    /// Stored by the server for the first time.
    public var accepted = 0
    /// The server already had them (a retry after a lost acknowledgement): removed from the spool all the same.
    public var duplicates = 0
    /// Refused for good (bad signature, revoked device, clock far off): moved to `rejected/`.
    public var rejected = 0
    /// Still waiting (server unreachable or overloaded): sent by the next flush.
    public var remaining = 0
    public var problems: [String] = []
    /// What the server decided for each report it took: its own verdict, and why a report cannot count.
    public var judged: [UUID: ServerJudgement] = [:]

    public init() {}
}

/// The server's verdict on a report it stored (it judges every report itself: docs/trust.md).
public struct ServerJudgement: Sendable, Equatable, Decodable {
    public var verdict: Verdict
    /// Why the report cannot count toward readiness, in plain words; nil when it can.
    public var reason: String?

    public init(verdict: Verdict, reason: String? = nil) {
        self.verdict = verdict
        self.reason = reason
    }
}

/// Sends the spool to the server, oldest first. Only acknowledged reports leave the spool.
public struct ReportUploader: Sendable {
    public var spool: ReportSpool
    public var serverURL: URL
    public var transport: any HTTPExchanging
    public var retry: RetryPolicy
    public var logger: Logger
    /// Random draws in 0..<1 for jitter (injected for tests).
    public var random: @Sendable () -> Double
    /// Sleeps for seconds (injected for tests).
    public var sleep: @Sendable (Double) async throws -> Void
    /// The device's bearer token, sent as `Authorization` when set.
    public var token: String?

    public init(
        spool: ReportSpool, serverURL: URL, transport: any HTTPExchanging, retry: RetryPolicy = RetryPolicy(),
        logger: Logger, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        sleep: @escaping @Sendable (Double) async throws -> Void = { try await Task.sleep(for: .seconds($0)) }
    ) {
        self.spool = spool
        self.serverURL = serverURL
        self.transport = transport
        self.retry = retry
        self.logger = logger
        self.random = random
        self.sleep = sleep
    }

    /// The reports endpoint.
    public var reportsURL: URL { serverURL.appendingPathComponent("api/v1/reports") }

    /// Sends every pending report. Stops early (leaving the rest) when the server stays unreachable.
    public func flush() async -> FlushSummary {
        var summary = FlushSummary()
        let (reports, problems) = spool.pending()
        summary.problems = problems
        for (index, report) in reports.enumerated() {
            if Task.isCancelled {
                summary.remaining += reports.count - index
                break
            }
            switch await send(report) {
            case .accepted(let judgement):
                spool.remove(report)
                summary.accepted += 1
                summary.judged[report.reportID] = judgement
            case .duplicate(let judgement):
                spool.remove(report)
                summary.duplicates += 1
                summary.judged[report.reportID] = judgement
            case .rejected(let reason):
                spool.reject(report, reason: reason)
                summary.rejected += 1
                summary.problems.append("report \(report.reportID) was refused by the server: \(reason)")
            case .later(let reason):
                summary.remaining += reports.count - index
                summary.problems.append("the server did not take reports now (\(reason)); \(reports.count - index) kept for later")
                return summary
            }
        }
        return summary
    }

    enum Outcome: Equatable {
        case accepted(ServerJudgement?), duplicate(ServerJudgement?)
        case rejected(String)
        case later(String)
    }

    func send(_ report: SpooledReport) async -> Outcome {
        var lastReason = "no attempt"
        for attempt in 1...max(1, retry.maxAttempts) {
            let request = HTTPExchange.Request(
                method: "POST", url: reportsURL,
                headers: [
                    "Content-Type": "application/json",
                    ReportSignature.deviceHeader: report.deviceID,
                    ReportSignature.signatureHeader: report.signature,
                ].merging(token.map { ["Authorization": "Bearer \($0)"] } ?? [:]) { a, _ in a },
                body: report.body)
            var retryAfter: Double?
            do {
                let response = try await transport.send(request)
                switch response.status {
                case 201: return .accepted(try? JSONDecoder().decode(ServerJudgement.self, from: response.body))
                case 200: return .duplicate(try? JSONDecoder().decode(ServerJudgement.self, from: response.body))
                case 408, 429, 500...599:
                    retryAfter = RetryPolicy.parseRetryAfter(response.header("Retry-After"))
                    lastReason = "HTTP \(response.status)"
                case 401:
                    return .rejected(
                        "HTTP 401: the server no longer accepts this device (revoked, or enrolled again elsewhere): \(response.problemDetail). Ask IT for a new code and run `homeready enroll`")
                case 400...499:
                    return .rejected("HTTP \(response.status): \(response.problemDetail)")
                default:
                    lastReason = "unexpected HTTP \(response.status)"
                }
            } catch {
                lastReason = "\(error)"
            }
            logger.debug("report.upload.retry", metadata: ["report.id": "\(report.reportID)", "attempt": "\(attempt)", "reason": "\(lastReason)"])
            if attempt < retry.maxAttempts {
                do { try await sleep(retry.delay(afterAttempt: attempt, retryAfter: retryAfter, unit: random())) } catch {
                    return .later("cancelled")
                }
            }
        }
        return .later(lastReason)
    }
}
