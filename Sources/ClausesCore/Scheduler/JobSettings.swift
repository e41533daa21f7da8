import Foundation

/// The jobs the scheduler knows, by the names operators script against (`clauses job run NAME`).
public enum JobName: String, InputEnum, Comparable {
    /// Drains the mail outbox.
    case sendMail = "send-mail"
    /// Removes expired sessions and tokens, old failed logins, and sent mail past its retention.
    case prune
    /// Scans the alert rules and updates the alerts.
    case alerts
    /// Mails each follower the digest of their alerts.
    case digest
    /// Mails the bilans due to the donneurs d'ordre's subscriptions.
    case reports

    public static func < (lhs: JobName, rhs: JobName) -> Bool { lhs.rawValue < rhs.rawValue }

    /// What the job does, in French (`clauses job list`).
    public var frenchSummary: String {
        switch self {
        case .sendMail: "envoie les courriels en attente"
        case .prune: "supprime sessions expirées, connexions refusées anciennes et courriels envoyés hors délai"
        case .alerts: "examine les règles d'alerte et ouvre, met à jour ou clôt les alertes"
        case .digest: "envoie à chacun le résumé des alertes qu'il suit (jamais un jour férié)"
        case .reports: "envoie aux donneurs d'ordre abonnés les bilans dus (mois, trimestre, fin de lot)"
        }
    }

    /// The schedule `config.toml` documents for it, built from its values rather than parsed, so the
    /// defaults cannot fail at start-up (`CronScheduleTests` checks each equals its expression parsed).
    var builtInSchedule: CronSchedule {
        switch self {
        case .sendMail: CronSchedule(builtIn: "* * * * *", minutes: Array(0...59), hours: Array(0...23))
        case .prune: CronSchedule(builtIn: "17 * * * *", minutes: [17], hours: Array(0...23))
        case .alerts: CronSchedule(builtIn: "45 6 * * *", minutes: [45], hours: [6])
        case .digest: CronSchedule(builtIn: "30 7 * * 1-5", minutes: [30], hours: [7], daysOfWeek: Set(1...5))
        case .reports: CronSchedule(builtIn: "15 7 * * *", minutes: [15], hours: [7])
        }
    }

    /// The documented schedule's expression.
    var defaultSchedule: String { builtInSchedule.expression }

    /// Reads a job name given by a person: a French refusal lists the known ones.
    public static func named(_ text: String, field: String) throws(DomainError) -> JobName {
        guard let name = JobName(rawValue: text) else {
            throw DomainError(
                .notFound, code: .unknownJob,
                message:
                    "tâche inconnue « \(text) » (tâches : \(allCases.map(\.rawValue).joined(separator: ", ")))",
                field: field)
        }
        return name
    }
}

/// One job's `[jobs.NAME]` table.
public struct JobSettings: Sendable {
    public var schedule: CronSchedule
    /// false: the scheduler never runs it (`clauses job run` still can).
    public var enabled = true

    /// Every job with its documented schedule.
    static let defaults: [JobName: JobSettings] = Dictionary(
        uniqueKeysWithValues: JobName.allCases.map { name in
            (name, JobSettings(schedule: name.builtInSchedule))
        })

    /// `[jobs.NAME]` tables: `schedule` (a cron expression in Europe/Paris) and `enabled`; a table of an
    /// unknown job or a bad expression is refused naming the key.
    static func read(_ reader: inout TOMLReader) throws(DomainError) -> [JobName: JobSettings] {
        var jobs = defaults
        for text in reader.table?.keys ?? [] {
            var table = try reader.section(text)
            let name: JobName
            do {
                name = try JobName.named(text, field: "jobs.\(text)")
            } catch {
                throw DomainError(
                    .unprocessable, code: .configInvalid,
                    message: "configuration : « jobs.\(text) » : \(error.message)",
                    field: "jobs.\(text)")
            }
            guard var settings = jobs[name] else { continue }  // `defaults` holds every job.
            let expression = try table.string("schedule", settings.schedule.expression)
            do {
                settings.schedule = try CronSchedule(parsing: expression)
            } catch {
                throw table.problem("schedule", ": \(error.message)")
            }
            settings.enabled = try table.bool("enabled", settings.enabled)
            try table.rejectUnknownKeys()
            jobs[name] = settings
        }
        return jobs
    }

    /// The tables as `config check` shows them.
    static func describe(_ jobs: [JobName: JobSettings]) -> [String] {
        JobName.allCases.flatMap { name -> [String] in
            guard let settings = jobs[name] else { return [] }
            return [
                "", "[jobs.\(name.rawValue)]", "# \(name.frenchSummary)",
                "schedule = \"\(settings.schedule.expression)\"", "enabled = \(settings.enabled)",
            ]
        }
    }
}
