import ArgumentParser
import ClausesCore
import ClausesWeb
import Foundation

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Lance le service HTTP (API, pages, métriques).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Adresse d'écoute (défaut : server.host).") var host: String?
    @Option(help: "Port d'écoute (défaut : server.port).") var port: Int?

    func run() async throws {
        let runtime = try await Runtime.start(global)
        let migrator = Migrator(
            pool: runtime.pool, logger: runtime.logger, settings: Migrator.settings(for: runtime.config))
        let status = try await migrator.status()
        try Migrator.refuseUnsafe(status)
        if !status.pending.isEmpty {
            guard runtime.config.database.autoMigrate else {
                await runtime.stop()
                throw DomainError(
                    .conflict, code: .migrationsPending,
                    message:
                        "migrations en attente (\(status.pending.map(\.name).joined(separator: ", "))) : lancez « clauses migrate » ou activez database.auto_migrate"
                )
            }
            try await migrator.migrate()
        }
        let metrics = AppMetrics()
        metrics.bootstrapMetricsSystem()
        try await ClausesServer.run(
            services: runtime.services, host: host ?? runtime.config.server.host,
            port: port ?? runtime.config.server.port, logger: runtime.logger, metrics: metrics)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Applique les migrations du schéma en attente.")
    @OptionGroup var global: GlobalOptions
    @Flag(
        name: .customLong("dry-run"), help: "N'applique rien ; code de sortie 3 s'il reste des migrations à appliquer.")
    var dryRun = false

    func run() async throws {
        try await Runtime.using(global) { runtime in
            let migrator = Migrator(
                pool: runtime.pool, logger: runtime.logger, settings: Migrator.settings(for: runtime.config))
            if dryRun {
                let status = try await migrator.status()
                try Migrator.refuseUnsafe(status)
                if status.pending.isEmpty {
                    print("Schéma à jour (\(status.applied.count) migrations appliquées).")
                    return
                }
                print("Migrations en attente :")
                for migration in status.pending { print("  \(migration.name)") }
                throw ExitCode(3)
            }
            let applied = try await migrator.migrate()
            print(
                applied.isEmpty ? "Schéma déjà à jour." : "Migrations appliquées : \(applied.joined(separator: ", "))")
        }
    }
}

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Configuration du service.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Vérifie la configuration et l'affiche, secrets masqués.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            print(try global.loadConfig().describe())
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Jeu de données de démonstration.", subcommands: [Load.self])

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Charge le jeu de démonstration dans une base vide (refuse sinon).")
        @OptionGroup var global: GlobalOptions
        @Flag(name: .customLong("if-empty"), help: "Ne fait rien (sans erreur) si la base contient déjà des données.")
        var ifEmpty = false

        func run() async throws {
            try await Runtime.using(global) { runtime in
                do {
                    try await DemoData.load(runtime.services)
                    print(
                        "Jeu de démonstration chargé. Connexion : \(DemoData.facilitatorEmail) / \(DemoData.password)")
                    let file = try await writeMonthFile(runtime)
                    print("Relevé d'heures du mois à importer (Windows-1252, « ; ») : \(file)")
                } catch let error as DomainError where error.code == .notEmpty && ifEmpty {
                    print("Base déjà remplie : jeu de démonstration non chargé.")
                }
            }
        }

        /// This month's hours of the running demo placements, as a spreadsheet would export them, so a
        /// facilitateur can try an import at once (`var/demo/heures-AAAA-MM.csv`).
        private func writeMonthFile(_ runtime: Runtime) async throws -> String {
            let month = runtime.services.clock.today.yearMonth
            let running = try await runtime.services.ledger.placements
                .list(
                    .system("demo load"), page: PageRequest(limit: 100),
                    filter: PlacementFilter(activeOn: runtime.services.clock.today))
            var csv = "Mise à l'emploi;Mois;Heures travaillées;Heures de formation\r\n"
            for placement in running.items {
                let weekly = French.number(placement.weeklyHours * 4, fixedFraction: 1)
                csv += "\(placement.code);\(String(format: "%02d/%04d", month.month, month.year));\(weekly);0\r\n"
            }
            let directory = "var/demo"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let path = "\(directory)/heures-\(month).csv"
            guard let data = csv.data(using: .windowsCP1252),
                FileManager.default.createFile(atPath: path, contents: data)
            else {
                throw DomainError(.internalError, code: .demoFile, message: "impossible d'écrire \(path)")
            }
            return path
        }
    }
}
