import CHomeReadyOpenSSL

/// OpenSSL's thread-local error queue.
enum OpenSSLErrors {
    /// Empties the queue and returns its messages joined by "; " (empty when there were none).
    static func drain() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return messages.joined(separator: "; ")
    }
}
