import ArgumentParser
import ClausesCore
import Foundation

/// `clauses job list` and `clauses job run NAME [--as-of DATE]`: the scheduler's jobs from the command line,
/// run through the same `JobRunner` as the scheduler (its lock, its record in `job_runs`).
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Tâches planifiées du service.", subcommands: [List.self, Run.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Liste les tâches, leur planification, leur prochaine et leur dernière exécution.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await Runtime.using(global) { runtime in
                for job in try await runtime.services.jobOverviews() {
                    print("\(job.name.rawValue) : \(job.name.frenchSummary)")
                    print("  planification : « \(job.settings.schedule.expression) » (heure de Paris)")
                    if job.settings.enabled {
                        print("  prochaine exécution : \(job.next.map(French.dateTime) ?? "jamais")")
                    } else {
                        print("  désactivée (jobs.\(job.name.rawValue).enabled = false)")
                    }
                    print("  dernière exécution : \(job.latest?.frenchSummary ?? "jamais")")
                }
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Exécute une tâche maintenant, comme le planificateur (verrou, enregistrement, métriques).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Nom de la tâche (voir « clauses job list »).") var name: String
        @Option(
            name: .customLong("as-of"),
            help: "Jour pris pour aujourd'hui (AAAA-MM-JJ), pour les essais et les reprises ; défaut : aujourd'hui.")
        var asOf: String?

        func run() async throws {
            try await JobCommand.run(try JobName.named(name, field: "name"), asOf: asOf, global)
        }
    }

    /// Runs `job` once through the `JobRunner`, on `asOf` taken for today, and prints its counts.
    static func run(_ job: JobName, asOf: String?, _ global: GlobalOptions) async throws {
        let config = try global.loadConfig()
        let day = try asOf.map { text throws(DomainError) in try config.input.dates.parse(text, field: "as-of") }
        try await Runtime.using(global) { runtime in
            let clock: any CivilClock =
                day.map { AsOfClock($0, base: runtime.services.clock) } ?? runtime.services.clock
            let result = try await JobRunner(pool: runtime.pool, logger: runtime.logger).run(
                job, body: runtime.services.jobBody(job), slot: nil, asOf: day, clock: clock,
                schedule: runtime.config.jobs[job]?.schedule)
            switch result {
            case .ran(.succeeded, let counts, _):
                print(
                    "Tâche « \(job.rawValue) » réussie\(counts.isEmpty ? "" : " : \(JobRun.countsText(counts))").")
            case .ran(let outcome, _, let error):
                throw DomainError(
                    .internalError, code: .jobFailed,
                    message: "tâche « \(job.rawValue) » \(outcome.frenchLabel) : \(error ?? "")")
            case .busy, .alreadyRun:
                throw DomainError.conflict(
                    "la tâche « \(job.rawValue) » est déjà en cours (dans ce service ou une autre instance) : réessayez plus tard",
                    code: .jobBusy)
            }
        }
    }
}

/// `clauses alerts scan [--as-of DATE]` (the `alerts` job) and `clauses alerts list [--all] [--json]`.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts", abstract: "Alertes de l'équipe (règles, cycle de vie).",
        subcommands: [Scan.self, List.self])

    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Examine les règles d'alerte maintenant (la tâche « alerts ») et met à jour les alertes.")
        @OptionGroup var global: GlobalOptions
        @Option(
            name: .customLong("as-of"),
            help: "Rejoue l'examen à cette date (AAAA-MM-JJ), pour les essais et les reprises ; défaut : aujourd'hui.")
        var asOf: String?

        func run() async throws { try await JobCommand.run(.alerts, asOf: asOf, global) }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Liste les alertes en cours (ou toutes).")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Aussi les alertes closes (l'historique).") var all = false
        @Flag(help: "Sortie JSON.") var json = false

        func run() async throws {
            try await Runtime.using(global) { runtime in
                var filter = AlertFilter()
                filter.includeClosed = all
                filter.limit = 100_000
                let alerts = try await runtime.services.alerts.list(.system("cli: alerts"), filter)
                if json {
                    print(String(decoding: try JSONCoding.encode(Items(items: alerts)), as: UTF8.self))
                    return
                }
                print("\(alerts.count) alerte(s)\(all ? "" : " en cours") :")
                for alert in alerts {
                    print(
                        "  #\(alert.id) [\(alert.severity.frenchLabel)] \(alert.rule.frenchLabel) — \(alert.subject.label) (\(alert.state.frenchLabel), ouverte le \(alert.openedOn.french)\(alert.closedOn.map { ", close le \($0.french)" } ?? ""))"
                    )
                    print("      \(alert.summary)")
                }
            }
        }
    }
}
