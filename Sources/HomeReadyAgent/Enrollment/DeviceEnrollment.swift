import Foundation
import HomeReadyModel
import HomeReadySigning

/// What the server said when this device enrolled; kept in `enrollment.json` beside the key.
public struct DeviceEnrollment: Codable, Sendable, Equatable {
    public var serverURL: String
    public var deviceID: String
    public var employeeID: String
    /// The profile the server assigned, if any.
    public var profileID: String?
    public var enrolledAt: Date
    /// CA bundle used to verify the server's certificate (HTTPS).
    public var caFile: String?
    /// SHA-256 pin of the server's public key (`sha256//BASE64`, libcurl's format).
    public var pinnedPublicKey: String?
    /// The device's API token (bearer), shown once by the server at enrollment.
    public var token: String?
    /// The server's agent id for this device's agent.
    public var agentID: String?

    public init(
        serverURL: String, deviceID: String, employeeID: String, profileID: String? = nil, enrolledAt: Date = Date(),
        caFile: String? = nil, pinnedPublicKey: String? = nil, token: String? = nil, agentID: String? = nil
    ) {
        self.serverURL = serverURL
        self.deviceID = deviceID
        self.employeeID = employeeID
        self.profileID = profileID
        self.enrolledAt = enrolledAt
        self.caFile = caFile
        self.pinnedPublicKey = pinnedPublicKey
        self.token = token
        self.agentID = agentID
    }

    /// The trust settings for talking to the server.
    public var trust: ServerTrust { ServerTrust(caFile: caFile, pinnedPublicKey: pinnedPublicKey) }

    enum CodingKeys: String, CodingKey {
        case serverURL = "server_url"
        case deviceID = "device_id"
        case employeeID = "employee_id"
        case profileID = "profile_id"
        case enrolledAt = "enrolled_at"
        case caFile = "ca_file"
        case pinnedPublicKey = "pinned_public_key"
        case token
        case agentID = "agent_id"
    }
}

/// The device's identity on disk: its private key (mode 0600) and its enrollment.
public struct DeviceStore: Sendable {
    public let paths: AgentPaths

    public init(paths: AgentPaths) {
        self.paths = paths
    }

    /// Whether an enrollment is stored.
    public var isEnrolled: Bool { FileManager.default.fileExists(atPath: paths.enrollmentFile.path) }

    /// Makes and stores a new key pair, replacing any earlier one.
    public func createKey() throws(AgentError) -> DeviceKey {
        try SecureFile.makeDirectory(paths.configDirectory)
        let key = DeviceKey()
        try SecureFile.write(key.rawPrivateKey.base64EncodedData(), to: paths.keyFile)
        return key
    }

    /// Loads the private key, refusing a file others can read.
    public func loadKey() throws(AgentError) -> DeviceKey {
        guard FileManager.default.fileExists(atPath: paths.keyFile.path) else { throw AgentError.notEnrolled }
        try SecureFile.requirePrivate(paths.keyFile)
        guard let text = try? Data(contentsOf: paths.keyFile),
            let raw = Data(base64Encoded: String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw AgentError.damagedFile(path: paths.keyFile.path, reason: "not a base64 key") }
        do {
            return try DeviceKey(rawPrivateKey: raw)
        } catch {
            throw AgentError.damagedFile(path: paths.keyFile.path, reason: "not an Ed25519 private key")
        }
    }

    public func saveEnrollment(_ enrollment: DeviceEnrollment) throws(AgentError) {
        try SecureFile.makeDirectory(paths.configDirectory)
        let encoder = ReportCoding.encoder(pretty: true)
        let data: Data
        do { data = try encoder.encode(enrollment) } catch {
            throw AgentError.invalidConfiguration("cannot encode the enrollment: \(error)")
        }
        try SecureFile.write(data, to: paths.enrollmentFile)
    }

    /// The stored enrollment, or `notEnrolled`.
    public func loadEnrollment() throws(AgentError) -> DeviceEnrollment {
        guard let data = try? Data(contentsOf: paths.enrollmentFile) else { throw AgentError.notEnrolled }
        try SecureFile.requirePrivate(paths.enrollmentFile)
        do {
            return try ReportCoding.decoder().decode(DeviceEnrollment.self, from: data)
        } catch {
            throw AgentError.damagedFile(path: paths.enrollmentFile.path, reason: "not a valid enrollment record")
        }
    }
}
