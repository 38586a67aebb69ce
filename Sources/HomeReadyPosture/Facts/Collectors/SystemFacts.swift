import Foundation

/// OS, kernel, CPU and memory facts from `/etc/os-release`, `/proc/sys/kernel`, `/proc/cpuinfo`, `/proc/meminfo`.
enum SystemFacts {
    static func collect(in tree: FileTree) -> FactSet {
        #if os(macOS)
            let version = ProcessInfo.processInfo.operatingSystemVersion
            let versionID = "\(version.majorVersion).\(version.minorVersion).\(version.patchVersion)"
            return [
                "os.family": .text("macos"), "os.id": .text("macos"), "os.name": .text("macOS"),
                "os.version_id": .text(versionID), "os.release": .text("macos \(versionID)"),
                "os.pretty_name": .text("macOS \(versionID)"), "kernel.name": .text("Darwin"),
                "cpu.count": .number(Double(ProcessInfo.processInfo.processorCount)),
                "memory.total_mb": .number((Double(ProcessInfo.processInfo.physicalMemory) / 1_048_576).rounded()),
            ]
        #else
            var facts: FactSet = ["os.family": .text("linux")]
            let release = (try? tree.read("/etc/os-release")) ?? ((try? tree.read("/usr/lib/os-release")))
            if let release {
                let fields = parseOSRelease(release)
                for (key, fact) in [
                    ("ID", "os.id"), ("ID_LIKE", "os.id_like"), ("NAME", "os.name"),
                    ("PRETTY_NAME", "os.pretty_name"), ("VERSION_ID", "os.version_id"),
                    ("VERSION_CODENAME", "os.version_codename"),
                ] {
                    if let value = fields[key] { facts[fact] = .text(value) }
                }
                if let id = fields["ID"] {
                    facts["os.release"] = .text([id, fields["VERSION_ID"]].compactMap { $0 }.joined(separator: " "))
                }
            }
            facts["kernel.name"] = .text(tree.value("/proc/sys/kernel/ostype") ?? "Linux")
            if let release = tree.value("/proc/sys/kernel/osrelease") { facts["kernel.release"] = .text(release) }
            if let cpuinfo = (try? tree.read("/proc/cpuinfo")) {
                let lines = cpuinfo.split(separator: "\n")
                let count = lines.filter { $0.hasPrefix("processor") }.count
                if count > 0 { facts["cpu.count"] = .number(Double(count)) }
                if let model = lines.first(where: { $0.hasPrefix("model name") || $0.hasPrefix("Model") })?
                    .split(separator: ":", maxSplits: 1).last
                {
                    facts["cpu.model"] = .text(model.trimmingCharacters(in: .whitespaces))
                }
            }
            if let meminfo = (try? tree.read("/proc/meminfo")) {
                let values = parseMeminfo(meminfo)
                if let total = values["MemTotal"] {
                    facts["memory.total_mb"] = .number((Double(total) / 1024).rounded())
                }
                if let available = values["MemAvailable"] {
                    facts["memory.available_mb"] = .number((Double(available) / 1024).rounded())
                }
            }
            return facts
        #endif
    }

    /// `KEY=value` lines with optional quotes.
    static func parseOSRelease(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            var value = String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            result[String(line[..<equals])] = value
        }
        return result
    }

    /// `Key:   1234 kB` lines, values in kB.
    static func parseMeminfo(_ text: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let number = parts[1].split(separator: " ").first.flatMap({ Int($0) }) else {
                continue
            }
            result[String(parts[0])] = number
        }
        return result
    }
}
