import Foundation

/// An RFC 862 UDP echo peer inside a `NetworkLab` namespace (a Python one-liner, since code in this process
/// cannot listen inside the namespace). Listens on the lab's remote address.
public enum LabEchoPeer {
    /// The script: echo every datagram back unchanged.
    static let script = """
        import socket, sys
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((sys.argv[1], int(sys.argv[2])))
        while True:
            data, peer = s.recvfrom(65535)
            s.sendto(data, peer)
        """

    /// Starts the peer on `lab.remoteAddress:port`.
    public static func start(in lab: NetworkLab, port: Int = 7) throws -> BackgroundProcess {
        let process = try lab.start(["python3", "-c", script, lab.remoteAddress, String(port)])
        usleep(300_000)
        return process
    }
}
