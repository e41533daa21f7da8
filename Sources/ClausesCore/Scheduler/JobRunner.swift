import Foundation
import Logging
import Metrics
import PostgresClient

/// What a job needs while it runs: the day it takes as today (the clock, or `--as-of`) and a logger.
public struct JobContext: Sendable {
    public let clock: any CivilClock
    public let logger: Logger
}

/// A job's work. It returns what it did as named counts (`["sent": 12]`), and stops promptly when its
/// task is cancelled (at shutdown, once `server.shutdown_timeout_seconds` have passed).
public protocol JobBody: Sendable {
    func run(_ context: JobContext) async throws -> [String: Int]
}

/// Runs one job once, the same way for the scheduler and for `clauses job run`: under the job's advisory
/// lock (one instance at a time), recorded in `job_runs`, logged and counted in the metrics.
public struct JobRunner: Sendable {
    let pool: PostgresPool
    let runs: JobRunStore
    let logger: Logger
    /// `host:pid`, recorded with each run.
    let instance: String

    public init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.runs = JobRunStore(pool: pool)
        self.logger = logger
        instance = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }

    public enum Result: Sendable, Equatable {
        case ran(JobOutcome, counts: [String: Int], error: String?)
        /// The slot was already run (by another instance).
        case alreadyRun
        /// Another run of the job holds its lock (here or in another instance).
        case busy
    }

    /// Runs `body` as `job`, for `slot` (nil: on demand), taking `clock.today` as today. With the job's
    /// `schedule`, the latest slot that came while the run went on is recorded skipped before the lock is
    /// released, so no instance runs it after.
    public func run(
        _ job: JobName, body: any JobBody, slot: Date?, asOf: LocalDate?, clock: any CivilClock,
        schedule: CronSchedule? = nil
    ) async throws -> Result {
        // The lock is a transaction-level advisory lock on a connection of its own, held while the job runs on
        // others: whatever happens to this process, the lock goes with its transaction.
        try await pool.withTransaction { lock in
            // A DBA's idle_in_transaction_session_timeout must not end this transaction (and drop the lock)
            // while the job works on other connections.
            try await lock.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
            let locked = try await lock.query(
                "SELECT pg_try_advisory_xact_lock(hashtext($1))", ["clauses-job:\(job.rawValue)"]
            ).scalar(Bool.self)
            guard locked == true else { return .busy }
            try await runs.interruptLeftovers(job)
            guard let id = try await runs.begin(job, slot: slot, asOf: asOf, instance: instance) else {
                return .alreadyRun
            }
            var runLogger = logger
            runLogger[metadataKey: "job"] = "\(job.rawValue)"
            runLogger[metadataKey: "run"] = "\(id)"
            let context = JobContext(clock: clock, logger: runLogger)
            let startedAt = clock.now
            let start = ContinuousClock.now
            let result = await QueryLogging.$logger.withValue(runLogger) { await Self.execute(body, context) }
            let elapsed = ContinuousClock.now - start
            // Recorded even when the task is cancelled: an unstructured task does not inherit cancellation.
            let runs = runs
            let instance = instance
            try await uncancelled {
                try await runs.finish(id, outcome: result.outcome, counts: result.counts, error: result.error)
                if let schedule,
                    let overrun = SchedulePlan.latestSlot(schedule, after: slot ?? startedAt, atOrBefore: clock.now)
                {
                    try await runs.recordSkip(job, slot: overrun, instance: instance)
                }
            }
            Self.record(job, result, elapsed: elapsed, logger: runLogger, slot: slot)
            return .ran(result.outcome, counts: result.counts, error: result.error)
        }
    }

    /// How a run ended: `error` is recorded for admins, `logged` is what the log line may say of it.
    private struct Ending {
        var outcome: JobOutcome
        var counts: [String: Int] = [:]
        var error: String?
        var logged: Logger.Metadata = [:]
    }

    private static func execute(_ body: any JobBody, _ context: JobContext) async -> Ending {
        do {
            return Ending(outcome: .succeeded, counts: try await body.run(context))
        } catch {
            // Only the task's own cancellation (shutdown): a statement_timeout is a failure like any other.
            if Task.isCancelled {
                return Ending(outcome: .cancelled, error: "arrêtée à l'arrêt du service, sa transaction annulée")
            }
            return Ending(
                outcome: .failed, error: (error as? DomainError)?.message ?? String(describing: error),
                logged: ErrorLogging.metadata(error))
        }
    }

    /// One log line and the metrics of a finished run.
    private static func record(_ job: JobName, _ result: Ending, elapsed: Duration, logger: Logger, slot: Date?) {
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        var metadata: Logger.Metadata = [
            "outcome": "\(result.outcome.rawValue)", "duration_ms": "\(milliseconds)",
            "slot": "\(slot.map { ISO8601DateFormatter().string(from: $0) } ?? "manual")",
        ]
        for (name, count) in result.counts { metadata["count_\(name)"] = "\(count)" }
        if result.outcome == .succeeded {
            logger.info("job finished", metadata: metadata)
        } else {
            metadata.merge(result.logged) { $1 }
            logger.warning("job did not succeed", metadata: metadata)
        }
        Counter(
            label: "clauses_job_runs_total", dimensions: [("job", job.rawValue), ("outcome", result.outcome.rawValue)]
        )
        .increment()
        Metrics.Timer(label: "clauses_job_duration_seconds", dimensions: [("job", job.rawValue)]).record(
            duration: elapsed)
        for (name, count) in result.counts where count > 0 {
            Counter(label: "clauses_job_items_total", dimensions: [("job", job.rawValue), ("item", name)])
                .increment(by: count)
        }
    }
}

/// A clock that takes another day as today (`--as-of`) for the rules that read the date.
public struct AsOfClock: CivilClock {
    public let today: LocalDate
    let base: any CivilClock

    public init(_ day: LocalDate, base: any CivilClock) {
        today = day
        self.base = base
    }

    /// The real instant: `--as-of` moves the day rules look at, never expiries or retry times (a prune
    /// "as of" next year must not delete today's live sessions).
    public var now: Date { base.now }
}
