import Crypto
import Foundation

/// Renders an `OutgoingMessage` as an RFC 5322 message: `From`, `To`, `Subject` (RFC 2047 encoded words when not
/// ASCII), `Date`, `Message-ID`, thread headers, and a MIME `text/plain; charset=UTF-8` body in quoted-printable
/// with the message's links listed after the text. Lines end in CRLF. Pure: tests check it without a server.
public enum EmailComposer {
    /// The message's bytes, ready for SMTP `DATA` (libcurl dot-stuffs lines that start with a period).
    public static func compose(
        _ message: OutgoingMessage, from: Mailbox, to address: String, date: Date = Date(), messageID: String? = nil
    ) -> [UInt8] {
        var headers: [(String, String)] = []
        headers.append(("From", mailboxHeader(from)))
        headers.append(("To", mailboxHeader(Mailbox(displayName: message.recipient.name, address: address))))
        headers.append(("Subject", encodedWords(singleLine(message.subject), nameLength: "Subject".count)))
        headers.append(("Date", rfc5322Date(date)))
        headers.append(("Message-ID", messageID ?? newMessageID(domain: from.domain, threadKey: message.threadKey)))
        if let threadKey = message.threadKey {
            // Every message of one escalation refers to the same root, so mail clients thread them.
            let root = threadRootID(threadKey, domain: from.domain)
            headers.append(("In-Reply-To", root))
            headers.append(("References", root))
        }
        if let language = message.recipient.language, language.allSatisfy({ $0.isLetter || $0 == "-" }) {
            headers.append(("Content-Language", language))
        }
        headers.append(("Auto-Submitted", "auto-generated"))
        headers.append(("MIME-Version", "1.0"))
        headers.append(("Content-Type", "text/plain; charset=UTF-8"))
        headers.append(("Content-Transfer-Encoding", "quoted-printable"))

        var text = ""
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        text += quotedPrintable(plainBody(message))
        return Array(text.utf8)
    }

    /// The body text before transfer encoding: the message's paragraphs, then one `Label: URL` line per link.
    public static func plainBody(_ message: OutgoingMessage) -> String {
        var body = message.body.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .newlines)
        if !message.links.isEmpty {
            body +=
                "\n\n"
                + message.links.map { "\(singleLine($0.label)): \($0.url.absoluteString)" }.joined(separator: "\n")
        }
        return body + "\n"
    }

    /// `Name <address>` with the name as a quoted string (ASCII) or RFC 2047 encoded words (anything else).
    static func mailboxHeader(_ mailbox: Mailbox) -> String {
        guard let name = mailbox.displayName.map(singleLine), !name.isEmpty else { return mailbox.address }
        let isPlainASCII = name.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
        if isPlainASCII {
            let quoted = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(quoted)\" <\(mailbox.address)>"
        }
        // Folded before the address so the line stays short (FWS is allowed before an angle address).
        return "\(encodedWords(name, nameLength: 4))\r\n <\(mailbox.address)>"
    }

    /// A header value as-is when it is printable ASCII, else RFC 2047 `=?UTF-8?B?…?=` words of at most 75
    /// characters, folded onto continuation lines, never splitting a UTF-8 character between words.
    static func encodedWords(_ value: String, nameLength: Int) -> String {
        let isPlainASCII = value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
        // ASCII that looks like an encoded word ("=?") is encoded too, so a reader shows it as written.
        if isPlainASCII && !value.contains("=?") && value.count + nameLength + 2 <= 998 { return value }
        // 39 bytes of UTF-8 → 52 base64 characters → a 64-character encoded word: "Subject: " and a word fit in 78.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in value {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        // Whitespace between adjacent encoded words is dropped by decoders (RFC 2047 §6.2).
        return words.joined(separator: "\r\n ")
    }

    /// Quoted-printable (RFC 2045 §6.7) of UTF-8 text, with CRLF line ends and lines of at most 76 characters.
    static func quotedPrintable(_ text: String) -> String {
        var output = ""
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            var current = ""
            for (position, byte) in bytes.enumerated() {
                let isLast = position == bytes.count - 1
                let token: String
                if (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 0x20 || byte == 0x09) && !isLast)
                {
                    token = String(UnicodeScalar(byte))
                } else {
                    token = "=" + String(format: "%02X", byte)
                }
                // A soft break ("=" at the end) keeps every line within 76 characters.
                if current.count + token.count > 75 {
                    output += current + "=\r\n"
                    current = ""
                }
                current += token
            }
            output += current
            if index < lines.count - 1 { output += "\r\n" }
        }
        return output
    }

    /// RFC 5322 date-time in UTC: `Sun, 06 Dec 2026 04:30:00 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// A unique `<…@domain>` id; the thread key's digest is part of it so logs and replies can be matched.
    static func newMessageID(domain: String, threadKey: String?) -> String {
        // 32 + 1 + 16 hex digits: the header stays within 78 characters for common domains.
        let unique = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        if let threadKey { return "<\(unique).\(digest(threadKey))@\(domain)>" }
        return "<\(unique)@\(domain)>"
    }

    /// The id every message of a thread refers to (stable for one thread key and sender domain).
    static func threadRootID(_ threadKey: String, domain: String) -> String {
        "<thread.\(digest(threadKey))@\(domain)>"
    }

    private static func digest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Header text on one line: CR, LF and other controls become spaces (no header injection).
    static func singleLine(_ text: String) -> String {
        String(
            String.UnicodeScalarView(text.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : $0 })
        )
        .trimmingCharacters(in: .whitespaces)
    }
}
