/// OpenVPN's UDP control channel opening: a client hard reset (P_CONTROL_HARD_RESET_CLIENT_V2) and the
/// recognition of the server's answer. A server with tls-auth or tls-crypt drops the unauthenticated reset
/// silently, by design.
public enum OpenVPNMessage {
    static let hardResetClientV2: UInt8 = 7
    static let hardResetServerV2: UInt8 = 8

    /// A client hard reset with session id `session` (8 bytes), key id 0, no acknowledgements, packet id 0.
    public static func clientHardReset(session: [UInt8]) -> [UInt8] {
        precondition(session.count == 8, "an OpenVPN session id is 8 bytes")
        return [hardResetClientV2 << 3] + session + [0] + [0, 0, 0, 0]
    }

    /// Whether `datagram` is an OpenVPN server's control packet answering session `session`: a server hard reset
    /// (or another control opcode) that acknowledges our session id.
    public static func isServerResponse(_ datagram: [UInt8], session: [UInt8]) -> Bool {
        guard datagram.count >= 10 else { return false }
        let opcode = datagram[0] >> 3
        guard (1...11).contains(opcode) else { return false }
        // opcode/key, server session (8), ack count, acked ids (4 each), our session id (8 when acks exist).
        let acks = Int(datagram[9])
        if acks > 0 {
            let start = 10 + 4 * acks
            guard datagram.count >= start + 8 else { return false }
            return Array(datagram[start..<start + 8]) == session
        }
        return opcode == hardResetServerV2
    }
}
