import Foundation
import PostgresClient

public enum JobOutcome: String, InputEnum {
    case running, succeeded, failed, cancelled, interrupted, skipped

    public var frenchLabel: String {
        switch self {
        case .running: "en cours"
        case .succeeded: "réussie"
        case .failed: "échouée"
        case .cancelled: "annulée à l'arrêt du service"
        case .interrupted: "interrompue (processus arrêté brutalement)"
        case .skipped: "sautée (exécution précédente en cours)"
        }
    }
}

/// One recorded run of a job.
public struct JobRun: Sendable, Codable, Equatable {
    public var id: Int64
    public var job: JobName
    /// The scheduled instant it ran for; nil for a run from the command line.
    public var slot: Date?
    public var asOf: LocalDate?
    public var startedAt: Date
    public var finishedAt: Date?
    public var outcome: JobOutcome
    public var counts: [String: Int]
    public var error: String?
    public var instance: String

    public var duration: TimeInterval? { finishedAt.map { $0.timeIntervalSince(startedAt) } }
}

/// The `job_runs` table: what ran, when, how it ended. Times are the database's, so every instance
/// agrees on them.
public struct JobRunStore: Sendable {
    let pool: PostgresPool

    /// The latest slot recorded for `job` (run, going or skipped), nil when the scheduler never ran it.
    func latestSlot(_ job: JobName) async throws -> Date? {
        try await pool.query("SELECT max(slot) FROM job_runs WHERE job = $1", [job.rawValue]).first?.decode(
            0, as: Date?.self)
    }

    /// Records the start of a run; nil when `slot` was already run (by another instance).
    func begin(_ job: JobName, slot: Date?, asOf: LocalDate?, instance: String) async throws -> Int64? {
        try await pool.query(
            """
            INSERT INTO job_runs (job, slot, as_of, started_at, outcome, instance)
            VALUES ($1, $2, $3, clock_timestamp(), 'running', $4)
            ON CONFLICT (job, slot) WHERE slot IS NOT NULL DO NOTHING RETURNING id
            """, [job.rawValue, slot, asOf, instance]
        ).first?.decode(0)
    }

    func finish(_ id: Int64, outcome: JobOutcome, counts: [String: Int], error: String?) async throws {
        let json = String(decoding: try JSONEncoder().encode(counts), as: UTF8.self)
        try await pool.query(
            """
            UPDATE job_runs SET outcome = $2, counts = $3::jsonb, error = $4, finished_at = clock_timestamp()
            WHERE id = $1
            """, [id, outcome.rawValue, json, error])
    }

    /// Records that `slot` was not run because the job's previous run was still going.
    func recordSkip(_ job: JobName, slot: Date, instance: String) async throws {
        try await pool.query(
            """
            INSERT INTO job_runs (job, slot, started_at, finished_at, outcome, error, instance)
            VALUES ($1, $2, clock_timestamp(), clock_timestamp(), 'skipped', $3, $4)
            ON CONFLICT (job, slot) WHERE slot IS NOT NULL DO NOTHING
            """,
            [job.rawValue, slot, "l'exécution précédente était encore en cours à cette heure", instance])
    }

    /// Marks as interrupted the runs of `job` still shown as going: called under the job's lock, so none
    /// of them can really be going (their process died).
    func interruptLeftovers(_ job: JobName) async throws {
        try await pool.query(
            """
            UPDATE job_runs SET outcome = 'interrupted', finished_at = clock_timestamp(),
                   error = 'le processus s''est arrêté pendant l''exécution'
            WHERE job = $1 AND outcome = 'running'
            """, [job.rawValue])
    }

    private static let columns =
        "id, job, slot, as_of, started_at, finished_at, outcome, counts::text AS counts, error, instance"

    /// The latest `limit` runs of `job`, latest first.
    public func recent(_ job: JobName, limit: Int) async throws -> [JobRun] {
        try await pool.query(
            "SELECT \(Self.columns) FROM job_runs WHERE job = $1 ORDER BY started_at DESC, id DESC LIMIT $2",
            [job.rawValue, limit]
        ).map(Self.run)
    }

    /// Each job's latest run, in one query.
    public func latest() async throws -> [JobName: JobRun] {
        let runs = try await pool.query(
            "SELECT DISTINCT ON (job) \(Self.columns) FROM job_runs ORDER BY job, started_at DESC, id DESC"
        ).map(Self.run)
        return Dictionary(uniqueKeysWithValues: runs.map { ($0.job, $0) })
    }

    private static func run(_ row: PostgresRow) throws -> JobRun {
        let counts: String = try row.decode("counts")
        return JobRun(
            id: try row.decode("id"), job: try row.decodeEnum("job", table: "job_runs"), slot: try row.decode("slot"),
            asOf: try row.decode("as_of"), startedAt: try row.decode("started_at"),
            finishedAt: try row.decode("finished_at"), outcome: try row.decodeEnum("outcome", table: "job_runs"),
            counts: try JSONDecoder().decode([String: Int].self, from: Data(counts.utf8)),
            error: try row.decode("error"), instance: try row.decode("instance"))
    }
}

extension JobRun {
    /// Named counts as `clauses job run` and `job list` print them: `failed 0, sent 3`, sorted by name.
    public static func countsText(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// The run in one French line: when, how it ended, in how long, its counts and its error.
    public var frenchSummary: String {
        var text = "\(French.dateTime(startedAt)), \(outcome.frenchLabel)"
        if let duration, outcome != .skipped {
            text += " en \(French.number(Decimal(Int((duration * 1000).rounded())) / 1000, fixedFraction: 3)) s"
        }
        if !counts.isEmpty { text += " (\(Self.countsText(counts)))" }
        if let error { text += " : \(error)" }
        return text
    }
}

/// What `clauses job list` and the admin page show of a job: its settings, its next slot and its latest run.
public struct JobOverview: Sendable {
    public let name: JobName
    public let settings: JobSettings
    /// Nil when the job is disabled, or never runs again.
    public let next: Date?
    public let latest: JobRun?
}

extension AppServices {
    /// Every job of `[jobs]`, with its next slot after now and its latest run (one query).
    public func jobOverviews() async throws -> [JobOverview] {
        let latest = try await jobRuns.latest()
        let now = clock.now
        return JobName.allCases.compactMap { name in
            guard let settings = config.jobs[name] else { return nil }
            return JobOverview(
                name: name, settings: settings, next: settings.enabled ? settings.schedule.next(after: now) : nil,
                latest: latest[name])
        }
    }
}
