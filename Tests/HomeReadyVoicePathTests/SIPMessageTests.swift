import Foundation
import HomeReadyModel
import HomeReadyTransport
import Testing

@testable import HomeReadyVoicePath

/// SIP parsing, building and the mirror diff, without sockets.
@Suite struct SIPMessageTests {
    static let local = IPEndpoint(address: "192.168.1.20", port: 40_211)!
    static let identity = SIPProbeRequest.Identity(callID: "abc", branch: "z9hG4bKxyz", fromTag: "t1")

    static var invite: SIPMessage {
        SIPProbeRequest.invite(transport: .udp, local: local, host: "198.51.100.7", port: 5060, identity: identity)
    }

    @Test("an INVITE carries the private address in Via, From, Contact, Call-ID and the SDP o= and c= lines")
    func inviteCarriesPrivateAddress() throws {
        let invite = Self.invite
        #expect(invite.method == "INVITE")
        #expect(invite.value("Via") == "SIP/2.0/UDP 192.168.1.20:40211;branch=z9hG4bKxyz;rport")
        #expect(invite.value("From")?.contains("192.168.1.20:40211") == true)
        #expect(invite.value("Contact") == "<sip:homeready@192.168.1.20:40211>")
        let sdp = SDPLines(invite.body)
        #expect(sdp.values("o") == ["homeready 1 1 IN IP4 192.168.1.20"])
        #expect(sdp.values("c") == ["IN IP4 192.168.1.20"])
        #expect(sdp.values("m") == ["audio 49170 RTP/AVP 0 8 101"])
        #expect(invite.headers.last?.name == "Content-Length")
        #expect(invite.value("Content-Length") == String(invite.body.count))
    }

    @Test("serialize then parse gives the same message, CRLF or bare LF line ends")
    func roundTrip() throws {
        let invite = Self.invite
        let bytes = invite.serialized()
        #expect(try SIPMessage.parse(bytes) == invite)
        let head = String(decoding: bytes.prefix(bytes.count - invite.body.count), as: UTF8.self)
        let lf = Array(head.replacingOccurrences(of: "\r\n", with: "\n").utf8) + invite.body
        let parsed = try SIPMessage.parse(lf)
        #expect(parsed.value("Call-ID") == "abc@192.168.1.20")
        #expect(parsed.headers.count == invite.headers.count)
        #expect(parsed.body == invite.body)
    }

    @Test("compact names and folded lines are read; the body is cut at Content-Length")
    func compactAndFolded() throws {
        let text = "SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 10.0.0.2:5060\r\n ;branch=z9hG4bK1;rport=4000;received=203.0.113.5\r\ni: x\r\nl: 3\r\n\r\nabcdef"
        let message = try SIPMessage.parse(Array(text.utf8))
        #expect(message.statusCode == 200)
        #expect(message.topVia?.received == "203.0.113.5")
        #expect(message.topVia?.rport == 4000)
        #expect(message.topVia?.parameter("branch") == "z9hG4bK1")
        #expect(message.value("Call-ID") == "x")
        #expect(message.body == Array("abc".utf8))
    }

    @Test("Via values: IPv6 sent-by, a bare rport, no port")
    func viaForms() throws {
        let v6 = try #require(SIPVia(parsing: "SIP/2.0/TCP [2001:db8::5]:5061;branch=z9hG4bK2;rport"))
        #expect(v6.host == "2001:db8::5")
        #expect(v6.port == 5061)
        #expect(v6.transport == "TCP")
        #expect(v6.rport == nil)
        let bare = try #require(SIPVia(parsing: "SIP/2.0/UDP example.com;branch=z9hG4bK3"))
        #expect(bare.port == nil)
        #expect(SIPVia(parsing: "nonsense") == nil)
    }

    @Test("malformed, truncated and oversized messages throw errors that say what is wrong")
    func errors() {
        #expect(throws: SIPError.self) { try SIPMessage.parse(Array("hello".utf8)) }
        #expect(throws: SIPError.truncated(expected: 10, got: 2)) {
            try SIPMessage.parse(Array("OPTIONS sip:a SIP/2.0\r\nContent-Length: 10\r\n\r\nab".utf8))
        }
        #expect(throws: SIPError.self) { try SIPMessage.parse([UInt8](repeating: 65, count: 70_000)) }
        #expect(throws: SIPError.self) { try SIPMessage.parse(Array("SIP/2.0 abc OK\r\n\r\n".utf8)) }
    }

    @Test("the diff of an unchanged request is empty")
    func unchanged() throws {
        let invite = Self.invite
        #expect(SIPMirrorDiff.rewrittenFields(sent: invite, received: invite, receivedBytes: invite.serialized()).isEmpty)
    }

    @Test("a rewrite like Linux's SIP helper names Via, From, Contact, sdp.o, sdp.c and Content-Length")
    func algRewrite() throws {
        let invite = Self.invite
        var text = String(decoding: invite.serialized(), as: UTF8.self)
        text = text.replacingOccurrences(of: "192.168.1.20:40211", with: "203.0.113.5:1024")
        text = text.replacingOccurrences(of: "IN IP4 192.168.1.20", with: "IN IP4 203.0.113.5")
        let bodyStart = text.range(of: "\r\n\r\n")!.upperBound
        let bodyLength = text[bodyStart...].utf8.count
        text = text.replacingOccurrences(of: "Content-Length: \(invite.body.count)", with: "Content-Length: \(bodyLength)")
        let received = try SIPMessage.parse(Array(text.utf8))
        let fields = SIPMirrorDiff.rewrittenFields(sent: invite, received: received)
        #expect(fields == ["Via", "From", "Contact", "Content-Length", "sdp.o", "sdp.c"])
    }

    @Test("added headers, a changed request line, media port and a non-SDP body are named")
    func otherRewrites() throws {
        let invite = Self.invite
        var changed = invite
        changed.startLine = .request(method: "INVITE", uri: "sip:mirror@203.0.113.1:5060")
        changed.headers.insert(.init("Via", "SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bKalg"), at: 0)
        changed.body = Array(String(decoding: invite.body, as: UTF8.self)
            .replacingOccurrences(of: "audio 49170", with: "audio 1026").utf8)
        #expect(SIPMirrorDiff.rewrittenFields(sent: invite, received: changed) == ["Request-URI", "Via", "sdp.m"])
        var options = SIPProbeRequest.options(transport: .udp, local: Self.local, host: "h", port: 5060, identity: Self.identity)
        var other = options
        other.body = [1]
        options.body = [2]
        #expect(SIPMirrorDiff.rewrittenFields(sent: options, received: other) == ["body"])
    }

    @Test("bytes that differ only in spacing read as a rewrite of the message")
    func spacingOnly() throws {
        let invite = Self.invite
        let text = String(decoding: invite.serialized(), as: UTF8.self).replacingOccurrences(of: "Max-Forwards: 70", with: "Max-Forwards:   70")
        let bytes = Array(text.utf8)
        let received = try SIPMessage.parse(bytes)
        #expect(SIPMirrorDiff.rewrittenFields(sent: invite, received: received, receivedBytes: bytes) == ["message"])
    }

    @Test("the ACK for a 488 reuses the branch, Call-ID and From and takes the response's To")
    func ackForFinalResponse() throws {
        let invite = Self.invite
        var response = SIPMessage(startLine: .response(code: 488, reason: "Not Acceptable Here"))
        response.headers = invite.headers.filter { ["Via", "From", "Call-ID", "CSeq"].contains($0.canonicalName) }
        response.headers.append(.init("To", "<sip:mirror@198.51.100.7:5060>;tag=m1"))
        #expect(SIPProbeRequest.matches(response, branch: "z9hG4bKxyz", method: "INVITE"))
        #expect(!SIPProbeRequest.matches(response, branch: "z9hG4bKother", method: "INVITE"))
        let ack = SIPProbeRequest.ack(for: invite, response: response)
        #expect(ack.method == "ACK")
        #expect(ack.topVia?.parameter("branch") == "z9hG4bKxyz")
        #expect(ack.value("To")?.hasSuffix(";tag=m1") == true)
        #expect(ack.value("CSeq") == "1 ACK")
        #expect(ack.value("Call-ID") == invite.value("Call-ID"))
    }

    @Test("the mirror body decodes from base64 message/sip")
    func mirrorBody() throws {
        let request = Self.invite.serialized()
        var response = SIPMessage(startLine: .response(code: 488, reason: "x"))
        response.headers = [.init("Content-Type", "message/sip"), .init("Content-Transfer-Encoding", "base64")]
        let encoded = Data(request).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        response.body = Array(encoded.utf8)
        #expect(SIPMirrorBody.mirroredRequest(in: response) == request)
        response.headers = [.init("Content-Type", "text/plain")]
        #expect(SIPMirrorBody.mirroredRequest(in: response) == nil)
    }

    @Test("the stream framer cuts by Content-Length, skips keep-alive CRLFs, waits for more, refuses junk")
    func framer() throws {
        let first = Self.invite.serialized()
        let second = SIPProbeRequest.options(transport: .tcp, local: Self.local, host: "h", port: 5060, identity: Self.identity).serialized()
        var framer = SIPStreamFramer()
        framer.append(Array("\r\n\r\n".utf8) + first + second.prefix(10))
        #expect(try framer.next() == first)
        #expect(try framer.next() == nil)
        framer.append(Array(second.dropFirst(10)))
        #expect(try framer.next() == second)
        var junk = SIPStreamFramer()
        junk.append([UInt8](repeating: 65, count: 70_000))
        #expect(throws: SIPError.self) { try junk.next() }
        var noLength = SIPStreamFramer()
        noLength.append(Array("OPTIONS sip:a SIP/2.0\r\nVia: x\r\n\r\n".utf8))
        #expect(throws: SIPError.self) { try noLength.next() }
    }

    @Test("the SBC's view matches STUN on address, and on port when STUN ran from the SIP socket's port")
    func stunComparison() {
        #expect(SBCCheck.matches(received: "203.0.113.5", rport: 4000, mapping: ("203.0.113.5", 4000), comparePort: true) == true)
        #expect(SBCCheck.matches(received: "203.0.113.5", rport: 4001, mapping: ("203.0.113.5", 4000), comparePort: true) == false)
        #expect(SBCCheck.matches(received: "203.0.113.5", rport: 4001, mapping: ("203.0.113.5", 4000), comparePort: false) == true)
        #expect(SBCCheck.matches(received: "198.51.100.9", rport: nil, mapping: ("203.0.113.5", 4000), comparePort: false) == false)
        #expect(SBCCheck.matches(received: nil, rport: 4000, mapping: ("203.0.113.5", 4000), comparePort: true) == nil)
    }
}
