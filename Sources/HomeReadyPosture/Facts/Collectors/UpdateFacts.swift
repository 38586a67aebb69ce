import Foundation

/// Automatic-update facts: APT periodic with unattended-upgrades, or dnf-automatic.
enum UpdateFacts {
    static func collect(in tree: FileTree, packages: [String: InstalledPackage]?) -> FactSet {
        if let apt = aptPeriodic(in: tree) {
            let installed = packages?["unattended-upgrades"] != nil
            let on = apt["APT::Periodic::Unattended-Upgrade"].map { $0 != "0" && $0 != "" } ?? false
            return [
                "updates.automatic": .flag(on && installed),
                "updates.mechanism": .text(installed ? "unattended-upgrades" : "none"),
            ]
        }
        for timer in ["dnf-automatic-install.timer", "dnf5-automatic.timer", "dnf-automatic.timer"] {
            guard tree.exists("/etc/systemd/system/timers.target.wants/\(timer)") else { continue }
            var applies = timer == "dnf-automatic-install.timer"
            if !applies,
                let conf = try? tree.read(
                    timer.hasPrefix("dnf5") ? "/etc/dnf/dnf5-plugins/automatic.conf" : "/etc/dnf/automatic.conf")
            {
                applies = conf.split(separator: "\n").contains {
                    let parts = $0.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    return parts.count == 2 && parts[0] == "apply_updates"
                        && ["yes", "true", "1"].contains(parts[1].lowercased())
                }
            }
            return ["updates.automatic": .flag(applies), "updates.mechanism": .text("dnf-automatic")]
        }
        if tree.exists("/etc/dnf") || tree.exists("/etc/yum.conf") {
            return ["updates.automatic": .flag(false), "updates.mechanism": .text("none")]
        }
        return [:]
    }

    /// `APT::Periodic::*` settings from `/etc/apt/apt.conf.d`, later files overriding earlier ones.
    static func aptPeriodic(in tree: FileTree) -> [String: String]? {
        guard let files = tree.list("/etc/apt/apt.conf.d") else { return nil }
        var settings: [String: String] = [:]
        for file in files {
            guard let text = try? tree.read("/etc/apt/apt.conf.d/\(file)") else { continue }
            for raw in text.split(separator: "\n") {
                let line = raw.trimmingCharacters(in: .whitespaces)
                guard line.hasPrefix("APT::Periodic::"), let space = line.firstIndex(where: { $0 == " " || $0 == "\t" })
                else { continue }
                let key = String(line[..<space])
                let value = line[space...].trimmingCharacters(in: CharacterSet(charactersIn: " \t\";"))
                settings[key] = value
            }
        }
        return settings
    }
}
