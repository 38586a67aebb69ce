import Foundation
import HomeReadyModel
import HomeReadyTransport
import HomeReadyVPN

/// Why a TURN exchange failed, in the terms of `TURNResult.State`.
enum TURNFailure: Error, Sendable, Equatable {
    /// No answer within the time allowed, or the port refused (UDP port unreachable, TCP reset).
    case noAnswer(String)
    /// The relay refused the credentials (401 after authenticating, 441).
    case authFailed(String)
    /// Another error response, e.g. "486 Allocation Quota Reached".
    case refused(String)
    /// The link broke or carried something else than TURN.
    case failed(String)

    var state: TURNResult.State {
        switch self {
        case .noAnswer: return .noAnswer
        case .authFailed: return .authFailed
        case .refused: return .refused
        case .failed: return .noAnswer
        }
    }

    var detail: String {
        switch self {
        case .noAnswer(let text), .authFailed(let text), .refused(let text), .failed(let text): return text
        }
    }
}

/// One TURN client allocation over one link (RFC 8656): Allocate with the 401 realm/nonce exchange and the
/// long-term credential, CreatePermission, ChannelBind, sending through the relay, and Refresh with lifetime 0 to
/// release. Blocking: used from one `BlockingThread`.
final class TURNClientSession: @unchecked Sendable {
    // Mutable state is only touched from the one thread running the session.
    let link: any TURNLink
    private let username: String
    private let password: String
    /// Upper bound for one transaction (all retransmissions included), in seconds.
    private let timeout: Double
    private(set) var authentication: TURNMessage.Authentication?
    /// The relayed transport address the server allocated.
    private(set) var relayedAddress: IPEndpoint?
    /// This computer's address as the server saw it (server-reflexive).
    private(set) var mappedAddress: IPEndpoint?
    /// Relayed data that arrived while waiting for a response, kept for `receiveRelayed`.
    private var backlog: [TURNFrame] = []

    init(link: any TURNLink, username: String, password: String, timeout: Double) {
        self.link = link
        self.username = username
        self.password = password
        self.timeout = timeout
    }

    /// Asks for a UDP relay; on success `relayedAddress` and `mappedAddress` are set.
    func allocate() throws(TURNFailure) {
        let response = try transact(TURNMessage.Method.allocate) { _ in [TURNMessage.requestedUDP] }
        let transaction = response.transaction
        guard let relayed = response.attribute(TURNMessage.Attribute.xorRelayedAddress)
            .flatMap({ STUNPacket.address($0, xor: true, transaction: transaction) })
        else { throw .refused("the Allocate answer carried no XOR-RELAYED-ADDRESS") }
        relayedAddress = relayed
        mappedAddress = response.attribute(TURNMessage.Attribute.xorMappedAddress)
            .flatMap { STUNPacket.address($0, xor: true, transaction: transaction) }
    }

    /// Lets `peer`'s IP address send to the relayed address (and this client send to it).
    func createPermission(for peer: IPEndpoint) throws(TURNFailure) {
        _ = try transact(TURNMessage.Method.createPermission) { [TURNMessage.peerAddress(peer, transaction: $0)] }
    }

    /// Binds `channel` to `peer` so data can travel as 4-byte-header ChannelData.
    func bindChannel(_ channel: UInt16, to peer: IPEndpoint) throws(TURNFailure) {
        _ = try transact(TURNMessage.Method.channelBind) {
            [TURNMessage.channelNumber(channel), TURNMessage.peerAddress(peer, transaction: $0)]
        }
    }

    /// Sends `payload` to `peer` through the relay: as ChannelData on `channel`, else in a Send indication.
    func send(_ payload: [UInt8], to peer: IPEndpoint, channel: UInt16?) throws(TURNFailure) {
        let bytes =
            channel.map { TURNMessage.channelData(channel: $0, payload: payload, padded: !link.isDatagram) }
            ?? TURNMessage.sendIndication(to: peer, payload: payload, transaction: .randomTransaction())
        do { try link.send(bytes) } catch { throw Self.failure(error) }
    }

    /// The next relayed payload within `timeout` seconds (Data indication or ChannelData), nil when none came.
    func receiveRelayed(timeout: Double) throws(TURNFailure) -> [UInt8]? {
        if !backlog.isEmpty, let payload = backlog.removeFirst().relayedPayload?.payload { return payload }
        let start = ContinuousClock.now
        while true {
            let remaining = timeout - TURNTime.seconds(ContinuousClock.now - start)
            if remaining <= 0 { return nil }
            let frame: TURNFrame?
            do { frame = try link.receive(timeout: remaining) } catch { throw Self.failure(error) }
            guard let frame else { return nil }
            if let payload = frame.relayedPayload?.payload { return payload }
        }
    }

    /// Releases the allocation (Refresh with LIFETIME 0). Best effort: errors are ignored.
    func release() {
        guard relayedAddress != nil else { return }
        _ = try? transact(TURNMessage.Method.refresh, retries: 2) { _ in [TURNMessage.lifetime(0)] }
        relayedAddress = nil
    }

    /// Sends a request and returns its success response, going through the 401 realm/nonce exchange and a 438
    /// stale nonce once each. Retransmits over UDP (RFC 8489 §6.2.1: 500 ms, doubling) within `timeout`.
    /// `attributes` makes the request's attributes for its transaction id (XOR addresses depend on it).
    private func transact(
        _ method: UInt16, retries: Int = 7, attributes: ([UInt8]) -> [STUNAttribute]
    ) throws(TURNFailure) -> STUNPacket {
        var transaction = [UInt8].randomTransaction()
        var challenged = false
        var staleRetried = false
        while true {
            let request = TURNMessage.request(
                method, transaction: transaction, attributes: attributes(transaction), authentication: authentication)
            let (response, raw) = try exchange(request, transaction: transaction, retries: retries)
            switch response.messageClass {
            case .success:
                if let key = authentication?.key, !TURNMessage.verifyIntegrity(raw, key: key),
                    STUNPacket.integrityInput(raw) != nil
                {
                    throw .authFailed("the relay's answer failed its MESSAGE-INTEGRITY check (a different password?)")
                }
                return response
            case .error:
                let (code, reason) =
                    response.attribute(TURNMessage.Attribute.errorCode).flatMap(STUNPacket.errorCode) ?? (0, "")
                let described = "\(code) \(reason)".trimmingCharacters(in: .whitespaces)
                let realm = response.attribute(TURNMessage.Attribute.realm).map { String(decoding: $0, as: UTF8.self) }
                let nonce = response.attribute(TURNMessage.Attribute.nonce).map { String(decoding: $0, as: UTF8.self) }
                switch code {
                case 401 where !challenged && authentication == nil:
                    guard let realm, let nonce else { throw .authFailed("401 without REALM and NONCE: \(described)") }
                    authentication = TURNMessage.Authentication(
                        username: username, password: password, realm: realm, nonce: nonce)
                    challenged = true
                case 438 where !staleRetried:
                    guard let nonce, var current = authentication else { throw .refused(described) }
                    current.nonce = nonce
                    if let realm { current = .init(username: username, password: password, realm: realm, nonce: nonce) }
                    authentication = current
                    staleRetried = true
                case 401, 441:
                    throw .authFailed(described)
                default:
                    throw .refused(described)
                }
                // A new request after an error is a new transaction.
                transaction = .randomTransaction()
            default:
                throw .failed("the relay answered with a request or an indication")
            }
        }
    }

    /// Sends `request` and waits for the response with `transaction`; other messages are kept or skipped.
    private func exchange(_ request: [UInt8], transaction: [UInt8], retries: Int) throws(TURNFailure)
        -> (STUNPacket, [UInt8])
    {
        let start = ContinuousClock.now
        var rto = 0.5
        var attempts = 0
        while true {
            do { try link.send(request) } catch { throw Self.failure(error) }
            attempts += 1
            // Over a stream the whole budget is one wait; over UDP each wait doubles, the last one takes the rest.
            let elapsed = TURNTime.seconds(ContinuousClock.now - start)
            var wait = timeout - elapsed
            if link.isDatagram, attempts < retries { wait = min(wait, rto) }
            let deadline = elapsed + max(0, wait)
            while true {
                let remaining = deadline - TURNTime.seconds(ContinuousClock.now - start)
                if remaining <= 0 { break }
                let frame: TURNFrame?
                do { frame = try link.receive(timeout: remaining) } catch { throw Self.failure(error) }
                guard let frame else { break }
                if case .stun(let packet, let raw) = frame, packet.transaction == transaction,
                    packet.messageClass == .success || packet.messageClass == .error
                {
                    return (packet, raw)
                }
                if frame.relayedPayload != nil { backlog.append(frame) }
            }
            if TURNTime.seconds(ContinuousClock.now - start) >= timeout || !link.isDatagram || attempts >= retries {
                throw .noAnswer("no answer within \(Self.format(timeout)) s")
            }
            rto *= 2
        }
    }

    static func failure(_ error: TURNLinkFailure) -> TURNFailure {
        switch error {
        case .refused(let words): return .noAnswer(words)
        case .garbage: return .failed("the relay's port answered with something that is not TURN")
        case .failed(let words): return .failed(words)
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

extension [UInt8] {
    /// 12 random bytes: a STUN transaction id.
    static func randomTransaction() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<12).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
