import Foundation

/// An RFC 862 UDP echo peer inside a `NetworkLab` namespace (a Python one-liner, since code in this process
/// cannot listen inside the namespace). Listens on the lab's remote address.
public enum LabEchoPeer {
    /// The script: echo every datagram back unchanged.
    static let script = """
        import socket, sys
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((sys.argv[1], int(sys.argv[2])))
        print("ready", flush=True)
        while True:
            data, peer = s.recvfrom(65535)
            s.sendto(data, peer)
        """

    /// Starts the peer on `lab.remoteAddress:port`.
    public static func start(in lab: NetworkLab, port: Int = 7) throws -> BackgroundProcess {
        let process = try lab.start(["python3", "-c", script, lab.remoteAddress, String(port)])
        let deadline = Date().addingTimeInterval(10)
        while !process.log.contains("ready") && Date() < deadline { usleep(20_000) }
        guard process.log.contains("ready") else {
            process.stop()
            throw TestSupportError("the lab echo peer did not start: \(process.log)")
        }
        return process
    }
}
