import Foundation
import HomeReadyModel
import SQLKit

extension SQLRepository {
    public func createToken(hash: String, role: Principal.Role, deviceId: String?, label: String?, at: Date)
        async throws -> String
    {
        let id = Self.newID()
        try await writing(field: nil) { db in
            try await db.raw(
                """
                INSERT INTO tokens (id, hash, role, device_id, label, created_at)
                VALUES (\(bind: id), \(bind: hash), \(bind: role.rawValue), \(bind: deviceId), \(bind: label),
                        \(millis: at))
                """
            ).run()
        }
        return id
    }

    public func principal(tokenHash: String) async throws -> (principal: Principal, storedHash: String)? {
        try await store.withConnection { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT t.id, t.hash, t.role, t.device_id, d.agent_id FROM tokens t
                    LEFT JOIN devices d ON d.id = t.device_id
                    WHERE t.hash = \(bind: tokenHash) AND t.revoked_at IS NULL AND d.revoked_at IS NULL
                    """
                ).all().first,
                let role = Principal.Role(rawValue: try row.string("role"))
            else { return nil }
            let principal = Principal(
                role: role, tokenId: try row.string("id"), deviceId: try row.optionalString("device_id"),
                agentId: try row.optionalString("agent_id"))
            return (principal, try row.string("hash"))
        }
    }

    public func createEnrollmentCode(hash: String, agentId: String, expiresAt: Date, at: Date) async throws {
        try await writing(field: "employee_id") { db in
            try await db.raw(
                """
                INSERT INTO enrollment_codes (hash, agent_id, expires_at, created_at)
                VALUES (\(bind: hash), \(bind: agentId), \(millis: expiresAt), \(millis: at))
                """
            ).run()
        }
    }

    public func enroll(codeHash: String, publicKey: String?, hostname: String?, tokenHash: String, at: Date)
        async throws -> DeviceRecord?
    {
        try await writing(field: "code") { db in
            // Spending the code is one conditional UPDATE, so two instances racing on it cannot both win.
            let deviceId = Self.newID()
            guard
                let row = try await db.raw(
                    """
                    UPDATE enrollment_codes SET used_at = \(millis: at)
                    WHERE hash = \(bind: codeHash) AND used_at IS NULL AND expires_at > \(millis: at)
                    RETURNING agent_id
                    """
                ).all().first
            else { return nil }
            let agentId = try row.string("agent_id")
            try await db.raw(
                """
                INSERT INTO devices (id, agent_id, public_key, hostname, enrolled_at)
                VALUES (\(bind: deviceId), \(bind: agentId), \(bind: publicKey), \(bind: hostname), \(millis: at))
                """
            ).run()
            try await db.raw("UPDATE enrollment_codes SET device_id = \(bind: deviceId) WHERE hash = \(bind: codeHash)")
                .run()
            try await db.raw(
                """
                INSERT INTO tokens (id, hash, role, device_id, label, created_at)
                VALUES (\(bind: Self.newID()), \(bind: tokenHash), 'device', \(bind: deviceId), \(bind: hostname),
                        \(millis: at))
                """
            ).run()
            return DeviceRecord(
                id: deviceId, agentId: agentId, publicKey: publicKey, hostname: hostname,
                enrolledAt: Clock.date(Clock.millis(at)), revokedAt: nil)
        }
    }

    public func device(id: String) async throws -> DeviceRecord? {
        try await store.withConnection { db in
            try await db.raw(
                "SELECT id, agent_id, public_key, hostname, enrolled_at, revoked_at FROM devices WHERE id = \(bind: id)"
            ).all().first.map {
                DeviceRecord(
                    id: try $0.string("id"), agentId: try $0.string("agent_id"),
                    publicKey: try $0.optionalString("public_key"), hostname: try $0.optionalString("hostname"),
                    enrolledAt: try $0.date("enrolled_at"), revokedAt: try $0.optionalDate("revoked_at"))
            }
        }
    }
}
