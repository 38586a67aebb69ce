import HomeReadyTransport

/// STUN (RFC 5389) binding requests and responses: the softphone media path check (over `STUNPacket`).
public enum STUNMessage {
    static let magicCookie: UInt32 = STUNPacket.magicCookie

    /// A binding request with a 12-byte transaction id and no attributes.
    public static func bindingRequest(transaction: [UInt8]) -> [UInt8] {
        STUNPacket(type: 0x0001, transaction: transaction).encoded()
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
        guard let packet = STUNPacket.parse(data), packet.transaction == transaction,
            packet.type == 0x0101 || packet.type == 0x0111
        else { return nil }
        var response = Response(isError: packet.type == 0x0111)
        // XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS from old servers.
        let mapped =
            packet.attribute(0x0020).flatMap { STUNPacket.address($0, xor: true, transaction: transaction) }
            ?? packet.attribute(0x0001).flatMap { STUNPacket.address($0, xor: false, transaction: transaction) }
        response.mappedAddress = mapped?.address
        response.mappedPort = mapped?.port
        return response
    }
}
