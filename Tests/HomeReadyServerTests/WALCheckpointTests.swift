import Foundation
import Logging
import SQLKit
import Testing

@testable import HomeReadyServer

@Suite("SQLite: the WAL starts over under steady writes on the lane")
struct WALCheckpointTests {
    /// Writes `commits` lane transactions of about 40 pages each on a fresh SQLite file and returns the largest
    /// size its WAL file reached, in frames (one page and its 24-byte header).
    static func largestWAL(commits: Int, restartFrames: Int) async throws -> Int {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("homeready-wal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("wal.sqlite").path
        let store = try SQLStore(
            location: .sqlite(path: path), connectionsPerEventLoop: 1, walRestartFrames: restartFrames,
            logger: Logger(label: "wal-test"))
        let pageSize: Int
        do {
            pageSize = try await store.withConnection { db in
                try await db.raw("CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)").run()
                return Int(try await db.raw("PRAGMA page_size").first()!.decode(column: "page_size", as: Int64.self))
            }
            var largest = 0
            let blob = [UInt8](repeating: 7, count: 40 * pageSize)
            for commit in 0..<commits {
                try await store.transaction(in: .writeLane) { db in
                    // Each transaction replaces the rows it wrote a round before: the database stays small, the log
                    // takes every page.
                    try await db.raw("INSERT OR REPLACE INTO blobs (id, body) VALUES (\(bind: commit % 4), \(bind: Data(blob)))")
                        .run()
                }
                let size = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
                largest = max(largest, size / (pageSize + 24))
            }
            await store.shutdown()
            return largest
        } catch {
            await store.shutdown()
            throw error
        }
    }

    @Test func theLogStaysNearItsRestartLength() async throws {
        // 800 commits write about 32,000 frames. With the restart the log stays within some thousands of frames of
        // `walRestartFrames`; without it, it takes them all. How far past `walRestartFrames` it gets depends on
        // how soon the passive checkpoint that notices runs beside the lane: on a quiet machine about 3,000 frames,
        // 7,872 once in CI with the other test lane running beside it. So the bound is a fraction of the frames
        // written, not a fixed margin.
        let bounded = try await Self.largestWAL(commits: 800, restartFrames: 2_048)
        let unbounded = try await Self.largestWAL(commits: 800, restartFrames: .max)
        #expect(unbounded > 30_000, "without the restart the WAL reached \(unbounded) frames")
        #expect(bounded < unbounded / 3, "the WAL reached \(bounded) frames, without the restart \(unbounded)")
    }
}
