import Foundation
import HomeReadyModel
import HomeReadySigning
import Logging

/// The enrolled device's work with the server: enrolling, fetching the assigned profile (cached for offline
/// use), and signing, spooling and uploading reports.
public struct EnrolledAgent: Sendable {
    public var paths: AgentPaths
    public var logger: Logger
    /// Makes the transport for given trust settings (libcurl in production).
    public var makeTransport: @Sendable (ServerTrust) -> any HTTPExchanging
    public var retry: RetryPolicy

    public init(
        paths: AgentPaths, logger: Logger, retry: RetryPolicy = RetryPolicy(),
        makeTransport: @escaping @Sendable (ServerTrust) -> any HTTPExchanging = { CurlExchange(trust: $0) }
    ) {
        self.paths = paths
        self.logger = logger
        self.retry = retry
        self.makeTransport = makeTransport
    }

    public var store: DeviceStore { DeviceStore(paths: paths) }
    public var spool: ReportSpool { ReportSpool(directory: paths.spoolDirectory) }
    public var profileCache: ProfileCache { ProfileCache(directory: paths.profileCacheDirectory) }

    /// Makes a key pair, registers its public half with the code, and stores key and enrollment (0600).
    public func enroll(server: String, code: String, trust: ServerTrust, hostname: String) async throws(AgentError)
        -> DeviceEnrollment
    {
        guard let url = URL(string: server), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil
        else { throw AgentError.invalidConfiguration("--server must be an http:// or https:// URL, got \"\(server)\"") }
        if let pin = trust.pinnedPublicKey { try ServerTrust.validatePin(pin) }
        if let ca = trust.caFile, !FileManager.default.isReadableFile(atPath: ca) {
            throw AgentError.invalidConfiguration("--ca-file \(ca) cannot be read")
        }
        // Refuse to reuse a config folder others can read before writing a key into it.
        try SecureFile.requirePrivateDirectoryIfPresent(paths.configDirectory)
        let key = DeviceKey()
        let client = ServerClient(serverURL: url, transport: makeTransport(trust))
        let enrolled = try await client.enroll(code: code, publicKey: key.publicKeyBase64, hostname: hostname)
        try SecureFile.makeDirectory(paths.configDirectory)
        try SecureFile.write(key.rawPrivateKey.base64EncodedData(), to: paths.keyFile)
        let enrollment = DeviceEnrollment(
            serverURL: server, deviceID: enrolled.deviceID, employeeID: enrolled.employeeID, profileID: enrolled.profileID,
            enrolledAt: Date(), caFile: trust.caFile, pinnedPublicKey: trust.pinnedPublicKey, token: enrolled.token,
            agentID: enrolled.agentID)
        try store.saveEnrollment(enrollment)
        logger.info("device.enrolled", metadata: ["device.id": "\(enrolled.deviceID)"])
        return enrollment
    }

    /// Where a profile came from for this run.
    public enum ProfileSource: Sendable, Equatable {
        case server
        /// The server was not reachable (or refused); the cached copy is used. Carries the reason.
        case cache(reason: String)
    }

    /// Fetches the assigned profile (updating the cache), or falls back to the cache when the server fails.
    public func assignedProfile(_ enrollment: DeviceEnrollment) async throws(AgentError)
        -> (profile: ServerClient.AssignedProfile, source: ProfileSource)
    {
        let cached = profileCache.load()
        guard let url = URL(string: enrollment.serverURL) else { throw AgentError.invalidConfiguration("bad server URL in enrollment") }
        let client = ServerClient(serverURL: url, transport: makeTransport(enrollment.trust), token: enrollment.token)
        do throws(AgentError) {
            if let fresh = try await client.assignedProfile(ifNoneMatch: cached?.etag) {
                try? profileCache.save(fresh)
                return (fresh, .server)
            }
            if var cached {
                cached.fetchedAt = Date()
                try? profileCache.save(cached)
                return (cached, .server)
            }
            throw AgentError.serverRefused(status: 304, detail: "the server said the profile is unchanged but none is cached")
        } catch {
            guard let cached else { throw error }
            return (cached, .cache(reason: error.description))
        }
    }

    /// Signs a report and saves it durably in the spool; returns the spooled entry.
    @discardableResult
    public func spoolReport(_ report: CheckReport) throws(AgentError) -> SpooledReport {
        let enrollment = try store.loadEnrollment()
        let key = try store.loadKey()
        let body: Data
        do { body = try ReportCoding.encoder(pretty: false).encode(report) } catch {
            throw AgentError.invalidConfiguration("cannot encode the report: \(error)")
        }
        return try spool(body: body, reportID: report.reportID, enrollment: enrollment, key: key)
    }

    /// Signs exact report bytes and spools them.
    @discardableResult
    public func spool(body: Data, reportID: UUID, enrollment: DeviceEnrollment, key: DeviceKey) throws(AgentError)
        -> SpooledReport
    {
        let signature: String
        do { signature = try ReportSignature.sign(body: body, with: key) } catch {
            throw AgentError.invalidConfiguration(error.description)
        }
        return try spool.add(reportID: reportID, deviceID: enrollment.deviceID, signature: signature, body: body)
    }

    /// Sends everything pending; only acknowledged reports leave the spool.
    public func flush() async throws(AgentError) -> FlushSummary {
        let enrollment = try store.loadEnrollment()
        _ = try store.loadKey()
        guard let url = URL(string: enrollment.serverURL) else { throw AgentError.invalidConfiguration("bad server URL in enrollment") }
        var uploader = ReportUploader(
            spool: spool, serverURL: url, transport: makeTransport(enrollment.trust), retry: retry, logger: logger)
        uploader.token = enrollment.token
        return await uploader.flush()
    }
}
