import Foundation
import PostgresClient

public enum JobOutcome: String, Sendable, Codable, CaseIterable {
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

    /// The latest `limit` runs of `job`, latest first.
    public func recent(_ job: JobName, limit: Int) async throws -> [JobRun] {
        try await pool.query(
            """
            SELECT id, job, slot, as_of, started_at, finished_at, outcome, counts::text AS counts, error, instance
            FROM job_runs WHERE job = $1 ORDER BY started_at DESC, id DESC LIMIT $2
            """, [job.rawValue, limit]
        ).map { row in
            JobRun(
                id: try row.decode("id"), job: job, slot: try row.decode("slot"), asOf: try row.decode("as_of"),
                startedAt: try row.decode("started_at"), finishedAt: try row.decode("finished_at"),
                outcome: JobOutcome(rawValue: try row.decode("outcome")) ?? .failed,
                counts: (try? JSONDecoder().decode(
                    [String: Int].self, from: Data(try row.decode("counts", as: String.self).utf8))) ?? [:],
                error: try row.decode("error"), instance: try row.decode("instance"))
        }
    }
}
