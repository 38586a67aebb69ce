import Foundation

/// Screen-lock facts from GNOME's settings, read as the desktop user (the sudo caller when run as root).
enum ScreenLockFacts {
    static func collect(runner: CommandRunner, environment: [String: String]) async -> FactSet {
        guard runner.resolve("gsettings") != nil else { return [:] }
        let (prefix, user, env) = sessionCommand(runner: runner, environment: environment)
        func get(_ schema: String, _ key: String) async -> String? {
            guard let output = try? await runner.run(prefix + ["gsettings", "get", schema, key], timeout: 5, environment: env),
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

    /// `uint32 300` → 300.
    static func parseNumber(_ text: String) -> Double? {
        text.split(separator: " ").last.flatMap { Double($0) }
    }

    /// When root runs the check for a desktop user (sudo), read that user's settings through their session bus.
    static func sessionCommand(runner: CommandRunner, environment: [String: String]) -> ([String], String, [String: String]) {
        let current = environment["USER"] ?? environment["LOGNAME"] ?? (geteuid() == 0 ? "root" : "uid \(geteuid())")
        guard geteuid() == 0, let user = environment["SUDO_USER"], user != "root", runner.resolve("runuser") != nil,
            let account = getpwnam(user)
        else {
            var env: [String: String] = [:]
            for key in ["DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "DISPLAY", "WAYLAND_DISPLAY"] { env[key] = environment[key] }
            return ([], current, env)
        }
        let uid = account.pointee.pw_uid
        return (["runuser", "-u", user, "--"], user,
                ["DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/\(uid)/bus", "XDG_RUNTIME_DIR": "/run/user/\(uid)"])
    }
}
