import Foundation

/// The SIP mirror's logic, apart from sockets: the answer to one SIP request, carrying the request exactly as it
/// arrived so the agent can tell what a router's SIP ALG rewrote on the way (docs/voice-path.md).
///
/// - INVITE is answered `488 Not Acceptable Here` (a final non-2xx answer: no call is set up, the agent's ACK
///   ends the transaction, nothing is remembered); every other request but ACK is answered `200 OK`; ACK and
///   responses get no answer.
/// - The answer copies the Via headers, From, To (with a tag added), Call-ID and CSeq, names the address the
///   request came from in `X-HomeReady-Source`, and carries the request as a base64 `message/sip` body
///   (`Content-Transfer-Encoding: base64`): an ALG on the way back then cannot restore what it rewrote.
/// - Anything that is not a SIP request with a Via, or is larger than `maxMessageBytes`, is ignored.
public enum SIPMirrorResponder {
    /// Largest request mirrored (a UDP datagram's limit).
    public static let maxMessageBytes = 65_535

    /// The response to `request` (received from `source`, `address:port`), or nil when none is due.
    public static func answer(_ request: [UInt8], source: String) -> [UInt8]? {
        guard request.count <= maxMessageBytes, let end = headerEnd(request) else { return nil }
        guard let head = String(validating: request[..<end], as: UTF8.self) else { return nil }
        let lines = unfoldedLines(head)
        guard let first = lines.first, let method = requestMethod(first), method != "ACK" else { return nil }
        var vias: [String] = []
        var copied: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = longName(line[..<colon].trimmingCharacters(in: .whitespaces))
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "via": vias.append(value)
            case "from": copied.append(("From", value))
            case "to": copied.append(("To", value.lowercased().contains(";tag=") ? value : value + ";tag=\(tag())"))
            case "call-id": copied.append(("Call-ID", value))
            case "cseq": copied.append(("CSeq", value))
            default: break
            }
        }
        guard !vias.isEmpty else { return nil }
        let status = method == "INVITE" ? "488 Not Acceptable Here" : "200 OK"
        let body = base64Lines(request)
        var text = "SIP/2.0 \(status)\r\n"
        for via in vias { text += "Via: \(via)\r\n" }
        for (name, value) in copied { text += "\(name): \(value)\r\n" }
        text += "Server: HomeReady SIP mirror\r\n"
        text += "X-HomeReady-Source: \(source)\r\n"
        text += "Content-Type: message/sip\r\n"
        text += "Content-Transfer-Encoding: base64\r\n"
        text += "Content-Length: \(body.utf8.count)\r\n\r\n"
        return Array((text + body).utf8)
    }

    /// The index of the blank line ending the header section (CRLF CRLF or LF LF), nil when there is none.
    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        headerSplit(bytes[...])?.headerEnd
    }

    /// Where the header section ends and the body begins, in `bytes`' own indices.
    static func headerSplit(_ bytes: ArraySlice<UInt8>) -> (headerEnd: Int, bodyStart: Int)? {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == 0x0A {
                if index + 1 < bytes.endIndex, bytes[index + 1] == 0x0A { return (index, index + 2) }
                if index + 2 < bytes.endIndex, bytes[index + 1] == 0x0D, bytes[index + 2] == 0x0A {
                    return (index, index + 3)
                }
            }
            index += 1
        }
        return nil
    }

    /// Header lines with folded continuations joined, without line ends and empty lines.
    static func unfoldedLines(_ head: String) -> [String] {
        var lines: [String] = []
        for raw in head.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            var line = Substring(raw)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if let first = line.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            } else if !line.isEmpty {
                lines.append(String(line))
            }
        }
        return lines
    }

    /// The method of a request line `METHOD URI SIP/2.0`, nil for anything else (a status line included).
    static func requestMethod(_ line: String) -> String? {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[2] == "SIP/2.0", !parts[0].isEmpty, parts[0].count <= 32,
            parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") })
        else { return nil }
        return parts[0].uppercased()
    }

    /// The lower-case long form of a header name (compact forms of RFC 3261 §7.3.3).
    static func longName(_ name: String) -> String {
        switch name.lowercased() {
        case "v": return "via"
        case "f": return "from"
        case "t": return "to"
        case "i": return "call-id"
        case "l": return "content-length"
        case let other: return other
        }
    }

    /// The Content-Length of a header section, nil when absent or not a number.
    static func contentLength(_ head: String) -> Int? {
        for line in unfoldedLines(head).dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if longName(line[..<colon].trimmingCharacters(in: .whitespaces)) == "content-length" {
                return Int(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
        }
        return nil
    }

    static func base64Lines(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            + "\r\n"
    }

    static func tag() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }
}
