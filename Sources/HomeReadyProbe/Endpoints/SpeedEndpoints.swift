import Foundation
import HomeReadyTransport

/// What a HomeReady server's `GET /speed/info` says (keys documented in docs/measurement.md).
struct SpeedInfo: Codable, Sendable {
    var downloadPath: String
    var uploadPath: String
    var pingPath: String
    var echoPort: Int?
    var activeTests: Int?
    var maxDownloadBytes: Int64?

    enum CodingKeys: String, CodingKey {
        case downloadPath = "download_path"
        case uploadPath = "upload_path"
        case pingPath = "ping_path"
        case echoPort = "echo_port"
        case activeTests = "active_tests"
        case maxDownloadBytes = "max_download_bytes"
    }
}

/// The concrete URLs and echo peer one check measures against.
struct SpeedEndpoints: Sendable {
    var downloadURL: String?
    /// Whether `downloadURL` is HomeReady's own endpoint (so `bytes=` sizes are ours to pick).
    var downloadIsOurs: Bool
    var uploadURL: String?
    var pingURL: String?
    var echoHost: String?
    var echoPort: Int?
    var activeTestsBefore: Int?
    var infoURL: String?
    /// Human description for the report.
    var serverLabel: String

    /// Asks the server (when given) for its endpoints, then applies the per-endpoint overrides.
    static func discover(options: NetworkCheckOptions, request template: HTTPRequest, cancellation: TransferCancellation?) async throws -> SpeedEndpoints {
        var endpoints = SpeedEndpoints(downloadIsOurs: false, serverLabel: "")
        if let server = options.serverURL {
            let base = server.absoluteString.hasSuffix("/") ? String(server.absoluteString.dropLast()) : server.absoluteString
            var request = template
            request.url = base + "/speed/info"
            request.keepBodyPrefixBytes = 64 * 1024
            request.timeoutSeconds = min(template.timeoutSeconds, 8)
            let response = try await HTTPClient.perform(request, cancellation: cancellation)
            guard response.statusCode == 200, let info = try? JSONDecoder().decode(SpeedInfo.self, from: Data(response.bodyPrefix)) else {
                throw ProbeError.endpoints("\(request.url) answered HTTP \(response.statusCode) without HomeReady speed test information; check --server (is it a HomeReady server?)")
            }
            endpoints.infoURL = request.url
            endpoints.downloadURL = base + info.downloadPath
            endpoints.downloadIsOurs = true
            endpoints.uploadURL = base + info.uploadPath
            endpoints.pingURL = base + info.pingPath
            endpoints.echoPort = info.echoPort
            endpoints.echoHost = info.echoPort == nil ? nil : Self.host(of: base)
            endpoints.activeTestsBefore = info.activeTests
            endpoints.serverLabel = base
        }
        if let url = options.downloadURL {
            endpoints.downloadURL = url.absoluteString
            endpoints.downloadIsOurs = false
        }
        if let url = options.uploadURL { endpoints.uploadURL = url.absoluteString }
        if let host = options.echoHost {
            endpoints.echoHost = host
            endpoints.echoPort = options.echoPort ?? 7
        }
        if endpoints.pingURL == nil { endpoints.pingURL = endpoints.downloadURL ?? endpoints.uploadURL }
        if endpoints.serverLabel.isEmpty {
            endpoints.serverLabel = [endpoints.downloadURL, endpoints.uploadURL, endpoints.echoHost.map { "udp://\($0):\(endpoints.echoPort ?? 7)" }]
                .compactMap { $0 }.joined(separator: " ")
        }
        guard endpoints.downloadURL != nil || endpoints.uploadURL != nil || endpoints.echoHost != nil else {
            throw ProbeError.endpoints("no test server: give --server URL, or --download-url, --upload-url and --echo HOST:PORT")
        }
        return endpoints
    }

    /// The host of a URL without brackets (an IPv6 literal stays numeric).
    ///
    /// Read from the text (after `scheme://` and any `user@`, up to the port or path; an IPv6 address without its
    /// brackets) instead of `URLComponents`, whose host parsing loads ICU's data for international names.
    static func host(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound]
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || "+-.".contains($0) }) else { return nil }
        var authority = url[schemeEnd.upperBound...].prefix { !"/?#".contains($0) }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let host: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
        } else {
            host = authority.prefix { $0 != ":" }
        }
        return host.isEmpty ? nil : String(host)
    }

    /// The download URL for one stream: our endpoint with a byte count, or a foreign URL as is.
    func downloadStreamURL(bytes: Int64) -> String? {
        guard let downloadURL else { return nil }
        guard downloadIsOurs else { return downloadURL }
        return downloadURL + (downloadURL.contains("?") ? "&" : "?") + "bytes=\(bytes)"
    }
}
