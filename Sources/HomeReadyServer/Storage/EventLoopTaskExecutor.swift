import NIOCore

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
