import NIOCore
import NIOPosix

/// A task executor that runs jobs on one event loop's thread.
///
/// Code running under this preference (`withTaskExecutorPreference`) resumes on that thread after every await
/// instead of queueing behind request handlers on the shared cooperative pool: the write lane's statements follow
/// one another without waiting for a free pool thread.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// A task executor that runs jobs as work items of a one-thread `NIOThreadPool`: the thread that also runs the
/// pool's blocking work.
///
/// SQLite's driver runs every statement as a work item of its connection's thread pool and resumes the caller when
/// it is done. A task that prefers this executor issues a statement, is resumed, and issues the next one all on
/// that one thread, each step queued behind the previous one: a batch of statements makes no thread hand-off and
/// no wake-up at all, where an executor on another thread pays two per statement.
final class ThreadPoolTaskExecutor: TaskExecutor {
    let pool: NIOThreadPool

    init(pool: NIOThreadPool) {
        self.pool = pool
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // A stopped pool calls the work item at once on this thread: the job still runs (only at shutdown).
        pool.submit { _ in job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
