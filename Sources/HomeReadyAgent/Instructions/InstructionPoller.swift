import Foundation
import HomeReadyModel

/// What the agent does with instructions from IT (issue 20, point 3), apart from I/O: which to act on, in order.
public struct InstructionPlan: Sendable, Equatable {
    /// One step, for one instruction; the instruction is acknowledged when its step succeeded.
    public enum Step: Sendable, Equatable {
        /// `check_now` and `drill_started`: run the check.
        case runCheck(DeviceInstruction)
        /// `message`: show the text (already in the reader's language when IT gave one).
        case show(DeviceInstruction, text: String)
        /// `profile_changed`: fetch the assigned profile again.
        case refetchProfile(DeviceInstruction)
    }

    public var steps: [Step]

    /// The steps for `items` (oldest first) for a reader of `language`. Several check requests in one poll are
    /// answered by one check: the first runs it, the rest are acknowledged with it.
    public init(_ items: [DeviceInstruction], language: String?) {
        steps = items.map { item in
            switch item.kind {
            case .checkNow, .drillStarted: .runCheck(item)
            case .message: .show(item, text: item.text(for: language) ?? "")
            case .profileChanged: .refetchProfile(item)
            }
        }
    }
}

/// Polls the server for this device's instructions with the last ETag, performs them through the caller's
/// actions and acknowledges each one that succeeded.
public struct InstructionPoller: Sendable {
    public var client: ServerClient
    /// The tag of the last answer whose instructions were all handled; sent as `If-None-Match`.
    public private(set) var etag: String?

    public init(client: ServerClient, etag: String? = nil) {
        self.client = client
        self.etag = etag
    }

    /// A poller for the enrolled device.
    public init(enrollment: DeviceEnrollment, transport: any HTTPExchanging) throws(AgentError) {
        guard let url = URL(string: enrollment.serverURL) else {
            throw AgentError.invalidConfiguration("bad server URL in enrollment")
        }
        self.init(client: ServerClient(serverURL: url, transport: transport, token: enrollment.token))
    }

    /// What one poll did.
    public struct Round: Sendable, Equatable {
        /// False when the server answered `304`.
        public var changed: Bool
        /// Instructions handled and acknowledged.
        public var acknowledged: [String]
        /// Instructions whose action failed or whose acknowledgement did not reach the server (tried again next poll).
        public var pending: [String]
        /// Whether a check ran.
        public var ranCheck: Bool
    }

    /// Polls once and handles what is new: `runCheck` runs a check (return false to leave the instruction for a
    /// later poll), `show` shows a message, `refetchProfile` fetches the assigned profile again.
    public mutating func pollAndHandle(
        language: String?,
        runCheck: (DeviceInstruction) async -> Bool,
        show: (DeviceInstruction, String) -> Void,
        refetchProfile: (DeviceInstruction) async -> Bool
    ) async throws(AgentError) -> Round {
        guard let answer = try await client.instructions(ifNoneMatch: etag) else {
            return Round(changed: false, acknowledged: [], pending: [], ranCheck: false)
        }
        var round = Round(changed: true, acknowledged: [], pending: [], ranCheck: false)
        var checked = false
        for step in InstructionPlan(answer.items, language: language).steps {
            let item: DeviceInstruction
            let done: Bool
            switch step {
            case .runCheck(let instruction):
                item = instruction
                if checked {
                    done = true
                } else {
                    done = await runCheck(instruction)
                    checked = done
                    round.ranCheck = round.ranCheck || done
                }
            case .show(let instruction, let text):
                item = instruction
                show(instruction, text)
                done = true
            case .refetchProfile(let instruction):
                item = instruction
                done = await refetchProfile(instruction)
            }
            guard done else {
                round.pending.append(item.id)
                continue
            }
            do throws(AgentError) {
                try await client.acknowledgeInstruction(id: item.id)
                round.acknowledged.append(item.id)
            } catch {
                round.pending.append(item.id)
            }
        }
        // Acknowledging moves the server's tag: the next poll reads the new one (an empty list). With something
        // left pending, no tag is kept, so the next poll answers the whole list again.
        etag = round.pending.isEmpty && round.acknowledged.isEmpty ? answer.etag : nil
        return round
    }
}
