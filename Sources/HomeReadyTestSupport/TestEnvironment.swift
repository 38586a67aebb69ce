import Foundation
import Testing

/// Facts about the test environment.
public enum TestEnvironment {
    /// True when running as root (network lab tests need it).
    public static var isRoot: Bool { geteuid() == 0 }

    /// The repository root (the folder holding Package.swift), found from this source file.
    public static var packageRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// The folder holding built executables (`homeready`, `homeready-server`) for end-to-end tests.
    public static var productsDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["HOMEREADY_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        // The test bundle runs from .build/<triple>/debug; executables sit beside it.
        let bundle = Bundle.main.bundleURL
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            if FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("homeready").path) {
                return candidate
            }
        }
        return packageRoot.appendingPathComponent(".build/debug")
    }

    /// True under CI (`CI=true`), where every peer is installed and no test may skip.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Ends the running test as skipped, with `reason` in the test report (Swift Testing's `Test.cancel`).
    ///
    /// Under CI a skip is a failure instead: the bootstrap installs every peer there, so a test that cannot run
    /// points at a missing install step, and the error says which.
    public static func skip(because reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Never {
        if isCI {
            throw TestSupportError("this test cannot run under CI: \(reason)")
        }
        try Test.cancel(Comment(rawValue: reason), sourceLocation: sourceLocation)
    }

    /// Skips the running test (see `skip(because:)`) when `reason` is not nil: pass a peer's `unavailableReason`.
    public static func require(_ reason: String?, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if let reason { try skip(because: reason, sourceLocation: sourceLocation) }
    }

    /// Skips the running test when one of `peers` is not installed, naming the package that brings it.
    public static func require(_ peers: [PeerRequirement], sourceLocation: SourceLocation = #_sourceLocation) throws {
        try require(PeerRequirement.missing(peers), sourceLocation: sourceLocation)
    }
}
