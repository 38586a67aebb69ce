import Crypto
import Foundation
import HomeReadyTransport
import HomeReadyVPN

/// TURN (RFC 8656) on top of the project's STUN codec (`STUNPacket`): methods, attributes, long-term credential
/// authentication (RFC 8489 §9.2: key MD5(username:realm:password), MESSAGE-INTEGRITY HMAC-SHA1), ChannelData and
/// the framing of both over a byte stream (TCP, TLS). Pure: no I/O.
enum TURNMessage {
    /// TURN and STUN methods used here.
    enum Method {
        static let binding: UInt16 = 0x001
        static let allocate: UInt16 = 0x003
        static let refresh: UInt16 = 0x004
        static let send: UInt16 = 0x006
        static let data: UInt16 = 0x007
        static let createPermission: UInt16 = 0x008
        static let channelBind: UInt16 = 0x009
    }

    /// Attribute types (RFC 8489 §18.3, RFC 8656 §18).
    enum Attribute {
        static let mappedAddress: UInt16 = 0x0001
        static let username: UInt16 = 0x0006
        static let errorCode: UInt16 = 0x0009
        static let channelNumber: UInt16 = 0x000C
        static let lifetime: UInt16 = 0x000D
        static let xorPeerAddress: UInt16 = 0x0012
        static let data: UInt16 = 0x0013
        static let realm: UInt16 = 0x0014
        static let nonce: UInt16 = 0x0015
        static let xorRelayedAddress: UInt16 = 0x0016
        static let requestedTransport: UInt16 = 0x0019
        static let dontFragment: UInt16 = 0x001A
        static let xorMappedAddress: UInt16 = 0x0020
        static let software: UInt16 = 0x8022
    }

    /// REQUESTED-TRANSPORT's protocol number for UDP relaying (the only one RFC 8656 defines).
    static let udpProtocol: UInt8 = 17
    /// The first channel number a client may bind (0x4000–0x4FFF).
    static let firstChannel: UInt16 = 0x4000

    /// The long-term credential in use after the server's 401: the key and the realm and nonce it gave.
    struct Authentication: Sendable, Equatable {
        var username: String
        var realm: String
        var nonce: String
        /// MD5(username ":" realm ":" password) (RFC 8489 §9.2.2; SASLprep is not applied: TURN REST usernames and
        /// passwords are ASCII).
        var key: [UInt8]

        init(username: String, password: String, realm: String, nonce: String) {
            self.username = username
            self.realm = realm
            self.nonce = nonce
            key = Array(Insecure.MD5.hash(data: Data("\(username):\(realm):\(password)".utf8)))
        }
    }

    /// HMAC-SHA1 of `bytes` with `key`: the value of MESSAGE-INTEGRITY.
    static func hmac(_ bytes: [UInt8], key: [UInt8]) -> [UInt8] {
        Array(HMAC<Insecure.SHA1>.authenticationCode(for: bytes, using: SymmetricKey(data: key)))
    }

    /// A request of `method` with `attributes`, then USERNAME, REALM, NONCE and MESSAGE-INTEGRITY when
    /// `authentication` is given.
    static func request(
        _ method: UInt16, transaction: [UInt8], attributes: [STUNAttribute] = [], authentication: Authentication? = nil
    ) -> [UInt8] {
        var packet = STUNPacket(
            type: STUNPacket.type(method: method, .request), transaction: transaction, attributes: attributes)
        guard let authentication else { return packet.encoded() }
        packet.attributes += [
            STUNAttribute(Attribute.username, Array(authentication.username.utf8)),
            STUNAttribute(Attribute.realm, Array(authentication.realm.utf8)),
            STUNAttribute(Attribute.nonce, Array(authentication.nonce.utf8)),
        ]
        return packet.encoded { hmac($0, key: authentication.key) }
    }

    /// A Send indication carrying `payload` to `peer` (indications are not authenticated).
    static func sendIndication(to peer: IPEndpoint, payload: [UInt8], transaction: [UInt8]) -> [UInt8] {
        STUNPacket(
            type: STUNPacket.type(method: Method.send, .indication), transaction: transaction,
            attributes: [
                STUNAttribute(Attribute.xorPeerAddress, STUNPacket.addressValue(peer, xor: true, transaction: transaction)),
                STUNAttribute(Attribute.data, payload),
            ]
        ).encoded()
    }

    /// Whether `raw` carries a MESSAGE-INTEGRITY that `key` produced.
    static func verifyIntegrity(_ raw: [UInt8], key: [UInt8]) -> Bool {
        guard let (signed, mac) = STUNPacket.integrityInput(raw) else { return false }
        return hmac(signed, key: key) == mac
    }

    /// REQUESTED-TRANSPORT for UDP.
    static var requestedUDP: STUNAttribute { STUNAttribute(Attribute.requestedTransport, [udpProtocol, 0, 0, 0]) }

    /// LIFETIME in seconds.
    static func lifetime(_ seconds: UInt32) -> STUNAttribute {
        STUNAttribute(
            Attribute.lifetime,
            [UInt8(seconds >> 24), UInt8((seconds >> 16) & 0xFF), UInt8((seconds >> 8) & 0xFF), UInt8(seconds & 0xFF)])
    }

    /// CHANNEL-NUMBER: the number and two reserved bytes.
    static func channelNumber(_ channel: UInt16) -> STUNAttribute {
        STUNAttribute(Attribute.channelNumber, [UInt8(channel >> 8), UInt8(channel & 0xFF), 0, 0])
    }

    /// XOR-PEER-ADDRESS for `peer`.
    static func peerAddress(_ peer: IPEndpoint, transaction: [UInt8]) -> STUNAttribute {
        STUNAttribute(Attribute.xorPeerAddress, STUNPacket.addressValue(peer, xor: true, transaction: transaction))
    }

    /// A ChannelData message (RFC 8656 §12.4): channel number, length, data; padded to a multiple of four bytes
    /// over a stream (§12.5: required over TCP and TLS, optional over UDP).
    static func channelData(channel: UInt16, payload: [UInt8], padded: Bool) -> [UInt8] {
        var bytes = [UInt8(channel >> 8), UInt8(channel & 0xFF), UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        bytes += payload
        if padded { bytes += [UInt8](repeating: 0, count: (4 - payload.count % 4) % 4) }
        return bytes
    }
}

/// One message from a TURN server: a STUN message (with its raw bytes, for integrity checks) or ChannelData.
enum TURNFrame: Sendable, Equatable {
    case stun(STUNPacket, raw: [UInt8])
    case channelData(channel: UInt16, payload: [UInt8])

    /// Reads one datagram (UDP: one message per datagram); nil when it is neither STUN nor ChannelData.
    static func datagram(_ bytes: [UInt8]) -> TURNFrame? {
        if let packet = STUNPacket.parse(bytes) { return .stun(packet, raw: bytes) }
        guard bytes.count >= 4, bytes[0] & 0xC0 == 0x40, bytes[0] < 0x50 else { return nil }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard bytes.count >= 4 + length else { return nil }
        return .channelData(channel: UInt16(bytes[0]) << 8 | UInt16(bytes[1]), payload: Array(bytes[4..<(4 + length)]))
    }

    /// The payload and sender of a Data indication, or the payload of ChannelData (whose sender the channel names).
    var relayedPayload: (payload: [UInt8], peer: IPEndpoint?)? {
        switch self {
        case .channelData(_, let payload):
            return (payload, nil)
        case .stun(let packet, _):
            guard packet.type == STUNPacket.type(method: TURNMessage.Method.data, .indication),
                let data = packet.attribute(TURNMessage.Attribute.data)
            else { return nil }
            let peer = packet.attribute(TURNMessage.Attribute.xorPeerAddress).flatMap {
                STUNPacket.address($0, xor: true, transaction: packet.transaction)
            }
            return (data, peer)
        }
    }
}

/// Cuts a TCP or TLS byte stream into TURN messages (RFC 8656 §12.5 and RFC 4571-style framing: a STUN message's
/// length is in its header, ChannelData's in its own, padded to four bytes).
struct TURNStreamFramer: Sendable {
    private var buffer: [UInt8] = []

    /// The stream carried something that is neither STUN nor ChannelData.
    struct Garbage: Error, Sendable, Equatable {}

    /// Adds bytes read from the stream.
    mutating func append(_ bytes: [UInt8]) { buffer += bytes }

    /// The next complete message, nil when more bytes are needed.
    mutating func next() throws(Garbage) -> TURNFrame? {
        guard buffer.count >= 4 else { return nil }
        let length = Int(buffer[2]) << 8 | Int(buffer[3])
        let total: Int
        switch buffer[0] & 0xC0 {
        case 0x00:
            // A STUN header: the magic cookie once it has arrived.
            if buffer.count >= 8, Array(buffer[4..<8]) != [0x21, 0x12, 0xA4, 0x42] { throw Garbage() }
            total = 20 + length
        case 0x40:
            // Channel numbers 0x4000–0x4FFF (RFC 8656 §12); 0x5000–0x7FFF are reserved.
            guard buffer[0] < 0x50 else { throw Garbage() }
            total = 4 + length + (4 - length % 4) % 4
        default: throw Garbage()
        }
        guard buffer.count >= total else { return nil }
        let message = Array(buffer[0..<total])
        buffer.removeFirst(total)
        guard let frame = TURNFrame.datagram(message) else { throw Garbage() }
        return frame
    }
}
