import Foundation
import HomeReadyModel
import HomeReadyTransport
import HomeReadyVoicePath
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import HomeReadySpeedTest

/// The SIP mirror: the pure responder, then the real UDP and TCP listener on 127.0.0.1 with the agent's own SIP
/// ALG check against it.
@Suite struct SIPMirrorTests {
    static func request(_ method: String, via: String = "SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bKabc;rport", body: String = "")
        -> [UInt8]
    {
        let text =
            "\(method) sip:mirror@198.51.100.1:5060 SIP/2.0\r\nVia: \(via)\r\nMax-Forwards: 70\r\n"
            + "From: <sip:homeready@192.168.1.20:5060>;tag=f1\r\nTo: <sip:mirror@198.51.100.1:5060>\r\n"
            + "Call-ID: c1@192.168.1.20\r\nCSeq: 1 \(method)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        return Array(text.utf8)
    }

    @Test("OPTIONS is answered 200 with the request byte for byte in a base64 message/sip body")
    func optionsMirrored() throws {
        let sent = Self.request("OPTIONS")
        let answer = try #require(SIPMirrorResponder.answer(sent, source: "203.0.113.9:40000"))
        let response = try SIPMessage.parse(answer)
        #expect(response.statusCode == 200)
        #expect(response.value("Content-Type") == "message/sip")
        #expect(response.value("Content-Transfer-Encoding") == "base64")
        #expect(response.value("X-HomeReady-Source") == "203.0.113.9:40000")
        #expect(response.value("Call-ID") == "c1@192.168.1.20")
        #expect(response.value("CSeq") == "1 OPTIONS")
        #expect(response.topVia?.parameter("branch") == "z9hG4bKabc")
        #expect(response.value("To")?.contains(";tag=") == true)
        #expect(SIPMirrorBody.mirroredRequest(in: response) == sent)
    }

    @Test("INVITE gets a final 488 (no call is set up), ACK and responses get no answer")
    func inviteAndAck() throws {
        let invite = try #require(SIPMirrorResponder.answer(Self.request("INVITE", body: "v=0\r\n"), source: "x:1"))
        #expect(try SIPMessage.parse(invite).statusCode == 488)
        #expect(SIPMirrorResponder.answer(Self.request("ACK"), source: "x:1") == nil)
        let response = Array("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a:1;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n".utf8)
        #expect(SIPMirrorResponder.answer(response, source: "x:1") == nil)
    }

    @Test("compact header forms are mirrored too; every Via is copied in order")
    func compactForms() throws {
        let text =
            "MESSAGE sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1\r\nv: SIP/2.0/UDP 10.0.0.3;branch=z9hG4bK2\r\n"
            + "f: <sip:x@y>;tag=1\r\nt: <sip:a@b>\r\ni: id1\r\nCSeq: 7 MESSAGE\r\nl: 0\r\n\r\n"
        let answer = try #require(SIPMirrorResponder.answer(Array(text.utf8), source: "x:1"))
        let response = try SIPMessage.parse(answer)
        #expect(response.values("Via").count == 2)
        #expect(response.value("Call-ID") == "id1")
        #expect(SIPMirrorBody.mirroredRequest(in: response) == Array(text.utf8))
    }

    @Test("garbage, requests without a Via, binary data and oversized input are ignored without a crash")
    func garbageIgnored() {
        #expect(SIPMirrorResponder.answer([], source: "x:1") == nil)
        #expect(SIPMirrorResponder.answer(Array("hello\r\n\r\n".utf8), source: "x:1") == nil)
        #expect(SIPMirrorResponder.answer(Array("OPTIONS sip:a SIP/2.0\r\nFrom: a\r\n\r\n".utf8), source: "x:1") == nil)
        #expect(SIPMirrorResponder.answer([0xFF, 0xFE, 0x0D, 0x0A, 0x0D, 0x0A], source: "x:1") == nil)
        #expect(SIPMirrorResponder.answer([UInt8](repeating: 0x41, count: 70_000), source: "x:1") == nil)
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("INVITE SIP/2.0 Via: v: \r\n:;=<>@0123456789".utf8)
        for _ in 0..<2_000 {
            let length = Int.random(in: 0..<300, using: &generator)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &generator) ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
            _ = SIPMirrorResponder.answer(bytes, source: "x:1")
            _ = try? SIPMessage.parse(bytes)
        }
    }

    @Test("/speed/info announces sip_port when the mirror runs, and leaves it out otherwise")
    func speedInfoAnnouncesPort() async throws {
        for port in [5060, nil] as [Int?] {
            let router = Router(context: BasicSpeedTestRequestContext.self)
            var configuration = SpeedTestConfiguration(echoPort: 7)
            configuration.sipPort = port
            SpeedTestRoutes.add(to: router, configuration: configuration)
            let app = Application(router: router)
            try await app.test(.router) { client in
                try await client.execute(uri: "/speed/info", method: .get) { response in
                    let json = String(buffer: response.body)
                    if let port {
                        #expect(json.contains("\"sip_port\":\(port)"))
                    } else {
                        #expect(!json.contains("sip_port"))
                    }
                }
            }
        }
    }

    @Test("a real mirror on 127.0.0.1: the agent's SIP ALG check reads not_detected over UDP and TCP")
    func agentAgainstLoopbackMirror() async throws {
        let logger = Logger(label: "sip-mirror-test")
        let server = try await SIPMirrorServer.bind(host: "127.0.0.1", port: 0, logger: logger)
        defer { Task { try? await server.close() } }
        let options = VoicePathCheckOptions(sipMirrorHost: "127.0.0.1", sipMirrorPort: server.localPort, timeoutSeconds: 3)
        let outcome = await VoicePathSection.run(
            profile: Profile(id: "p", title: "P", version: 1), options: options, progress: { _ in }, logger: logger)
        let alg = try #require(outcome.voicePath?.sipALG)
        #expect(alg.mirror == "127.0.0.1:\(server.localPort)")
        #expect(alg.udp?.state == .notDetected)
        #expect(alg.udp?.rewrittenFields == [])
        #expect(alg.tcp?.state == .notDetected)
        #expect((alg.udp?.rttMs ?? 99) < 1000)
        try await server.close()
    }

    @Test("the TCP mirror frames by Content-Length: two requests in one write, one request split in two writes")
    func tcpFraming() async throws {
        let logger = Logger(label: "sip-mirror-test")
        let server = try await SIPMirrorServer.bind(host: "127.0.0.1", port: 0, logger: logger)
        let endpoint = try #require(IPEndpoint(address: "127.0.0.1", port: server.localPort))
        let connection = try #require(await TCPConnection.connect(to: endpoint, timeout: 3).connection)
        let body = "v=0\r\nc=IN IP4 192.168.1.20\r\n"
        let first = Self.request("OPTIONS")
        let second = Self.request("INVITE", body: body)
        let answers = try await BlockingThread.run { () throws -> [SIPMessage] in
            try connection.writeAll(first + second.prefix(40), timeout: 2)
            usleep(100_000)
            try connection.writeAll(Array(second.dropFirst(40)), timeout: 2)
            var framer = SIPStreamFramer()
            var messages: [SIPMessage] = []
            while messages.count < 2 {
                guard case .bytes(let bytes) = try connection.read(maxBytes: 65_536, timeout: 3) else { break }
                framer.append(bytes)
                while let message = try framer.next() { messages.append(try SIPMessage.parse(message)) }
            }
            return messages
        }
        #expect(answers.map(\.statusCode) == [200, 488])
        #expect(answers.count == 2 && SIPMirrorBody.mirroredRequest(in: answers[1]) == second)
        connection.close()
        try await server.close()
    }

    @Test("the TCP mirror closes a connection that sends no header end within 64 KiB, and keeps serving others")
    func tcpGarbageClosed() async throws {
        let logger = Logger(label: "sip-mirror-test")
        let server = try await SIPMirrorServer.bind(host: "127.0.0.1", port: 0, logger: logger)
        let endpoint = try #require(IPEndpoint(address: "127.0.0.1", port: server.localPort))
        let bad = try #require(await TCPConnection.connect(to: endpoint, timeout: 3).connection)
        let closed = try await BlockingThread.run { () throws -> Bool in
            try? bad.writeAll([UInt8](repeating: 0x41, count: 70_000), timeout: 3)
            while true {
                switch try bad.read(maxBytes: 65_536, timeout: 3) {
                case .closed: return true
                case .timedOut: return false
                case .bytes: continue
                }
            }
        }
        #expect(closed)
        bad.close()
        let good = try #require(await TCPConnection.connect(to: endpoint, timeout: 3).connection)
        let answered = try await BlockingThread.run { () throws -> Int? in
            try good.writeAll(Self.request("OPTIONS"), timeout: 2)
            var framer = SIPStreamFramer()
            while true {
                guard case .bytes(let bytes) = try good.read(maxBytes: 65_536, timeout: 3) else { return nil }
                framer.append(bytes)
                if let message = try framer.next() { return try SIPMessage.parse(message).statusCode }
            }
        }
        #expect(answered == 200)
        good.close()
        try await server.close()
    }
}
