import Foundation
import SQLKit

/// Group commit: concurrent writes of one kind queued here share one transaction, written as one set.
///
/// No background task: the first caller to find no batch running becomes the *leader*; it takes every queued
/// input (its own first), hands them all to `write` in one transaction and gives each waiter its own output after
/// the commit. When inputs queued up meanwhile, the leader hands leadership to the first of their callers and
/// returns. When `write` throws or the transaction itself fails (BEGIN or COMMIT), the batch is rolled back and
/// every input of it is written again alone in its own transaction, so a failing input fails alone.
///
/// The batch runs on the store's write thread (`SQLStore.writeLane`), so its statements follow one another
/// without queueing behind request handlers for a cooperative-pool thread.
///
/// `lanes` batches may run at once. One per instance: SQLite has one writer anyway, and on PostgreSQL two batches
/// touching the same rows in different orders could deadlock (between instances that can still happen; PostgreSQL
/// aborts one, whose inputs are then redone one by one, retried on deadlock).
actor GroupCommit<Input: Sendable, Output: Sendable> {
    /// Writes a batch on `db` inside the batch's transaction; returns one output per input, in order. It may run
    /// twice for an input (the batch, then alone), so it must only touch the database.
    typealias Write = @Sendable ([Input], any SQLDatabase) async throws -> [Output]
    typealias Outcome = Result<Output, any Error>

    /// A queued input.
    struct Job: Sendable {
        let id: UInt64
        let input: Input
    }

    /// What a waiting caller is woken for.
    enum Turn: Sendable {
        /// Run the next batch.
        case lead
        /// Your input is written.
        case done(Outcome)
    }

    let lanes: Int
    let maxBatch: Int
    private let store: SQLStore
    private let write: Write
    private var queue: [Job] = []
    private var waiters: [UInt64: CheckedContinuation<Turn, Never>] = [:]
    private var finished: [UInt64: Outcome] = [:]
    private var leaders = 0
    private var nextID: UInt64 = 0
    /// Batches committed and inputs in them (for tests and logs).
    private(set) var batches = 0
    private(set) var writes = 0

    init(store: SQLStore, lanes: Int = 1, maxBatch: Int = 256, write: @escaping Write) {
        self.store = store
        self.lanes = max(1, lanes)
        self.maxBatch = max(1, maxBatch)
        self.write = write
    }

    /// Queues `input` and returns its output once committed (or its error).
    nonisolated func run(_ input: Input) async throws -> Output {
        let (id, first) = await enqueue(input)
        var turn = first
        while true {
            switch turn {
            case .done(let outcome):
                return try outcome.get()
            case .lead:
                let batch = await take()
                let (write, store) = (write, store)
                let outcomes = await withTaskExecutorPreference(store.writeLane.executor) {
                    await Self.execute(batch, write: write, in: store)
                }
                turn = await complete(outcomes, waitingFor: id)
            }
        }
    }

    private func enqueue(_ input: Input) async -> (UInt64, Turn) {
        nextID &+= 1
        let id = nextID
        queue.append(Job(id: id, input: input))
        if leaders < lanes {
            leaders += 1
            return (id, .lead)
        }
        return (id, await withCheckedContinuation { waiters[id] = $0 })
    }

    private func take() -> [Job] {
        let batch = Array(queue.prefix(maxBatch))
        queue.removeFirst(batch.count)
        return batch
    }

    /// Delivers a batch's outcomes, passes leadership on, and returns the leader's own next turn.
    private func complete(_ outcomes: [(UInt64, Outcome)], waitingFor own: UInt64) async -> Turn {
        batches += 1
        writes += outcomes.count
        for (id, outcome) in outcomes {
            if let waiter = waiters.removeValue(forKey: id) {
                waiter.resume(returning: .done(outcome))
            } else {
                finished[id] = outcome
            }
        }
        // Hand over to a queued caller that is waiting (a queued job without a waiter belongs to a leader).
        if let next = queue.first(where: { waiters[$0.id] != nil }), let waiter = waiters.removeValue(forKey: next.id) {
            waiter.resume(returning: .lead)
        } else {
            leaders -= 1
        }
        if let outcome = finished.removeValue(forKey: own) { return .done(outcome) }
        return await withCheckedContinuation { waiters[own] = $0 }
    }

    /// Writes a batch in one transaction; when that throws (or BEGIN/COMMIT fails), the transaction is rolled back
    /// and every input is written again alone in its own transaction, so a bad input fails by itself.
    /// (Errors are rare: a duplicate report id is not one.)
    private static func execute(_ batch: [Job], write: Write, in store: SQLStore) async -> [(UInt64, Outcome)] {
        guard !batch.isEmpty else { return [] }
        if batch.count > 1 {
            do {
                let outputs = try await store.transaction(in: .writeLane) { db in try await write(batch.map(\.input), db) }
                if outputs.count == batch.count {
                    return zip(batch, outputs).map { ($0.id, .success($1)) }
                }
                // A write that does not answer every input is a bug; writing them one by one still answers each.
            } catch {
                // Nothing of the batch is stored; write each input alone.
            }
        }
        var outcomes: [(UInt64, Outcome)] = []
        for job in batch {
            var attempt = 1
            while true {
                do {
                    let outputs = try await store.transaction(in: .writeLane) { db in try await write([job.input], db) }
                    guard let output = outputs.first else { throw GroupCommitError.noOutput }
                    outcomes.append((job.id, .success(output)))
                } catch where attempt < 3 && SQLStore.isTransient(error) {
                    // A deadlock with another instance's batch: PostgreSQL aborted us; the write is safe to redo.
                    attempt += 1
                    continue
                } catch {
                    outcomes.append((job.id, .failure(error)))
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
