import Foundation
import HomeReadyModel

/// Device trust: revocation, report signatures kept beside reports, and equipment verified by reports.
public protocol DeviceRepository: Sendable {
    /// Revokes a device and its tokens; nil when no such device.
    func revokeDevice(id: String, reason: String?, at: Date) async throws -> DeviceRecord?
    /// The device that stored a report id, if the report is stored.
    func reportDevice(reportId: String) async throws -> (stored: Bool, deviceId: String?)
    /// Stores a device's report and, when it is new, its signature beside it, in one transaction (grouped with
    /// concurrent ingests). Not stored when the report id was already stored or the device is revoked.
    func ingest(
        _ report: ReportEnvelope, body: String, agentId: String, deviceId: String, signature: String?,
        presentKinds: Set<String>, judgement: StoredJudgement?, at: Date
    ) async throws -> IngestOutcome
    /// Moves items (delivered or accepted, from `ingest`) to verified; returns the items moved.
    func verifyEquipment(_ items: [EquipmentRecord], actor: String, note: String, at: Date) async throws
        -> [EquipmentRecord]
}
