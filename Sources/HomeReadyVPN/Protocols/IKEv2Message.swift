/// IKEv2 (RFC 7296) IKE_SA_INIT requests and the classification of answers: enough to prove a gateway answers
/// IKE without holding any credentials.
public enum IKEv2Message {
    /// The exchange type of IKE_SA_INIT.
    static let ikeSAInit: UInt8 = 34
    /// UDP 4500 carries IKE after a four-byte non-ESP marker (RFC 3948).
    public static let nonESPMarker: [UInt8] = [0, 0, 0, 0]

    /// A well-formed IKE_SA_INIT request from initiator SPI `spi`: one IKE proposal (AES-CBC 256/128,
    /// HMAC-SHA2-256 and SHA1 PRFs and integrity, DH groups 14, 19, 31), a MODP-2048 key exchange payload and a
    /// 32-byte nonce. `nonESP` prefixes the marker for port 4500.
    public static func saInitRequest(spi: [UInt8], nonESP: Bool = false) -> [UInt8] {
        precondition(spi.count == 8, "an IKE SPI is 8 bytes")
        var message = ByteWriter()
        message.append(spi)
        message.append([UInt8](repeating: 0, count: 8))  // responder SPI: unknown yet
        message.u8(33)  // next payload: SA
        message.u8(0x20)  // version 2.0
        message.u8(ikeSAInit)
        message.u8(0x08)  // flags: initiator
        message.u32(0)  // message id
        message.u32(0)  // length, patched below

        // SA payload with one proposal.
        let transforms: [(type: UInt8, id: UInt16, keyLength: UInt16?)] = [
            (1, 12, 256), (1, 12, 128),  // ENCR_AES_CBC
            (2, 5, nil), (2, 2, nil),  // PRF_HMAC_SHA2_256, PRF_HMAC_SHA1
            (3, 12, nil), (3, 2, nil),  // AUTH_HMAC_SHA2_256_128, AUTH_HMAC_SHA1_96
            (4, 14, nil), (4, 19, nil), (4, 31, nil),  // MODP 2048, ECP 256, Curve25519
        ]
        var proposal = ByteWriter()
        proposal.u8(0)  // last proposal
        proposal.u8(0)
        proposal.u16(0)  // length, patched
        proposal.u8(1)  // proposal number
        proposal.u8(1)  // protocol: IKE
        proposal.u8(0)  // SPI size
        proposal.u8(UInt8(transforms.count))
        for (index, transform) in transforms.enumerated() {
            var item = ByteWriter()
            item.u8(index == transforms.count - 1 ? 0 : 3)
            item.u8(0)
            item.u16(0)
            item.u8(transform.type)
            item.u8(0)
            item.u16(transform.id)
            if let keyLength = transform.keyLength {
                item.u16(0x800E)  // attribute: key length, TV format
                item.u16(keyLength)
            }
            item.patch16(item.bytes.count, at: 2)
            proposal.append(item.bytes)
        }
        proposal.patch16(proposal.bytes.count, at: 2)
        message.u8(34)  // next payload: KE
        message.u8(0)
        message.u16(UInt16(4 + proposal.bytes.count))
        message.append(proposal.bytes)

        // KE payload for MODP 2048: 256 bytes below the prime (its top bits are all ones).
        var keyData = [UInt8].random(count: 256)
        keyData[0] = 0x7f
        message.u8(40)  // next payload: nonce
        message.u8(0)
        message.u16(UInt16(8 + keyData.count))
        message.u16(14)
        message.u16(0)
        message.append(keyData)

        let nonce = [UInt8].random(count: 32)
        message.u8(0)  // no next payload
        message.u8(0)
        message.u16(UInt16(4 + nonce.count))
        message.append(nonce)

        message.patch32(message.bytes.count, at: 24)
        return nonESP ? nonESPMarker + message.bytes : message.bytes
    }

    /// What an IKE answer said.
    public struct Response: Sendable, Equatable {
        /// The responder chose a proposal (an SA payload came back).
        public var acceptedProposal: Bool
        /// Notify message types in the answer (14 NO_PROPOSAL_CHOSEN, 17 INVALID_KE_PAYLOAD, 16390 COOKIE, ...).
        public var notifyTypes: [Int]

        /// Names of well-known notify types, for the report.
        public var summary: String {
            if acceptedProposal { return "IKE_SA_INIT response with a chosen proposal" }
            let names = notifyTypes.map { type -> String in
                switch type {
                case 7: return "INVALID_SYNTAX"
                case 14: return "NO_PROPOSAL_CHOSEN"
                case 17: return "INVALID_KE_PAYLOAD"
                case 16390: return "COOKIE"
                default: return "notify \(type)"
                }
            }
            return names.isEmpty ? "IKE_SA_INIT response" : "IKE_SA_INIT response: " + names.joined(separator: ", ")
        }
    }

    /// Parses an answer to a request sent with `spi`; nil when the datagram is not an IKEv2 response to it.
    public static func parseResponse(_ datagram: [UInt8], spi: [UInt8]) -> Response? {
        var data = datagram
        if data.count >= 4, Array(data.prefix(4)) == nonESPMarker { data.removeFirst(4) }
        guard data.count >= 28, Array(data.prefix(8)) == spi else { return nil }
        guard data[17] >> 4 == 2, data[18] == ikeSAInit, data[19] & 0x20 != 0 else { return nil }
        var next = Int(data[16])
        var offset = 28
        var accepted = false
        var notifies: [Int] = []
        while next != 0, offset + 4 <= data.count, let length = data.u16(at: offset + 2), length >= 4 {
            if next == 33 { accepted = true }
            if next == 41, let type = data.u16(at: offset + 6) { notifies.append(type) }
            next = Int(data[offset])
            offset += length
        }
        return Response(acceptedProposal: accepted, notifyTypes: notifies)
    }
}
