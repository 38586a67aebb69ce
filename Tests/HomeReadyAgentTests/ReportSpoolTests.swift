import Foundation
import HomeReadySigning
import HomeReadyTestSupport
import Logging
import Testing

@testable import HomeReadyAgent

/// A transport answering from a script, recording what it was sent.
final class ScriptedTransport: HTTPExchanging, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [Result<HTTPExchange.Response, any Error>]
    private(set) var requests: [HTTPExchange.Request] = []

    init(_ answers: [Result<HTTPExchange.Response, any Error>]) { self.answers = answers }

    func send(_ request: HTTPExchange.Request) async throws -> HTTPExchange.Response {
        let next: Result<HTTPExchange.Response, any Error> = lock.withLock {
            requests.append(request)
            return answers.isEmpty ? .success(HTTPExchange.Response(status: 201)) : answers.removeFirst()
        }
        return try next.get()
    }
}

struct Offline: Error {}

@Suite("Report spool and upload")
struct ReportSpoolTests {
    func body(_ id: UUID) -> Data { Data(#"{"report_id":"\#(id.uuidString)","verdict":"ready"}"#.utf8) }

    func uploader(_ spool: ReportSpool, _ transport: ScriptedTransport, attempts: Int = 3) -> ReportUploader {
        ReportUploader(
            spool: spool, serverURL: URL(string: "http://127.0.0.1:9")!, transport: transport,
            retry: RetryPolicy(initialDelay: 0.001, maximumDelay: 0.01, maxAttempts: attempts),
            logger: Logger(label: "test"), random: { 0.5 }, sleep: { _ in })
    }

    @Test func spooledReportsSurviveAndComeBackOldestFirst() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let spool = ReportSpool(directory: dir.url.appendingPathComponent("spool"))
        let ids = (0..<3).map { _ in UUID() }
        for id in ids {
            try spool.add(reportID: id, deviceID: "dev1", signature: "sig", body: body(id))
            usleep(20_000)
        }
        let reopened = ReportSpool(directory: spool.directory)
        let pending = reopened.pending()
        #expect(pending.reports.map(\.reportID) == ids)
        #expect(pending.reports[0].body == body(ids[0]))
        #expect(pending.problems.isEmpty)
        var info = stat()
        stat(pending.reports[0].file.path, &info)
        #expect(info.st_mode & 0o077 == 0)
    }

    @Test func aCorruptFileIsMovedAsideNotDeleted() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let spool = ReportSpool(directory: dir.url)
        let good = UUID()
        try spool.add(reportID: good, deviceID: "dev1", signature: "sig", body: body(good))
        try dir.write("\(UUID().uuidString).report", "garbage without a header")
        let pending = spool.pending()
        #expect(pending.reports.map(\.reportID) == [good])
        #expect(pending.problems.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.appendingPathComponent("corrupt").path).count == 1)
    }

    @Test func aReadOnlySpoolIsAClearErrorAndKeepsWhatWasSaved() throws {
        let dir = try TemporaryDirectory()
        defer { chmod(dir.path, 0o700); dir.remove() }
        let spool = ReportSpool(directory: dir.url)
        let first = UUID()
        try spool.add(reportID: first, deviceID: "d", signature: "s", body: body(first))
        if TestEnvironment.isRoot {
            // Root ignores directory permissions: a read-only bind mount of the folder over itself refuses root too.
            #expect(try Subprocess.run(["mount", "--bind", dir.path, dir.path]).status == 0)
            #expect(try Subprocess.run(["mount", "-o", "remount,bind,ro", dir.path]).status == 0)
        } else {
            chmod(dir.path, 0o500)
        }
        defer { if TestEnvironment.isRoot { _ = try? Subprocess.run(["umount", "-l", dir.path]) } }
        #expect(throws: AgentError.self) { try spool.add(reportID: UUID(), deviceID: "d", signature: "s", body: body(UUID())) }
        #expect(spool.pending().reports.map(\.reportID) == [first])
    }

    @Test func onlyAcknowledgedReportsLeaveTheSpool() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let spool = ReportSpool(directory: dir.url)
        let ids = (0..<4).map { _ in UUID() }
        for id in ids {
            try spool.add(reportID: id, deviceID: "dev1", signature: "sig", body: body(id))
            usleep(20_000)
        }
        let transport = ScriptedTransport([
            .success(.init(status: 201)),
            .success(.init(status: 200)),
            .success(.init(status: 403, body: Data(#"{"detail":"device revoked"}"#.utf8))),
            .failure(Offline()), .failure(Offline()), .failure(Offline()),
        ])
        let summary = await uploader(spool, transport).flush()
        #expect(summary.accepted == 1)
        #expect(summary.duplicates == 1)
        #expect(summary.rejected == 1)
        #expect(summary.remaining == 1)
        #expect(spool.pending().reports.map(\.reportID) == [ids[3]])
        #expect(spool.rejected().first?.reason.contains("device revoked") == true)
        #expect(transport.requests.first?.headers[ReportSignature.deviceHeader] == "dev1")
        #expect(transport.requests.first?.headers[ReportSignature.signatureHeader] == "sig")
        let again = await uploader(spool, ScriptedTransport([])).flush()
        #expect(again.accepted == 1)
        #expect(spool.count == 0)
    }

    @Test func overloadIsRetriedHonouringRetryAfter() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let spool = ReportSpool(directory: dir.url)
        let id = UUID()
        try spool.add(reportID: id, deviceID: "d", signature: "s", body: body(id))
        let transport = ScriptedTransport([
            .success(.init(status: 429, headers: ["Retry-After": "0"])), .success(.init(status: 503)), .success(.init(status: 201)),
        ])
        let summary = await uploader(spool, transport, attempts: 5).flush()
        #expect(summary.accepted == 1)
        #expect(transport.requests.count == 3)
    }

    @Test func backoffGrowsWithJitterAndRespectsRetryAfter() {
        let policy = RetryPolicy(initialDelay: 1, maximumDelay: 30, multiplier: 2, maxAttempts: 6)
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, unit: 1) == 1)
        #expect(policy.delay(afterAttempt: 4, retryAfter: nil, unit: 1) == 8)
        #expect(policy.delay(afterAttempt: 4, retryAfter: nil, unit: 0.25) == 2)
        #expect(policy.delay(afterAttempt: 10, retryAfter: nil, unit: 1) == 30)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 12, unit: 0.1) == 12)
        #expect(RetryPolicy.parseRetryAfter("7") == 7)
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
    }

    @Test func deviceKeysAreStoredPrivatelyAndLooseModesAreRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = DeviceStore(paths: AgentPaths(root: dir.url))
        let key = try store.createKey()
        #expect(try store.loadKey().publicKeyBase64 == key.publicKeyBase64)
        chmod(store.paths.keyFile.path, 0o644)
        #expect(throws: AgentError.self) { try store.loadKey() }
        #expect(throws: AgentError.notEnrolled) { try store.loadEnrollment() }
        let enrollment = DeviceEnrollment(serverURL: "http://127.0.0.1:8080", deviceID: "dev1", employeeID: "E1", enrolledAt: Date(timeIntervalSince1970: 1_800_000_000))
        try store.saveEnrollment(enrollment)
        #expect(try store.loadEnrollment() == enrollment)
    }

    @Test func pathsFollowXDGAndHomeReadyHome() {
        let xdg = AgentPaths.standard(environment: ["HOME": "/home/a", "XDG_STATE_HOME": "/var/st"])
        #expect(xdg.keyFile.path == "/home/a/.config/homeready/device.key")
        #expect(xdg.spoolDirectory.path == "/var/st/homeready/spool")
        let single = AgentPaths.standard(environment: ["HOMEREADY_HOME": "/tmp/hr"])
        #expect(single.enrollmentFile.path == "/tmp/hr/config/enrollment.json")
    }
}
