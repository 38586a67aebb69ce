import Foundation

/// Repeat intervals (`30m`, `1h`, `90s`, `2h30m`) and the systemd user units that run checks on them.
public enum CheckSchedule {
    /// Parses an interval into seconds; nil when malformed, under 10 seconds or over a day.
    public static func parseInterval(_ text: String) -> Int? {
        var total = 0
        var number = ""
        var sawUnit = false
        for character in text.lowercased() {
            if character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Int(number) else { return nil }
            switch character {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        if !number.isEmpty {
            guard !sawUnit, let value = Int(number) else { return nil }
            total += value
        }
        return (10...86_400).contains(total) ? total : nil
    }

    /// systemd's spelling of an interval (`30min`, `1h`, `45s`).
    public static func systemdSpan(_ seconds: Int) -> String {
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)min" }
        return "\(seconds)s"
    }

    /// The service unit: one enrolled check that signs, spools and uploads.
    public static func serviceUnit(executable: String) -> String {
        """
        [Unit]
        Description=HomeReady readiness check (signed report to the HomeReady server)
        After=network-online.target
        Wants=network-online.target

        [Service]
        Type=oneshot
        ExecStart=\(quote(executable)) check
        ExecStartPost=\(quote(executable)) report --flush
        # Instructions from IT (a message, a changed profile, another check); its failure does not fail the unit.
        ExecStartPost=-\(quote(executable)) instructions --after-check
        # Exit 1 (not ready) and 3 (incomplete) are results, not failures of the unit.
        SuccessExitStatus=1 3
        Nice=10

        """
    }

    /// The timer unit: every `seconds`, catching up after sleep or power-off, spread a little across agents.
    public static func timerUnit(everySeconds seconds: Int) -> String {
        """
        [Unit]
        Description=Run the HomeReady check every \(systemdSpan(seconds))

        [Timer]
        OnBootSec=5min
        OnUnitActiveSec=\(systemdSpan(seconds))
        RandomizedDelaySec=\(systemdSpan(max(10, min(300, seconds / 10))))
        Persistent=true
        Unit=homeready-check.service

        [Install]
        WantedBy=timers.target

        """
    }

    /// The folder for user units (`$XDG_CONFIG_HOME/systemd/user`).
    public static func userUnitDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let home = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory())
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? URL(fileURLWithPath: $0) : nil }
            ?? home.appendingPathComponent(".config")
        return config.appendingPathComponent("systemd/user")
    }

    static func quote(_ path: String) -> String {
        path.contains(" ") ? "\"\(path)\"" : path
    }
}
