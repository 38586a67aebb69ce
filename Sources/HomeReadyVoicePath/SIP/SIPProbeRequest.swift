import HomeReadyModel
import HomeReadyTransport

/// The requests the voice-path checks send, built from the socket's own (private) address as a softphone at home
/// writes it: in the Via, From and Contact, and in the SDP `o=` and `c=` lines.
public enum SIPProbeRequest {
    /// The random parts that tie a request to its answers.
    public struct Identity: Sendable, Equatable {
        public var callID: String
        /// The Via branch (RFC 3261 magic cookie `z9hG4bK` first).
        public var branch: String
        public var fromTag: String

        public init(callID: String, branch: String, fromTag: String) {
            self.callID = callID
            self.branch = branch
            self.fromTag = fromTag
        }

        /// Fresh random values.
        public static func random() -> Identity {
            Identity(callID: hex(16), branch: "z9hG4bK" + hex(10), fromTag: hex(6))
        }

        static func hex(_ bytes: Int) -> String {
            (0..<bytes).map { _ in
                let byte = UInt8.random(in: 0...255)
                return (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }.joined()
        }
    }

    /// The SDP media port offered (the mirror never sends media; an ALG may still rewrite it).
    public static let mediaPort = 49_170

    /// An INVITE with an audio offer, to the SIP mirror at `host:port`, from `local` (the socket's own address).
    /// Content-Length is the last header: Linux's SIP helper frames SIP over TCP only that way.
    public static func invite(
        transport: SIPTransport, local: IPEndpoint, host: String, port: Int, identity: Identity
    ) -> SIPMessage {
        let localHost = uriHost(local.address)
        let parameter = transport == .udp ? "" : ";transport=\(transport.rawValue)"
        let family = local.isIPv6 ? "IP6" : "IP4"
        let sdp = [
            "v=0",
            "o=homeready 1 1 IN \(family) \(local.address)",
            "s=HomeReady SIP ALG check",
            "c=IN \(family) \(local.address)",
            "t=0 0",
            "m=audio \(mediaPort) RTP/AVP 0 8 101",
            "a=rtpmap:0 PCMU/8000",
            "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:101 telephone-event/8000",
            "a=sendrecv",
        ].map { $0 + "\r\n" }.joined()
        return SIPMessage(
            startLine: .request(method: "INVITE", uri: "sip:mirror@\(uriHost(host)):\(port)\(parameter)"),
            headers: [
                .init("Via", "SIP/2.0/\(transport.rawValue.uppercased()) \(localHost):\(local.port);branch=\(identity.branch);rport"),
                .init("Max-Forwards", "70"),
                .init("From", "\"HomeReady\" <sip:homeready@\(localHost):\(local.port)>;tag=\(identity.fromTag)"),
                .init("To", "<sip:mirror@\(uriHost(host)):\(port)>"),
                .init("Call-ID", "\(identity.callID)@\(localHost)"),
                .init("CSeq", "1 INVITE"),
                .init("Contact", "<sip:homeready@\(localHost):\(local.port)\(parameter)>"),
                .init("User-Agent", "HomeReady/\(HomeReadyVersion.current)"),
                .init("Content-Type", "application/sdp"),
            ],
            body: Array(sdp.utf8)
        ).withContentLength()
    }

    /// An OPTIONS keep-alive to an SBC, asking for `rport` (RFC 3581) so the SBC says which port it saw.
    public static func options(
        transport: SIPTransport, local: IPEndpoint, host: String, port: Int, identity: Identity
    ) -> SIPMessage {
        let localHost = uriHost(local.address)
        let parameter = transport == .udp ? "" : ";transport=\(transport.rawValue)"
        return SIPMessage(
            startLine: .request(method: "OPTIONS", uri: "sip:\(uriHost(host)):\(port)\(parameter)"),
            headers: [
                .init("Via", "SIP/2.0/\(transport.rawValue.uppercased()) \(localHost):\(local.port);branch=\(identity.branch);rport"),
                .init("Max-Forwards", "70"),
                .init("From", "<sip:homeready@\(localHost)>;tag=\(identity.fromTag)"),
                .init("To", "<sip:\(uriHost(host)):\(port)>"),
                .init("Call-ID", "\(identity.callID)@\(localHost)"),
                .init("CSeq", "1 OPTIONS"),
                .init("Contact", "<sip:homeready@\(localHost):\(local.port)\(parameter)>"),
                .init("Accept", "application/sdp"),
                .init("User-Agent", "HomeReady/\(HomeReadyVersion.current)"),
            ]
        ).withContentLength()
    }

    /// The ACK that ends an INVITE transaction answered with a final non-2xx response (RFC 3261 §17.1.1.3): same
    /// Request-URI, Via branch, Call-ID, From and CSeq number, the To of the response. No dialog is left behind.
    public static func ack(for invite: SIPMessage, response: SIPMessage) -> SIPMessage {
        guard case .request(_, let uri) = invite.startLine else { return invite }
        var headers: [SIPMessage.Header] = []
        if let via = invite.value("Via") { headers.append(.init("Via", via)) }
        headers.append(.init("Max-Forwards", "70"))
        if let from = invite.value("From") { headers.append(.init("From", from)) }
        if let to = response.value("To") ?? invite.value("To") { headers.append(.init("To", to)) }
        if let callID = invite.value("Call-ID") { headers.append(.init("Call-ID", callID)) }
        headers.append(.init("CSeq", "\(invite.cseq?.number ?? 1) ACK"))
        return SIPMessage(startLine: .request(method: "ACK", uri: uri), headers: headers).withContentLength()
    }

    /// Whether `response` answers the request with `branch` and CSeq method `method`.
    public static func matches(_ response: SIPMessage, branch: String, method: String) -> Bool {
        response.statusCode != nil && response.topVia?.parameter("branch") == branch && response.cseq?.method == method
    }

    /// A host for a SIP URI or Via: IPv6 literals in brackets.
    static func uriHost(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }
}

/// Cuts SIP messages out of a byte stream (TCP, TLS) by their Content-Length (RFC 3261 §18.3). Pure.
public struct SIPStreamFramer: Sendable {
    private var buffer: [UInt8] = []

    public init() {}

    /// Adds received bytes.
    public mutating func append(_ bytes: [UInt8]) { buffer += bytes }

    /// The next whole message, nil when more bytes are needed. Throws when the stream cannot be SIP: a header
    /// section or message over `SIPMessage.maxSize`, or a missing or bad Content-Length (required on streams).
    public mutating func next() throws(SIPError) -> [UInt8]? {
        // Keep-alive CRLFs between messages (RFC 5626 §3.5.1) are skipped.
        while let first = buffer.first, first == 0x0D || first == 0x0A { buffer.removeFirst() }
        guard let split = SIPMessage.headerEnd(buffer) else {
            if buffer.count > SIPMessage.maxSize { throw .tooLarge(buffer.count) }
            return nil
        }
        let head = String(decoding: buffer[..<split.headerEnd], as: UTF8.self)
        var length: Int?
        for line in head.split(whereSeparator: \.isNewline).dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if SIPHeaderName.canonical(line[..<colon].trimmingSIPWhitespace()) == "Content-Length" {
                length = Int(line[line.index(after: colon)...].trimmingSIPWhitespace())
                if length == nil { throw .malformed("Content-Length is not a number") }
            }
        }
        guard let length else { throw .malformed("no Content-Length on a stream transport") }
        let total = split.bodyStart + length
        guard total <= SIPMessage.maxSize else { throw .tooLarge(total) }
        guard buffer.count >= total else { return nil }
        let message = Array(buffer[..<total])
        buffer.removeFirst(total)
        return message
    }
}
