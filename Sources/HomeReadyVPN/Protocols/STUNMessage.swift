import HomeReadyTransport

/// STUN (RFC 5389) binding requests and responses: the softphone media path check.
public enum STUNMessage {
    static let magicCookie: UInt32 = 0x2112_A442

    /// A binding request with a 12-byte transaction id and no attributes.
    public static func bindingRequest(transaction: [UInt8]) -> [UInt8] {
        precondition(transaction.count == 12, "a STUN transaction id is 12 bytes")
        var message = ByteWriter()
        message.u16(0x0001)
        message.u16(0)
        message.u32(magicCookie)
        message.append(transaction)
        return message.bytes
    }

    /// What a binding response said.
    public struct Response: Sendable, Equatable {
        /// The server answered with an error response (UDP still works).
        public var isError: Bool
        /// The address and port the server saw (XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS from old servers).
        public var mappedAddress: String?
        public var mappedPort: Int?
    }

    /// Parses a response to `transaction`; nil when the datagram is not one.
    public static func parseResponse(_ data: [UInt8], transaction: [UInt8]) -> Response? {
        guard data.count >= 20, let type = data.u16(at: 0), let length = data.u16(at: 2),
            data.u32(at: 4) == magicCookie, Array(data[8..<20]) == transaction, data.count >= 20 + length
        else { return nil }
        guard type == 0x0101 || type == 0x0111 else { return nil }
        var response = Response(isError: type == 0x0111)
        var offset = 20
        var plain: (String, Int)?
        while offset + 4 <= 20 + length, let attribute = data.u16(at: offset), let size = data.u16(at: offset + 2) {
            let value = Array(data[(offset + 4)..<min(data.count, offset + 4 + size)])
            if attribute == 0x0020, let decoded = address(value, xor: true, transaction: transaction) {
                response.mappedAddress = decoded.0
                response.mappedPort = decoded.1
            } else if attribute == 0x0001 {
                plain = address(value, xor: false, transaction: transaction)
            }
            offset += 4 + (size + 3) / 4 * 4
        }
        if response.mappedAddress == nil, let plain {
            response.mappedAddress = plain.0
            response.mappedPort = plain.1
        }
        return response
    }

    private static func address(_ value: [UInt8], xor: Bool, transaction: [UInt8]) -> (String, Int)? {
        guard value.count >= 8, let rawPort = value.u16(at: 2) else { return nil }
        let port = xor ? rawPort ^ 0x2112 : rawPort
        var key: [UInt8] = [0x21, 0x12, 0xA4, 0x42] + transaction
        if !xor { key = [UInt8](repeating: 0, count: 16) }
        switch value[1] {
        case 1:
            let bytes = (0..<4).map { value[4 + $0] ^ key[$0] }
            return (bytes.map(String.init).joined(separator: "."), port)
        case 2:
            guard value.count >= 20 else { return nil }
            let bytes = (0..<16).map { value[4 + $0] ^ key[$0] }
            let groups = stride(from: 0, to: 16, by: 2).map {
                String(Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]), radix: 16)
            }
            let text = groups.joined(separator: ":")
            return (IPEndpoint.canonical(text) ?? text, port)
        default:
            return nil
        }
    }
}
