import Foundation

/// Storage for the automatic daily readiness snapshot.
public protocol SnapshotRepository: Sendable {
    /// Takes the roll-up snapshot for `day` (YYYY-MM-DD, UTC) unless that day already has one; returns whether
    /// this call took it. Safe when several instances call it at once: exactly one takes it.
    func takeSnapshotIfMissing(day: String, now: Date) async throws -> Bool
}
