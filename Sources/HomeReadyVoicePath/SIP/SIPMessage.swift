/// A SIP message (RFC 3261 §7) as plain values: the start line, the header fields in their order, and the body.
///
/// Parsing keeps every header line as it came (name as written, value trimmed), so two messages can be compared
/// field by field: that is how the SIP ALG check tells what a router rewrote.
public struct SIPMessage: Sendable, Equatable {
    /// The first line: a request (`INVITE sip:… SIP/2.0`) or a response (`SIP/2.0 200 OK`).
    public enum StartLine: Sendable, Equatable {
        case request(method: String, uri: String)
        case response(code: Int, reason: String)
    }

    /// One header line: the name as written (`Via`, or its compact form `v`) and the value.
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }

        /// The long form of the name (`v` → `Via`, `call-id` → `Call-ID`).
        public var canonicalName: String { SIPHeaderName.canonical(name) }
    }

    /// Largest message parsed or built (a SIP request over UDP stays far below; RFC 3261 §18.1.1 moves anything
    /// over 1,300 bytes to TCP).
    public static let maxSize = 65_535

    public var startLine: StartLine
    public var headers: [Header]
    public var body: [UInt8]

    public init(startLine: StartLine, headers: [Header] = [], body: [UInt8] = []) {
        self.startLine = startLine
        self.headers = headers
        self.body = body
    }

    /// The request method, or nil for a response.
    public var method: String? {
        if case .request(let method, _) = startLine { return method }
        return nil
    }

    /// The response status code, or nil for a request.
    public var statusCode: Int? {
        if case .response(let code, _) = startLine { return code }
        return nil
    }

    /// Every value of the header `name` (long or compact form, any case), in order.
    public func values(_ name: String) -> [String] {
        let wanted = SIPHeaderName.canonical(name)
        return headers.filter { $0.canonicalName == wanted }.map(\.value)
    }

    /// The first value of the header `name`.
    public func value(_ name: String) -> String? { values(name).first }

    /// The topmost Via, parsed.
    public var topVia: SIPVia? { value("Via").flatMap { SIPVia(parsing: $0) } }

    /// The CSeq number and method.
    public var cseq: (number: Int, method: String)? {
        guard let text = value("CSeq") else { return nil }
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let number = Int(parts[0]) else { return nil }
        return (number, String(parts[1]))
    }

    /// The bytes on the wire: start line, headers and body, lines ended by CRLF. Content-Length is written as the
    /// headers say: set it with `withContentLength()` first.
    public func serialized() -> [UInt8] {
        var text: String
        switch startLine {
        case .request(let method, let uri): text = "\(method) \(uri) SIP/2.0\r\n"
        case .response(let code, let reason): text = "SIP/2.0 \(code) \(reason)\r\n"
        }
        for header in headers { text += "\(header.name): \(header.value)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + body
    }

    /// This message with a Content-Length header (last, replacing any) that matches the body.
    public func withContentLength() -> SIPMessage {
        var copy = self
        copy.headers.removeAll { $0.canonicalName == "Content-Length" }
        copy.headers.append(Header("Content-Length", String(body.count)))
        return copy
    }

    /// Parses one message. The body is what follows the blank line, cut to Content-Length when the header is
    /// there (extra bytes are ignored; fewer bytes than announced is an error). Header lines folded onto the next
    /// line (leading space or tab) are joined. Lines may end in CRLF or LF alone.
    public static func parse(_ bytes: [UInt8]) throws(SIPError) -> SIPMessage {
        guard bytes.count <= maxSize else { throw .tooLarge(bytes.count) }
        guard let split = headerEnd(bytes) else { throw .malformed("no blank line ends the header section") }
        guard let head = String(validating: bytes[..<split.headerEnd], as: UTF8.self) else {
            throw .malformed("the header section is not UTF-8 text")
        }
        var lines: [String] = []
        for raw in head.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            var line = Substring(raw)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if let first = line.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1] += " " + line.trimmingSIPWhitespace()
            } else if !line.isEmpty {
                lines.append(String(line))
            }
        }
        guard let first = lines.first else { throw .malformed("empty message") }
        let startLine = try parseStartLine(first)
        var headers: [Header] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("header line without a colon: \(line.prefix(60))") }
            let name = line[..<colon].trimmingSIPWhitespace()
            guard !name.isEmpty, !name.contains(" ") else { throw .malformed("bad header name in: \(line.prefix(60))") }
            headers.append(Header(name, line[line.index(after: colon)...].trimmingSIPWhitespace()))
        }
        var body = Array(bytes[split.bodyStart...])
        let message = SIPMessage(startLine: startLine, headers: headers)
        if let lengthText = message.value("Content-Length") {
            guard let length = Int(lengthText), length >= 0 else { throw .malformed("Content-Length is not a number: \(lengthText)") }
            guard body.count >= length else { throw .truncated(expected: length, got: body.count) }
            body = Array(body.prefix(length))
        }
        return SIPMessage(startLine: startLine, headers: headers, body: body)
    }

    /// Where the header section ends (the blank line) and the body starts.
    static func headerEnd(_ bytes: [UInt8]) -> (headerEnd: Int, bodyStart: Int)? {
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0A {
                if index + 1 < bytes.count, bytes[index + 1] == 0x0A { return (index, index + 2) }
                if index + 2 < bytes.count, bytes[index + 1] == 0x0D, bytes[index + 2] == 0x0A { return (index, index + 3) }
            }
            index += 1
        }
        return nil
    }

    static func parseStartLine(_ line: String) throws(SIPError) -> StartLine {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        if line.hasPrefix("SIP/2.0 ") {
            guard parts.count >= 2, let code = Int(parts[1]), (100...699).contains(code) else {
                throw .malformed("bad status line: \(line.prefix(60))")
            }
            return .response(code: code, reason: parts.count > 2 ? String(parts[2]) : "")
        }
        guard parts.count == 3, parts[2] == "SIP/2.0", parts[0].allSatisfy({ $0.isLetter || $0 == "-" }) else {
            throw .malformed("bad request line: \(line.prefix(60))")
        }
        return .request(method: String(parts[0]), uri: String(parts[1]))
    }
}

/// Long and compact header names (RFC 3261 §7.3.3, §20).
public enum SIPHeaderName {
    static let compact: [String: String] = [
        "v": "Via", "f": "From", "t": "To", "m": "Contact", "i": "Call-ID", "l": "Content-Length",
        "c": "Content-Type", "k": "Supported", "s": "Subject", "e": "Content-Encoding", "o": "Event",
        "r": "Refer-To", "b": "Referred-By", "u": "Allow-Events", "x": "Session-Expires",
    ]
    static let spelled: [String: String] = [
        "call-id": "Call-ID", "cseq": "CSeq", "www-authenticate": "WWW-Authenticate", "mime-version": "MIME-Version",
    ]

    /// The long form with the usual spelling: `v` → `Via`, `content-length` → `Content-Length`.
    public static func canonical(_ name: String) -> String {
        let lower = name.lowercased()
        if let long = compact[lower] { return long }
        if let special = spelled[lower] { return special }
        return lower.split(separator: "-", omittingEmptySubsequences: false)
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-")
    }
}

/// One Via value: `SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bK…;rport=40211;received=203.0.113.7`.
public struct SIPVia: Sendable, Equatable {
    public var transport: String
    /// The sent-by host (an IPv6 literal without brackets).
    public var host: String
    public var port: Int?
    /// Parameters in order; a parameter without `=` has a nil value (`rport` as the client sends it).
    public var parameters: [(name: String, value: String?)]

    public static func == (lhs: SIPVia, rhs: SIPVia) -> Bool {
        lhs.transport == rhs.transport && lhs.host == rhs.host && lhs.port == rhs.port
            && lhs.parameters.map(\.name) == rhs.parameters.map(\.name)
            && lhs.parameters.map(\.value) == rhs.parameters.map(\.value)
    }

    /// Parses the first via-parm of a Via value (a comma-joined value's first entry).
    public init?(parsing text: String) {
        let firstEntry = text.split(separator: ",", maxSplits: 1).first.map(String.init) ?? text
        let pieces = firstEntry.split(separator: ";").map { $0.trimmingSIPWhitespace() }
        guard let protocolAndHost = pieces.first else { return nil }
        let words = protocolAndHost.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 2 else { return nil }
        let protocolParts = words[0].split(separator: "/")
        guard protocolParts.count == 3, protocolParts[0].uppercased() == "SIP" else { return nil }
        transport = protocolParts[2].uppercased()
        var sentBy = Substring(words[1])
        if sentBy.hasPrefix("[") {
            guard let close = sentBy.firstIndex(of: "]") else { return nil }
            host = String(sentBy[sentBy.index(after: sentBy.startIndex)..<close])
            sentBy = sentBy[sentBy.index(after: close)...]
            if sentBy.hasPrefix(":") {
                guard let value = Int(sentBy.dropFirst()) else { return nil }
                port = value
            } else {
                port = nil
            }
        } else if let colon = sentBy.lastIndex(of: ":") {
            host = String(sentBy[..<colon])
            guard let value = Int(sentBy[sentBy.index(after: colon)...]) else { return nil }
            port = value
        } else {
            host = String(sentBy)
            port = nil
        }
        guard !host.isEmpty else { return nil }
        parameters = pieces.dropFirst().map { piece in
            guard let equals = piece.firstIndex(of: "=") else { return (piece.lowercased(), nil) }
            return (piece[..<equals].lowercased(), String(piece[piece.index(after: equals)...]))
        }
    }

    /// The value of a parameter (`branch`, `received`, `rport`); nil when absent or without a value.
    public func parameter(_ name: String) -> String? {
        parameters.first { $0.name == name.lowercased() }?.value ?? nil
    }

    /// `received=`: the address the server saw the request come from (RFC 3261 §18.2.1).
    public var received: String? { parameter("received") }
    /// `rport=`: the source port the server saw (RFC 3581).
    public var rport: Int? { parameter("rport").flatMap { Int($0) } }
}

/// A SIP message could not be read.
public struct SIPError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable { case malformed, truncated, tooLarge }
    private let code: Code
    /// What is wrong, in words.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Not a SIP message: the text says which part is wrong.
    public static func malformed(_ detail: String) -> SIPError { SIPError(.malformed, "not a SIP message: \(detail)") }
    /// The body is shorter than Content-Length announces.
    public static func truncated(expected: Int, got: Int) -> SIPError {
        SIPError(.truncated, "the body has \(got) bytes but Content-Length says \(expected)")
    }
    /// Larger than `SIPMessage.maxSize`.
    public static func tooLarge(_ size: Int) -> SIPError {
        SIPError(.tooLarge, "a SIP message of \(size) bytes is larger than the \(SIPMessage.maxSize) bytes allowed")
    }

    public var description: String { message }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingSIPWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
