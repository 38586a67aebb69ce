import Foundation
import HomeReadyModel
import HomeReadyScoring
import HomeReadyTransport

extension NetworkMeasurement {
    /// What the voice stream and the timed addresses (first hop, VPN gateway) saw while one direction was
    /// saturated.
    struct LoadedVoiceRun: Sendable {
        var stream: LoadedVoiceStream?
        /// Round trips per entry of `pings`, in order (empty for a nil entry).
        var pingRTTs: [[Double]] = []
    }

    /// Saturates `direction` with `streams` parallel transfers for about a second, then runs a voice-like stream
    /// (50 packets/s of 172 bytes) and handshake round trips to each of `pings` beside the load for
    /// `options.loadedVoiceSeconds`.
    /// A phase of its own, after the rate was measured, so the voice packets never take from the measured rate.
    func loadedVoice(
        _ direction: Direction, endpoints: SpeedEndpoints, streams: Int, pings: [HandshakePing?]
    ) async -> LoadedVoiceRun {
        guard let echoHost = endpoints.echoHost, let echoPort = endpoints.echoPort, options.loadedVoiceSeconds > 0 else {
            return LoadedVoiceRun(pingRTTs: pings.map { _ in [] })
        }
        let rampSeconds = 1.0
        let voiceSeconds = min(options.loadedVoiceSeconds, max(0.5, remainingSeconds - rampSeconds - 1))
        var request: HTTPRequest
        switch direction {
        case .download:
            request = requestTemplate(for: endpoints.downloadStreamURL(bytes: 4_000_000_000) ?? "")
        case .upload:
            request = requestTemplate(for: endpoints.uploadURL ?? "")
            request.method = .post
            request.uploadBytes = 64 * 1024 * 1024
        }
        request.timeoutSeconds = rampSeconds + voiceSeconds + 2
        request.stallSeconds = 3
        let stop = TransferCancellation()
        let cancellation = self.cancellation
        let finalRequest = request
        let load = BlockingTask { () -> Void in
            _ = try? ParallelTransfer.runBlocking(
                request: finalRequest, initialStreams: max(1, streams), maxStreams: max(1, streams), cancellation: stop
            ) { _ in cancellation.isCancelled ? .stop : .keepGoing }
        }
        try? await Task.sleep(nanoseconds: UInt64(rampSeconds * 1e9))
        let stream = EchoStream(
            host: echoHost, port: echoPort, interface: options.interface, durationSeconds: voiceSeconds, drainSeconds: 0.5)
        let voice = BlockingTask { [cancellation] in try stream.runBlocking(cancellation: cancellation) }
        let pingStop = TransferCancellation()
        let count = Int(voiceSeconds * 5)
        async let pingRTTs: [[Double]] = withTaskGroup(of: (Int, [Double]).self) { group in
            for (index, ping) in pings.enumerated() {
                group.addTask { (index, await ping?.roundTrips(count: count, spacing: 0.2, stop: pingStop) ?? []) }
            }
            var rtts = pings.map { _ in [Double]() }
            for await (index, values) in group { rtts[index] = values }
            return rtts
        }
        let result = try? await voice.value
        pingStop.cancel()
        stop.cancel()
        _ = try? await load.value
        var run = LoadedVoiceRun(pingRTTs: await pingRTTs)
        if let result, result.sent > 0 {
            run.stream = Self.loadedStream(result)
        }
        return run
    }

    /// The loaded stream's figures: RTT, mean |IPDV|, loss with its Wilson interval.
    static func loadedStream(_ result: EchoStreamResult) -> LoadedVoiceStream {
        let rtts = result.uniqueRTTs
        let analysis = result.analysis
        return LoadedVoiceStream(
            rttMs: LatencyStatistics.summary(rtts).map { LatencySummary(min: round($0.min), p50: round($0.p50), p90: round($0.p90)) },
            jitterMs: LatencyStatistics.meanAbsoluteDifference(rtts).map(round),
            lossPercent: round(analysis.lossPercent),
            lossCI95Percent: lossInterval(lost: analysis.lost, sent: analysis.sent),
            sent: analysis.sent, lost: analysis.lost)
    }

    /// The 95% Wilson interval of `lost` of `sent`, in percent.
    static func lossInterval(lost: Int, sent: Int) -> PercentInterval? {
        ProportionInterval.wilson(successes: lost, trials: sent).map {
            PercentInterval(low: round($0.lower * 100), high: round($0.upper * 100))
        }
    }
}
