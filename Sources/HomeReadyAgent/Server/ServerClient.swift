import Foundation
import HomeReadyModel
import HomeReadySigning
import HomeReadyTransport
import Logging

/// The agent's calls to the inventory server besides report uploads: enrollment and the assigned profile.
public struct ServerClient: Sendable {
    public var serverURL: URL
    public var transport: any HTTPExchanging
    public var token: String?

    public init(serverURL: URL, transport: any HTTPExchanging, token: String? = nil) {
        self.serverURL = serverURL
        self.transport = transport
        self.token = token
    }

    /// What the server answers to a successful enrollment.
    public struct Enrolled: Codable, Sendable, Equatable {
        public var deviceID: String
        public var agentID: String
        public var employeeID: String
        public var token: String
        public var profileID: String?

        enum CodingKeys: String, CodingKey {
            case deviceID = "device_id"
            case agentID = "agent_id"
            case employeeID = "employee_id"
            case token
            case profileID = "profile_id"
        }
    }

    /// The profile the server assigned: its YAML and the server's version tag.
    public struct AssignedProfile: Sendable, Equatable, Codable {
        public var id: String
        public var version: Int
        public var etag: String
        public var yaml: String
        public var fetchedAt: Date
        /// The campaign's shifts, which the check timer follows; nil when the campaign has none.
        public var schedule: ShiftSchedule?

        public init(id: String, version: Int, etag: String, yaml: String, fetchedAt: Date, schedule: ShiftSchedule? = nil) {
            self.id = id
            self.version = version
            self.etag = etag
            self.yaml = yaml
            self.fetchedAt = fetchedAt
            self.schedule = schedule
        }

        enum CodingKeys: String, CodingKey {
            case id, version, etag, yaml, schedule
            case fetchedAt = "fetched_at"
        }
    }

    /// Trades an enrollment code for a device identity bound to `publicKey`.
    public func enroll(code: String, publicKey: String, hostname: String) async throws(AgentError) -> Enrolled {
        let payload = ["code": code, "public_key": publicKey, "hostname": hostname]
        let body = (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])) ?? Data()
        let response = try await exchange(
            HTTPExchange.Request(
                method: "POST", url: serverURL.appendingPathComponent("api/v1/enroll"),
                headers: ["Content-Type": "application/json"], body: body, timeoutSeconds: 30))
        guard response.status == 201 || response.status == 200 else {
            throw AgentError.enrollmentRefused(status: response.status, detail: response.problemDetail)
        }
        do {
            return try JSONDecoder().decode(Enrolled.self, from: response.body)
        } catch {
            throw AgentError.serverRefused(status: response.status, detail: "the enrollment answer is not what this agent reads")
        }
    }

    /// A device-authenticated GET of `path` with `If-None-Match: etag`: nil on 304 (nothing new), the response on
    /// 200, and the server's refusal otherwise.
    func conditionalGet(_ path: String, ifNoneMatch etag: String?) async throws(AgentError) -> HTTPExchange.Response? {
        var headers = authorization
        if let etag { headers["If-None-Match"] = "\"\(etag)\"" }
        let response = try await exchange(
            HTTPExchange.Request(
                method: "GET", url: serverURL.appendingPathComponent(path), headers: headers, timeoutSeconds: 20))
        if response.status == 304 { return nil }
        guard response.status == 200 else {
            throw AgentError.serverRefused(status: response.status, detail: response.problemDetail)
        }
        return response
    }

    /// Fetches the device's assigned profile; nil when the server answered 304 to `etag`.
    public func assignedProfile(ifNoneMatch etag: String?) async throws(AgentError) -> AssignedProfile? {
        guard let response = try await conditionalGet("api/v1/device/profile", ifNoneMatch: etag) else { return nil }
        struct Wire: Decodable {
            var profileId: String
            var version: Int
            var etag: String
            var yaml: String
            /// Read leniently: a schedule this agent cannot use leaves the timer on its fixed interval.
            var schedule: ShiftSchedule?
            enum CodingKeys: String, CodingKey {
                case profileId = "profile_id"
                case version, etag, yaml, schedule
            }
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                profileId = try container.decode(String.self, forKey: .profileId)
                version = try container.decode(Int.self, forKey: .version)
                etag = try container.decode(String.self, forKey: .etag)
                yaml = try container.decode(String.self, forKey: .yaml)
                schedule = try? container.decodeIfPresent(ShiftSchedule.self, forKey: .schedule)
            }
        }
        guard let wire = try? JSONDecoder().decode(Wire.self, from: response.body) else {
            throw AgentError.serverRefused(status: response.status, detail: "the profile answer is not what this agent reads")
        }
        return AssignedProfile(
            id: wire.profileId, version: wire.version, etag: wire.etag, yaml: wire.yaml, fetchedAt: Date(),
            schedule: wire.schedule)
    }

    var authorization: [String: String] { token.map { ["Authorization": "Bearer \($0)"] } ?? [:] }

    func exchange(_ request: HTTPExchange.Request) async throws(AgentError) -> HTTPExchange.Response {
        do {
            return try await transport.send(request)
        } catch {
            throw Self.describe(error, url: serverURL.absoluteString)
        }
    }

    /// Turns a transport failure into the agent's error (TLS mismatches named as such).
    public static func describe(_ error: any Error, url: String) -> AgentError {
        if let agent = error as? AgentError { return agent }
        if let curl = error as? CurlError, curl == CurlError.tls {
            return AgentError.serverTLS(url: url, reason: curl.message)
        }
        return AgentError.serverUnreachable(url: url, reason: "\(error)")
    }
}
