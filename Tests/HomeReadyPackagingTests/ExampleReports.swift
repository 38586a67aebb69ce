import Foundation
import HomeReadyModel

/// Reports that set every key the report format has, so the schema test sees each of them.
enum ExampleReports {
    static let time = Date(timeIntervalSince1970: 1_795_536_000)

    /// A command-line report with every optional part filled in.
    static let everyField = CheckReport(
        agent: AgentIdentity(employeeID: "E1001", hostname: "agent-laptop", user: "maria"),
        profile: ProfileReference(id: "inbound-voice", version: 1),
        startedAt: time, finishedAt: time.addingTimeInterval(31), verdict: .readyWithWarnings,
        findings: [
            Finding(
                id: "network.download", section: .network, severity: .critical, status: .pass, measured: .number(48.2),
                limit: .number(10), unit: "Mbit/s", message: "Download 48.2 Mbit/s (at least 10 needed)"),
            Finding(
                id: "network.latency_loaded", section: .network, severity: .warning, status: .fail,
                measured: .number(240), limit: .number(200), unit: "ms", message: "Latency under load 240 ms",
                remediation: "Enable SQM on the router.",
                messageText: LocalizedText("finding.threshold.fail.at_most", [
                    "what": .term("what.network.latency_loaded"), "measured": .number(240, unit: "ms"),
                    "limit": .number(200, unit: "ms"), "name": .text("corp"),
                ]),
                remediationText: LocalizedText("check.fix.ask_it", [
                    "fix": .localized(LocalizedText(translations: ["en": "Enable SQM on the router.", "es": "Activa SQM en el módem."]))
                ])),
            Finding(
                id: "equipment.wired_link", section: .equipment, severity: .warning, status: .warn,
                measured: .flag(false), limit: .text("present"), message: "No cable", remediation: "Plug it in."),
        ],
        network: {
            var network = NetworkResult(
                downloadMbps: 48.2, uploadMbps: 9.7, latencyIdleMs: LatencySummary(min: 11, p50: 13.5, p90: 17),
                latencyLoadedDownMs: LatencySummary(min: 20, p50: 180, p90: 240),
                latencyLoadedUpMs: LatencySummary(min: 21, p50: 90, p90: 120), jitterMs: 1.8, lossPercent: 0.4,
                udpProbes: UDPProbeCounts(sent: 250, lost: 1, lostUp: 1, lostDown: 0, reordered: 0, duplicated: 0),
                dnsMs: 12, tlsHandshakeMs: 30, responsivenessRPM: 250, udpBlocked: false,
                method: MeasurementMethod(
                    server: "https://homeready.example.internal", downloadStreams: 4, uploadStreams: 2,
                    downloadSeconds: 6.1, uploadSeconds: 5.4, downloadBytes: 36_000_000, uploadBytes: 6_500_000,
                    jitterFormula: "rfc3550", latencyTransport: "udp", proxy: "none", interface: "eth0",
                    serverShared: false, notes: ["warm-up discarded"]))
            network.jitterUpMs = 1.2
            network.jitterDownMs = 1.9
            network.ipdvMs = LatencySummary(min: 0, p50: 0.8, p90: 2.5)
            return network
        }(),
        voice: VoiceResult(
            codec: "g711", rFactor: 92.1, mos: 4.39, mosLoaded: 4.05, maxConcurrentCalls: 90, recommendedCodec: "g711",
            model: "itu-t-g107"),
        vpn: [
            VPNResult(
                name: "corp-ssl", host: "vpn.example.com", port: 443, transport: .tls, state: .reachable, connectMs: 22,
                dnsMs: 5, addresses: [VPNAddressResult(address: "192.0.2.10", connectMs: 22, state: .reachable)],
                tls: TLSInspection(
                    protocolVersion: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", verified: false,
                    verifyError: "self-signed certificate", subject: "CN=vpn.example.com", issuer: "CN=vpn.example.com",
                    notAfter: "2027-11-24T00:00:00Z", daysToExpiry: 365, hostnameMatches: true,
                    spkiSHA256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", pinMatches: true, handshakeMs: 40),
                detail: "reachable", remediation: "none needed", pathMTUBytes: 1400, requiredMTUBytes: 273),
            VPNResult(name: "corp-ike", host: "ike.example.com", port: 500, transport: .ikev2, state: .filtered),
        ],
        vpnPath: VPNPathResult(
            stun: [
                STUNResult(
                    host: "stun.example.com", port: 3478, state: .reachable, rttMs: 20, mappedAddress: "203.0.113.7",
                    mappedPort: 40_000, localAddress: "192.168.1.20", natDetected: true)
            ],
            natBinding: NATBindingEstimate(survivedSeconds: 60, expiredWithinSeconds: 120, inconclusive: [90]),
            pathMTUProbed: true, pathMTUBytes: 1472, localMTUBytes: 1500,
            tunnel: TunnelStatus(
                interfaces: ["wg0"], routes: [.init(network: "10.20.0.0/16", interface: "wg0", throughTunnel: true)],
                names: [.init(name: "crm.corp.internal", addresses: ["10.20.0.5"], failure: nil),
                        .init(name: "wiki.corp.internal", addresses: [], failure: "NXDOMAIN")],
                health: .init(url: "https://health.corp.internal/", statusCode: 200, failure: nil))),
        posture: [
            PostureResult(
                id: "disk-encryption", title: "Disk encryption", status: .pass, severity: .critical,
                evidence: "dm-crypt under /", remediation: "Reinstall with LUKS.", references: ["CIS-Controls-v8:3.6"])
        ],
        postureContext: PostureContext(collection: .live, requirements: PostureGate(status: .pass, evidence: "os.family = linux")),
        equipment: [
            EquipmentResult(
                kind: "usb_headset", present: true, detail: "Jabra Evolve2 40", required: true, undetermined: false,
                identities: ["0b0e:24f1:ABC123"])
        ],
        observations: [
            Finding(
                id: "network.captive_portal", section: .general, severity: .info, status: .pass, message: "No portal")
        ],
        tool: ToolInfo(version: HomeReadyVersion.current, platform: "linux"),
        source: .cli)

    /// A browser self-test report with every browser key.
    static let browser = CheckReport(
        agent: AgentIdentity(employeeID: "E1002", hostname: "browser"),
        profile: ProfileReference(id: "inbound-voice", version: 1),
        startedAt: time, finishedAt: time.addingTimeInterval(24), verdict: .ready,
        network: NetworkResult(
            downloadMbps: 40, uploadMbps: 8, latencyIdleMs: LatencySummary(min: 15, p50: 18, p90: 25), jitterMs: 1.9,
            lossPercent: 0, udpBlocked: false,
            method: MeasurementMethod(server: "https://homeready.example.internal", latencyTransport: "tcp", notes: ["browser"])),
        equipment: [EquipmentResult(kind: "usb_headset", present: true, detail: "Jabra Evolve2 40 (0b0e:24f1)")],
        tool: ToolInfo(name: "homeready-selftest", version: "1", platform: "browser"),
        source: .browser,
        browser: BrowserResult(
            userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", browser: "Chrome 126", os: "Windows", cpuCores: 8,
            memoryGB: 8, language: "es-MX",
            relay: RelayCallResult(
                transport: .udp, rttMs: 38.5, jitterMs: 1.9, lossPercent: 0, packetsSent: 1006, packetsReceived: 1004,
                packetsLost: 0, callSeconds: 10.1,
                attempts: [RelayAttempt(transport: .udp, connected: true, seconds: 0.4),
                           RelayAttempt(transport: .tcp, connected: false, seconds: 3, error: "timeout")]),
            microphone: MicrophoneResult(status: .ok, rmsDBFS: -31.2, peak: 0.41, clippedRun: 0, device: "Jabra"),
            speaker: SpeakerResult(status: .heard, answerSeconds: 2.4),
            devices: [BrowserDevice(kind: "audioinput", label: "Jabra Evolve2 40 (0b0e:24f1)", usb: true, headset: true)],
            testSeconds: 23.8))
}
