import HomeReadyModel

/// What storage refuses, in its own terms: a value another record already uses, a record that is not there, a
/// reference to a record that does not exist, a value out of range, a lifecycle transition the item's state does
/// not allow. The API maps each to an HTTP problem in one place (`Problem.init(_: StorageError)`).
public struct StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of refusal.
    public enum Kind: Sendable, Equatable {
        /// A unique value (an id, a name, an asset tag) is taken.
        case conflict
        /// No record has the id.
        case notFound
        /// A field names a record that does not exist.
        case badReference
        /// A value is out of range or missing.
        case invalidValue
        /// The item's lifecycle does not allow the event in its current state.
        case impossibleTransition
    }

    /// What kind of refusal.
    public let kind: Kind
    /// The field at fault, when one is.
    public let field: String?
    /// What went wrong and what to do.
    public let message: String

    private init(_ kind: Kind, field: String?, _ message: String) {
        self.kind = kind
        self.field = field
        self.message = message
    }

    /// `field` holds a value another record already uses.
    static func conflict(field: String?) -> StorageError {
        StorageError(.conflict, field: field, "`\(field ?? "value")` is already used by another record")
    }

    /// No `what` has the id `id`.
    static func notFound(_ what: String, id: String) -> StorageError {
        StorageError(.notFound, field: nil, "no \(what) with id \"\(id)\"")
    }

    /// `field` refers to a record that does not exist; `message` says which when it is known.
    static func badReference(field: String?, _ message: String? = nil) -> StorageError {
        StorageError(.badReference, field: field, message ?? "a referenced record does not exist; check the ids given")
    }

    /// A value of `field` is out of range or missing.
    static func invalidValue(field: String?) -> StorageError {
        StorageError(.invalidValue, field: field, "a value is out of range or missing")
    }

    /// A page's `after` cursor names no `what` (a list's items are `what`s).
    static func unknownCursor(_ after: String, what: String) -> StorageError {
        StorageError(
            .invalidValue, field: "after",
            "no \(what) has id \"\(after)\": `after` must be the id of the last one on the page before (its `next`)")
    }

    /// The equipment lifecycle refused an event.
    static func impossibleTransition(_ error: InventoryError) -> StorageError {
        StorageError(.impossibleTransition, field: error.field, error.description)
    }

    public var description: String { message }
}
