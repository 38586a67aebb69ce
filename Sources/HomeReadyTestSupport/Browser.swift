import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium driven over the DevTools protocol (CDP) with a small WebSocket client written here:
/// no Python, no WebDriver. `Browser.launch()` starts Debian's `chromium` with `--remote-debugging-port=0`, reads
/// the chosen port from `DevToolsActivePort` in its profile folder and attaches to the first page.
///
/// Console errors are collected from `Runtime.consoleAPICalled` (type error), `Runtime.exceptionThrown` and
/// `Log.entryAdded` (level error: failed resource loads, CSP violations).
public final class Browser: @unchecked Sendable {
    private let process: BackgroundProcess
    private let profile: TemporaryDirectory
    /// The attached page.
    public let page: BrowserPage

    /// Whether Debian's chromium is installed.
    public static var isAvailable: Bool { Subprocess.isInstalled("chromium") }

    /// Flags for pages that use the microphone and play sound: fake capture devices (a beeping "Fake Default Audio
    /// Input"), no permission prompt (granted), sound without a user gesture.
    public static let fakeMediaArguments = [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required",
    ]

    /// Starts headless Chromium with a fresh profile and a window of `width`×`height`; `arguments` are added to the
    /// command line (e.g. `fakeMediaArguments`, `--lang=es-MX`).
    public static func launch(width: Int = 1366, height: Int = 768, arguments: [String] = []) async throws -> Browser {
        let profile = try TemporaryDirectory(prefix: "homeready-chromium")
        let process = try Subprocess.start([
            "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0", "--user-data-dir=\(profile.path)", "--window-size=\(width),\(height)",
        ] + arguments + ["about:blank"])
        do {
            let portFile = profile.url.appendingPathComponent("DevToolsActivePort")
            var port: Int?
            for _ in 0..<300 where port == nil {
                if let text = try? String(contentsOf: portFile, encoding: .utf8),
                    let first = text.split(separator: "\n").first, let p = Int(first)
                {
                    port = p
                } else {
                    guard process.isRunning else { throw TestSupportError("chromium exited: \(process.log)") }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            guard let port else { throw TestSupportError("chromium did not open a DevTools port: \(process.log)") }
            var target: String?
            for _ in 0..<100 where target == nil {
                let list = try httpGet(port: port, path: "/json/list")
                if let items = try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [[String: Any]],
                    let pageItem = items.first(where: { $0["type"] as? String == "page" }),
                    let ws = pageItem["webSocketDebuggerUrl"] as? String, let path = URL(string: ws)?.path
                {
                    target = path
                } else {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            guard let target else { throw TestSupportError("chromium has no page target") }
            let socket = try WebSocketConnection(port: port, path: target)
            let page = BrowserPage(socket: socket)
            try await page.start()
            return Browser(process: process, profile: profile, page: page)
        } catch {
            process.stop()
            profile.remove()
            throw error
        }
    }

    private init(process: BackgroundProcess, profile: TemporaryDirectory, page: BrowserPage) {
        self.process = process
        self.profile = profile
        self.page = page
    }

    /// Stops Chromium and removes its profile.
    public func close() {
        page.socket.close()
        process.stop()
        profile.remove()
    }

    /// A plain HTTP/1.1 GET on 127.0.0.1 (for the DevTools target list).
    static func httpGet(port: Int, path: String) throws -> String {
        let fd = try FreePort.connect(port: port)
        defer { Glibc.close(fd) }
        try writeAll(fd, Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8))
        // Chromium keeps the connection open: read the headers, then Content-Length bytes.
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var expected: Int?
        var bodyStart = 0
        while expected == nil || data.count < bodyStart + expected! {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            data += buffer[0..<n]
            if expected == nil, let end = findHeaderEnd(data) {
                bodyStart = end
                let head = String(decoding: data[0..<end], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                expected = length.flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            }
        }
        return String(decoding: data[min(bodyStart, data.count)...], as: UTF8.self)
    }
}

/// One page (tab) of the browser.
public final class BrowserPage: @unchecked Sendable {
    fileprivate let socket: WebSocketConnection
    private let lock = NSLock()
    private var nextID = 1
    private var responses: [Int: Data] = [:]
    private var events: [(method: String, params: Data)] = []
    private var closed = false

    fileprivate init(socket: WebSocketConnection) { self.socket = socket }

    fileprivate func start() async throws {
        let thread = Thread { [self] in
            while let message = try? socket.receive() {
                guard let object = try? JSONSerialization.jsonObject(with: Data(message.utf8)) as? [String: Any]
                else { continue }
                lock.withLock {
                    if let id = object["id"] as? Int {
                        responses[id] = Data(message.utf8)
                    } else if let method = object["method"] as? String {
                        let params = (try? JSONSerialization.data(withJSONObject: object["params"] ?? [:])) ?? Data()
                        events.append((method, params))
                    }
                }
            }
            lock.withLock { closed = true }
        }
        thread.start()
        for domain in ["Page", "Runtime", "Log", "Network"] { _ = try await call("\(domain).enable") }
    }

    /// Sends a CDP command and returns its `result` object as JSON data.
    @discardableResult
    public func call(_ method: String, _ params: [String: any Sendable] = [:], timeout: Double = 30) async throws -> Data {
        let id = lock.withLock { defer { nextID += 1 }; return nextID }
        let message = try JSONSerialization.data(withJSONObject: ["id": id, "method": method, "params": params] as [String: Any])
        try socket.send(text: String(decoding: message, as: UTF8.self))
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let (response, isClosed) = lock.withLock { (responses.removeValue(forKey: id), closed) }
            if let response {
                let object = try JSONSerialization.jsonObject(with: response) as? [String: Any] ?? [:]
                if let error = object["error"] { throw TestSupportError("CDP \(method) failed: \(error)") }
                return try JSONSerialization.data(withJSONObject: object["result"] ?? [:])
            }
            if isClosed { throw TestSupportError("CDP connection closed during \(method)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestSupportError("CDP \(method) timed out after \(timeout) s")
    }

    /// Names of the events received so far, in order (for diagnostics).
    public var eventNames: [String] { lock.withLock { events.map(\.method) } }

    /// Loads `url` and waits for its load event.
    public func navigate(to url: String, timeout: Double = 30) async throws {
        let before = lock.withLock { events.count }
        _ = try await call("Page.navigate", ["url": url])
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let loaded = lock.withLock { events[before...].contains { $0.method == "Page.loadEventFired" } }
            if loaded { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("page \(url) did not finish loading in \(timeout) s")
    }

    /// Runs `script` (e.g. a form submission) and waits for the page it leads to.
    public func performAndWaitForLoad(_ script: String, timeout: Double = 30) async throws {
        let before = lock.withLock { events.count }
        _ = try await call("Runtime.evaluate", ["expression": script])
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let loaded = lock.withLock { events[before...].contains { $0.method == "Page.loadEventFired" } }
            if loaded { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("no page loaded within \(timeout) s after the script")
    }

    /// Fills the dashboard's sign-in form (`#username`, `#password`) and submits it, waiting for the next page.
    public func submitSignIn(user: String, password: String) async throws {
        let quote = { (text: String) in text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") }
        try await performAndWaitForLoad(
            """
            document.getElementById('username').value = '\(quote(user))';
            document.getElementById('password').value = '\(quote(password))';
            document.getElementById('signin').click();
            """)
    }

    @discardableResult
    /// Evaluates JavaScript (awaiting promises) and returns the value as JSON text ("null" for undefined).
    public func evaluate(_ expression: String) async throws -> String {
        let data = try await call(
            "Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        if let details = object["exceptionDetails"] { throw TestSupportError("script failed: \(details)") }
        let result = object["result"] as? [String: Any] ?? [:]
        guard let value = result["value"] else { return "null" }
        let wrapped = try JSONSerialization.data(withJSONObject: [value], options: [.fragmentsAllowed, .withoutEscapingSlashes])
        return String(String(decoding: wrapped, as: UTF8.self).dropFirst().dropLast())
    }

    /// Polls `expression` until it evaluates to `true`; returns false after `timeout` seconds.
    public func waitUntil(_ expression: String, timeout: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await evaluate("Boolean(\(expression))") == "true" { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return false
    }

    /// Presses and releases a key as a keyboard would (`Tab`, `Enter`, `Space`), to test keyboard-only use.
    public func press(_ key: String) async throws {
        let codes: [String: Int] = ["Tab": 9, "Enter": 13, "Space": 32]
        var down: [String: any Sendable] = [
            "type": "rawKeyDown", "key": key == "Space" ? " " : key, "code": key, "windowsVirtualKeyCode": codes[key] ?? 0,
        ]
        try await call("Input.dispatchKeyEvent", down)
        if key == "Enter" || key == "Space" {
            down["type"] = "char"
            down["text"] = key == "Enter" ? "\r" : " "
            try await call("Input.dispatchKeyEvent", down)
        }
        down["type"] = "keyUp"
        down["text"] = nil
        try await call("Input.dispatchKeyEvent", down)
    }

    /// Sets the viewport (and mobile emulation for phone sizes).
    public func setViewport(width: Int, height: Int, mobile: Bool = false) async throws {
        _ = try await call(
            "Emulation.setDeviceMetricsOverride",
            ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile])
    }

    /// Saves a PNG of the viewport (or the full page) to `url`.
    public func screenshot(to url: URL, fullPage: Bool = false) async throws {
        let data = try await call(
            "Page.captureScreenshot", ["format": "png", "captureBeyondViewport": fullPage])
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        guard let base64 = object["data"] as? String, let png = Data(base64Encoded: base64) else {
            throw TestSupportError("screenshot returned no data")
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try png.write(to: url)
    }

    /// Console errors, uncaught exceptions and error log entries since the page was attached.
    public var consoleErrors: [String] {
        lock.withLock {
            events.compactMap { event -> String? in
                guard let params = try? JSONSerialization.jsonObject(with: event.params) as? [String: Any] else {
                    return nil
                }
                switch event.method {
                case "Runtime.consoleAPICalled" where params["type"] as? String == "error":
                    return "console.error: \(params["args"] ?? "")"
                case "Runtime.exceptionThrown":
                    return "exception: \(params["exceptionDetails"] ?? "")"
                case "Log.entryAdded":
                    let entry = params["entry"] as? [String: Any] ?? [:]
                    guard entry["level"] as? String == "error" else { return nil }
                    return "log: \(entry["text"] ?? "") \(entry["url"] ?? "")"
                default:
                    return nil
                }
            }
        }
    }

    /// Forgets the events so far (call before loading the next page whose errors you check).
    public func clearEvents() { lock.withLock { events.removeAll() } }
}

// MARK: - WebSocket (RFC 6455) client, just enough for the DevTools protocol

private final class WebSocketConnection: @unchecked Sendable {
    private let fd: Int32
    private let writeLock = NSLock()
    private var pending: [UInt8] = []

    init(port: Int, path: String) throws {
        fd = try FreePort.connect(port: port)
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try writeAll(fd, Array(request.utf8))
        var header = [UInt8]()
        while !(header.count >= 4 && header.suffix(4) == [13, 10, 13, 10]) {
            header += try readExactly(1)
        }
        let status = String(decoding: header, as: UTF8.self)
        guard status.hasPrefix("HTTP/1.1 101") else { throw TestSupportError("WebSocket upgrade refused: \(status)") }
    }

    func close() { shutdown(fd, Int32(SHUT_RDWR)) }

    deinit { Glibc.close(fd) }

    func send(text: String) throws {
        let payload = Array(text.utf8)
        var frame: [UInt8] = [0x81]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count < 65536 {
            frame.append(0x80 | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        } else {
            frame.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8((payload.count >> shift) & 0xff)) }
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try writeLock.withLock { try writeAll(fd, frame) }
    }

    /// The next text message (continuations joined); nil when the peer closed.
    func receive() throws -> String? {
        var message = [UInt8]()
        while true {
            let head = try readExactly(2)
            let fin = head[0] & 0x80 != 0, opcode = head[0] & 0x0f
            var length = Int(head[1] & 0x7f)
            if length == 126 {
                let b = try readExactly(2)
                length = Int(b[0]) << 8 | Int(b[1])
            } else if length == 127 {
                length = try readExactly(8).reduce(0) { $0 << 8 | Int($1) }
            }
            let masked = head[1] & 0x80 != 0
            let mask = masked ? try readExactly(4) : []
            var payload = try readExactly(length)
            if masked { for i in 0..<payload.count { payload[i] ^= mask[i % 4] } }
            switch opcode {
            case 0x8: return nil
            case 0x9:  // ping → pong
                var pong: [UInt8] = [0x8A, 0x80 | UInt8(min(payload.count, 125))]
                pong += [0, 0, 0, 0] + payload.prefix(125)
                try writeLock.withLock { try writeAll(fd, pong) }
                continue
            case 0xA: continue
            default: message += payload
            }
            if fin { return String(decoding: message, as: UTF8.self) }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while pending.count < count {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { throw TestSupportError("WebSocket closed") }
            pending += buffer[0..<n]
        }
        let out = Array(pending[0..<count])
        pending.removeFirst(count)
        return out
    }
}

private func findHeaderEnd(_ data: [UInt8]) -> Int? {
    guard data.count >= 4 else { return nil }
    for i in 0...(data.count - 4) where data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10 {
        return i + 4
    }
    return nil
}

private func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n <= 0 { throw TestSupportError("write failed") }
        offset += n
    }
}
