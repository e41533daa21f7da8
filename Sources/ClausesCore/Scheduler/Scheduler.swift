import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// A job as the scheduler runs it: its name, its schedule and its work.
public struct ScheduledJob: Sendable {
    public let name: JobName
    public let schedule: CronSchedule
    public let body: any JobBody

    public init(name: JobName, schedule: CronSchedule, body: any JobBody) {
        self.name = name
        self.schedule = schedule
        self.body = body
    }
}

/// Runs the jobs of `config.toml` on their cron schedules while `clauses serve` runs (a `Service`, started
/// after the pool and before HTTP). Each job has a loop of its own: it waits for the next slot, runs it
/// through `JobRunner` (lock, record, metrics), and records as skipped the slots that came while it ran.
/// On graceful shutdown, waiting stops at once; a running job goes on until the service group cancels
/// it (`server.shutdown_timeout_seconds`), which cancels its statement and rolls its transaction back.
public struct Scheduler: Service {
    let jobs: [ScheduledJob]
    let runner: JobRunner
    let clock: any CivilClock
    let logger: Logger
    /// Waits until an instant of `clock` (the real one sleeps; tests move a simulated clock).
    let sleep: @Sendable (Date) async throws -> Void
    /// Wake-ups asking a job to run now, outside its schedule (a message to send at once).
    let wakeUps: JobWakeUps
    /// Set by `shutdownNotice` as soon as the service group starts shutting down.
    let stopping = StopSignal()

    /// A service to place last in the group, so that it is told of the shutdown first (the group tells
    /// services in reverse order): it stops the scheduler's waiting at once, while HTTP drains.
    public var shutdownNotice: any Service { ShutdownNotice(signal: stopping) }

    public init(
        jobs: [ScheduledJob], runner: JobRunner, clock: any CivilClock, logger: Logger, wakeUps: JobWakeUps,
        sleep: (@Sendable (Date) async throws -> Void)? = nil
    ) {
        self.jobs = jobs
        self.runner = runner
        self.clock = clock
        self.logger = logger
        self.wakeUps = wakeUps
        self.sleep =
            sleep ?? { [clock] instant in
                let seconds = instant.timeIntervalSince(clock.now)
                if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up)))) }
            }
    }

    public func run() async throws {
        let started = clock.now
        await withDiscardingTaskGroup { group in
            for job in jobs {
                group.addTask { await loop(job, started: started) }
            }
        }
        // A service returning before it is told to stop would stop the whole group: with no job to run,
        // or once the shutdown notice stopped the loops, wait for the group's word (or its cancellation).
        if jobs.isEmpty || stopping.isSet { try? await gracefulShutdown() }
    }

    /// Whether the loops should stop: the shutdown notice came, or the group told this service directly.
    private var stopRequested: Bool { stopping.isSet || Task.isShuttingDownGracefully || Task.isCancelled }

    private func loop(_ job: ScheduledJob, started: Date) async {
        // The latest slot this loop tried, run or not: a slot another instance holds the lock for is not
        // tried again (that instance records it, or records it skipped).
        var tried: Date?
        while !stopRequested {
            do {
                let recorded = try await runner.runs.latestSlot(job.name) ?? started
                let since = max(recorded, tried ?? recorded)
                switch SchedulePlan.step(job.schedule, since: since, now: clock.now) {
                case .never:
                    logger.notice("job never runs again", metadata: ["job": "\(job.name.rawValue)"])
                    return
                case .wait(let until):
                    let woken = try await cancelWhenGracefulShutdown { try await wait(for: job.name, until: until) }
                    if woken && !stopRequested { try await runOnce(job, slot: nil) }
                case .run(let slot):
                    tried = slot
                    if stopRequested { return }
                    try await runOnce(job, slot: slot)
                }
            } catch is CancellationError {
                return
            } catch {
                if stopRequested { return }
                // The database is unreachable, say: try again shortly rather than give the job up.
                logger.warning(
                    "scheduler could not run a job",
                    metadata: ErrorLogging.metadata(error).merging(["job": "\(job.name.rawValue)"]) { $1 })
                do {
                    try await cancelWhenGracefulShutdown { try await sleep(clock.now.addingTimeInterval(30)) }
                } catch {
                    return
                }
            }
        }
    }

    /// Waits until `until` or a wake-up of the job; true when woken.
    private func wait(for job: JobName, until: Date) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { [sleep] in
                try await sleep(until)
                return false
            }
            group.addTask { [wakeUps] in
                await wakeUps.wait(job)
                try Task.checkCancellation()
                return true
            }
            group.addTask { [stopping] in
                await stopping.wait()
                throw CancellationError()
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
    }

    private func runOnce(_ job: ScheduledJob, slot: Date?) async throws {
        let result = try await runner.run(
            job.name, body: job.body, slot: slot, asOf: nil, clock: clock, schedule: job.schedule)
        if case .ran = result { return }
        logger.debug("job run elsewhere", metadata: ["job": "\(job.name.rawValue)", "result": "\(result)"])
    }
}

/// Asks a job's loop to run now, outside its schedule; wake-ups that come while it runs fold into one.
/// Each job has one loop, so at most one waiter a job.
public final class JobWakeUps: Sendable {
    private struct State {
        var pending: Set<JobName> = []
        var waiters: [JobName: CheckedContinuation<Void, Never>] = [:]
    }
    private let state = NIOLockedValueBox(State())

    public init() {}

    public func wake(_ job: JobName) {
        let waiter = state.withLockedValue { state in
            guard let waiter = state.waiters.removeValue(forKey: job) else {
                state.pending.insert(job)
                return CheckedContinuation<Void, Never>?.none
            }
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next wake-up of `job` (at once when one came since the last wait), or when the
    /// task is cancelled.
    func wait(_ job: JobName) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLockedValue { state in
                    if state.pending.remove(job) != nil || Task.isCancelled { return true }
                    state.waiters[job] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.waiters.removeValue(forKey: job) }?.resume()
        }
    }
}

/// Set once, when the service shuts down; waiters return then (or when their task is cancelled).
final class StopSignal: Sendable {
    private struct State {
        var isSet = false
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }
    private let state = NIOLockedValueBox(State())

    var isSet: Bool { state.withLockedValue { $0.isSet } }

    func set() {
        let waiters = state.withLockedValue { state in
            state.isSet = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLockedValue { state in
                    if state.isSet || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}

/// Sets the scheduler's stop signal when the service group starts shutting down (or is cancelled).
struct ShutdownNotice: Service {
    let signal: StopSignal

    func run() async throws {
        try? await gracefulShutdown()
        signal.set()
    }
}
