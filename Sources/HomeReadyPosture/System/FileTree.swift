import Foundation

/// Reads files of a system tree: `/` on a live endpoint, or a prepared directory standing in for it (`--root`).
public struct FileTree: Sendable, Equatable {
    /// The directory that stands for `/`.
    public var root: URL

    /// A tree rooted at `root` (default: the real `/`).
    public init(root: URL = URL(fileURLWithPath: "/")) {
        self.root = root.standardizedFileURL
    }

    /// The real path of an absolute path inside the tree.
    public func path(_ absolute: String) -> String {
        if root.path == "/" { return absolute }
        let trimmed = absolute.hasPrefix("/") ? String(absolute.dropFirst()) : absolute
        return root.appendingPathComponent(trimmed).path
    }

    /// Whether anything exists at the path (symbolic links followed).
    public func exists(_ absolute: String) -> Bool {
        FileManager.default.fileExists(atPath: path(absolute))
    }

    /// Whether the path is a directory.
    public func isDirectory(_ absolute: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path(absolute), isDirectory: &isDirectory)
            && isDirectory.boolValue
    }

    /// The text of a file, `nil` when it does not exist; throws when it exists but cannot be read.
    /// Reads at most `limit` bytes (files under /proc and /sys report no size, so they are read to the end).
    public func read(_ absolute: String, limit: Int = 4 << 20) throws(PostureError) -> String? {
        let real = path(absolute)
        guard FileManager.default.fileExists(atPath: real) else { return nil }
        guard let handle = FileHandle(forReadingAtPath: real) else {
            throw .unreadable(absolute, String(cString: strerror(errno)))
        }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: limit) ?? Data()
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw .unreadable(absolute, "\(error)")
        }
    }

    /// The text of a file with surrounding white space removed, `nil` when missing or unreadable.
    public func value(_ absolute: String) -> String? {
        guard let text = try? read(absolute, limit: 65536) else { return nil }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Entry names of a directory, sorted; `nil` when it is not a readable directory.
    public func list(_ absolute: String) -> [String]? {
        (try? FileManager.default.contentsOfDirectory(atPath: path(absolute)))?.sorted()
    }

    /// The target of a symbolic link, as written.
    public func linkTarget(_ absolute: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: path(absolute))
    }

    /// Mode, owner and group of a path (`lstat` semantics are not used: links are followed).
    public func status(_ absolute: String) -> FileStatus? {
        var info = stat()
        guard stat(path(absolute), &info) == 0 else { return nil }
        return FileStatus(
            mode: Int(info.st_mode) & 0o7777, uid: Int(info.st_uid), gid: Int(info.st_gid),
            isDirectory: (info.st_mode & S_IFMT) == S_IFDIR)
    }
}

/// Permission bits and ownership of a file.
public struct FileStatus: Sendable, Equatable {
    /// Permission bits including setuid/setgid/sticky (`0o7777` mask).
    public var mode: Int
    public var uid: Int
    public var gid: Int
    public var isDirectory: Bool

    /// The mode as four octal digits, e.g. `0644`.
    public var octal: String {
        let text = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }
}
