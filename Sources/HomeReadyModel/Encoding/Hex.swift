extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal, two digits a byte (digests, tokens, fingerprints).
    ///
    /// Inlinable, so a caller's sequence type is known where the bytes are read: through the generic entry point,
    /// every byte of a digest went through its iterator's witness (1 % of a signed report's server time).
    @inlinable public var hexEncoded: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            bytes.append(hexDigit(byte >> 4))
            bytes.append(hexDigit(byte & 0x0f))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The lowercase hexadecimal digit of a value below 16.
@inlinable func hexDigit(_ value: UInt8) -> UInt8 {
    value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value
}
