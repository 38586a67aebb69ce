import ArgumentParser
import Foundation
import HomeReadyServer

/// `serve` option for readiness statements.
struct ReadinessServeOptions: ParsableArguments {
    @Option(name: .long, help: "Minutes a signed readiness statement counts after it is issued (1-1440).")
    var readinessStatementMinutes: Double = 15

    func validate() throws {
        guard readinessStatementMinutes >= 1, readinessStatementMinutes <= 1440 else {
            throw ValidationError("--readiness-statement-minutes must be from 1 to 1440 (a day), e.g. 15")
        }
    }

    func apply(to configuration: inout ServerConfiguration) {
        configuration.readinessStatementSeconds = readinessStatementMinutes * 60
    }
}

/// `homeready-server verify-statement`: checks a readiness statement offline, as a platform's gate would.
///
/// Exit status: 0 the statement is valid (its claims on stdout), 1 refused (bad signature, expired, malformed,
/// another key; the reason on stderr), 64 a usage error.
struct VerifyStatement: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-statement",
        abstract: "Check a readiness statement's signature and expiry offline and print its claims.",
        discussion: """
            KEY is the server's public key: the base64 `public_key` of GET /api/v1/readiness-key, or a file holding \
            it or that endpoint's whole JSON answer. The statement is the compact JWS, or the JSON answer of \
            GET /api/v1/agents/{id}/readiness-statement. Exit status: 0 valid, 1 refused, 64 usage.
            """)

    @Option(name: .long, help: "The server's public key: base64, or a file holding it or GET /api/v1/readiness-key's JSON.")
    var key: String
    @Option(name: .long, help: "A file holding the statement, or - for stdin.")
    var statement: String
    @Option(name: .long, help: "Seconds of clock difference to allow at expiry (default 0).")
    var leewaySeconds: Double = 0

    func validate() throws {
        guard leewaySeconds >= 0 else { throw ValidationError("--leeway-seconds must be zero or more") }
    }

    func run() throws {
        let keyText = Self.unwrap(Self.readIfFile(key), field: "public_key")
        let statementText: String
        if statement == "-" {
            statementText = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            guard let text = try? String(contentsOfFile: statement, encoding: .utf8) else {
                throw ValidationError("cannot read --statement \(statement): give a readable file, or - for stdin")
            }
            statementText = text
        }
        do {
            let publicKey = try ReadinessStatementVerifier.publicKey(base64: keyText)
            let claims = try ReadinessStatementVerifier.verify(
                Self.unwrap(statementText, field: "statement"), publicKey: publicKey, leeway: leewaySeconds)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(claims), as: UTF8.self))
            let expires = ISO8601DateFormatter().string(from: claims.expires)
            FileHandle.standardError.write(
                Data("valid: signed by key \(claims.keyId); agent \(claims.employeeId) is \(claims.status.rawValue); expires \(expires)\n".utf8))
        } catch let error as ReadinessStatementError {
            FileHandle.standardError.write(Data("refused: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The file's contents when `text` names a readable file, else `text` itself.
    static func readIfFile(_ text: String) -> String {
        guard FileManager.default.isReadableFile(atPath: text), let contents = try? String(contentsOfFile: text, encoding: .utf8)
        else { return text }
        return contents
    }

    /// `field` of a JSON object when `text` is one (an API answer saved whole), else `text` trimmed.
    static func unwrap(_ text: String, field: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("{"),
            let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any],
            let value = object[field] as? String
        else { return trimmed }
        return value
    }
}
