import Foundation

/// The part of a check report the inventory server reads: who, which profile, when, the verdict, each finding's
/// id, section and status, and the equipment seen.
///
/// `read(json:)` checks the whole document is JSON but turns only these fields into values (`JSONReader`), a
/// fraction of the work of decoding a whole `CheckReport`; the server keeps the body as sent.
public struct ReportEnvelope: Sendable, Equatable {
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
    public struct FindingState: Sendable, Equatable {
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
    public struct EquipmentSeen: Sendable, Equatable {
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
}

extension ReportEnvelope {
    /// A field of the report that is missing or not what it must be, named by its JSON path
    /// (`findings[3].status`).
    public struct FieldError: Error, Equatable, CustomStringConvertible {
        public var field: String
        /// What the field must be (`a string`, `one of ready, …`); nil when the field is missing.
        public var expected: String?

        public var description: String {
            expected.map { "`\(field)` must be \($0)" } ?? "`\(field)` is required"
        }

        public init(field: String, expected: String? = nil) {
            self.field = field
            self.expected = expected
        }
    }

    /// Reads the envelope of a report's JSON text. Throws `JSONReader.Malformed` when the text is not JSON, and
    /// `FieldError` for the first field (in the report's documented order) that is missing or wrong. It reads what
    /// `JSONDecoder` would: a repeated member counts once (the first), and `1.0` is a whole number.
    public static func read(json bytes: [UInt8]) throws -> ReportEnvelope {
        var findingsAt: Range<Int>?
        return try read(json: bytes, findingsAt: &findingsAt)
    }

    /// Reads the envelope as `read(json:)` does, and sets `findingsAt` to the bytes of the `findings` value it
    /// read and checked: the judge decodes the rest of the report without them
    /// (`ReportCoding.withoutClaimedFindings`).
    public static func read(json bytes: [UInt8], findingsAt: inout Range<Int>?) throws -> ReportEnvelope {
        typealias Field<T> = Result<T, FieldError>?
        var schemaVersion: Field<Int> = nil, reportID: Field<UUID> = nil, employeeID: Field<String> = nil
        var profile: Field<ProfileReference> = nil, startedAt: Field<Date> = nil, finishedAt: Field<Date> = nil
        var verdict: Field<Verdict> = nil, findings: Field<[FindingState]> = nil
        var equipment: Field<[EquipmentSeen]> = nil
        var reader = JSONReader(bytes)
        try reader.readDocument { key, reader in
            switch key {
            case "schema_version" where schemaVersion == nil: schemaVersion = try Self.int(&reader, "schema_version")
            case "report_id" where reportID == nil:
                reportID = try Self.string(&reader, "report_id").flatMap { text in
                    UUID(hyphenated: text).map { .success($0) } ?? .failure(FieldError(field: "report_id", expected: "a UUID"))
                }
            case "agent" where employeeID == nil:
                employeeID = try Self.object(&reader, Path("agent")) { reader, field in
                    var found: Field<String> = nil
                    try reader.readObject { member, reader in
                        guard member == "employee_id", found == nil else { return false }
                        found = try Self.string(&reader, field.member("employee_id"))
                        return true
                    }
                    return try found?.get() ?? { throw FieldError(field: field.member("employee_id")) }()
                }
            case "profile" where profile == nil:
                profile = try Self.object(&reader, Path("profile")) { reader, field in
                    var id: Field<String> = nil, version: Field<Int> = nil
                    try reader.readObject { member, reader in
                        switch member {
                        case "id" where id == nil: id = try Self.string(&reader, field.member("id"))
                        case "version" where version == nil: version = try Self.int(&reader, field.member("version"))
                        default: return false
                        }
                        return true
                    }
                    return ProfileReference(
                        id: try Self.required(id, field.member("id")), version: try Self.required(version, field.member("version")))
                }
            case "started_at" where startedAt == nil: startedAt = try Self.date(&reader, "started_at")
            case "finished_at" where finishedAt == nil: finishedAt = try Self.date(&reader, "finished_at")
            case "verdict" where verdict == nil: verdict = try Self.enumeration(&reader, "verdict")
            case "findings" where findings == nil:
                _ = reader.nextKind()
                let start = reader.index
                defer { findingsAt = start..<reader.index }
                findings = try Self.array(&reader, Path("findings")) { reader, field in
                    try Self.object(&reader, field) { reader, field in
                        var id: Field<String> = nil, section: Field<Finding.Section> = nil
                        var status: Field<FindingStatus> = nil, severity: Field<Severity> = nil
                        var message: Field<Void> = nil, invalid: FieldError?
                        try reader.readObject { member, reader in
                            switch member {
                            case "id" where id == nil: id = try Self.string(&reader, field.member("id"))
                            case "section" where section == nil: section = try Self.enumeration(&reader, field.member("section"))
                            case "status" where status == nil: status = try Self.enumeration(&reader, field.member("status"))
                            case "severity" where severity == nil:
                                severity = try Self.enumeration(&reader, field.member("severity"))
                            case "message" where message == nil:
                                message = try Self.check(&reader, .string, field.member("message"), allowsNull: false)
                            default:
                                guard let kinds = ClaimedFindingMember(member) else { return false }
                                if case .failure(let error) = try Self.check(&reader, kinds, field.member(member.description)),
                                    invalid == nil
                                {
                                    invalid = error
                                }
                            }
                            return true
                        }
                        let state = FindingState(
                            id: try Self.required(id, field.member("id")),
                            section: try Self.required(section, field.member("section")),
                            status: try Self.required(status, field.member("status")))
                        _ = try Self.required(severity, field.member("severity"))
                        _ = try Self.required(message, field.member("message"))
                        if let invalid { throw invalid }
                        return state
                    }.get()
                }
            case "equipment" where equipment == nil:
                if reader.nextKind() == .null {
                    try reader.readNull()
                    equipment = .success([])
                    return true
                }
                equipment = try Self.array(&reader, Path("equipment")) { reader, field in
                    try Self.object(&reader, field) { reader, field in
                        var kind: Field<String> = nil, present: Field<Bool> = nil
                        try reader.readObject { member, reader in
                            switch member {
                            case "kind" where kind == nil: kind = try Self.string(&reader, field.member("kind"))
                            case "present" where present == nil: present = try Self.bool(&reader, field.member("present"))
                            default: return false
                            }
                            return true
                        }
                        return EquipmentSeen(
                            kind: try Self.required(kind, field.member("kind")),
                            present: try Self.required(present, field.member("present")))
                    }.get()
                }
            default:
                return false
            }
            return true
        }
        return ReportEnvelope(
            schemaVersion: try required(schemaVersion, "schema_version"),
            reportID: try required(reportID, "report_id"),
            employeeID: try required(employeeID, "agent"),
            profile: try required(profile, "profile"),
            startedAt: try required(startedAt, "started_at"),
            finishedAt: try required(finishedAt, "finished_at"),
            verdict: try required(verdict, "verdict"),
            findings: try required(findings, "findings"),
            equipment: try equipment?.get() ?? [])
    }

    private init(
        schemaVersion: Int, reportID: UUID, employeeID: String, profile: ProfileReference, startedAt: Date,
        finishedAt: Date, verdict: Verdict, findings: [FindingState], equipment: [EquipmentSeen]
    ) {
        self.schemaVersion = schemaVersion
        self.reportID = reportID
        self.employeeID = employeeID
        self.profile = profile
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.verdict = verdict
        self.findings = findings
        self.equipment = equipment
    }

    // A value of the wrong kind is a field error kept for later (fields are judged in the documented order);
    // text that is not JSON throws at once.

    /// The optional members of a finding, by what each may hold besides `null` (as `Finding` decodes them). The
    /// server judges reports itself and never decodes the agent's findings, so this is where their shape is
    /// checked: a stored report reads back as a `CheckReport` for every later reader.
    private enum ClaimedFindingMember {
        /// `measured`, `limit`: a `FindingValue`.
        case scalar
        /// `unit`, `remediation`.
        case string
        /// `message_text`, `remediation_text`: a `LocalizedText`.
        case object

        init?(_ name: JSONReader.Name) {
            switch name {
            case "measured", "limit": self = .scalar
            case "unit", "remediation": self = .string
            case "message_text", "remediation_text": self = .object
            default: return nil
            }
        }

        func allows(_ kind: JSONReader.Kind) -> Bool {
            switch self {
            case .scalar: kind == .number || kind == .string || kind == .bool
            case .string: kind == .string
            case .object: kind == .object
            }
        }

        var expected: String {
            switch self {
            case .scalar: "a number, a string, true or false"
            case .string: "a string"
            case .object: "an object"
            }
        }
    }

    /// Skips a member that may be what `member` allows (or `null`, unless `allowsNull` is false); a failure names
    /// it when it is not.
    private static func check(
        _ reader: inout JSONReader, _ member: ClaimedFindingMember, _ field: @autoclosure () -> String,
        allowsNull: Bool = true
    ) throws -> Result<Void, FieldError> {
        let kind = reader.nextKind()
        try reader.skipValue()
        if let kind, !(allowsNull && kind == .null), !member.allows(kind) {
            return .failure(FieldError(field: field(), expected: member.expected))
        }
        return .success(())
    }

    private static func required<T>(_ field: Result<T, FieldError>?, _ name: @autoclosure () -> String) throws -> T {
        guard let field else { throw FieldError(field: name()) }
        return try field.get()
    }

    private static func mismatch<T>(_ reader: inout JSONReader, _ field: @autoclosure () -> String, _ expected: String) throws
        -> Result<T, FieldError>
    {
        try reader.skipValue()
        return .failure(FieldError(field: field(), expected: expected))
    }

    private static func string(_ reader: inout JSONReader, _ field: @autoclosure () -> String) throws -> Result<String, FieldError> {
        guard reader.nextKind() == .string else { return try mismatch(&reader, field(), "a string") }
        return .success(try reader.readString())
    }

    private static func int(_ reader: inout JSONReader, _ field: @autoclosure () -> String) throws -> Result<Int, FieldError> {
        guard reader.nextKind() == .number else { return try mismatch(&reader, field(), "a whole number") }
        guard let value = try reader.readInt() else {
            return .failure(FieldError(field: field(), expected: "a whole number"))
        }
        return .success(value)
    }

    private static func bool(_ reader: inout JSONReader, _ field: @autoclosure () -> String) throws -> Result<Bool, FieldError> {
        guard reader.nextKind() == .bool else { return try mismatch(&reader, field(), "true or false") }
        return .success(try reader.readBool())
    }

    private static func date(_ reader: inout JSONReader, _ field: @autoclosure () -> String) throws -> Result<Date, FieldError> {
        try string(&reader, field()).flatMap { text in
            ReportCoding.parseISO8601(text).map { .success($0) }
                ?? .failure(FieldError(field: field(), expected: "an ISO-8601 UTC time such as 2026-11-24T16:00:00Z"))
        }
    }

    private static func enumeration<T: RawRepresentable & CaseIterable>(
        _ reader: inout JSONReader, _ field: @autoclosure () -> String
    )
        throws -> Result<T, FieldError> where T.RawValue == String
    {
        try string(&reader, field()).flatMap { text in
            T(rawValue: text).map { .success($0) }
                ?? .failure(
                    FieldError(field: field(), expected: "one of " + T.allCases.map(\.rawValue).joined(separator: ", ")))
        }
    }

    /// Where a field is (`findings[3]`), spelled out only when an error names it: a closure that spelled it
    /// was one allocation per finding.
    private struct Path {
        var key: String
        var index: Int?

        init(_ key: String, index: Int? = nil) {
            self.key = key
            self.index = index
        }

        var text: String { index.map { "\(key)[\($0)]" } ?? key }
        func member(_ name: String) -> String { "\(text).\(name)" }
        func element(_ index: Int) -> Path { Path(text, index: index) }
    }

    /// An object read by `body`; a field error thrown inside is kept as this field's result.
    private static func object<T>(
        _ reader: inout JSONReader, _ field: Path, _ body: (inout JSONReader, Path) throws -> T
    ) throws -> Result<T, FieldError> {
        guard reader.nextKind() == .object else { return try mismatch(&reader, field.text, "an object") }
        do {
            return .success(try body(&reader, field))
        } catch let error as FieldError {
            return .failure(error)
        }
    }

    /// An array whose elements `element` reads (named `field[i]`); the first field error is kept.
    private static func array<T>(
        _ reader: inout JSONReader, _ field: Path, _ element: (inout JSONReader, Path) throws -> T
    ) throws -> Result<[T], FieldError> {
        guard reader.nextKind() == .array else { return try mismatch(&reader, field.text, "an array") }
        var values: [T] = []
        var failure: FieldError?
        try reader.readArray { index, reader in
            if failure != nil {
                try reader.skipValue()
                return
            }
            do {
                values.append(try element(&reader, field.element(index)))
            } catch let error as FieldError {
                failure = error
            }
        }
        return failure.map { .failure($0) } ?? .success(values)
    }
}
