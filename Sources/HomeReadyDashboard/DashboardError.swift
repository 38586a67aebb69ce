/// Errors of the dashboard library itself (a failing agent is data, not an error).
public struct DashboardError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable {
        case resourcesMissing(String)
        case templateMissing(String)
    }

    private let code: Code

    /// The bundled templates or static files could not be found: reinstall or rebuild the package.
    public static func resourcesMissing(_ what: String) -> DashboardError { .init(code: .resourcesMissing(what)) }
    /// A page's template does not exist or failed to render: check `Templates/`.
    public static func templateMissing(_ name: String) -> DashboardError { .init(code: .templateMissing(name)) }

    public var description: String {
        switch code {
        case .resourcesMissing(let what):
            "dashboard resources missing: \(what); rebuild the package so that Templates/ and Static/ are bundled"
        case .templateMissing(let name):
            "dashboard template `\(name)` is missing or failed to render; check Sources/HomeReadyDashboard/Templates"
        }
    }
}
