import Foundation
import HomeReadyModel
import Yams

extension VoicePathSettings {
    /// Reads the `voice:` section: `sbc:` and `turn:` lists.
    static func read(_ section: MappingReader) -> VoicePathSettings {
        let diagnostics = section.diagnostics
        let sbc = (section.list("sbc") ?? []).compactMap { SBCEndpoint.read($0.node, field: $0.field, diagnostics: diagnostics) }
        let turn = (section.list("turn") ?? []).compactMap { TURNEndpoint.read($0.node, field: $0.field, diagnostics: diagnostics) }
        section.rejectUnknownKeys()
        return VoicePathSettings(sbc: sbc, turn: turn)
    }
}

extension SBCEndpoint {
    static func read(_ node: Node, field: String, diagnostics: YAMLDiagnostics) -> SBCEndpoint? {
        guard let item = MappingReader(node, path: field, diagnostics: diagnostics) else { return nil }
        let before = diagnostics.diagnostics.count
        let host = item.string("host", required: true, expected: "the SBC's host name or IP address")
        let transport = item.oneOf("transport", SIPTransport.self) ?? .udp
        let port = item.int("port", range: 1...65535, expected: "a port number (default 5060, 5061 for tls)")
        let required = item.bool("required") ?? true
        item.rejectUnknownKeys()
        guard diagnostics.diagnostics.count == before, let host else { return nil }
        return SBCEndpoint(host: host, port: port, transport: transport, required: required)
    }
}

extension TURNEndpoint {
    static func read(_ node: Node, field: String, diagnostics: YAMLDiagnostics) -> TURNEndpoint? {
        guard let item = MappingReader(node, path: field, diagnostics: diagnostics) else { return nil }
        let before = diagnostics.diagnostics.count
        let host = item.string("host", required: true, expected: "the TURN relay's host name or IP address")
        let transport = item.oneOf("transport", TURNTransport.self) ?? .udp
        let port = item.int("port", range: 1...65535, expected: "a port number (default 3478, 443 for tls)")
        item.rejectUnknownKeys()
        guard diagnostics.diagnostics.count == before, let host else { return nil }
        return TURNEndpoint(host: host, port: port, transport: transport)
    }
}
