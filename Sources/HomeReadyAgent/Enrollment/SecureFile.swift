import Foundation

/// Durable, private file writes: write to a temporary file in the same folder, fsync, rename over the target,
/// fsync the folder. A crash at any point leaves either the old file or the new one, never a torn one.
enum SecureFile {
    /// Creates a folder (and parents) with the given mode when missing.
    static func makeDirectory(_ url: URL, mode: mode_t = 0o700) throws(AgentError) {
        do {
            try FileManager.default.createDirectory(
                at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: NSNumber(value: mode)])
        } catch {
            throw AgentError.spoolWriteFailed(path: url.path, reason: reason(errno, fallback: error))
        }
    }

    /// Atomically replaces `url` with `data`, readable by the owner only.
    static func write(_ data: Data, to url: URL, mode: mode_t = 0o600) throws(AgentError) {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".tmp-\(UUID().uuidString)")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw AgentError.spoolWriteFailed(path: directory.path, reason: describe(errno)) }
        var failure: Int32 = 0
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure == 0 && rename(temporary.path, url.path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary.path)
            throw AgentError.spoolWriteFailed(path: url.path, reason: describe(failure))
        }
        syncDirectory(directory)
    }

    /// Flushes a folder's entries (renames and unlinks) to disk.
    static func syncDirectory(_ url: URL) {
        let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// Refuses an existing folder that group or others can read or write (a key inside would not stay private).
    static func requirePrivateDirectoryIfPresent(_ url: URL) throws(AgentError) {
        try requirePrivate(url)
    }

    /// Refuses files that group or others can read or write.
    static func requirePrivate(_ url: URL) throws(AgentError) {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return }
        if info.st_mode & 0o077 != 0 { throw AgentError.insecurePermissions(path: url.path, mode: info.st_mode) }
    }

    static func describe(_ code: Int32) -> String {
        switch code {
        case ENOSPC: return "the disk is full"
        case EROFS: return "the disk is read-only"
        case EACCES, EPERM: return "permission denied"
        case EDQUOT: return "the disk quota is exhausted"
        default: return String(cString: strerror(code))
        }
    }

    private static func reason(_ code: Int32, fallback: any Error) -> String {
        code != 0 ? describe(code) : "\(fallback)"
    }
}
