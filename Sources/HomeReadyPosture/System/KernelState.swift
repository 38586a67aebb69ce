/// Reads sysctl values and loaded kernel modules from `/proc` and `/sys`.
public enum KernelState {
    /// The value of a sysctl key (`net.ipv4.ip_forward` or `net/ipv4/ip_forward`), `nil` when the key is unknown.
    public static func sysctl(_ key: String, in tree: FileTree) throws(PostureError) -> String? {
        let relative = key.contains("/") ? key : key.replacingOccurrences(of: ".", with: "/")
        guard let text = try tree.read("/proc/sys/\(relative)", limit: 65536) else { return nil }
        // Multi-value keys separate fields with tabs; normalise to single spaces like `sysctl -n`.
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
            .split(whereSeparator: { $0 == "\t" || $0 == " " }).joined(separator: " ")
    }

    /// Names of modules listed in `/proc/modules`.
    public static func loadedModules(in tree: FileTree) -> Set<String> {
        guard let text = (try? tree.read("/proc/modules", limit: 16 << 20)) else { return [] }
        return Set(text.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
    }

    /// Whether a module is loaded: listed in `/proc/modules` or present under `/sys/module` (built-ins with
    /// parameters). Dashes and underscores are the same in module names.
    public static func isModuleLoaded(_ name: String, in tree: FileTree, loaded: Set<String>) -> Bool {
        let normalised = name.replacingOccurrences(of: "-", with: "_")
        return loaded.contains(normalised) || tree.isDirectory("/sys/module/\(normalised)")
    }
}
