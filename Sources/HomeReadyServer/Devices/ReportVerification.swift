import Foundation
import HomeReadyModel
import HomeReadySigning
import Hummingbird
import HTTPTypes

/// The checks a device's report passes before it is stored: signature by the device's key, device↔agent
/// binding, revocation, clock skew, and no report id taken over from another device.
///
/// Device records are cached for `lookupCacheSeconds`: a device's key and agent never change, and a revocation the
/// cache has not seen yet is caught by the write itself (`IngestOutcome.deviceRevoked`, then `refuseRevoked`).
struct ReportVerification: Sendable {
    let repository: any InventoryRepository
    let configuration: ServerConfiguration
    private let devices: ExpiringCache<String, DeviceRecord>

    init(repository: any InventoryRepository, configuration: ServerConfiguration) {
        self.repository = repository
        self.configuration = configuration
        devices = ExpiringCache(ttl: configuration.lookupCacheTTL)
    }

    /// Throws a problem (4xx, never retried by the agent) when the report must not be stored.
    func verify(
        report: ReportEnvelope, body: Data, principal: Principal, agentId: String, headers: HTTPFields, now: Date
    ) async throws {
        guard principal.role == .device, let deviceId = principal.deviceId else { return }
        let device = try await devices.value(for: deviceId) {
            guard let found = try await repository.device(id: deviceId) else { throw Problem.unauthorized }
            return found
        }
        try Self.refuseIfRevoked(device)
        guard device.agentId == agentId else {
            throw Problem(.forbidden, "Forbidden", detail: "this device is enrolled for another agent", field: "agent.employee_id")
        }
        if let publicKey = device.publicKey {
            let named = headers[HTTPField.Name(ReportSignature.deviceHeader)!]
            guard let signature = headers[HTTPField.Name(ReportSignature.signatureHeader)!] else {
                throw Problem(
                    .unauthorized, "Signature required",
                    detail: "device \(deviceId) has a key: send the report signed, with \(ReportSignature.signatureHeader) and \(ReportSignature.deviceHeader) headers")
            }
            guard named == deviceId else {
                throw Problem(
                    .forbidden, "Device mismatch",
                    detail: "\(ReportSignature.deviceHeader) names \(named ?? "no device") but the token belongs to device \(deviceId)")
            }
            guard ReportSignature.verify(body: body, signature: signature, publicKey: publicKey) else {
                throw Problem(
                    .forbidden, "Invalid signature",
                    detail: "the signature does not match this report and device \(deviceId)'s key; the report was altered or signed by another key")
            }
        }
        let age = now.timeIntervalSince(report.startedAt)
        if age > configuration.maxReportAgeSeconds {
            throw Problem(
                .unprocessableContent, "Clock skew",
                detail: "started_at \(ISO8601DateFormatter().string(from: report.startedAt)) is \(Self.hours(age)) before the server's clock (\(ISO8601DateFormatter().string(from: now))); reports older than \(Self.hours(configuration.maxReportAgeSeconds)) are refused. Check the device's clock and run the check again",
                field: "started_at")
        }
        if -age > configuration.maxReportFutureSeconds {
            throw Problem(
                .unprocessableContent, "Clock skew",
                detail: "started_at \(ISO8601DateFormatter().string(from: report.startedAt)) is \(Self.hours(-age)) ahead of the server's clock (\(ISO8601DateFormatter().string(from: now))); at most \(Int(configuration.maxReportFutureSeconds)) s ahead is accepted. Fix the device's clock (NTP) and run the check again",
                field: "started_at")
        }
    }

    /// Refuses a device revoked after its record was cached (the write found it revoked).
    func refuseRevoked(deviceId: String) async throws -> Never {
        guard let device = try await repository.device(id: deviceId) else { throw Problem.unauthorized }
        devices.store(device, for: deviceId)
        try Self.refuseIfRevoked(device)
        throw Problem(.forbidden, "Device revoked", detail: "device \(deviceId) is revoked; enroll again with a new code")
    }

    private static func refuseIfRevoked(_ device: DeviceRecord) throws {
        if let revoked = device.revokedAt {
            throw Problem(
                .forbidden, "Device revoked",
                detail: "device \(device.id) was revoked at \(ISO8601DateFormatter().string(from: revoked)); enroll again with a new code")
        }
    }

    static func hours(_ seconds: Double) -> String {
        seconds >= 3600 ? String(format: "%.1f h", seconds / 3600) : String(format: "%.0f s", seconds)
    }
}
