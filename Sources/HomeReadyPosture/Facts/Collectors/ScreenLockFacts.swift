import Foundation

/// Screen-lock facts, read only from a running desktop session: the session's own locker settings, as its user.
///
/// Without a desktop session nothing locks, and settings tools answer their built-in defaults: the state is then
/// unknown and `screen_lock.enabled` is left out, so a rule asking for it cannot pass.
enum ScreenLockFacts {
    /// What was read about a session's screen lock.
    struct Reading: Equatable {
        /// Whether the session locks when idle; `nil` when not known.
        var enabled: Bool?
        var idleSeconds: Double?
        var lockDelaySeconds: Double?
        /// Which locker was read, and from where (`GNOME dconf values`, `xfce4-screensaver xml`).
        var source: String
        /// Why the state is unknown, when it is.
        var note: String?
    }

    static func collect(
        runner: CommandRunner, environment: [String: String], tree: FileTree = FileTree(),
        effectiveUID: Int = Int(geteuid())
    ) async -> FactSet {
        let preferred =
            effectiveUID == 0
            ? environment["SUDO_USER"].flatMap { $0 == "root" ? nil : $0 }
            : environment["USER"] ?? environment["LOGNAME"]
        guard let session = DesktopSession.find(in: tree, preferredUser: preferred) else {
            return facts(
                session: nil,
                Reading(
                    source: "no desktop session",
                    note: "no desktop session runs (no logind x11/wayland session, no desktop session process)"))
        }
        let commands = SessionCommands(session: session, runner: runner, effectiveUID: effectiveUID)
        return facts(session: session, await read(session, commands: commands, tree: tree))
    }

    /// The facts for a session (`nil`: none runs) and what was read from it.
    static func facts(session: DesktopSession?, _ reading: Reading) -> FactSet {
        var facts: FactSet = [
            "screen_lock.session": .text(session?.desktop.label ?? "none"),
            "screen_lock.source": .text(reading.source),
            "screen_lock.state": .text(reading.enabled.map { $0 ? "enabled" : "disabled" } ?? "unknown"),
        ]
        var evidence: String
        if let session {
            evidence =
                "\(session.desktop.label) session of \(session.user) (\(session.origin)), read from \(reading.source)"
            if reading.enabled == nil {
                evidence += ": unknown, \(reading.note ?? "the locker's settings were not read")"
            }
        } else {
            evidence = "unknown: \(reading.note ?? reading.source)"
        }
        facts["screen_lock.evidence"] = .text(evidence)
        if let session { facts["screen_lock.user"] = .text(session.user) }
        if let enabled = reading.enabled { facts["screen_lock.enabled"] = .flag(enabled) }
        if let idle = reading.idleSeconds { facts["screen_lock.idle_delay_seconds"] = .number(idle) }
        if let delay = reading.lockDelaySeconds { facts["screen_lock.lock_delay_seconds"] = .number(delay) }
        return facts
    }

    /// Reads the locker of the session's desktop.
    static func read(_ session: DesktopSession, commands: SessionCommands, tree: FileTree) async -> Reading {
        switch session.desktop {
        case .gnome, .cinnamon, .mate:
            return await gsettingsReading(session.desktop, commands: commands)
        case .kde:
            guard let home = session.home else {
                return Reading(source: "KDE Plasma", note: "the user's home is unknown")
            }
            let path = "\(home)/.config/kscreenlockerrc"
            let text = try? tree.read(path)
            var reading = kdeReading(text)
            reading.source = text == nil ? "KDE Plasma defaults (no \(path))" : "KDE Plasma \(path)"
            return reading
        case .xfce:
            if session.runs("xfce4-screensaver") { return await xfceScreensaverReading(session, commands, tree) }
            if session.runs("light-locker") { return await lightLockerReading(session, commands, tree) }
            if session.runs("xscreensaver") { return xscreensaverReading(session, tree) }
            return Reading(
                source: "XFCE",
                note: "no screen locker runs in the session (looked for xfce4-screensaver, light-locker, xscreensaver)")
        case .lxqt:
            if session.runs("xscreensaver") { return xscreensaverReading(session, tree) }
            return Reading(source: "LXQt", note: "xscreensaver does not run in the session; other lockers are not read")
        case .other(let name):
            if session.runs("xscreensaver") { return xscreensaverReading(session, tree) }
            return Reading(source: name, note: "the screen locker of \(name) is not read by HomeReady")
        }
    }
}

// MARK: - GNOME, Cinnamon, MATE (GSettings over dconf)

extension ScreenLockFacts {
    /// A GSettings key and its dconf path.
    struct SettingKey: Equatable {
        var schema: String
        var key: String
        var path: String
    }

    /// The keys a GSettings desktop locks by: lock flag, idle activation (when the desktop has one), idle time and
    /// lock delay, and the unit of the times (1 for seconds, 60 for minutes).
    static func keys(of desktop: DesktopSession.Desktop) -> (
        lock: SettingKey, activation: SettingKey?, idle: SettingKey, delay: SettingKey, unit: Double
    )? {
        switch desktop {
        case .gnome:
            return (
                SettingKey("org.gnome.desktop.screensaver", "lock-enabled", "/org/gnome/desktop/screensaver/"), nil,
                SettingKey("org.gnome.desktop.session", "idle-delay", "/org/gnome/desktop/session/"),
                SettingKey("org.gnome.desktop.screensaver", "lock-delay", "/org/gnome/desktop/screensaver/"), 1
            )
        case .cinnamon:
            return (
                SettingKey("org.cinnamon.desktop.screensaver", "lock-enabled", "/org/cinnamon/desktop/screensaver/"),
                SettingKey(
                    "org.cinnamon.desktop.screensaver", "idle-activation-enabled",
                    "/org/cinnamon/desktop/screensaver/"),
                SettingKey("org.cinnamon.desktop.session", "idle-delay", "/org/cinnamon/desktop/session/"),
                SettingKey("org.cinnamon.desktop.screensaver", "lock-delay", "/org/cinnamon/desktop/screensaver/"), 1
            )
        case .mate:
            return (
                SettingKey("org.mate.screensaver", "lock-enabled", "/org/mate/screensaver/"),
                SettingKey("org.mate.screensaver", "idle-activation-enabled", "/org/mate/screensaver/"),
                SettingKey("org.mate.session", "idle-delay", "/org/mate/desktop/session/"),
                SettingKey("org.mate.screensaver", "lock-delay", "/org/mate/screensaver/"), 60
            )
        default:
            return nil
        }
    }

    /// A key's value: the dconf database's (set by the user or the administrator), else the default the running
    /// session applies, told by `gsettings` inside that session. `gsettings` is asked only when `dconf` answered
    /// (so GSettings is backed by dconf, not by built-in defaults in memory); `nil` when neither could tell.
    static func setting(_ key: SettingKey, commands: SessionCommands) async -> (value: String, isDefault: Bool)? {
        guard let stored = await commands.run(["dconf", "read", key.path + key.key]) else { return nil }
        let value = stored.trimmingCharacters(in: .whitespacesAndNewlines)
        if !value.isEmpty { return (value, false) }
        guard let answer = await commands.run(["gsettings", "get", key.schema, key.key]) else { return nil }
        let fallback = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        return fallback.isEmpty ? nil : (fallback, true)
    }

    static func gsettingsReading(_ desktop: DesktopSession.Desktop, commands: SessionCommands) async -> Reading {
        guard let keys = keys(of: desktop) else { return Reading(source: desktop.label) }
        let name = desktop.label
        guard commands.canRun else {
            return Reading(source: "\(name) settings", note: commands.whyNot)
        }
        let lock = await setting(keys.lock, commands: commands)
        let idle = await setting(keys.idle, commands: commands)
        let delay = await setting(keys.delay, commands: commands)
        var values = [(keys.lock, lock), (keys.idle, idle), (keys.delay, delay)]
        // Desktops without an idle-activation key activate on idle.
        var activated: Bool? = true
        if let key = keys.activation {
            let activation = await setting(key, commands: commands)
            values.append((key, activation))
            activated = activation.map { $0.value == "true" }
        }
        var read: [String] = []
        var defaults: [String] = []
        for (key, value) in values {
            guard let value else { continue }
            if value.isDefault { defaults.append(key.key) } else { read.append(key.key) }
        }
        var source = "\(name) dconf values"
        if read.isEmpty && defaults.isEmpty {
            return Reading(
                source: "\(name) settings",
                note: "dconf could not be read in the session (gsettings alone answers built-in defaults)")
        }
        if !defaults.isEmpty {
            source =
                read.isEmpty
                ? "\(name) defaults applied by the running session (no dconf value set)"
                : "\(name) dconf values (\(read.joined(separator: ", "))) and session defaults "
                    + "(\(defaults.joined(separator: ", ")))"
        }
        var reading = Reading(source: source)
        reading.idleSeconds = idle.flatMap { parseNumber($0.value) }.map { $0 * keys.unit }
        reading.lockDelaySeconds = delay.flatMap { parseNumber($0.value) }.map { $0 * keys.unit }
        if let lock, let idleSeconds = reading.idleSeconds, let activated {
            reading.enabled = lock.value == "true" && activated && idleSeconds > 0
        } else {
            reading.note = "\(keys.lock.key) or \(keys.idle.key) could not be read"
        }
        return reading
    }

    /// `uint32 300` → 300.
    static func parseNumber(_ text: String) -> Double? {
        text.split(separator: " ").last.flatMap { Double($0) }
    }
}

extension ScreenLockFacts.SettingKey {
    init(_ schema: String, _ key: String, _ path: String) {
        self.init(schema: schema, key: key, path: path)
    }
}

// MARK: - KDE Plasma

extension ScreenLockFacts {
    /// KDE Plasma's `kscreenlockerrc` (`[Daemon]` Autolock, default true; Timeout in minutes, default 5).
    static func kdeFacts(_ text: String?) -> FactSet {
        let reading = kdeReading(text)
        return [
            "screen_lock.enabled": .flag(reading.enabled ?? false),
            "screen_lock.idle_delay_seconds": .number(reading.idleSeconds ?? 0),
            "screen_lock.lock_delay_seconds": .number(reading.lockDelaySeconds ?? 0),
        ]
    }

    static func kdeReading(_ text: String?) -> Reading {
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
        return Reading(
            enabled: autolock && minutes > 0, idleSeconds: minutes * 60, lockDelaySeconds: lockGrace,
            source: "kscreenlockerrc")
    }
}
