import Foundation
import Synchronization

/// Bytes the server received for one upload test, in fixed time bins from its first byte: what crossed the link,
/// as the server saw it. A browser can only count bytes it handed to its network stack (`XMLHttpRequest`
/// progress events, in coarse steps, ahead of the wire by the socket buffer); the page names a tally on its
/// uploads (`POST /speed/up?tally=ID`) and reads it afterwards (`GET /speed/up/tally/ID`).
public struct UploadTally: Codable, Sendable, Equatable {
    /// Width of each bin in milliseconds.
    public var binMs: Int
    /// Bytes received per bin, the first bin starting at the tally's first byte.
    public var bytes: [Int64]

    enum CodingKeys: String, CodingKey {
        case binMs = "bin_ms"
        case bytes
    }
}

/// The tallies of recent upload tests, bounded in number, length and age (old ones are dropped first).
public final class UploadTallies: Sendable {
    public static let binMs = 50
    /// Longest span a tally covers (bins past it are added to the last one).
    public static let maxBins = 1_200
    /// Tallies kept at once; the least recently started goes first.
    public static let maxTallies = 512
    /// A tally is forgotten this long after its first byte.
    public static let lifetime: Duration = .seconds(300)

    private struct Entry {
        var started: ContinuousClock.Instant
        var bins: [Int64]
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    /// True for an id a page may use: 8 to 64 letters, digits, `-` or `_`.
    public static func isValid(id: String) -> Bool {
        (8...64).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 45 || byte == 95
        }
    }

    /// Adds `count` bytes received now to tally `id`.
    public func add(_ count: Int, to id: String, at now: ContinuousClock.Instant = .now) {
        entries.withLock { entries in
            if entries[id] == nil {
                entries = entries.filter { now - $0.value.started < Self.lifetime }
                if entries.count >= Self.maxTallies, let oldest = entries.min(by: { $0.value.started < $1.value.started }) {
                    entries[oldest.key] = nil
                }
                entries[id] = Entry(started: now, bins: [])
            }
            guard var entry = entries[id] else { return }
            let elapsed = now - entry.started
            let ms = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            let bin = min(Self.maxBins - 1, Int(ms) / Self.binMs)
            if entry.bins.count <= bin { entry.bins += Array(repeating: 0, count: bin + 1 - entry.bins.count) }
            entry.bins[bin] += Int64(count)
            entries[id] = entry
        }
    }

    /// Tally `id`, or nil when unknown or expired.
    public func tally(_ id: String, at now: ContinuousClock.Instant = .now) -> UploadTally? {
        entries.withLock { entries in
            guard let entry = entries[id], now - entry.started < Self.lifetime else { return nil }
            return UploadTally(binMs: Self.binMs, bytes: entry.bins)
        }
    }
}
