import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real nginx on 127.0.0.1 and [::1] for HTTP tests: a peer we did not write.
///
/// Serves `/big.bin` (incompressible, `fileMegabytes` MiB), accepts POSTs of any size on `/upload` (body read and
/// discarded, 200), answers `/portal` with an HTML login page (a captive portal), `/redirect` with a 302 to a
/// login page, and `/missing` with 404.
public final class NginxPeer: @unchecked Sendable {
    public let port: Int
    /// The IPv4 address nginx listens on.
    public let address: String
    private let directory: TemporaryDirectory
    private let process: BackgroundProcess

    /// The start of an nginx configuration for a foreground, unprivileged nginx whose pid, logs and temporary files
    /// all live under `root`; the caller continues inside the `http {` block and closes it.
    public static func configurationHead(root: String, workerConnections: Int) -> String {
        """
        daemon off;
        master_process off;
        worker_processes 1;
        pid \(root)/nginx.pid;
        error_log \(root)/error.log warn;
        events { worker_connections \(workerConnections); }
        http {
            access_log off;
            client_body_temp_path \(root)/body;
            proxy_temp_path \(root)/proxy;
            fastcgi_temp_path \(root)/fastcgi;
            uwsgi_temp_path \(root)/uwsgi;
            scgi_temp_path \(root)/scgi;
        """
    }

    /// Why nginx tests cannot run, or nil.
    public static var unavailableReason: String? {
        PeerRequirement.missing([.nginx])
    }

    /// Starts nginx on 127.0.0.1 (and ::1), or, with `lab`, inside the lab's namespace on its remote address.
    public init(fileMegabytes: Int = 32, ipv6: Bool = true, lab: NetworkLab? = nil) throws {
        directory = try TemporaryDirectory(prefix: "hr-nginx")
        port = lab == nil ? try FreePort.tcp() : 8080
        address = lab?.remoteAddress ?? "127.0.0.1"
        let file = directory.url.appendingPathComponent("www/big.bin")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        var chunk = Data(count: 1 << 20)
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        for _ in 0..<fileMegabytes {
            chunk.withUnsafeMutableBytes { raw in
                for index in stride(from: 0, to: raw.count, by: 8) {
                    raw.storeBytes(of: generator.next() as UInt64, toByteOffset: index, as: UInt64.self)
                }
            }
            handle.write(chunk)
        }
        try handle.close()
        let root = directory.path
        let listen6 = ipv6 && lab == nil ? "listen [::1]:\(port);" : ""
        let config = """
            \(Self.configurationHead(root: root, workerConnections: 256))
                sendfile on;
                tcp_nopush on;
                keepalive_requests 100000;
                server {
                    listen \(address):\(port);
                    \(listen6)
                    root \(root)/www;
                    location = /upload { client_max_body_size 0; return 200 "ok\\n"; }
                    location = /portal { default_type text/html; return 200 "<!DOCTYPE html><html><body>Please log in to Hotel WiFi</body></html>"; }
                    location = /redirect { return 302 http://127.0.0.1:9/login; }
                    location = /ping { return 204; }
                }
            }
            """
        try directory.write("nginx.conf", config)
        let argv = ["nginx", "-p", root, "-c", "\(root)/nginx.conf"]
        process = try lab?.start(argv) ?? Subprocess.start(argv)
        try FreePort.waitForListener(host: address, port: port, timeout: 10)
    }

    /// `http://127.0.0.1:PORT` + path.
    public func url(_ path: String, ipv6: Bool = false) -> String {
        ipv6 ? "http://[::1]:\(port)\(path)" : "http://\(address):\(port)\(path)"
    }

    public func stop() {
        process.stop()
        directory.remove()
    }

    deinit { stop() }
}
