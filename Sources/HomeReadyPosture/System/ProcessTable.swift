/// A running process as seen in `/proc`.
public struct RunningProcess: Codable, Sendable, Equatable {
    public var pid: Int
    /// The kernel's short name (`/proc/PID/comm`, at most 15 characters).
    public var name: String
    /// The command line, arguments joined by spaces.
    public var commandLine: String

    public init(pid: Int, name: String, commandLine: String) {
        self.pid = pid
        self.name = name
        self.commandLine = commandLine
    }

    enum CodingKeys: String, CodingKey {
        case pid, name
        case commandLine = "command_line"
    }

    /// Whether this process is the program `wanted`: its short name, the base name of its executable, or the
    /// 15-character truncation the kernel applies to long names.
    public func isNamed(_ wanted: String) -> Bool {
        if name == wanted { return true }
        if wanted.count > 15, name == String(wanted.prefix(15)) { return true }
        let program = commandLine.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        return program.split(separator: "/").last.map(String.init) == wanted
    }
}

/// Lists processes from a `/proc` tree.
public enum ProcessTable {
    /// Every process readable in `tree`'s `/proc`.
    public static func list(in tree: FileTree) -> [RunningProcess] {
        guard let entries = tree.list("/proc") else { return [] }
        var result: [RunningProcess] = []
        for entry in entries {
            guard let pid = Int(entry) else { continue }
            guard let name = tree.value("/proc/\(entry)/comm") else { continue }
            let raw = try? tree.read("/proc/\(entry)/cmdline", limit: 4096)
            let commandLine = (raw ?? "").split(separator: "\0").joined(separator: " ")
            result.append(RunningProcess(pid: pid, name: name, commandLine: commandLine))
        }
        return result.sorted { $0.pid < $1.pid }
    }
}
