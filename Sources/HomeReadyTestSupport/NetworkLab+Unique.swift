import Foundation

extension NetworkLab {
    /// Whether another interface on this host already holds an address in this lab's /30 (two labs that drew the
    /// same random subnet would steal each other's packets).
    public var sharesSubnet: Bool {
        let prefix = hostAddress.split(separator: ".").prefix(3).joined(separator: ".")
        let last = Int(hostAddress.split(separator: ".").last ?? "1") ?? 1
        let network = "\(prefix).\(last - 1)/30"
        guard let output = try? Subprocess.run(["ip", "-o", "-4", "addr", "show", "to", network]) else { return false }
        return output.stdout.split(separator: "\n").count > 1
    }
}

/// Like `withNetworkLab`, but draws a new lab while its subnet collides with another lab's on this host.
public func withUniqueNetworkLab<T>(_ body: (NetworkLab) async throws -> T) async throws -> T {
    var lab = try NetworkLab()
    for _ in 0..<10 where lab.sharesSubnet {
        lab.destroy()
        lab = try NetworkLab()
    }
    defer { lab.destroy() }
    return try await body(lab)
}
