import Foundation
import SQLKit
import Synchronization

/// Group commit: concurrent writes of one kind queued here share one transaction, written as one set.
///
/// Callers queue their input and wait. While anything is queued, one *drain* task runs on the store's write thread
/// (`SQLStore.writeLane`; `place` `.pool` runs it on a pooled connection instead, as the dashboards' NOTIFYs do):
/// it takes everything queued (up to `maxBatch`), hands it to `write` in one transaction, gives each caller its own
/// output after the commit, and goes on while inputs queued up meanwhile; it ends when
/// the queue is empty, and the next input starts a new one. The drain never waits for a cooperative-pool thread
/// behind request handlers, so batches follow one another back to back. When `write` throws or the transaction
/// itself fails (BEGIN or COMMIT), the batch is rolled back and every input of it is written again alone in its
/// own transaction, so a failing input fails alone.
///
/// Under concurrent load the drain *lingers*: after a batch of more than one input, while fewer than
/// `lingerTarget` are queued, it waits `linger` once before taking the next batch. A batch's statements and its
/// commit cost about the same for 3 inputs as for 14, and without the wait the report lane's batches held 3.3
/// reports on average (50 agents posting at once on SQLite). A lone write (the batch before it held one, or the
/// lane was idle) is written at once.
///
/// One batch at a time per instance: SQLite has one writer anyway, and on PostgreSQL two batches touching the same
/// rows in different orders could deadlock (between instances that can still happen; PostgreSQL aborts one, whose
/// inputs are then redone one by one, retried on deadlock).
///
/// The queue is guarded by a lock, not an actor: queueing is a few instructions, and a caller does not hop to
/// another executor to do it.
final class GroupCommit<Input: Sendable, Output: Sendable>: Sendable {
    /// Writes a batch on `db` inside the batch's transaction; returns one output per input, in order. It may run
    /// twice for an input (the batch, then alone), so it must only touch the database.
    typealias Write = @Sendable ([Input], any SQLDatabase) async throws -> [Output]
    typealias Outcome = Result<Output, any Error>

    /// A queued input and its waiting caller.
    struct Job: Sendable {
        let input: Input
        let caller: CheckedContinuation<Outcome, Never>
    }

    private struct State {
        var queue: [Job] = []
        var draining = false
        var batches = 0
        var writes = 0
    }

    let maxBatch: Int
    let linger: Duration
    let lingerTarget: Int
    /// The connection batches run on: the write lane's own (the report lane), or a pooled one.
    let place: SQLStore.TransactionConnection
    private let store: SQLStore
    private let write: Write
    private let state = Mutex(State())

    /// Batches committed and inputs in them (for tests and logs).
    var batches: Int { state.withLock { $0.batches } }
    var writes: Int { state.withLock { $0.writes } }

    init(
        store: SQLStore, in place: SQLStore.TransactionConnection = .writeLane, maxBatch: Int = 256,
        linger: Duration = .zero, lingerTarget: Int = 16, write: @escaping Write
    ) {
        self.store = store
        self.place = place
        self.maxBatch = max(1, maxBatch)
        self.linger = linger
        self.lingerTarget = lingerTarget
        self.write = write
    }

    /// Queues `input` and returns its output once committed (or its error).
    func run(_ input: Input) async throws -> Output {
        try await withCheckedContinuation { (caller: CheckedContinuation<Outcome, Never>) in
            let startDrain = state.withLock { state in
                state.queue.append(Job(input: input, caller: caller))
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            guard startDrain else { return }
            switch place {
            case .writeLane: Task(executorPreference: store.writeLane.executor) { await self.drain() }
            case .pool: Task { await self.drain() }
            }
        }.get()
    }

    /// Writes batches until the queue is empty.
    private func drain() async {
        var previousBatch = 0
        while true {
            if previousBatch > 1, linger > .zero, state.withLock({ $0.queue.count }) < lingerTarget {
                try? await Task.sleep(for: linger)
            }
            let batch: [Job] = state.withLock { state in
                let batch = Array(state.queue.prefix(maxBatch))
                state.queue.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            previousBatch = batch.count
            let outcomes = await Self.execute(batch.map(\.input), write: write, in: store, on: place)
            state.withLock { state in
                state.batches += 1
                state.writes += batch.count
            }
            for (job, outcome) in zip(batch, outcomes) { job.caller.resume(returning: outcome) }
        }
    }

    /// Writes a batch in one transaction; when that throws (or BEGIN/COMMIT fails), the transaction is rolled back
    /// and every input is written again alone in its own transaction, so a bad input fails by itself.
    /// (Errors are rare: a duplicate report id is not one.) Returns one outcome per input, in order.
    private static func execute(
        _ inputs: [Input], write: Write, in store: SQLStore, on place: SQLStore.TransactionConnection
    ) async -> [Outcome] {
        guard !inputs.isEmpty else { return [] }
        if inputs.count > 1 {
            do {
                let outputs = try await store.transaction(in: place) { db in try await write(inputs, db) }
                if outputs.count == inputs.count { return outputs.map { .success($0) } }
                // A write that does not answer every input is a bug; writing them one by one still answers each.
            } catch {
                // Nothing of the batch is stored; write each input alone.
            }
        }
        var outcomes: [Outcome] = []
        for input in inputs {
            var attempt = 1
            while true {
                do {
                    let outputs = try await store.transaction(in: place) { db in try await write([input], db) }
                    guard let output = outputs.first else { throw GroupCommitError.noOutput }
                    outcomes.append(.success(output))
                } catch where attempt < 3 && SQLStore.isTransient(error) {
                    // A deadlock with another instance's batch: PostgreSQL aborted us; the write is safe to redo.
                    attempt += 1
                    continue
                } catch {
                    outcomes.append(.failure(error))
                }
                break
            }
        }
        return outcomes
    }
}

/// A batch write returned no output for an input (a programming error, reported rather than trapped).
struct GroupCommitError: Error, CustomStringConvertible {
    static let noOutput = GroupCommitError()
    var description: String { "the group-commit write returned no result for an input" }
}
