import Foundation

/// The part of a check report the inventory server reads: who, which profile, when, the verdict, each finding's
/// id, section and status, and the equipment seen.
///
/// Decoding it still parses the whole document (malformed JSON is refused) but turns only these fields into
/// values, about half the work of decoding a whole `CheckReport`; the server keeps the body as sent.
public struct ReportEnvelope: Decodable, Sendable, Equatable {
    public var schemaVersion: Int
    public var reportID: UUID
    public var employeeID: String
    public var profile: ProfileReference
    public var startedAt: Date
    public var finishedAt: Date
    public var verdict: Verdict
    public var findings: [FindingState]
    public var equipment: [EquipmentSeen]

    /// A finding as the server keeps it: its check's latest status.
    public struct FindingState: Decodable, Sendable, Equatable {
        public var id: String
        public var section: Finding.Section
        public var status: FindingStatus

        public init(id: String, section: Finding.Section, status: FindingStatus) {
            self.id = id
            self.section = section
            self.status = status
        }
    }

    /// Whether a kind of equipment was found.
    public struct EquipmentSeen: Decodable, Sendable, Equatable {
        public var kind: String
        public var present: Bool

        public init(kind: String, present: Bool) {
            self.kind = kind
            self.present = present
        }
    }

    /// The envelope of a whole report.
    public init(_ report: CheckReport) {
        schemaVersion = report.schemaVersion
        reportID = report.reportID
        employeeID = report.agent.employeeID
        profile = report.profile
        startedAt = report.startedAt
        finishedAt = report.finishedAt
        verdict = report.verdict
        findings = report.findings.map { FindingState(id: $0.id, section: $0.section, status: $0.status) }
        equipment = (report.equipment ?? []).map { EquipmentSeen(kind: $0.kind, present: $0.present) }
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case reportID = "report_id"
        case agent, profile
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case verdict, findings, equipment
    }

    enum AgentKeys: String, CodingKey {
        case employeeID = "employee_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
        reportID = try container.decode(UUID.self, forKey: .reportID)
        employeeID = try container.nestedContainer(keyedBy: AgentKeys.self, forKey: .agent)
            .decode(String.self, forKey: .employeeID)
        profile = try container.decode(ProfileReference.self, forKey: .profile)
        startedAt = try container.decode(Date.self, forKey: .startedAt)
        finishedAt = try container.decode(Date.self, forKey: .finishedAt)
        verdict = try container.decode(Verdict.self, forKey: .verdict)
        findings = try container.decode([FindingState].self, forKey: .findings)
        equipment = try container.decodeIfPresent([EquipmentSeen].self, forKey: .equipment) ?? []
    }
}
