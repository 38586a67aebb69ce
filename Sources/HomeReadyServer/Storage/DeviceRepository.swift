import Foundation
import HomeReadyModel

/// Device trust: revocation, report signatures kept beside reports, and equipment verified by reports.
public protocol DeviceRepository: Sendable {
    /// Revokes a device and its tokens; nil when no such device.
    func revokeDevice(id: String, reason: String?, at: Date) async throws -> DeviceRecord?
    /// The device that stored a report id, if the report is stored.
    func reportDevice(reportId: String) async throws -> (stored: Bool, deviceId: String?)
    /// Stores a device's report and, when it is new, its signature beside it, and moves the agent's delivered or
    /// accepted items of `presentKinds` to verified (audited with the device as actor), all in one transaction
    /// (grouped with concurrent ingests): a stored report never leaves the equipment it proves unverified. Not
    /// stored when the report id was already stored or the device is revoked.
    func ingest(
        _ report: ReportEnvelope, body: String, agentId: String, deviceId: String, signature: String?,
        presentKinds: Set<String>, judgement: StoredJudgement?, at: Date
    ) async throws -> IngestOutcome
}

/// Everything the server's API and report ingestion need from storage: the inventory, device trust, the admin
/// audit trail and shipment imports (one back end, `SQLRepository`, provides them all).
public typealias ServerRepository = InventoryRepository & DeviceRepository & AdminAuditRepository & ShipmentImporting
