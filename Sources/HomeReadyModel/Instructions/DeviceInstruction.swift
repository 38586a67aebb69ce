import Foundation

/// What IT asks an enrolled agent's machine to do (issue 20, point 3).
public enum InstructionKind: String, Codable, Sendable, CaseIterable {
    /// Run the check now.
    case checkNow = "check_now"
    /// Show a message from IT.
    case message
    /// The assigned profile changed: fetch it again.
    case profileChanged = "profile_changed"
    /// A continuity drill started (the agent is asked to check).
    case drillStarted = "drill_started"
}

/// One instruction as a device receives it from `GET /api/v1/device/instructions`.
public struct DeviceInstruction: Codable, Sendable, Equatable {
    public var id: String
    public var kind: InstructionKind
    /// The message in IT's words (present for `message`).
    public var text: String?
    /// The message by language tag (`es`, `en`) when IT wrote it in several.
    public var texts: [String: String]?
    /// The drill a `drill_started` instruction names.
    public var drillId: String?
    public var createdAt: Date
    public var expiresAt: Date?

    public init(
        id: String, kind: InstructionKind, text: String? = nil, texts: [String: String]? = nil, drillId: String? = nil,
        createdAt: Date, expiresAt: Date? = nil
    ) {
        self.id = id
        self.kind = kind
        self.text = text
        self.texts = texts
        self.drillId = drillId
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// The text to show a reader of `language` (a tag such as `es`): that language's text when IT gave one,
    /// else the general text.
    public func text(for language: String?) -> String? {
        if let language, let localized = texts?[language], !localized.isEmpty { return localized }
        return text
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, text, texts
        case drillId = "drill_id"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
    }
}

/// The device's answer: the pending instructions and the tag to send back as `If-None-Match`.
public struct DeviceInstructions: Codable, Sendable, Equatable {
    public var etag: String
    public var items: [DeviceInstruction]

    public init(etag: String, items: [DeviceInstruction]) {
        self.etag = etag
        self.items = items
    }
}
