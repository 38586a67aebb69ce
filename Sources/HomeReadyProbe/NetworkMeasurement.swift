import Foundation
import HomeReadyLocalization
import HomeReadyModel
import HomeReadyScoring
import HomeReadyTransport
import Logging

/// Runs the measurements of one network check in order and collects figures and fault findings.
struct NetworkMeasurement: Sendable {
    var options: NetworkCheckOptions
    var environment: [String: String]
    var progress: ProgressHandler
    var logger: Logger
    var cancellation: TransferCancellation
    var deadline: Date
    /// The profile's loss limit in percent: the idle stream runs until its loss interval decides against it.
    var lossLimitPercent: Double? = nil
    /// The profile's VPN gateways: when the server is reached through a tunnel, one is timed outside it.
    var vpnGateways: [VPNGateway] = []

    /// Figures so far and the findings for faults met on the way.
    struct Outcome: Sendable {
        var network = NetworkResult()
        var faults: [Finding] = []
        var notes: [String] = []
    }

    var remaining: Double { max(0.5, deadline.timeIntervalSinceNow) }
    var remainingSeconds: Double { remaining }

    func requestTemplate(for url: String) -> HTTPRequest { template(for: url) }

    private func template(for url: String) -> HTTPRequest {
        let proxy = ProxyEnvironment(environment: environment).proxy(for: url)
        return HTTPRequest(
            url: url, timeoutSeconds: min(10, remaining), connectTimeoutSeconds: min(5, remaining), stallSeconds: 3,
            interface: options.interface, proxy: proxy, ipFamily: options.ipFamily, insecure: options.insecureTLS)
    }

    /// A fault met while measuring, as a finding whose sentences come from the message catalog.
    static func fault(
        _ id: String, _ text: LocalizedText, _ fix: LocalizedText, severity: Severity = .critical,
        status: FindingStatus = .error, measured: FindingValue? = nil, unit: String? = nil
    ) -> Finding {
        Finding(
            id: id, section: .network, severity: severity, status: status, measured: measured, unit: unit, text: text,
            fix: fix)
    }

    func run() async -> Outcome {
        var outcome = Outcome()
        var method = MeasurementMethod(jitterFormula: "mean_abs_ipdv", interface: options.interface)
        progress(CheckProgress(phase: "network.discover", message: "Finding the test server"))
        let seedURL = options.serverURL?.absoluteString ?? options.downloadURL?.absoluteString ?? options.uploadURL?.absoluteString ?? ""
        let endpoints: SpeedEndpoints
        do {
            endpoints = try await SpeedEndpoints.discover(options: options, request: template(for: seedURL), cancellation: cancellation)
        } catch {
            outcome.faults.append(Self.fault(
                "network.server", LocalizedText("finding.network.server", ["error": .text("\(error)")]),
                .init("fix.network.server")))
            return outcome
        }
        method.server = endpoints.serverLabel
        if let proxy = ProxyEnvironment(environment: environment).proxy(for: endpoints.downloadURL ?? endpoints.uploadURL ?? seedURL) {
            method.proxy = ProxyEnvironment.redacted(proxy)
            outcome.notes.append("HTTP tests went through the proxy \(ProxyEnvironment.redacted(proxy)); UDP probes do not use proxies.")
            outcome.faults.append(Self.fault(
                "network.proxy", .init("finding.network.proxy"), .init("fix.network.proxy"), severity: .info, status: .warn,
                measured: .text(ProxyEnvironment.redacted(proxy))))
        }

        // 1. Pre-flight: DNS and TLS times, HTTP status, captive portal.
        var downloadUsable = endpoints.downloadURL != nil
        if let url = endpoints.downloadStreamURL(bytes: 64 * 1024) {
            var request = template(for: url)
            if !endpoints.downloadIsOurs { request.headers.append("Range: bytes=0-65535") }
            do {
                let response = try await HTTPClient.perform(request, cancellation: cancellation)
                outcome.network.dnsMs = Self.round(response.timing.dnsMs)
                outcome.network.tlsHandshakeMs = response.timing.tlsHandshakeMs.map(Self.round)
                if let fault = Self.httpFault(response, url: url) {
                    outcome.faults.append(fault)
                    downloadUsable = false
                }
            } catch {
                outcome.faults.append(Self.transferFault("network.download", error))
                downloadUsable = false
            }
        }

        // 2. Idle latency, jitter and loss from a voice-like UDP stream; TCP round trips when UDP is blocked.
        progress(CheckProgress(phase: "network.latency", message: "Measuring latency, jitter and loss"))
        var udpWorks = false
        if let host = endpoints.echoHost, let port = endpoints.echoPort {
            let stream = idleStream(host: host, port: port)
            do {
                let result = try await BlockingThread.run { [cancellation] in try stream.runBlocking(cancellation: cancellation) }
                udpWorks = !result.arrivals.isEmpty
                if udpWorks {
                    Self.apply(result, to: &outcome.network)
                    method.latencyTransport = "udp"
                } else if result.sent > 0 {
                    outcome.network.udpBlocked = true
                    outcome.faults.append(Self.fault(
                        "network.udp_blocked",
                        LocalizedText("finding.network.udp_blocked", [
                            "count": .count(result.sent), "peer": .text("\(host):\(port)"),
                        ]),
                        .init("fix.network.udp_blocked"), status: .fail, measured: .number(Double(result.sent)),
                        unit: "probes"))
                }
            } catch {
                outcome.faults.append(Self.fault(
                    "network.udp", LocalizedText("finding.network.udp", ["error": .text("\(error)")]),
                    .init("fix.network.udp"), severity: .warning))
            }
        }
        if !udpWorks, let pingURL = endpoints.pingURL {
            let probe = TCPRoundTrips(request: template(for: pingURL), count: 10)
            let (rtts, _) = await BlockingThread.run { [cancellation] in probe.runBlocking(cancellation: cancellation) }
            if let summary = LatencyStatistics.summary(rtts) {
                outcome.network.latencyIdleMs = LatencySummary(min: Self.round(summary.min), p50: Self.round(summary.p50), p90: Self.round(summary.p90))
                outcome.network.jitterMs = LatencyStatistics.rfc3550Jitter(rtts: rtts).map(Self.round)
                method.latencyTransport = "tcp"
                outcome.notes.append("Latency from \(rtts.count) TCP handshakes (UDP unavailable); loss is not measured over TCP.")
            }
        }

        // The first hop (the home router) and, when the server is behind a VPN tunnel, the VPN gateway outside it,
        // idle: to tell the home network from the provider and from the VPN.
        let serverAddress = endpoints.echoHost.flatMap { HostResolver.resolveBlocking($0).addresses.first }
        let vpnLeg = serverAddress.flatMap { VPNLeg.locate(toward: $0, gateways: vpnGateways) }
        let firstHop = (vpnLeg?.ping.address ?? serverAddress).flatMap {
            FirstHop.locate(toward: $0, interface: vpnLeg == nil ? options.interface : nil)
        }
        var firstHopResult = firstHop.map {
            FirstHopResult(address: $0.gateway, interface: $0.interface, wireless: $0.wireless, wifiSignalDbm: $0.wifiSignalDbm)
        }
        if let firstHop {
            firstHopResult?.rttIdleMs = HandshakePing.summary(await firstHop.ping.roundTrips(count: 10, spacing: 0.05, stop: cancellation))
            if firstHopResult?.rttIdleMs == nil { firstHopResult = nil }
        }
        var vpnResult = vpnLeg.map {
            VPNGatewayLegResult(name: $0.gateway.name, address: $0.ping.address, tunnelInterface: $0.tunnelInterface)
        }
        if let vpnLeg {
            vpnResult?.rttIdleMs = HandshakePing.summary(await vpnLeg.ping.roundTrips(count: 10, spacing: 0.05, stop: cancellation))
            if vpnResult?.rttIdleMs == nil { vpnResult = nil }
        }
        let loadedPings = [firstHopResult == nil ? nil : firstHop?.ping, vpnResult == nil ? nil : vpnLeg?.ping]

        // 3. Throughput, each direction with latency probes under load: download first, then upload; after each,
        //    a voice-like stream beside the same load (loaded jitter and loss, the first hop under load).
        for direction in [Direction.download, .upload] {
            let usable =
                direction == .download ? downloadUsable && endpoints.downloadURL != nil : endpoints.uploadURL != nil
            guard usable, remaining > 2 else { continue }
            progress(
                CheckProgress(phase: "network.\(direction.rawValue)", message: "Measuring \(direction.rawValue) speed"))
            let run = await throughput(
                direction, endpoints: endpoints, udp: udpWorks, roundTripMs: outcome.network.latencyIdleMs?.p50)
            outcome.faults += run.faults
            run.record(direction, in: &outcome.network, method: &method)
            guard run.mbps != nil, udpWorks, remaining > 2, !cancellation.isCancelled else { continue }
            progress(CheckProgress(phase: "network.\(direction.rawValue).voice", message: "Measuring a call while the \(direction.rawValue) is busy"))
            let loaded = await loadedVoice(
                direction, endpoints: endpoints, streams: run.streams ?? 4, pings: loadedPings)
            let hop = HandshakePing.summary(loaded.pingRTTs[0])
            let gateway = HandshakePing.summary(loaded.pingRTTs[1])
            switch direction {
            case .download:
                outcome.network.voiceLoadedDown = loaded.stream
                firstHopResult?.rttLoadedDownMs = hop
                vpnResult?.rttLoadedDownMs = gateway
            case .upload:
                outcome.network.voiceLoadedUp = loaded.stream
                firstHopResult?.rttLoadedUpMs = hop
                vpnResult?.rttLoadedUpMs = gateway
            }
        }
        outcome.network.firstHop = firstHopResult
        outcome.network.vpnGateway = vpnResult
        if cancellation.isCancelled {
            outcome.faults.append(Self.fault(
                "network.deadline",
                LocalizedText("finding.network.deadline", ["limit": .number(options.deadlineSeconds.rounded(), unit: "s")]),
                .init("fix.network.deadline")))
        }
        if let info = endpoints.infoURL, let after = await serverActiveTests(infoURL: info) {
            method.serverShared = max(after, endpoints.activeTestsBefore ?? 0) > 0
            if method.serverShared == true { outcome.notes.append("The server ran other tests at the same time; speeds may be lower than the link allows.") }
        }
        method.notes = outcome.notes.isEmpty ? nil : outcome.notes
        outcome.network.method = method
        return outcome
    }

    /// Transfers the server counts after ours ended. Our own closed streams take a moment to leave the count, so
    /// this polls up to three times and keeps the smallest figure.
    private func serverActiveTests(infoURL: String) async -> Int? {
        var smallest: Int?
        for attempt in 0..<3 {
            guard remaining > 1 else { break }
            if attempt > 0 { try? await Task.sleep(nanoseconds: 300_000_000) }
            var request = template(for: infoURL)
            request.timeoutSeconds = min(3, remaining)
            request.keepBodyPrefixBytes = 64 * 1024
            guard let response = try? await HTTPClient.perform(request, cancellation: cancellation), response.statusCode == 200,
                let info = try? JSONDecoder().decode(SpeedInfo.self, from: Data(response.bodyPrefix)),
                let active = info.activeTests
            else { break }
            smallest = min(smallest ?? active, active)
            if active == 0 { break }
        }
        return smallest
    }

    enum Direction: String { case download, upload }

    struct ThroughputRun: Sendable {
        var mbps: Double?
        var streams: Int?
        var seconds: Double?
        var bytes: Int64?
        var loaded: LatencySummary?
        var rpm: Double?
        var faults: [Finding] = []

        /// Writes this direction's figures into the result and the method; responsiveness keeps the worse
        /// direction's figure.
        func record(_ direction: Direction, in network: inout NetworkResult, method: inout MeasurementMethod) {
            let download = direction == .download
            if let mbps {
                let speed: WritableKeyPath<NetworkResult, Double?> = download ? \.downloadMbps : \.uploadMbps
                let streamCount: WritableKeyPath<MeasurementMethod, Int?> =
                    download ? \.downloadStreams : \.uploadStreams
                let duration: WritableKeyPath<MeasurementMethod, Double?> =
                    download ? \.downloadSeconds : \.uploadSeconds
                let volume: WritableKeyPath<MeasurementMethod, Int64?> = download ? \.downloadBytes : \.uploadBytes
                network[keyPath: speed] = mbps
                method[keyPath: streamCount] = streams
                method[keyPath: duration] = seconds
                method[keyPath: volume] = bytes
            }
            let loadedLatency: WritableKeyPath<NetworkResult, LatencySummary?> =
                download ? \.latencyLoadedDownMs : \.latencyLoadedUpMs
            network[keyPath: loadedLatency] = loaded
            if let rpm { network.responsivenessRPM = min(network.responsivenessRPM ?? rpm, rpm) }
        }
    }

    /// One direction's throughput; `roundTripMs` (the idle latency) scales the controller's time windows.
    private func throughput(
        _ direction: Direction, endpoints: SpeedEndpoints, udp: Bool, roundTripMs: Double?
    ) async -> ThroughputRun {
        var run = ThroughputRun()
        let maxSeconds = min(options.maxSecondsPerDirection, max(1, remaining - 1))
        let url: String
        var request: HTTPRequest
        switch direction {
        case .download:
            url = endpoints.downloadStreamURL(bytes: 4_000_000_000) ?? ""
            request = template(for: url)
        case .upload:
            url = endpoints.uploadURL ?? ""
            request = template(for: url)
            request.method = .post
            request.uploadBytes = 64 * 1024 * 1024
        }
        request.timeoutSeconds = maxSeconds
        request.stallSeconds = 3
        // Latency under load: probes run beside the transfer until it ends.
        let loadStop = TransferCancellation()
        let echoHost = endpoints.echoHost, echoPort = endpoints.echoPort, interface = options.interface
        let pingTemplate = endpoints.pingURL.map { template(for: $0) }
        let loadedTask = BlockingTask { () -> [Double] in
            if udp, let echoHost, let echoPort {
                let stream = EchoStream(host: echoHost, port: echoPort, interface: interface, packetsPerSecond: 10, payloadBytes: 64,
                                        durationSeconds: maxSeconds, drainSeconds: 0.5)
                let result = try? stream.runBlocking(cancellation: loadStop)
                // The first second is the ramp-up, not a loaded line yet.
                return result?.arrivals.filter { $0.sentMs > 1000 }.map(\.rttMs) ?? []
            } else if let pingTemplate {
                return TCPRoundTrips(request: pingTemplate, count: Int(maxSeconds * 4), spacingSeconds: 0.25)
                    .runBlocking(cancellation: loadStop).rtts
            }
            return []
        }
        let progress = self.progress
        let cancellation = self.cancellation
        let finalRequest = request
        let result: Result<(ParallelTransferResult, ThroughputController), any Error> = await {
            do {
                return .success(try await BlockingThread.run {
                    // Samples come every ~0.1 s: the controller stops at the first one past this, within maxSeconds.
                    var controller = ThroughputController(
                        maxSeconds: maxSeconds - 0.12, roundTripSeconds: roundTripMs.map { $0 / 1000 })
                    var lastReport = 0.0
                    let transfer = try ParallelTransfer.runBlocking(
                        request: finalRequest, initialStreams: controller.initialStreams, maxStreams: controller.maxStreams,
                        cancellation: cancellation
                    ) { samples in
                        if let last = samples.last, last.elapsedSeconds - lastReport >= 1 {
                            lastReport = last.elapsedSeconds
                            let rate = ThroughputController.rate(samples, from: last.elapsedSeconds - 1, to: last.elapsedSeconds) ?? 0
                            progress(CheckProgress(phase: "network.\(direction.rawValue)", message: "\(direction.rawValue.prefix(1).uppercased() + direction.rawValue.dropFirst()) \(last.streams) streams",
                                                   value: (rate * 8 / 1e6 * 10).rounded() / 10, unit: "Mbit/s"))
                        }
                        return controller.decide(samples)
                    }
                    return (transfer, controller)
                })
            } catch { return .failure(error) }
        }()
        loadStop.cancel()
        let loadedRTTs = (try? await loadedTask.value) ?? []
        if let summary = LatencyStatistics.summary(loadedRTTs) {
            run.loaded = LatencySummary(min: Self.round(summary.min), p50: Self.round(summary.p50), p90: Self.round(summary.p90))
            run.rpm = LatencyStatistics.roundTripsPerMinute(loadedRTTs).map { $0.rounded() }
        }
        switch result {
        case .failure(let error):
            run.faults.append(Self.transferFault("network.\(direction.rawValue)", error))
        case .success(let (transfer, controller)):
            if let response = transfer.firstResponse, let fault = Self.httpFault(response, url: url) {
                run.faults.append(fault)
                return run
            }
            guard transfer.totalBytes > 0, let steady = controller.steadyRate(transfer.samples) else {
                run.faults.append(Self.fault(
                    "network.\(direction.rawValue)",
                    LocalizedText("finding.network.no_data.\(direction.rawValue)", [
                        "error": .text(transfer.errors.first.map { "\($0)" } ?? "the server stalled"),
                    ]),
                    .init("fix.network.no_data")))
                return run
            }
            run.mbps = Self.round(steady.bytesPerSecond * 8 / 1e6)
            run.streams = transfer.maxStreams
            run.seconds = Self.round(transfer.durationSeconds)
            run.bytes = transfer.totalBytes
            logger.debug("probe.throughput.done", metadata: [
                "probe.direction": "\(direction.rawValue)", "probe.mbps": "\(run.mbps ?? 0)",
                "probe.streams": "\(transfer.maxStreams)", "probe.steady": "\(controller.steadyStart != nil)",
            ])
        }
        return run
    }

    static func round(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    /// The idle voice-like stream: at least `voiceSeconds`, long enough for a clean link to prove it is within the
    /// profile's loss limit, and extended (up to `maxVoiceSeconds`, keeping time for the throughput phases) while
    /// the loss's 95% interval still straddles the limit.
    func idleStream(host: String, port: Int) -> EchoStream {
        let reserve = 2 * (options.maxSecondsPerDirection + options.loadedVoiceSeconds + 2) + 2
        let budget = max(1, min(options.maxVoiceSeconds, remaining - reserve))
        var stream = EchoStream(host: host, port: port, interface: options.interface, durationSeconds: min(options.voiceSeconds, max(1, remaining - 2)))
        guard let limitPercent = lossLimitPercent, limitPercent > 0, limitPercent < 100, budget > stream.durationSeconds else {
            return stream
        }
        let limit = limitPercent / 100
        // Enough probes that zero losses decide, plus a second for the last answers to arrive.
        let needed = Double(ProportionInterval.trialsToProveZero(below: limit)) / stream.packetsPerSecond + 1
        stream.durationSeconds = min(budget, max(stream.durationSeconds, needed))
        stream.maximumSeconds = budget
        stream.extendWhile = { matured, lost in
            ProportionInterval.wilson(successes: lost, trials: matured)?.decide(limit: limit) == .undecided
        }
        return stream
    }

    /// Fills latency, jitter and loss from an idle echo stream.
    static func apply(_ result: EchoStreamResult, to network: inout NetworkResult) {
        let rtts = result.uniqueRTTs
        if let summary = LatencyStatistics.summary(rtts) {
            network.latencyIdleMs = LatencySummary(min: round(summary.min), p50: round(summary.p50), p90: round(summary.p90))
        }
        network.jitterMs = LatencyStatistics.meanAbsoluteDifference(rtts).map(round)
        network.jitterRFC3550Ms = LatencyStatistics.rfc3550Jitter(rtts: rtts).map(round)
        let analysis = result.analysis
        network.lossPercent = round(analysis.lossPercent)
        network.lossCI95Percent = lossInterval(lost: analysis.lost, sent: analysis.sent)
        network.udpProbes = UDPProbeCounts(
            sent: analysis.sent, lost: analysis.lost, lostUp: result.lostUp, lostDown: result.lostDown,
            reordered: analysis.reordered, duplicated: analysis.duplicated)
        network.jitterUpMs = result.jitterUpMs.map(round)
        network.jitterDownMs = result.jitterDownMs.map(round)
        let ipdv = LatencyStatistics.ipdv(rtts).map { abs($0) }
        if let summary = LatencyStatistics.summary(ipdv) {
            network.ipdvMs = LatencySummary(min: round(summary.min), p50: round(summary.p50), p90: round(summary.p90))
        }
    }

    /// A finding for an HTTP answer that is not the test data: error status, redirect or captive portal HTML.
    static func httpFault(_ response: HTTPResponse, url: String) -> Finding? {
        let type = response.contentType?.lowercased() ?? ""
        let head = String(decoding: response.bodyPrefix.prefix(512), as: UTF8.self).lowercased()
        let looksHTML = type.hasPrefix("text/html") || head.contains("<html") || head.contains("<!doctype html")
        if (300..<400).contains(response.statusCode) || ((200..<300).contains(response.statusCode) && looksHTML) {
            return fault(
                "network.captive_portal", .init("finding.network.captive_portal"), .init("fix.network.captive_portal"),
                status: .fail, measured: .text(response.redirectURL ?? "HTML page"))
        }
        if !(200..<300).contains(response.statusCode) {
            return fault(
                "network.http_status",
                LocalizedText("finding.network.http_status", ["status": .text(String(response.statusCode)), "url": .text(url)]),
                .init("fix.network.http_status"), measured: .number(Double(response.statusCode)))
        }
        return nil
    }

    static func transferFault(_ id: String, _ error: any Error) -> Finding {
        let fix: String
        switch error {
        case CurlError.dns: fix = "fix.transfer.dns"
        case CurlError.connect: fix = "fix.transfer.connect"
        case CurlError.timeout: fix = "fix.transfer.timeout"
        case CurlError.tls: fix = "fix.transfer.tls"
        default: fix = "fix.transfer.other"
        }
        // The transfer error itself is technical (libcurl's words): it stays as it is, for IT.
        return fault(id, LocalizedText("finding.network.transfer", ["error": .text("\(error)")]), .init(fix))
    }
}
