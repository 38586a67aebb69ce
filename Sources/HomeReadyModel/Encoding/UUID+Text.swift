import Foundation

extension UUID {
    /// The UUID written as `text` in its 8-4-4-4-12 hexadecimal form (either case), as `UUID(uuidString:)` reads
    /// it, without the C library's `sscanf` that one goes through (a report id is read for every report).
    public init?(hyphenated text: String) {
        var text = text
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let read = text.withUTF8 { utf8 in
            withUnsafeMutableBytes(of: &uuid) { bytes in
                guard utf8.count == 36 else { return false }
                var at = 0
                for position in 0..<16 {
                    if at == 8 || at == 13 || at == 18 || at == 23 {
                        guard utf8[at] == UInt8(ascii: "-") else { return false }
                        at += 1
                    }
                    guard let high = Self.hexDigit(utf8[at]), let low = Self.hexDigit(utf8[at + 1]) else { return false }
                    bytes[position] = high << 4 | low
                    at += 2
                }
                return true
            }
        }
        guard read else { return nil }
        self.init(uuid: uuid)
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
