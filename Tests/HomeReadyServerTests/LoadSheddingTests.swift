import Foundation
import HomeReadyAgent
import HomeReadyTestSupport
import Logging
import Testing

@testable import HomeReadyServer

/// Holds one request slot: a report POST whose body never finishes arriving. Retries while the server still
/// counts the previous request (it then sheds the hold itself with 429).
func holdSlot(port: Int, token: String) async throws -> RawConnection {
    let head = """
        POST /api/v1/reports HTTP/1.1\r
        Host: 127.0.0.1:\(port)\r
        Authorization: Bearer \(token)\r
        Content-Type: application/json\r
        Content-Length: 100000\r
        \r
        {"report_id":
        """
    for _ in 0..<50 {
        let connection = try RawConnection(port: port, timeout: 0.3)
        try connection.send(Data(head.utf8))
        if (try? await RawHTTP.onThread({ try connection.readResponse() })) == nil { return connection }
        connection.close()
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestFailure("could not hold a request slot: every attempt was answered at once")
}

/// Polls `request` until it gives `status` or `timeout` passes; returns the last response.
func waitFor(
    status: Int, timeout: Double = 10, _ request: () async throws -> RawHTTP.Response
) async throws -> RawHTTP.Response {
    let deadline = Date().addingTimeInterval(timeout)
    var last = try await request()
    while last.status != status && Date() < deadline {
        try await Task.sleep(for: .milliseconds(50))
        last = try await request()
    }
    return last
}

@Suite("Load shedding", .serialized)
struct LoadSheddingTests {
    @Test("beyond the in-flight limit the server answers 429 with Retry-After; health and metrics pass", arguments: TestBackend.available)
    func sheds(backend: TestBackend) async throws {
        try await Harness.with(backend, configure: {
            $0.maxInFlightRequests = 1
            $0.shedRetryAfterSeconds = 2
        }) { harness in
            try await harness.withLiveServer { port in
                let admin = harness.adminToken
                let sites = { try await RawHTTP.request(port: port, method: "GET", path: "/api/v1/sites", headers: ["Authorization": "Bearer \(admin)"]) }
                #expect(try await sites().status == 200)
                let held = try await holdSlot(port: port, token: admin)
                let shed = try await waitFor(status: 429, sites)
                if shed.status != 429 {
                    let reply = try? await RawHTTP.onThread { try held.readResponse() }
                    Issue.record("the held request was answered: \(reply?.status ?? 0) \(reply?.text ?? "nothing")")
                }
                #expect(shed.status == 429)
                #expect(shed.headers["retry-after"] == "2")
                #expect(shed.headers["content-type"] == "application/problem+json")
                #expect(shed.json["title"] as? String == "Too many requests")
                #expect(try await RawHTTP.request(port: port, method: "GET", path: "/healthz").status == 200)
                #expect(try await RawHTTP.request(port: port, method: "GET", path: "/metrics").status == 200)
                held.close()
                #expect(try await waitFor(status: 200, sites).status == 200)
            }
        }
    }

    @Test("the agent's uploader waits the Retry-After of a shedding server, then delivers", arguments: TestBackend.available)
    func uploaderHonoursRetryAfter(backend: TestBackend) async throws {
        try await Harness.with(backend, configure: {
            $0.maxInFlightRequests = 1
            $0.shedRetryAfterSeconds = 3
        }) { harness in
            _ = try await harness.repository.createAgent(NewAgent(employeeId: "E1", name: "Ada"))
            let directory = try TemporaryDirectory(prefix: "hr-shed-spool")
            defer { directory.remove() }
            let spool = ReportSpool(directory: directory.url)
            let report = sampleReport(employeeId: "E1")
            _ = try spool.add(reportID: report.reportID, deviceID: "dev1", signature: "sig", body: try encodeReport(report))
            try await harness.withLiveServer { port in
                let held = try await holdSlot(port: port, token: harness.adminToken)
                let probe = { try await RawHTTP.request(port: port, method: "GET", path: "/api/v1/sites") }
                #expect(try await waitFor(status: 429, probe).status == 429)
                let waits = WaitLog()
                let uploader = ReportUploader(
                    spool: spool, serverURL: URL(string: "http://127.0.0.1:\(port)")!,
                    transport: RawTransport(token: harness.adminToken),
                    retry: RetryPolicy(initialDelay: 0.01, maximumDelay: 10, multiplier: 2, maxAttempts: 3),
                    logger: Logger(label: "test"), random: { 0.5 },
                    sleep: { seconds in
                        waits.append(seconds)
                        held.close()
                        try await Task.sleep(for: .milliseconds(200))
                    })
                let summary = await uploader.flush()
                #expect(summary.accepted == 1)
                #expect(waits.values.first == 3)
                #expect(spool.pending().reports.isEmpty)
            }
            let stored = try await harness.repository.reportBody(reportId: report.reportID.uuidString.lowercased())
            #expect(stored != nil)
        }
    }
}

/// Records the uploader's waits.
final class WaitLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Double] = []
    func append(_ value: Double) { lock.lock(); list.append(value); lock.unlock() }
    var values: [Double] { lock.lock(); defer { lock.unlock() }; return list }
}

/// The uploader's HTTP over a plain socket, with an API token (the agent's own transport is libcurl).
struct RawTransport: HTTPExchanging {
    let token: String

    func send(_ request: HTTPExchange.Request) async throws -> HTTPExchange.Response {
        var headers = request.headers
        headers["Authorization"] = "Bearer \(token)"
        let response = try await RawHTTP.request(
            port: request.url.port ?? 80, method: request.method, path: request.url.path, headers: headers,
            body: request.body, timeout: request.timeoutSeconds)
        return HTTPExchange.Response(status: response.status, headers: response.headers, body: response.body)
    }
}
