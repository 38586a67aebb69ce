import Foundation

/// Screen-lock facts from GNOME's settings, read as the desktop user (the sudo caller when run as root).
enum ScreenLockFacts {
    static func collect(runner: CommandRunner, environment: [String: String], tree: FileTree = FileTree()) async
        -> FactSet
    {
        let (prefix, user, env) = sessionCommand(runner: runner, environment: environment)
        let desktop = (environment["XDG_CURRENT_DESKTOP"] ?? "").uppercased()
        if let home = homeDirectory(of: user, environment: environment) {
            let path = "\(home)/.config/kscreenlockerrc"
            let kde = desktop.contains("KDE") || (runner.resolve("gsettings") == nil && tree.exists(path))
            if kde {
                var facts = kdeFacts((try? tree.read(path)))
                facts["screen_lock.user"] = .text(user)
                return facts
            }
        }
        guard runner.resolve("gsettings") != nil else { return [:] }
        func get(_ schema: String, _ key: String) async -> String? {
            guard
                let output = try? await runner.run(
                    prefix + ["gsettings", "get", schema, key], timeout: 5, environment: env),
                output.exitStatus == 0
            else { return nil }
            return output.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var facts: FactSet = ["screen_lock.user": .text(user)]
        let lock = await get("org.gnome.desktop.screensaver", "lock-enabled")
        let idle = await get("org.gnome.desktop.session", "idle-delay").flatMap(parseNumber)
        let delay = await get("org.gnome.desktop.screensaver", "lock-delay").flatMap(parseNumber)
        if let idle { facts["screen_lock.idle_delay_seconds"] = .number(idle) }
        if let delay { facts["screen_lock.lock_delay_seconds"] = .number(delay) }
        if let lock { facts["screen_lock.enabled"] = .flag(lock == "true" && (idle ?? 1) > 0) }
        return lock == nil && idle == nil ? [:] : facts
    }

    /// KDE Plasma's `kscreenlockerrc` (`[Daemon]` Autolock, default true; Timeout in minutes, default 5).
    static func kdeFacts(_ text: String?) -> FactSet {
        var autolock = true
        var minutes = 5.0
        var lockGrace = 5.0
        var inDaemon = false
        for raw in (text ?? "").split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                inDaemon = line == "[Daemon]"
                continue
            }
            guard inDaemon else { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "Autolock": autolock = parts[1].lowercased() != "false"
            case "Timeout": minutes = Double(parts[1]) ?? minutes
            case "LockGrace": lockGrace = Double(parts[1]) ?? lockGrace
            default: break
            }
        }
        return [
            "screen_lock.enabled": .flag(autolock && minutes > 0),
            "screen_lock.idle_delay_seconds": .number(minutes * 60),
            "screen_lock.lock_delay_seconds": .number(lockGrace),
        ]
    }

    /// The home directory of the user whose session is read.
    static func homeDirectory(of user: String, environment: [String: String]) -> String? {
        if let account = getpwnam(user) { return String(cString: account.pointee.pw_dir) }
        return environment["HOME"]
    }

    /// `uint32 300` → 300.
    static func parseNumber(_ text: String) -> Double? {
        text.split(separator: " ").last.flatMap { Double($0) }
    }

    /// When root runs the check for a desktop user (sudo), read that user's settings through their session bus.
    static func sessionCommand(runner: CommandRunner, environment: [String: String]) -> (
        [String], String, [String: String]
    ) {
        let current = environment["USER"] ?? environment["LOGNAME"] ?? (geteuid() == 0 ? "root" : "uid \(geteuid())")
        guard geteuid() == 0, let user = environment["SUDO_USER"], user != "root", runner.resolve("runuser") != nil,
            let account = getpwnam(user)
        else {
            var env: [String: String] = [:]
            for key in ["DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "DISPLAY", "WAYLAND_DISPLAY"] {
                env[key] = environment[key]
            }
            return ([], current, env)
        }
        let uid = account.pointee.pw_uid
        return (
            ["runuser", "-u", user, "--"], user,
            ["DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/\(uid)/bus", "XDG_RUNTIME_DIR": "/run/user/\(uid)"]
        )
    }
}
