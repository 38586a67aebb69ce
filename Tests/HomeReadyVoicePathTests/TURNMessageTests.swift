import HomeReadyModel
import HomeReadyTransport
import HomeReadyVPN
import Synchronization
import Testing

@testable import HomeReadyVoicePath

@Suite struct TURNMessageTests {
    static let transaction = [UInt8](1...12)

    static func hex(_ text: String) -> [UInt8] {
        stride(from: 0, to: text.count, by: 2).map {
            let start = text.index(text.startIndex, offsetBy: $0)
            return UInt8(text[start..<text.index(start, offsetBy: 2)], radix: 16)!
        }
    }

    @Test("message types: method and class bits of Allocate, Refresh, Send, Data, CreatePermission, ChannelBind")
    func messageTypes() {
        #expect(STUNPacket.type(method: TURNMessage.Method.allocate, .request) == 0x0003)
        #expect(STUNPacket.type(method: TURNMessage.Method.allocate, .success) == 0x0103)
        #expect(STUNPacket.type(method: TURNMessage.Method.allocate, .error) == 0x0113)
        #expect(STUNPacket.type(method: TURNMessage.Method.refresh, .request) == 0x0004)
        #expect(STUNPacket.type(method: TURNMessage.Method.send, .indication) == 0x0016)
        #expect(STUNPacket.type(method: TURNMessage.Method.data, .indication) == 0x0017)
        #expect(STUNPacket.type(method: TURNMessage.Method.createPermission, .success) == 0x0108)
        #expect(STUNPacket.type(method: TURNMessage.Method.channelBind, .request) == 0x0009)
        let packet = STUNPacket(type: 0x0113, transaction: Self.transaction)
        #expect(packet.method == TURNMessage.Method.allocate)
        #expect(packet.messageClass == .error)
    }

    @Test("an authenticated Allocate is byte for byte what Python's hashlib and hmac make (MD5 key, HMAC-SHA1)")
    func authenticatedAllocateMatchesReference() {
        let authentication = TURNMessage.Authentication(
            username: "alice", password: "s3cret", realm: "homeready.test", nonce: "abc123")
        #expect(authentication.key == [22, 81, 71, 196, 190, 132, 167, 73, 193, 237, 11, 146, 30, 241, 92, 14])
        let request = TURNMessage.request(
            TURNMessage.Method.allocate, transaction: Self.transaction, attributes: [TURNMessage.requestedUDP],
            authentication: authentication)
        // Made with Python's struct, hashlib.md5 and hmac (sha1): the header's length counts MESSAGE-INTEGRITY.
        let expected = Self.hex(
            "0003004c2112a4420102030405060708090a0b0c001900041100000000060005616c6963650000000014000e686f6d6572656164"
                + "792e74657374000000150006616263313233000000080014ae93601b99b81b5884fd31017c59ba740a11ca63")
        #expect(request == expected)
        #expect(TURNMessage.verifyIntegrity(request, key: authentication.key))
        var other = authentication
        other.key = TURNMessage.Authentication(username: "alice", password: "wrong", realm: "homeready.test", nonce: "abc123").key
        #expect(!TURNMessage.verifyIntegrity(request, key: other.key))
        let parsed = STUNPacket.parse(request)
        #expect(parsed?.attribute(TURNMessage.Attribute.username) == Array("alice".utf8))
        #expect(parsed?.attribute(TURNMessage.Attribute.nonce) == Array("abc123".utf8))
    }

    @Test("XOR-PEER-ADDRESS round trips for IPv4 and IPv6", arguments: ["192.0.2.10", "2001:db8::7"])
    func xorAddressRoundTrip(address: String) throws {
        let endpoint = try #require(IPEndpoint(address: address, port: 49_170))
        let value = STUNPacket.addressValue(endpoint, xor: true, transaction: Self.transaction)
        #expect(value.count == (endpoint.isIPv6 ? 20 : 8))
        #expect(STUNPacket.address(value, xor: true, transaction: Self.transaction) == endpoint)
        #expect(STUNPacket.address(value, xor: true, transaction: [UInt8](repeating: 9, count: 12)) != endpoint || !endpoint.isIPv6)
    }

    @Test("ERROR-CODE: class and number, reason phrase")
    func errorCode() {
        let parsed = STUNPacket.errorCode([0, 0, 4, 1] + Array("Unauthorized".utf8))
        #expect(parsed?.code == 401)
        #expect(parsed?.reason == "Unauthorized")
        #expect(STUNPacket.errorCode([0, 0, 4, 38])?.code == 438)
    }

    @Test("ChannelData is padded to four bytes over a stream, not over UDP")
    func channelDataPadding() {
        let payload: [UInt8] = [1, 2, 3, 4, 5]
        let stream = TURNMessage.channelData(channel: 0x4000, payload: payload, padded: true)
        let datagram = TURNMessage.channelData(channel: 0x4000, payload: payload, padded: false)
        #expect(stream == [0x40, 0x00, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0])
        #expect(datagram.count == 9)
        #expect(TURNFrame.datagram(datagram) == .channelData(channel: 0x4000, payload: payload))
    }

    @Test("the stream framer cuts STUN and padded ChannelData out of arbitrary chunks, in order")
    func streamFraming() throws {
        let stun = TURNMessage.request(TURNMessage.Method.refresh, transaction: Self.transaction, attributes: [TURNMessage.lifetime(0)])
        let channel = TURNMessage.channelData(channel: 0x4001, payload: Array(1...7), padded: true)
        let data = STUNPacket(
            type: STUNPacket.type(method: TURNMessage.Method.data, .indication), transaction: Self.transaction,
            attributes: [STUNAttribute(TURNMessage.Attribute.data, [9, 9, 9])]
        ).encoded()
        let wire = stun + channel + data
        for chunk in [1, 3, 7, 64] {
            var framer = TURNStreamFramer()
            var frames: [TURNFrame] = []
            var offset = 0
            while offset < wire.count {
                framer.append(Array(wire[offset..<min(wire.count, offset + chunk)]))
                offset += chunk
                while let frame = try framer.next() { frames.append(frame) }
            }
            #expect(frames.count == 3, "chunks of \(chunk)")
            #expect(frames[1] == .channelData(channel: 0x4001, payload: Array(1...7)))
            #expect(frames[2].relayedPayload?.payload == [9, 9, 9])
        }
        var garbage = TURNStreamFramer()
        garbage.append(Array("<!DOCTYPE html><html>".utf8))
        #expect(throws: TURNStreamFramer.Garbage.self) { try garbage.next() }
        var reserved = TURNStreamFramer()
        reserved.append([0x7F, 0xFF, 0, 4, 1, 2, 3, 4])
        #expect(throws: TURNStreamFramer.Garbage.self) { try reserved.next() }
    }

    @Test("median of odd and even counts; none for no values")
    func median() {
        #expect(TURNCheck.median([3, 1, 2]) == 2)
        #expect(TURNCheck.median([4, 1, 3, 2]) == 2.5)
        #expect(TURNCheck.median([]) == nil)
    }

    @Test("the session answers the 401 with the realm and nonce, authenticates once, and verifies the answer")
    func sessionAuthenticates() throws {
        let link = ScriptedTURNLink(password: "s3cret")
        let session = TURNClientSession(link: link, username: "alice", password: "s3cret", timeout: 1)
        try session.allocate()
        #expect(session.relayedAddress == IPEndpoint(address: "198.51.100.1", port: 50_000))
        #expect(session.mappedAddress == IPEndpoint(address: "203.0.113.9", port: 40_000))
        #expect(link.requests.count == 2)
        #expect(link.requests[0].attribute(TURNMessage.Attribute.username) == nil)
        #expect(link.requests[1].attribute(TURNMessage.Attribute.nonce) == Array("n1".utf8))
    }

    @Test("a password the relay does not know ends in auth_failed after one authenticated try")
    func sessionWrongPassword() {
        let link = ScriptedTURNLink(password: "s3cret")
        let session = TURNClientSession(link: link, username: "alice", password: "nope", timeout: 1)
        #expect(throws: TURNFailure.self) { try session.allocate() }
        do { try session.allocate() } catch { #expect(error.state == .authFailed) }
    }
}

/// A TURN server in a test: answers Allocate with 401 (realm, nonce), then checks MESSAGE-INTEGRITY with its
/// password and allocates.
final class ScriptedTURNLink: TURNLink, @unchecked Sendable {
    let password: String
    private let state = Mutex<(requests: [STUNPacket], answers: [[UInt8]])>(([], []))
    var isDatagram: Bool { false }

    init(password: String) { self.password = password }

    var requests: [STUNPacket] { state.withLock { $0.requests } }

    func send(_ bytes: [UInt8]) throws(TURNLinkFailure) {
        guard let request = STUNPacket.parse(bytes) else { return }
        let transaction = request.transaction
        let answer: STUNPacket
        if let username = request.attribute(TURNMessage.Attribute.username) {
            let key = TURNMessage.Authentication(
                username: String(decoding: username, as: UTF8.self), password: password, realm: "homeready.test",
                nonce: "n1"
            ).key
            if TURNMessage.verifyIntegrity(bytes, key: key) {
                answer = STUNPacket(
                    type: 0x0103, transaction: transaction,
                    attributes: [
                        STUNAttribute(
                            TURNMessage.Attribute.xorRelayedAddress,
                            STUNPacket.addressValue(IPEndpoint(address: "198.51.100.1", port: 50_000)!, xor: true, transaction: transaction)),
                        STUNAttribute(
                            TURNMessage.Attribute.xorMappedAddress,
                            STUNPacket.addressValue(IPEndpoint(address: "203.0.113.9", port: 40_000)!, xor: true, transaction: transaction)),
                    ])
            } else {
                answer = STUNPacket(
                    type: 0x0113, transaction: transaction,
                    attributes: [STUNAttribute(TURNMessage.Attribute.errorCode, [0, 0, 4, 1] + Array("Unauthorized".utf8))])
            }
        } else {
            answer = STUNPacket(
                type: 0x0113, transaction: transaction,
                attributes: [
                    STUNAttribute(TURNMessage.Attribute.errorCode, [0, 0, 4, 1] + Array("Unauthorized".utf8)),
                    STUNAttribute(TURNMessage.Attribute.realm, Array("homeready.test".utf8)),
                    STUNAttribute(TURNMessage.Attribute.nonce, Array("n1".utf8)),
                ])
        }
        state.withLock {
            $0.requests.append(request)
            $0.answers.append(answer.encoded())
        }
    }

    func receive(timeout: Double) throws(TURNLinkFailure) -> TURNFrame? {
        let next = state.withLock { $0.answers.isEmpty ? nil : $0.answers.removeFirst() }
        return next.flatMap(TURNFrame.datagram)
    }

    func close() {}
}
