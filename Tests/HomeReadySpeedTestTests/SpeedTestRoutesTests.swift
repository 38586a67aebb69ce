import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import HomeReadySpeedTest

@Suite struct SpeedTestRoutesTests {
    func makeApp(activity: SpeedTestActivity = SpeedTestActivity()) -> some ApplicationProtocol {
        let router = Router(context: BasicSpeedTestRequestContext.self)
        SpeedTestRoutes.add(to: router, configuration: SpeedTestConfiguration(maxDownloadBytes: 10_000, echoPort: 7007), activity: activity)
        return Application(router: router)
    }

    @Test func infoNamesTheEndpointsAndEchoPort() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/speed/info", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-store")
                let info = try JSONDecoder().decode(SpeedTestInfo.self, from: Data(buffer: response.body))
                #expect(info.downloadPath == "/speed/down")
                #expect(info.uploadPath == "/speed/up")
                #expect(info.pingPath == "/speed/ping")
                #expect(info.echoPort == 7007)
                #expect(info.activeTests == 0)
                let json = String(buffer: response.body)
                #expect(json.contains("\"echo_port\""))
                #expect(json.contains("\"active_tests\""))
            }
        }
    }

    @Test func downloadSendsExactlyTheAskedBytesCappedByConfiguration() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/speed/down?bytes=1234", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == 1234)
                #expect(response.headers[.cacheControl] == "no-store")
            }
            try await client.execute(uri: "/speed/down?bytes=999999999", method: .get) { response in
                #expect(response.body.readableBytes == 10_000)
            }
        }
    }

    @Test func downloadBytesAreIncompressible() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/speed/down?bytes=10000", method: .get) { response in
                var histogram = [Int](repeating: 0, count: 256)
                for byte in response.body.readableBytesView { histogram[Int(byte)] += 1 }
                // Random bytes: no value dominates.
                #expect(histogram.max()! < 100)
            }
        }
    }

    @Test func uploadCountsTheBody() async throws {
        try await makeApp().test(.router) { client in
            let body = ByteBuffer(repeating: 7, count: 300_000)
            let start = ContinuousClock.now
            try await client.execute(uri: "/speed/up", method: .post, body: body) { response in
                let clientMs = (ContinuousClock.now - start) / .milliseconds(1)
                #expect(response.status == .ok)
                let receipt = try JSONDecoder().decode(UploadReceipt.self, from: Data(buffer: response.body))
                #expect(receipt.bytesReceived == 300_000)
                // The server's reading time is part of the whole request's, in milliseconds.
                #expect(receipt.durationMs > 0 && receipt.durationMs <= clientMs)
            }
        }
    }

    @Test func pingIsTinyAndUncached() async throws {
        try await makeApp().test(.router) { client in
            for method in [HTTPRequest.Method.get, .head] {
                try await client.execute(uri: "/speed/ping", method: method) { response in
                    #expect(response.status == .ok)
                    #expect(response.body.readableBytes == 0)
                    #expect(response.headers[.cacheControl] == "no-store")
                }
            }
        }
    }
}

@Suite struct EchoResponderTests {
    func probe(flags: UInt8 = 0, session: UInt32, size: Int = 64) -> ByteBuffer {
        var buffer = ByteBuffer(bytes: Array("HRE1".utf8) + [flags, 0, 0, 0])
        buffer.writeInteger(session)
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(UInt64(42))
        buffer.writeRepeatingByte(0, count: size - buffer.readableBytes)
        return buffer
    }

    @Test func plainDatagramsComeBackUnchanged() {
        var responder = EchoResponder(extensions: true)
        var datagram = ByteBuffer(string: "hello, RFC 862")
        responder.answer(&datagram, nowNanos: 99)
        #expect(String(buffer: datagram) == "hello, RFC 862")
    }

    @Test func homeReadyProbesGetCountAndTimestampPerSession() {
        var responder = EchoResponder(extensions: true)
        for expected in 1...3 {
            var datagram = probe(session: 5)
            responder.answer(&datagram, nowNanos: 1000 + UInt64(expected))
            #expect(datagram.getInteger(at: 24, as: UInt32.self) == UInt32(expected))
            #expect(datagram.getInteger(at: 28, as: UInt64.self) == 1000 + UInt64(expected))
            #expect(datagram.getInteger(at: 16, as: UInt64.self) == 42)
            #expect(datagram.readableBytes == 64)
        }
        var other = probe(session: 6)
        responder.answer(&other, nowNanos: 1)
        #expect(other.getInteger(at: 24, as: UInt32.self) == 1)
        // A status query reports without counting itself.
        var status = probe(flags: 1, session: 5)
        responder.answer(&status, nowNanos: 1)
        #expect(status.getInteger(at: 24, as: UInt32.self) == 3)
    }

    @Test func extensionsOffIsPureRFC862() {
        var responder = EchoResponder(extensions: false)
        var datagram = probe(session: 5)
        let before = datagram
        responder.answer(&datagram, nowNanos: 1)
        #expect(datagram == before)
    }
}

@Suite("Upload tallies: what the server received, in time bins")
struct UploadTallyTests {
    @Test("an upload naming a tally is counted as it arrives; the tally answers its bytes; bad or unknown ids do not")
    func tallyThroughTheRoutes() async throws {
        let router = Router(context: BasicSpeedTestRequestContext.self)
        SpeedTestRoutes.add(to: router)
        try await Application(router: router).test(.router) { client in
            let body = ByteBuffer(repeating: 7, count: 300_000)
            for _ in 0..<2 {
                try await client.execute(uri: "/speed/up?tally=abcdEFGH-12_x", method: .post, body: body) { response in
                    #expect(response.status == .ok)
                }
            }
            try await client.execute(uri: "/speed/up/tally/abcdEFGH-12_x", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-store")
                let tally = try JSONDecoder().decode(UploadTally.self, from: Data(buffer: response.body))
                #expect(tally.binMs == 50)
                #expect(tally.bytes.reduce(0, +) == 600_000)
            }
            // An id a page could not have made (too short, other characters) is not tallied.
            try await client.execute(uri: "/speed/up?tally=a%2Fb", method: .post, body: body) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/speed/up/tally/a%2Fb", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/speed/up/tally/unknown-tally", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test("bytes land in the bin of their arrival time; tallies are bounded in length, number and age")
    func binsAndBounds() {
        let tallies = UploadTallies()
        let start = ContinuousClock.now
        tallies.add(100, to: "tally-one", at: start)
        tallies.add(200, to: "tally-one", at: start + .milliseconds(49))
        tallies.add(300, to: "tally-one", at: start + .milliseconds(120))
        tallies.add(400, to: "tally-one", at: start + .seconds(3_600))
        let tally = tallies.tally("tally-one", at: start + .seconds(1))
        #expect(tally?.bytes.prefix(3) == [300, 0, 300])
        #expect(tally?.bytes.count == UploadTallies.maxBins, "a late byte joins the last bin")
        #expect(tally?.bytes.last == 400)
        #expect(tallies.tally("tally-one", at: start + UploadTallies.lifetime) == nil, "forgotten after its lifetime")
        for index in 0..<(UploadTallies.maxTallies + 1) {
            tallies.add(1, to: "tally-\(String(format: "%04d", index))", at: start + .milliseconds(index))
        }
        #expect(tallies.tally("tally-one", at: start + .seconds(1)) == nil, "the oldest goes first")
        #expect(tallies.tally("tally-0512", at: start + .seconds(1)) != nil)
        #expect(UploadTallies.isValid(id: "up1a2b3c4d5e") && !UploadTallies.isValid(id: "short") && !UploadTallies.isValid(id: "bad id!!"))
    }
}
