import Foundation
import HomeReadyTransport

/// One attribute of a STUN message (RFC 8489 §14): its type and its value without padding.
public struct STUNAttribute: Sendable, Equatable {
    public var type: UInt16
    public var value: [UInt8]

    public init(_ type: UInt16, _ value: [UInt8]) {
        self.type = type
        self.value = value
    }
}

/// Any STUN message (RFC 8489): the header's type, the transaction id and the attributes in order. The one STUN
/// codec of the project: binding requests (`STUNMessage`) and TURN (RFC 8656, HomeReadyVoicePath) build on it.
/// Authentication is left to the caller through the `integrity` closure, so this module needs no crypto.
public struct STUNPacket: Sendable, Equatable {
    /// The message type: method and class bits together, e.g. 0x0001 a binding request, 0x0113 an Allocate error.
    public var type: UInt16
    /// 12 random bytes that pair a response with its request.
    public var transaction: [UInt8]
    public var attributes: [STUNAttribute]

    /// The magic cookie every RFC 5389 message carries after its length.
    public static let magicCookie: UInt32 = 0x2112_A442
    /// MESSAGE-INTEGRITY (HMAC-SHA1 over the message up to it).
    public static let messageIntegrity: UInt16 = 0x0008
    /// FINGERPRINT (CRC-32 over the message up to it, XOR 0x5354554E).
    public static let fingerprint: UInt16 = 0x8028

    public init(type: UInt16, transaction: [UInt8], attributes: [STUNAttribute] = []) {
        precondition(transaction.count == 12, "a STUN transaction id is 12 bytes")
        self.type = type
        self.transaction = transaction
        self.attributes = attributes
    }

    /// The method bits of the type (0x001 Binding, 0x003 Allocate, ...).
    public var method: UInt16 { (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2) }

    /// The class of a message.
    public enum MessageClass: Sendable, Equatable {
        case request, indication, success, error
    }

    public var messageClass: MessageClass {
        switch (type & 0x0100 != 0, type & 0x0010 != 0) {
        case (false, false): return .request
        case (false, true): return .indication
        case (true, false): return .success
        case (true, true): return .error
        }
    }

    /// The type for `method` in `messageClass` (RFC 8489 §5: class bits C1 at 0x100, C0 at 0x010).
    public static func type(method: UInt16, _ messageClass: MessageClass) -> UInt16 {
        let spread = (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2)
        switch messageClass {
        case .request: return spread
        case .indication: return spread | 0x0010
        case .success: return spread | 0x0100
        case .error: return spread | 0x0110
        }
    }

    /// The first value of attribute `type`, nil when absent.
    public func attribute(_ type: UInt16) -> [UInt8]? { attributes.first { $0.type == type }?.value }

    /// The message on the wire. With `integrity`, a MESSAGE-INTEGRITY attribute is appended whose value is
    /// `integrity(bytes)` over the message so far with the header's length already counting the attribute
    /// (RFC 8489 §14.5); `integrity` must return 20 bytes (HMAC-SHA1).
    public func encoded(integrity: (([UInt8]) -> [UInt8])? = nil) -> [UInt8] {
        var writer = ByteWriter()
        writer.u16(type)
        writer.u16(0)
        writer.u32(Self.magicCookie)
        writer.append(transaction)
        for attribute in attributes {
            writer.u16(attribute.type)
            writer.u16(UInt16(attribute.value.count))
            writer.append(attribute.value)
            let padding = (4 - attribute.value.count % 4) % 4
            writer.append([UInt8](repeating: 0, count: padding))
        }
        if let integrity {
            writer.patch16(writer.bytes.count - 20 + 24, at: 2)
            let mac = integrity(writer.bytes)
            writer.u16(Self.messageIntegrity)
            writer.u16(20)
            writer.append(mac)
        } else {
            writer.patch16(writer.bytes.count - 20, at: 2)
        }
        return writer.bytes
    }

    /// Whether `data` starts like a STUN message (first two bits zero, the magic cookie); for telling STUN from
    /// ChannelData and from other protocols on a shared port.
    public static func looksLikeSTUN(_ data: [UInt8]) -> Bool {
        data.count >= 20 && data[0] & 0xC0 == 0 && data.u32(at: 4) == magicCookie
    }

    /// Parses one message; nil when `data` is not a complete, well-formed STUN message. Bytes after the message
    /// are ignored.
    public static func parse(_ data: [UInt8]) -> STUNPacket? {
        guard looksLikeSTUN(data), let type = data.u16(at: 0), let length = data.u16(at: 2), length % 4 == 0,
            data.count >= 20 + length
        else { return nil }
        var attributes: [STUNAttribute] = []
        var offset = 20
        while offset + 4 <= 20 + length {
            guard let kind = data.u16(at: offset), let size = data.u16(at: offset + 2),
                offset + 4 + size <= 20 + length
            else { return nil }
            attributes.append(STUNAttribute(UInt16(kind), Array(data[(offset + 4)..<(offset + 4 + size)])))
            offset += 4 + (size + 3) / 4 * 4
        }
        return STUNPacket(type: UInt16(type), transaction: Array(data[8..<20]), attributes: attributes)
    }

    /// What MESSAGE-INTEGRITY in `data` was computed over (the message before the attribute, its header length
    /// counting the attribute) and the 20-byte value it carries; nil when the message has none.
    public static func integrityInput(_ data: [UInt8]) -> (signed: [UInt8], mac: [UInt8])? {
        guard looksLikeSTUN(data), let length = data.u16(at: 2), data.count >= 20 + length else { return nil }
        var offset = 20
        while offset + 4 <= 20 + length, let kind = data.u16(at: offset), let size = data.u16(at: offset + 2) {
            if kind == Int(messageIntegrity) {
                guard size == 20, offset + 24 <= data.count else { return nil }
                var signed = Array(data[0..<offset])
                let counted = offset - 20 + 24
                signed[2] = UInt8(counted >> 8)
                signed[3] = UInt8(counted & 0xFF)
                return (signed, Array(data[(offset + 4)..<(offset + 24)]))
            }
            offset += 4 + (size + 3) / 4 * 4
        }
        return nil
    }

    /// The value of an (XOR-)MAPPED-ADDRESS-style attribute for `endpoint` (RFC 8489 §14.1, §14.2).
    public static func addressValue(_ endpoint: IPEndpoint, xor: Bool, transaction: [UInt8]) -> [UInt8] {
        let key: [UInt8] = xor ? [0x21, 0x12, 0xA4, 0x42] + transaction : [UInt8](repeating: 0, count: 16)
        let raw = addressBytes(endpoint.address) ?? []
        var writer = ByteWriter()
        writer.u8(0)
        writer.u8(raw.count == 16 ? 2 : 1)
        writer.u16(UInt16(truncatingIfNeeded: endpoint.port) ^ (xor ? 0x2112 : 0))
        writer.append(raw.enumerated().map { $0.element ^ key[$0.offset] })
        return writer.bytes
    }

    /// Decodes an (XOR-)MAPPED-ADDRESS-style value; nil when malformed or of an unknown family.
    public static func address(_ value: [UInt8], xor: Bool, transaction: [UInt8]) -> IPEndpoint? {
        guard value.count >= 8, let rawPort = value.u16(at: 2) else { return nil }
        let port = xor ? rawPort ^ 0x2112 : rawPort
        let key: [UInt8] = xor ? [0x21, 0x12, 0xA4, 0x42] + transaction : [UInt8](repeating: 0, count: 16)
        switch value[1] {
        case 1:
            let bytes = (0..<4).map { value[4 + $0] ^ key[$0] }
            return IPEndpoint(address: bytes.map(String.init).joined(separator: "."), port: port)
        case 2:
            guard value.count >= 20 else { return nil }
            let bytes = (0..<16).map { value[4 + $0] ^ key[$0] }
            let groups = stride(from: 0, to: 16, by: 2).map { String(Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]), radix: 16) }
            let text = groups.joined(separator: ":")
            return IPEndpoint(address: IPEndpoint.canonical(text) ?? text, port: port)
        default:
            return nil
        }
    }

    /// The 4 or 16 bytes of an address literal.
    static func addressBytes(_ address: String) -> [UInt8]? {
        let parts = address.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4 {
            let bytes = parts.compactMap { UInt8($0) }
            return bytes.count == 4 ? bytes : nil
        }
        guard address.contains(":") else { return nil }
        let halves = address.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ text: String) -> [UInt16]? {
            text.isEmpty ? [] : text.split(separator: ":").map { UInt16($0, radix: 16) }.reduce(into: [UInt16]?([])) {
                guard let value = $1 else { $0 = nil; return }
                $0?.append(value)
            }
        }
        guard let head = groups(halves[0]), let tail = halves.count == 2 ? groups(halves[1]) : [] else { return nil }
        let zeros = 8 - head.count - tail.count
        guard zeros >= 0, halves.count == 2 || zeros == 0 else { return nil }
        let all = head + [UInt16](repeating: 0, count: zeros) + tail
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// A STUN ERROR-CODE value's code (e.g. 401) and reason phrase.
    public static func errorCode(_ value: [UInt8]) -> (code: Int, reason: String)? {
        guard value.count >= 4 else { return nil }
        let code = Int(value[2] & 0x07) * 100 + Int(value[3])
        return (code, String(decoding: value[4...], as: UTF8.self))
    }
}
