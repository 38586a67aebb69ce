import Foundation

/// A directory removed when the scope ends.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init(prefix: String = "homeready-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public var path: String { url.path }

    /// Writes a text file relative to the directory, creating folders, and returns its URL.
    @discardableResult
    public func write(_ relativePath: String, _ contents: String) throws -> URL {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Runs `body` with a fresh temporary directory and removes it afterwards.
public func withTemporaryDirectory<T>(_ body: (TemporaryDirectory) async throws -> T) async throws -> T {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    return try await body(directory)
}

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

    /// Prints why a test is skipped, so skips are visible in CI logs.
    public static func skip(_ test: String, because reason: String) {
        print("SKIP \(test): \(reason)")
    }
}
