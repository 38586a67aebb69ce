import Foundation

/// A failure of the probe's own machinery (the network section turns every one into a finding).
public struct ProbeError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable { case resolve, endpoints }

    private let code: Code
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A host name did not resolve.
    static func resolve(host: String, detail: String) -> ProbeError {
        ProbeError(.resolve, "could not resolve \(host) (\(detail)); check the address and your DNS")
    }

    /// Nothing to measure against.
    static func endpoints(_ detail: String) -> ProbeError {
        ProbeError(.endpoints, detail)
    }

    public var description: String { message }
}
