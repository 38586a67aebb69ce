import Foundation

/// What every namespace lab (`NetworkLab`, `NATLab`, `SIPALGLab`) does the same way: claim a free /24 under a
/// lock shared by every process, run `ip`/`nft` commands that must succeed, and tear namespaces down.
enum LabPlumbing {
    /// An exclusive lock on a file shared by every process, held from choosing a subnet until its addresses are
    /// added, so two labs never pick the same one (they would steal each other's packets). Call `release()`.
    struct SubnetLock {
        private let descriptor: Int32

        init(_ lockFile: String = "/tmp/homeready-netlab.lock") {
            descriptor = open(lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            if descriptor >= 0 { flock(descriptor, LOCK_EX) }
        }

        func release() {
            guard descriptor >= 0 else { return }
            flock(descriptor, LOCK_UN)
            close(descriptor)
        }
    }

    /// A third octet in 10.`secondOctet`.0.0/16 that no interface on this host uses yet.
    static func freeSubnet(secondOctet: Int) -> Int {
        let used = (try? Subprocess.run(["ip", "-o", "-4", "addr", "show", "to", "10.\(secondOctet).0.0/16"]))?.stdout ?? ""
        let taken = Set(
            used.split(separator: " ").compactMap { word -> Int? in
                let parts = word.split(separator: ".")
                guard parts.count == 4, parts[0] == "10", parts[1] == "\(secondOctet)" else { return nil }
                return Int(parts[2])
            })
        return (1...250).filter { !taken.contains($0) }.randomElement() ?? Int.random(in: 1...250)
    }

    /// Runs `argv`; throws with the command and its standard error when it fails.
    static func run(_ argv: [String]) throws {
        let output = try Subprocess.run(argv)
        if output.status != 0 { throw TestSupportError("\(argv.joined(separator: " ")) failed: \(output.stderr)") }
    }

    /// Kills every process left in `namespaces`, deletes `link` (which takes its veth peer along) and the
    /// namespaces. Never throws: a lab half built is torn down as far as it got.
    static func remove(namespaces: [String], link: String) {
        for namespace in namespaces {
            if let pids = try? Subprocess.run(["ip", "netns", "pids", namespace]) {
                for pid in pids.stdout.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            }
        }
        _ = try? Subprocess.run(["ip", "link", "del", link])
        for namespace in namespaces { _ = try? Subprocess.run(["ip", "netns", "del", namespace]) }
    }
}
