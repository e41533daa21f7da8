import ClausesTestSupport
import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresClient
import ServiceLifecycle
import Testing

@testable import ClausesCore

private func utc(_ text: String) -> Date {
    ISO8601DateFormatter().date(from: text) ?? Date(timeIntervalSince1970: 0)
}

private func iso(_ date: Date?) -> String? { date.map { ISO8601DateFormatter().string(from: $0) } }

/// A job that counts its runs in a table and may take (simulated) time.
private struct CountingJob: JobBody {
    let pool: PostgresPool
    var takes: TimeInterval = 0
    var clock: SimulatedClock?

    func run(_ context: JobContext) async throws -> [String: Int] {
        try await pool.query("INSERT INTO test_ticks (at) VALUES ($1)", [context.clock.now])
        clock?.advance(by: takes)
        return ["ticks": 1]
    }
}

private func makeTicks(_ pool: PostgresPool) async throws {
    try await pool.query("CREATE TABLE test_ticks (id serial PRIMARY KEY, at timestamptz NOT NULL)")
}

/// Slots recorded for `job`, with their outcomes, oldest first.
private func recordedSlots(_ pool: PostgresPool, _ job: JobName) async throws -> [String] {
    try await pool.query(
        "SELECT slot, outcome FROM job_runs WHERE job = $1 AND slot IS NOT NULL ORDER BY slot", [job.rawValue]
    ).map { row in "\(iso(try row.decode("slot", as: Date.self)) ?? "") \(try row.decode("outcome", as: String.self))" }
}

@Suite("Scheduler: when a job runs")
struct SchedulePlanTests {
    @Test("after downtime the latest missed slot runs once; otherwise wait for the next one")
    func catchUp() throws {
        let hourly = try CronSchedule(parsing: "0 * * * *")
        // Last run 06:00 UTC; down until 09:40: 07:00, 08:00 and 09:00 were missed, only 09:00 runs.
        #expect(
            SchedulePlan.step(hourly, since: utc("2026-12-01T06:00:00Z"), now: utc("2026-12-01T09:40:00Z"))
                == .run(slot: utc("2026-12-01T09:00:00Z")))
        #expect(
            SchedulePlan.step(hourly, since: utc("2026-12-01T09:00:00Z"), now: utc("2026-12-01T09:40:00Z"))
                == .wait(until: utc("2026-12-01T10:00:00Z")))
        // Exactly on time.
        #expect(
            SchedulePlan.step(hourly, since: utc("2026-12-01T09:00:00Z"), now: utc("2026-12-01T10:00:00Z"))
                == .run(slot: utc("2026-12-01T10:00:00Z")))
        // A daily job missed for a year and a half still runs once, its latest slot.
        let daily = try CronSchedule(parsing: "30 7 * * *")
        #expect(
            SchedulePlan.step(daily, since: utc("2025-06-01T05:30:00Z"), now: utc("2026-12-01T12:00:00Z"))
                == .run(slot: utc("2026-12-01T06:30:00Z")))
    }

    @Test("daylight-saving nights through the plan: one run in the spring gap, one in the repeated autumn hour")
    func daylightSaving() throws {
        let nightly = try CronSchedule(parsing: "30 2 * * *")
        #expect(
            SchedulePlan.step(nightly, since: utc("2026-03-28T01:30:00Z"), now: utc("2026-03-29T01:00:00Z"))
                == .run(slot: utc("2026-03-29T01:00:00Z")))
        #expect(
            SchedulePlan.step(nightly, since: utc("2026-03-29T01:00:00Z"), now: utc("2026-03-29T02:00:00Z"))
                == .wait(until: utc("2026-03-30T00:30:00Z")))
        #expect(
            SchedulePlan.step(nightly, since: utc("2026-10-25T00:30:00Z"), now: utc("2026-10-25T01:45:00Z"))
                == .wait(until: utc("2026-10-26T01:30:00Z")))
    }
}

@Suite("Scheduler: runs against PostgreSQL")
struct SchedulerDBTests {
    let logger = Logger(label: "test")

    @Test("a run is recorded with its counts; a slot runs once; a job whose lock is held elsewhere is busy")
    func runnerRecordsAndLocks() async throws {
        let db = try await TestDatabase.create()
        defer { Task { await db.pool.shutdown() } }
        try await makeTicks(db.pool)
        let runner = JobRunner(pool: db.pool, logger: logger)
        let clock = FixedClock(LocalDate(year: 2026, month: 12, day: 1)!)
        let slot = utc("2026-12-01T09:00:00Z")
        let job = CountingJob(pool: db.pool)

        #expect(
            try await runner.run(.prune, body: job, slot: slot, asOf: nil, clock: clock)
                == .ran(.succeeded, counts: ["ticks": 1], error: nil))
        #expect(try await runner.run(.prune, body: job, slot: slot, asOf: nil, clock: clock) == .alreadyRun)

        // Another session holds the job's lock (another instance running it).
        let held = NIOLockedValueBox(false)
        let release = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await db.pool.withTransaction { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(hashtext('clauses-job:prune'))")
                held.withLockedValue { $0 = true }
                for await _ in release.stream { break }
            }
        }
        while !held.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(
            try await runner.run(.prune, body: job, slot: utc("2026-12-01T10:00:00Z"), asOf: nil, clock: clock)
                == .busy)
        release.continuation.yield()
        try await holder.value

        let runs = try await JobRunStore(pool: db.pool).recent(.prune, limit: 10)
        #expect(runs.count == 1)
        #expect(runs.first?.outcome == .succeeded)
        #expect(runs.first?.counts == ["ticks": 1])
        #expect(runs.first?.slot == slot)
        #expect(try await db.pool.query("SELECT count(*) FROM test_ticks").scalar(Int.self) == 1)
    }

    @Test("a failing job is recorded failed with its French message; a run left going by a dead process is interrupted")
    func failuresAndLeftovers() async throws {
        let db = try await TestDatabase.create()
        defer { Task { await db.pool.shutdown() } }
        struct Refusing: JobBody {
            func run(_ context: JobContext) async throws -> [String: Int] {
                throw DomainError.invalid("x", "données incohérentes")
            }
        }
        try await db.pool.query(
            """
            INSERT INTO job_runs (job, slot, started_at, outcome, instance)
            VALUES ('send-mail', '2026-11-30T08:00:00Z', '2026-11-30T08:00:00Z', 'running', 'mort:1')
            """)
        let runner = JobRunner(pool: db.pool, logger: logger)
        let result = try await runner.run(
            .sendMail, body: Refusing(), slot: nil, asOf: LocalDate(year: 2026, month: 6, day: 1),
            clock: FixedClock(LocalDate(year: 2026, month: 6, day: 1)!))
        #expect(result == .ran(.failed, counts: [:], error: "données incohérentes"))
        let runs = try await JobRunStore(pool: db.pool).recent(.sendMail, limit: 10)
        #expect(runs.map(\.outcome) == [.failed, .interrupted])
        #expect(runs.first?.asOf == LocalDate(year: 2026, month: 6, day: 1))
        #expect(runs.last?.error == "le processus s'est arrêté pendant l'exécution")
    }

    @Test("the loop catches up once after downtime, then runs each slot once, on a simulated clock")
    func loopCatchUp() async throws {
        let db = try await TestDatabase.create()
        defer { Task { await db.pool.shutdown() } }
        try await makeTicks(db.pool)
        // Down from 06:00 to 09:25; runs every 20 minutes until 10:30.
        try await db.pool.query(
            """
            INSERT INTO job_runs (job, slot, started_at, finished_at, outcome, instance)
            VALUES ('prune', '2026-12-01T06:00:00Z', '2026-12-01T06:00:00Z', '2026-12-01T06:00:01Z', 'succeeded', 'x')
            """)
        let clock = SimulatedClock(start: utc("2026-12-01T09:25:00Z"), end: utc("2026-12-01T10:30:00Z"))
        let scheduler = Scheduler(
            jobs: [
                ScheduledJob(
                    name: .prune, schedule: try CronSchedule(parsing: "*/20 * * * *"), body: CountingJob(pool: db.pool))
            ],
            runner: JobRunner(pool: db.pool, logger: logger), clock: clock, logger: logger, wakeUps: JobWakeUps(),
            sleep: clock.sleep(until:))
        try await scheduler.run()
        #expect(
            try await recordedSlots(db.pool, .prune) == [
                "2026-12-01T06:00:00Z succeeded", "2026-12-01T09:20:00Z succeeded", "2026-12-01T09:40:00Z succeeded",
                "2026-12-01T10:00:00Z succeeded", "2026-12-01T10:20:00Z succeeded",
            ])
    }

    @Test("a run still going at its next slot is not doubled: the slots it overran are recorded skipped")
    func noOverlap() async throws {
        let db = try await TestDatabase.create()
        defer { Task { await db.pool.shutdown() } }
        try await makeTicks(db.pool)
        let clock = SimulatedClock(start: utc("2026-12-01T08:55:00Z"), end: utc("2026-12-01T10:05:00Z"))
        // Every 10 minutes, each run taking 25: 09:00 runs until 09:25 (09:10 and 09:20 skipped), then 09:30…
        let scheduler = Scheduler(
            jobs: [
                ScheduledJob(
                    name: .prune, schedule: try CronSchedule(parsing: "*/10 * * * *"),
                    body: CountingJob(pool: db.pool, takes: 25 * 60, clock: clock))
            ],
            runner: JobRunner(pool: db.pool, logger: logger), clock: clock, logger: logger, wakeUps: JobWakeUps(),
            sleep: clock.sleep(until:))
        try await scheduler.run()
        #expect(
            try await recordedSlots(db.pool, .prune) == [
                "2026-12-01T09:00:00Z succeeded", "2026-12-01T09:20:00Z skipped", "2026-12-01T09:30:00Z succeeded",
                "2026-12-01T09:50:00Z skipped", "2026-12-01T10:00:00Z succeeded", "2026-12-01T10:20:00Z skipped",
            ])
        #expect(try await db.pool.query("SELECT count(*) FROM test_ticks").scalar(Int.self) == 3)
    }

    @Test("two schedulers on one database run each slot once between them")
    func twoInstances() async throws {
        let db = try await TestDatabase.create(poolSize: 6)
        defer { Task { await db.pool.shutdown() } }
        try await makeTicks(db.pool)
        let start = utc("2026-12-01T08:59:00Z")
        let end = utc("2026-12-01T11:00:00Z")
        let schedule = try CronSchedule(parsing: "*/5 * * * *")
        // One clock for both, as on one machine (or machines with synchronised clocks): it moves when both
        // loops wait.
        let clock = SimulatedClock(start: start, end: end, participants: 2)
        func instance() -> Scheduler {
            Scheduler(
                jobs: [ScheduledJob(name: .prune, schedule: schedule, body: CountingJob(pool: db.pool))],
                runner: JobRunner(pool: db.pool, logger: logger), clock: clock, logger: logger,
                wakeUps: JobWakeUps(), sleep: clock.sleep(until:))
        }
        async let first: Void = instance().run()
        async let second: Void = instance().run()
        _ = try await (first, second)
        // 09:00 … 11:00 every 5 minutes: 25 slots, each run once (a slot may be taken by either instance).
        let ticks = try await db.pool.query("SELECT count(*) FROM test_ticks").scalar(Int.self)
        let slots = try await recordedSlots(db.pool, .prune)
        #expect(slots.count == 25)
        #expect(slots.allSatisfy { $0.hasSuffix("succeeded") })
        #expect(ticks == 25)
    }

    @Test(
        "while another instance holds the job's lock, each slot is tried once, not again and again",
        .timeLimit(.minutes(1)))
    func lockHeldElsewhere() async throws {
        let db = try await TestDatabase.create()
        defer { Task { await db.pool.shutdown() } }
        try await makeTicks(db.pool)
        let held = NIOLockedValueBox(false)
        let release = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await db.pool.withTransaction { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(hashtext('clauses-job:prune'))")
                held.withLockedValue { $0 = true }
                for await _ in release.stream { break }
            }
        }
        while !held.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        let clock = SimulatedClock(start: utc("2026-12-01T08:59:00Z"), end: utc("2026-12-01T09:30:00Z"))
        let scheduler = Scheduler(
            jobs: [
                ScheduledJob(
                    name: .prune, schedule: try CronSchedule(parsing: "*/5 * * * *"), body: CountingJob(pool: db.pool))
            ],
            runner: JobRunner(pool: db.pool, logger: logger), clock: clock, logger: logger, wakeUps: JobWakeUps(),
            sleep: clock.sleep(until:))
        try await scheduler.run()
        release.continuation.yield()
        try await holder.value
        // The other instance (the lock's holder) is the one to record its runs and what it skipped.
        #expect(try await db.pool.query("SELECT count(*) FROM job_runs").scalar(Int.self) == 0)
        #expect(try await db.pool.query("SELECT count(*) FROM test_ticks").scalar(Int.self) == 0)
        #expect(clock.now == utc("2026-12-01T09:30:00Z"))
    }

    @Test(
        "on graceful shutdown waiting stops at once; a running job is cancelled after the timeout and rolled back",
        .timeLimit(.minutes(1)))
    func shutdownDuringAJob() async throws {
        let db = try await TestDatabase.create()
        defer { Task { await db.pool.shutdown() } }
        try await makeTicks(db.pool)
        struct Slow: JobBody {
            let pool: PostgresPool
            func run(_ context: JobContext) async throws -> [String: Int] {
                try await pool.withTransaction { connection in
                    try await connection.query("INSERT INTO test_ticks (at) VALUES (now())")
                    try await connection.query("SELECT pg_sleep(60)")
                }
                return [:]
            }
        }
        // A slot long missed: the job starts at once.
        try await db.pool.query(
            """
            INSERT INTO job_runs (job, slot, started_at, finished_at, outcome, instance)
            VALUES ('prune', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', 'succeeded', 'x')
            """)
        let scheduler = Scheduler(
            jobs: [
                ScheduledJob(name: .prune, schedule: try CronSchedule(parsing: "0 * * * *"), body: Slow(pool: db.pool)),
                ScheduledJob(
                    name: .sendMail, schedule: try CronSchedule(parsing: "0 0 1 1 *"), body: Slow(pool: db.pool)),
            ],
            runner: JobRunner(pool: db.pool, logger: logger), clock: SystemCivilClock(), logger: logger,
            wakeUps: JobWakeUps())
        // As `serve` runs it: the shutdown notice last, so it is told first.
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: scheduler), .init(service: scheduler.shutdownNotice)], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(1)
        let group = ServiceGroup(configuration: configuration)
        async let running: Void = group.run()
        // Wait for the job's statement to be running.
        while try await db.pool.query(
            "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' AND state = 'active'"
        ).scalar(Int.self) == 0 {
            try await Task.sleep(for: .milliseconds(20))
        }
        let stopping = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try? await running
        // One second of grace, then the statement is cancelled (pg_sleep would have taken a minute).
        #expect(ContinuousClock.now - stopping < .seconds(8))
        #expect(try await db.pool.query("SELECT count(*) FROM test_ticks").scalar(Int.self) == 0)
        let runs = try await JobRunStore(pool: db.pool).recent(.prune, limit: 1)
        #expect(runs.first?.outcome == .cancelled)
        #expect(runs.first?.error == "arrêtée à l'arrêt du service, sa transaction annulée")
        #expect(try await JobRunStore(pool: db.pool).recent(.sendMail, limit: 1).isEmpty)
    }
}
