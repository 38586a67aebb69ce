import Foundation
import SQLKit

/// Group commit: concurrent writes queued here share one transaction.
///
/// No background task: the first caller to find no batch running becomes the *leader*; it takes every queued
/// write (its own first), runs them in one transaction and hands each waiter its own result after the commit.
/// When writes queued up meanwhile, the leader hands leadership to the first of their callers and returns.
/// When a write throws or the transaction itself fails (BEGIN or COMMIT), the batch is rolled back and every write
/// of it is retried one by one in its own transaction, so a failing write fails alone.
///
/// `lanes` batches may run at once. One per instance: SQLite has one writer anyway, and on PostgreSQL two batches
/// touching the same rows in different orders could deadlock (between instances that can still happen; PostgreSQL
/// aborts one, whose writes are then redone one by one, retried on deadlock).
actor GroupCommit {
    typealias Outcome = Result<any Sendable, any Error>

    /// A queued write.
    struct Job: Sendable {
        let id: UInt64
        let body: @Sendable (any SQLDatabase) async throws -> any Sendable
    }

    /// What a waiting caller is woken for.
    enum Turn: Sendable {
        /// Run the next batch.
        case lead
        /// Your write is done.
        case done(Outcome)
    }

    let lanes: Int
    let maxBatch: Int
    private var queue: [Job] = []
    private var waiters: [UInt64: CheckedContinuation<Turn, Never>] = [:]
    private var finished: [UInt64: Outcome] = [:]
    private var leaders = 0
    private var nextID: UInt64 = 0
    /// Batches committed and writes in them (for tests and logs).
    private(set) var batches = 0
    private(set) var writes = 0

    init(lanes: Int, maxBatch: Int = 256) {
        self.lanes = max(1, lanes)
        self.maxBatch = max(1, maxBatch)
    }

    /// Queues `body` and returns its result once committed (or its error).
    nonisolated func run<T: Sendable>(
        in store: SQLStore, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        let (id, first) = await enqueue { db in try await body(db) }
        var turn = first
        while true {
            switch turn {
            case .done(let outcome):
                // The job's body returns a T, so the cast cannot fail.
                return try outcome.get() as! T
            case .lead:
                let batch = await take()
                let outcomes = await Self.execute(batch, in: store)
                turn = await complete(outcomes, waitingFor: id)
            }
        }
    }

    private func enqueue(_ body: @escaping @Sendable (any SQLDatabase) async throws -> any Sendable) async
        -> (UInt64, Turn)
    {
        nextID &+= 1
        let id = nextID
        queue.append(Job(id: id, body: body))
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

    /// Runs a batch in one transaction; when any write of it throws (or BEGIN/COMMIT fails), the transaction is
    /// rolled back and every write is retried alone in its own transaction, so a bad write fails by itself.
    /// (Errors are rare: a duplicate report id is not one. Savepoints would isolate them too, at two more round
    /// trips per write for every batch.)
    private static func execute(_ batch: [Job], in store: SQLStore) async -> [(UInt64, Outcome)] {
        guard !batch.isEmpty else { return [] }
        if batch.count > 1 {
            do {
                return try await store.transaction { db in
                    var outcomes: [(UInt64, Outcome)] = []
                    for job in batch { outcomes.append((job.id, .success(try await job.body(db)))) }
                    return outcomes
                }
            } catch {
                // Nothing of the batch is stored; retry each write alone.
            }
        }
        var outcomes: [(UInt64, Outcome)] = []
        for job in batch {
            var attempt = 1
            while true {
                do {
                    outcomes.append((job.id, .success(try await store.transaction(job.body))))
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
