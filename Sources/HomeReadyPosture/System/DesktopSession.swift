import Foundation

/// A running graphical desktop session of a user, found in logind's session records or among running processes.
struct DesktopSession: Sendable, Equatable {
    /// The desktop families whose screen lockers HomeReady reads.
    enum Desktop: Sendable, Equatable {
        case gnome, cinnamon, mate, xfce, kde, lxqt
        /// A desktop whose locker is not read, by the name it gave.
        case other(String)

        /// `XDG_CURRENT_DESKTOP`-style names (`ubuntu:GNOME`, `X-Cinnamon`, `KDE`) → the family.
        init(name: String) {
            let upper = name.uppercased()
            if upper.contains("CINNAMON") {
                self = .cinnamon
            } else if upper.contains("MATE") {
                self = .mate
            } else if upper.contains("XFCE") {
                self = .xfce
            } else if upper.contains("KDE") || upper.contains("PLASMA") {
                self = .kde
            } else if upper.contains("LXQT") {
                self = .lxqt
            } else if upper.split(separator: ":").contains(where: { ["GNOME", "UNITY", "GNOME-CLASSIC"].contains($0) })
            {
                self = .gnome
            } else {
                self = .other(name.isEmpty ? "unnamed desktop" : name)
            }
        }

        /// The name shown in facts.
        var label: String {
            switch self {
            case .gnome: return "GNOME"
            case .cinnamon: return "Cinnamon"
            case .mate: return "MATE"
            case .xfce: return "XFCE"
            case .kde: return "KDE Plasma"
            case .lxqt: return "LXQt"
            case .other(let name): return name
            }
        }
    }

    /// Session processes and the desktop each belongs to.
    static let sessionProcesses: [(process: String, desktop: String)] = [
        ("gnome-shell", "GNOME"), ("gnome-session-binary", "GNOME"), ("cinnamon-session", "X-Cinnamon"),
        ("mate-session", "MATE"), ("xfce4-session", "XFCE"), ("lxqt-session", "LXQt"), ("plasmashell", "KDE"),
        ("ksmserver", "KDE"),
    ]
    /// Accounts below this uid are system accounts (display-manager greeters run as such).
    static let firstUserUID = 1000

    var desktop: Desktop
    /// The user owning the session.
    var user: String
    var uid: Int
    /// The user's home directory, `nil` when unknown.
    var home: String?
    /// What showed the session: `logind session 3`, `xfce4-session pid 1234`.
    var origin: String
    /// The session's bus and display variables (`DBUS_SESSION_BUS_ADDRESS`, `XDG_RUNTIME_DIR`, `DISPLAY`, ...).
    var environment: [String: String]
    /// Every process the user runs (lockers such as `xfce4-screensaver` or `xscreensaver` are looked up here).
    var userProcesses: [RunningProcess]

    /// Whether the user runs a process called `name`.
    func runs(_ name: String) -> Bool { userProcesses.contains { $0.isNamed(name) } }

    /// The desktop session to read: the preferred user's (the sudo caller, or the user running the check), else
    /// logind's active one, else the first found. `nil` when no user runs a graphical session.
    static func find(in tree: FileTree, preferredUser: String?) -> DesktopSession? {
        let processes = ProcessTable.list(in: tree)
        var owners: [Int: Int] = [:]
        for process in processes { if let uid = uid(of: process.pid, in: tree) { owners[process.pid] = uid } }
        var candidates: [(session: DesktopSession, active: Bool)] = []

        for record in logindSessions(in: tree) {
            guard let uid = record["UID"].flatMap(Int.init), uid >= firstUserUID,
                ["x11", "wayland", "mir"].contains(record["TYPE"] ?? ""),
                (record["CLASS"] ?? "user") == "user", record["STATE"] != "closing",
                let leader = record["LEADER"], tree.exists("/proc/\(leader)")
            else { continue }
            let own = processes.filter { owners[$0.pid] == uid }
            let sessionProcess = own.first { process in sessionProcesses.contains { process.isNamed($0.process) } }
            let env = sessionProcess.map { environment(of: $0.pid, in: tree) } ?? [:]
            let name =
                env["XDG_CURRENT_DESKTOP"] ?? record["DESKTOP"] ?? sessionProcess.flatMap { desktopName(of: $0) } ?? ""
            let user = record["USER"] ?? account(uid: uid, in: tree)?.name ?? "uid \(uid)"
            candidates.append(
                (
                    DesktopSession(
                        desktop: Desktop(name: name), user: user, uid: uid,
                        home: account(uid: uid, in: tree)?.home ?? env["HOME"],
                        origin: "logind session \(record["ID"] ?? "?")",
                        environment: sessionEnvironment(env, uid: uid, in: tree), userProcesses: own),
                    record["ACTIVE"] == "1"
                ))
        }
        for process in processes {
            guard let uid = owners[process.pid], uid >= firstUserUID,
                !candidates.contains(where: { $0.session.uid == uid }),
                let name = desktopName(of: process)
            else { continue }
            let env = environment(of: process.pid, in: tree)
            let user = account(uid: uid, in: tree)?.name ?? env["USER"] ?? "uid \(uid)"
            candidates.append(
                (
                    DesktopSession(
                        desktop: Desktop(name: env["XDG_CURRENT_DESKTOP"] ?? name), user: user, uid: uid,
                        home: account(uid: uid, in: tree)?.home ?? env["HOME"],
                        origin: "\(process.name) pid \(process.pid)",
                        environment: sessionEnvironment(env, uid: uid, in: tree),
                        userProcesses: processes.filter { owners[$0.pid] == uid }),
                    false
                ))
        }
        if let preferredUser, let match = candidates.first(where: { $0.session.user == preferredUser }) {
            return match.session
        }
        return (candidates.first { $0.active } ?? candidates.first)?.session
    }

    /// The desktop a session process belongs to, `nil` for any other process.
    static func desktopName(of process: RunningProcess) -> String? {
        sessionProcesses.first { process.isNamed($0.process) }?.desktop
    }

    /// The bus and display variables of a session, with the user's standard bus when the process did not show one.
    static func sessionEnvironment(_ env: [String: String], uid: Int, in tree: FileTree) -> [String: String] {
        var result: [String: String] = [:]
        for key in ["DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY"] {
            result[key] = env[key]
        }
        if result["XDG_RUNTIME_DIR"] == nil { result["XDG_RUNTIME_DIR"] = "/run/user/\(uid)" }
        if result["DBUS_SESSION_BUS_ADDRESS"] == nil {
            result["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/run/user/\(uid)/bus"
        }
        return result
    }

    /// logind's session records (`/run/systemd/sessions/ID`, `KEY=VALUE` lines), each with its `ID`.
    static func logindSessions(in tree: FileTree) -> [[String: String]] {
        let base = "/run/systemd/sessions"
        return (tree.list(base) ?? []).filter { !$0.hasSuffix(".ref") }.compactMap { id in
            guard let text = try? tree.read("\(base)/\(id)", limit: 65536) else { return nil }
            var record = keyValues(text)
            record["ID"] = id
            return record
        }
    }

    /// `KEY=VALUE` lines (comments and blank lines skipped).
    static func keyValues(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }

    /// The real uid of a process (`Uid:` in `/proc/PID/status`).
    static func uid(of pid: Int, in tree: FileTree) -> Int? {
        guard let status = try? tree.read("/proc/\(pid)/status", limit: 65536) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("Uid:") {
            return line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }

    /// A process's environment (`/proc/PID/environ`); empty when unreadable.
    static func environment(of pid: Int, in tree: FileTree) -> [String: String] {
        guard let text = try? tree.read("/proc/\(pid)/environ", limit: 256 * 1024) else { return [:] }
        var result: [String: String] = [:]
        for entry in text.split(separator: "\0") {
            let parts = entry.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }

    /// Name and home of a uid: the tree's `/etc/passwd`, then (on the live `/`) the system's user database.
    static func account(uid: Int, in tree: FileTree) -> (name: String, home: String)? {
        if let passwd = try? tree.read("/etc/passwd") {
            for line in passwd.split(separator: "\n") {
                let fields = line.split(separator: ":", omittingEmptySubsequences: false)
                if fields.count >= 6, Int(fields[2]) == uid { return (String(fields[0]), String(fields[5])) }
            }
        }
        guard tree.root.path == "/", let entry = getpwuid(uid_t(uid)) else { return nil }
        return (String(cString: entry.pointee.pw_name), String(cString: entry.pointee.pw_dir))
    }
}
