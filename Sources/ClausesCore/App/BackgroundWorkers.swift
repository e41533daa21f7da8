import Foundation
import NIOConcurrencyHelpers
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// A few threads of their own for CPU-heavy work (bcrypt, CSV parsing), so that it never occupies Swift's
/// cooperative threads or the event loops that serve everyone else's requests. The threads run at a lower
/// scheduling priority (`niceness`), and at most `maxQueued` jobs wait: beyond that the caller is refused
/// at once (`nil`) rather than queued behind a flood.
public final class BackgroundWorkers: Sendable {
    private let threads: NIOThreadPool
    private let niceness: Int32
    private let maxQueued: Int
    private let queued = NIOLockedValueBox(0)

    public init(threads: Int, niceness: Int32 = 5, maxQueued: Int = 256) {
        self.threads = NIOThreadPool(numberOfThreads: max(1, threads))
        self.niceness = niceness
        self.maxQueued = maxQueued
        self.threads.start()
    }

    /// Runs `work` on one of the threads; nil when `maxQueued` jobs are already waiting or running.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T? {
        let admitted = queued.withLockedValue { count in
            guard count < maxQueued else { return false }
            count += 1
            return true
        }
        guard admitted else { return nil }
        defer { queued.withLockedValue { $0 -= 1 } }
        let niceness = niceness
        return try await threads.runIfActive {
            #if canImport(Glibc)
                // On Linux the nice value is per thread: this lowers only the worker's own priority.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
            #endif
            return try work()
        }
    }

    public func shutdown() async {
        try? await threads.shutdownGracefully()
    }
}
