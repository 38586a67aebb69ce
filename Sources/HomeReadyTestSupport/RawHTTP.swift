import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 client over a plain TCP socket to an IPv4 literal, for tests that talk to real
/// server processes or need to hold a request half-sent.
public enum RawHTTP {
    /// A parsed response; header names are lowercased.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data

        public var text: String { String(decoding: body, as: UTF8.self) }
        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    /// Sends one request with `Connection: close` and reads the whole response, on a thread of its own: blocking
    /// socket calls on Swift's cooperative pool (two threads on two cores) would starve in-process servers.
    public static func request(
        host: String = "127.0.0.1", port: Int, method: String, path: String, headers: [String: String] = [:],
        body: Data? = nil, timeout: Double = 30
    ) async throws -> Response {
        try await onThread {
            try blockingRequest(
                host: host, port: port, method: method, path: path, headers: headers, body: body, timeout: timeout)
        }
    }

    /// Runs blocking work on a new thread and resumes with its result.
    public static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.start()
        }
    }

    /// The blocking form of `request`.
    public static func blockingRequest(
        host: String = "127.0.0.1", port: Int, method: String, path: String, headers: [String: String] = [:],
        body: Data? = nil, timeout: Double = 30
    ) throws -> Response {
        let connection = try RawConnection(host: host, port: port, timeout: timeout)
        defer { connection.close() }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" } else if method != "GET" { head += "Content-Length: 0\r\n" }
        head += "\r\n"
        try connection.send(Data(head.utf8) + (body ?? Data()))
        return try connection.readResponse()
    }

    /// Sends a JSON body.
    public static func json(
        port: Int, method: String, path: String, token: String? = nil, json: Any, headers: [String: String] = [:]
    ) async throws -> Response {
        var all = headers
        all["Content-Type"] = "application/json"
        if let token { all["Authorization"] = "Bearer \(token)" }
        return try await request(
            port: port, method: method, path: path, headers: all, body: try JSONSerialization.data(withJSONObject: json))
    }

    /// Parses a complete response (Content-Length, chunked, or read to the end).
    static func parse(_ data: Data) throws -> Response {
        guard let split = data.range(of: Data("\r\n\r\n".utf8)) else {
            throw TestSupportError("incomplete HTTP response (\(data.count) bytes)")
        }
        let head = String(decoding: data[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw TestSupportError("bad status line: \(head.first ?? "")")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(data[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            var decoded = Data()
            var rest = body[...]
            while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
                let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
                let start = lineEnd.upperBound
                let end = rest.index(start, offsetBy: size, limitedBy: rest.endIndex) ?? rest.endIndex
                decoded += rest[start..<end]
                rest = rest[min(rest.endIndex, rest.index(end, offsetBy: 2, limitedBy: rest.endIndex) ?? rest.endIndex)...]
            }
            body = decoded
        } else if let length = headers["content-length"].flatMap(Int.init), body.count > length {
            body = body.prefix(length)
        }
        return Response(status: status, headers: headers, body: body)
    }
}

/// One TCP connection; `send` partial requests to hold a server slot, `close` to release it.
public final class RawConnection: @unchecked Sendable {
    private var fd: Int32

    public init(host: String = "127.0.0.1", port: Int, timeout: Double = 30) throws {
        fd = try FreePort.connect(host: host, port: port, timeout: timeout)
    }

    public func send(_ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                guard sent > 0 else { throw TestSupportError("send failed (errno \(errno))") }
                offset += sent
            }
        }
    }

    /// Reads until the peer closes, or until one complete response has arrived.
    public func readResponse() throws -> RawHTTP.Response {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let response = try? RawHTTP.parse(data), Self.isComplete(response, raw: data) { return response }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return try RawHTTP.parse(data)
    }

    private static func isComplete(_ response: RawHTTP.Response, raw: Data) -> Bool {
        if let length = response.headers["content-length"].flatMap(Int.init) { return response.body.count >= length }
        if response.headers["transfer-encoding"]?.lowercased() == "chunked" {
            return raw.suffix(5) == Data("0\r\n\r\n".utf8)
        }
        return false
    }

    public func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    deinit { close() }
}
