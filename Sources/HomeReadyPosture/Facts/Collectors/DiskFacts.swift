import Foundation

/// A mounted file system from `/proc/mounts`.
struct MountEntry: Equatable {
    var device: String
    var mountPoint: String
    var type: String
}

/// Where a file system lives: its block device and the stack of devices beneath it.
public struct BlockLineage: Sendable, Equatable {
    /// The kernel name of the device holding the file system (`dm-1`, `nvme0n1p2`), or the mount source.
    public var device: String
    /// Readable stack, e.g. `dm-1 [LVM vg-root] < dm-0 [CRYPT-LUKS2] < nvme0n1p3`.
    public var description: String
    /// Whether every path down to the physical devices passes through dm-crypt.
    public var encrypted: Bool
}

/// Disk facts: encryption from the block-device lineage (LVM on LUKS counts), and free space.
enum DiskFacts {
    static func collect(in tree: FileTree) -> FactSet {
        var facts: FactSet = [:]
        let mounts = parseMounts((try? tree.read("/proc/mounts")) ?? "")
        for (label, path) in [("root", "/"), ("home", "/home")] {
            guard let mount = mountHolding(path, mounts: mounts) else { continue }
            let lineage = self.lineage(of: mount, in: tree)
            facts["disk.\(label).device"] = .text(lineage.device)
            facts["disk.\(label).lineage"] = .text(lineage.description)
            facts["disk.\(label).encrypted"] = .flag(lineage.encrypted)
            var info = statvfs()
            if statvfs(tree.path(mount.mountPoint), &info) == 0 {
                let gib = 1024.0 * 1024 * 1024
                let free = Double(info.f_bavail) * Double(info.f_frsize) / gib
                let total = Double(info.f_blocks) * Double(info.f_frsize) / gib
                facts["disk.\(label).free_gb"] = .number((free * 10).rounded() / 10)
                if label == "root" { facts["disk.root.total_gb"] = .number((total * 10).rounded() / 10) }
            }
        }
        return facts
    }

    static func parseMounts(_ text: String) -> [MountEntry] {
        text.split(separator: "\n").compactMap { line in
            let columns = line.split(separator: " ")
            guard columns.count >= 3 else { return nil }
            return MountEntry(
                device: unescape(String(columns[0])), mountPoint: unescape(String(columns[1])), type: String(columns[2])
            )
        }
    }

    /// The last-mounted file system whose mount point is the longest prefix of `path`.
    static func mountHolding(_ path: String, mounts: [MountEntry]) -> MountEntry? {
        var best: MountEntry?
        for mount in mounts {
            let point = mount.mountPoint
            let holds = point == "/" || path == point || path.hasPrefix(point.hasSuffix("/") ? point : point + "/")
            guard holds else { continue }
            if let current = best, current.mountPoint.count > point.count { continue }
            best = mount
        }
        return best
    }

    /// Follows a mount's device down through device-mapper (`/sys/class/block/X/slaves`).
    static func lineage(of mount: MountEntry, in tree: FileTree) -> BlockLineage {
        guard let name = kernelName(of: mount.device, in: tree) else {
            return BlockLineage(
                device: mount.device, description: "\(mount.device) (\(mount.type), not a block device we can follow)",
                encrypted: false)
        }
        var visited = Set<String>()
        let (description, encrypted) = walk(name, in: tree, visited: &visited)
        return BlockLineage(device: name, description: description, encrypted: encrypted)
    }

    /// Maps `/dev/mapper/NAME`, `/dev/dm-N`, `/dev/sdXN`, `/dev/disk/by-*/...` to a `/sys/class/block` name.
    static func kernelName(of device: String, in tree: FileTree) -> String? {
        guard device.hasPrefix("/dev/") else { return nil }
        if device.hasPrefix("/dev/mapper/") {
            let mapped = String(device.dropFirst("/dev/mapper/".count))
            for entry in tree.list("/sys/class/block") ?? [] where entry.hasPrefix("dm-") {
                if tree.value("/sys/class/block/\(entry)/dm/name") == mapped { return entry }
            }
            if let target = tree.linkTarget(device) { return (target as NSString).lastPathComponent }
            return nil
        }
        if let target = tree.linkTarget(device) { return (target as NSString).lastPathComponent }
        let name = (device as NSString).lastPathComponent
        return tree.exists("/sys/class/block/\(name)") ? name : nil
    }

    private static func walk(_ name: String, in tree: FileTree, visited: inout Set<String>) -> (String, Bool) {
        guard visited.insert(name).inserted else { return (name, false) }
        let base = "/sys/class/block/\(name)"
        let uuid = tree.value("\(base)/dm/uuid") ?? ""
        let mapped = tree.value("\(base)/dm/name")
        var label = name
        let isCrypt = uuid.hasPrefix("CRYPT-")
        if isCrypt {
            label += " [\(uuid.split(separator: "-").prefix(2).joined(separator: "-"))\(mapped.map { " \($0)" } ?? "")]"
        } else if uuid.hasPrefix("LVM-") {
            label += " [LVM\(mapped.map { " \($0)" } ?? "")]"
        } else if let mapped {
            label += " [\(mapped)]"
        }
        let slaves = tree.list("\(base)/slaves") ?? []
        if slaves.isEmpty { return (label, isCrypt) }
        var parts: [String] = []
        var allEncrypted = true
        for slave in slaves {
            let (text, encrypted) = walk(slave, in: tree, visited: &visited)
            parts.append(text)
            allEncrypted = allEncrypted && encrypted
        }
        let below = parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " + ") + ")"
        return ("\(label) < \(below)", isCrypt || allEncrypted)
    }

    /// `/proc/mounts` escapes space, tab, newline and backslash as octal.
    private static func unescape(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var result = ""
        var chars = Array(text)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            if c == "\\", chars.count >= 3, let code = UInt8(String(chars.prefix(3)), radix: 8) {
                result.append(Character(UnicodeScalar(code)))
                chars = chars.dropFirst(3)
            } else {
                result.append(c)
            }
        }
        return result
    }
}
