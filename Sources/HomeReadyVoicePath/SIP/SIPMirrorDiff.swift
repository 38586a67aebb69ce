import Foundation

/// What the SIP mirror (`homeready-server serve --sip-port`) answers: a SIP response whose body is the request
/// exactly as it arrived, base64-encoded (`Content-Type: message/sip`, `Content-Transfer-Encoding: base64`).
///
/// Base64 matters: an ALG rewrites addresses in anything that looks like SIP, also on the way back, and would
/// turn a plain mirrored copy back into what was sent (seen with Linux's own SIP helper: the mirrored From and
/// Contact came back restored), hiding itself.
public enum SIPMirrorBody {
    /// The media type of the mirrored request.
    public static let contentType = "message/sip"

    /// The request as the mirror received it, from a mirror response; nil when the answer carries no mirror body.
    public static func mirroredRequest(in response: SIPMessage) -> [UInt8]? {
        guard let type = response.value("Content-Type"), type.lowercased().hasPrefix(contentType) else { return nil }
        let encoding = response.value("Content-Transfer-Encoding")?.lowercased()
        guard encoding == "base64" else { return response.body }
        let text = String(decoding: response.body, as: UTF8.self).filter { !$0.isWhitespace }
        return Data(base64Encoded: text).map { Array($0) }
    }
}

/// A session description's lines (RFC 8866), grouped by type letter in order: `o`, `c`, `m`, `a`, ….
public struct SDPLines: Sendable, Equatable {
    public var lines: [(type: Character, value: String)]

    public static func == (lhs: SDPLines, rhs: SDPLines) -> Bool {
        lhs.lines.map(\.type) == rhs.lines.map(\.type) && lhs.lines.map(\.value) == rhs.lines.map(\.value)
    }

    /// Reads `x=value` lines (CRLF or LF); other lines are kept under type `?`.
    public init(_ body: [UInt8]) {
        let text = String(decoding: body, as: UTF8.self)
        lines = text.split(whereSeparator: \.isNewline).compactMap { raw in
            var line = Substring(raw)
            if line.hasSuffix("\r") { line = line.dropLast() }
            guard !line.isEmpty else { return nil }
            if line.count >= 2, line.dropFirst().first == "=", let type = line.first {
                return (type, String(line.dropFirst(2)))
            }
            return ("?", String(line))
        }
    }

    /// The values of one line type, in order.
    public func values(_ type: Character) -> [String] { lines.filter { $0.type == type }.map(\.value) }
}

/// Compares the request sent with the request the mirror received, and names what changed on the way.
public enum SIPMirrorDiff {
    /// The fields that differ, in the order they appear in the sent request: `Request-URI`, header names in
    /// their long form (`Via`, `From`, `Contact`, `Content-Length`, …; a header added or removed on the way
    /// counts too), SDP lines as `sdp.o`, `sdp.c`, `sdp.m`, `sdp.a`, or `body` for a non-SDP body. When the bytes
    /// differ but no field does (spacing, case of names, line ends), the answer is `["message"]`.
    public static func rewrittenFields(sent: SIPMessage, received: SIPMessage, receivedBytes: [UInt8]? = nil) -> [String] {
        var fields: [String] = []
        if sent.startLine != received.startLine { fields.append("Request-URI") }
        var names: [String] = []
        for header in sent.headers + received.headers where !names.contains(header.canonicalName) {
            names.append(header.canonicalName)
        }
        for name in names where sent.values(name) != received.values(name) { fields.append(name) }
        if sent.body != received.body {
            let isSDP = [sent, received].contains { $0.value("Content-Type")?.lowercased().hasPrefix("application/sdp") == true }
            if isSDP {
                let before = SDPLines(sent.body)
                let after = SDPLines(received.body)
                var types: [Character] = []
                for line in before.lines + after.lines where !types.contains(line.type) { types.append(line.type) }
                for type in types where before.values(type) != after.values(type) { fields.append("sdp.\(type)") }
                if fields.allSatisfy({ !$0.hasPrefix("sdp.") }) { fields.append("body") }
            } else {
                fields.append("body")
            }
        }
        if fields.isEmpty, let receivedBytes, receivedBytes != sent.serialized() { fields.append("message") }
        return fields
    }
}
