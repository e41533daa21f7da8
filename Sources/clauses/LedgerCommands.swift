import ArgumentParser
import ClausesCore
import Foundation

/// What `clauses balance` is asked for.
enum BalanceKind: String, CaseIterable, ExpressibleByArgument {
    case lot, contract, company, buyer, operation
}

/// `clauses balance lot|contract|company|buyer|operation ID [--at DATE] [--json]`
struct BalanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "balance",
        abstract: "Bilan d'heures d'un lot, d'un marché, d'une entreprise, d'un donneur d'ordre ou d'une opération.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Ce dont on fait le bilan.") var kind: BalanceKind
    @Argument(help: "Identifiant (UUID).") var id: String
    @Option(help: "Date du bilan (AAAA-MM-JJ, défaut : aujourd'hui).") var at: String?
    @Flag(help: "Sortie JSON.") var json = false

    func run() async throws {
        guard let uuid = UUID(uuidString: id) else {
            throw DomainError.invalid("id", "identifiant invalide « \(id) » (UUID attendu)")
        }
        let subject: BalanceSubject =
            switch kind {
            case .lot: .lot(uuid)
            case .contract: .publicContract(uuid)
            case .company: .company(uuid)
            case .buyer: .buyer(uuid)
            case .operation: .operation(uuid)
            }
        try await Runtime.using(global) { runtime in
            let date =
                try at.map { text throws(DomainError) in try runtime.config.input.dates.parse(text, field: "at") }
                ?? runtime.services.clock.today
            let summary = try await runtime.services.ledger.balances.balance(
                of: subject, at: date, caller: .system("cli: balance"))
            if json {
                print(String(decoding: try JSONCoding.encode(summary), as: UTF8.self))
                return
            }
            let total = summary.aggregate
            print("Bilan au \(date.french) (\(summary.lots.count) lot(s)) : \(total.status.frenchLabel)")
            print(
                "  prescrites \(Self.h(total.requiredHours)) · réalisées \(Self.h(total.workedHours)) · valorisées \(Self.h(total.creditedHours))"
            )
            print(
                "  attendues à date \(total.expectedHours.map(Self.h) ?? "—") · restantes \(Self.h(total.remainingHours)) · excédent \(Self.h(total.surplusHours))"
            )
            for lot in summary.lots {
                let b = lot.balance
                print(
                    "  - \(lot.publicContractReference) lot \(lot.lotNumber) \(lot.lotLabel) : \(Self.h(b.creditedHours)) / \(Self.h(b.requiredHours)), \(b.status.frenchLabel)"
                )
            }
        }
    }

    static func h(_ value: Decimal) -> String { French.number(value, maxFraction: 6) + " h" }
}

/// `clauses import hours|participants FILE`
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Importe un fichier CSV (tout ou rien).",
        subcommands: [Hours.self, Participants.self])

    struct Hours: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Relevés d'heures mensuels (colonnes : docs/imports.md).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Fichier CSV.") var file: String
        @Flag(
            help:
                "Remplace les mois déjà déclarés (une correction est enregistrée, l'ancien chiffre reste dans l'historique)."
        ) var replace = false
        @Flag(help: "Confirme les heures au-dessus du plafond plausible.") var confirm = false
        @Flag(help: "Valide les relevés importés (facilitateur).") var validate = false
        @Flag(name: .customLong("dry-run"), help: "Vérifie sans rien écrire.") var dryRun = false

        func run() async throws {
            let data = try ImportCommand.read(file)
            try await Runtime.using(global) { runtime in
                let report = try await runtime.services.ledger.imports.importHours(
                    data: data, caller: .system("cli: import hours"), replace: replace, confirmPlausible: confirm,
                    dryRun: dryRun, validate: validate)
                try ImportCommand.print(report)
            }
        }
    }

    struct Participants: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Participants et justificatifs d'éligibilité (colonnes : docs/imports.md).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Fichier CSV.") var file: String
        @Flag(
            name: .customLong("validate-criteria"), help: "Valide les critères d'éligibilité du fichier (facilitateur)."
        ) var validateCriteria = false
        @Flag(name: .customLong("dry-run"), help: "Vérifie sans rien écrire.") var dryRun = false

        func run() async throws {
            let data = try ImportCommand.read(file)
            try await Runtime.using(global) { runtime in
                let report = try await runtime.services.ledger.imports.importParticipants(
                    data: data, caller: .system("cli: import participants"), dryRun: dryRun,
                    validateCriteria: validateCriteria)
                try ImportCommand.print(report)
            }
        }
    }

    static func read(_ path: String) throws(DomainError) -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DomainError.invalid("file", "impossible de lire le fichier « \(path) »")
        }
        return data
    }

    /// Prints the report; a refused file exits 2 with every problem on stderr.
    static func print(_ report: ImportReport) throws {
        for problem in report.problems {
            FileHandle.standardError.write(Data("erreur : \(problem.frenchDescription)\n".utf8))
        }
        for warning in report.warnings {
            FileHandle.standardError.write(Data("attention : \(warning.frenchDescription)\n".utf8))
        }
        switch report.status {
        case .written:
            Swift.print(
                "Import terminé : \(report.lines) ligne(s), \(report.created) créée(s), \(report.updated) corrigée(s), \(report.unchanged) inchangée(s)."
            )
        case .dryRun:
            Swift.print(
                "Vérification réussie (rien n'a été écrit) : \(report.lines) ligne(s), \(report.created) à créer, \(report.updated) à corriger, \(report.unchanged) inchangée(s)."
            )
        case .rejected:
            FileHandle.standardError.write(
                Data("erreur : fichier refusé (\(report.problemSummary)) ; rien n'a été écrit\n".utf8))
            throw ExitCode(2)
        case .confirmationRequired:
            FileHandle.standardError.write(
                Data(
                    "erreur : des heures dépassent le plafond plausible ; relancez avec --confirm après vérification ; rien n'a été écrit\n"
                        .utf8))
            throw ExitCode(2)
        }
    }
}

/// `clauses outcomes [--as-of DATE] [--profile NAME | --plie ID] [--json]`
struct OutcomesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outcomes", abstract: "Parcours proposés au comité pour une sortie positive, avec les preuves."
    )
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("as-of"), help: "Date d'observation (AAAA-MM-JJ, défaut : aujourd'hui).") var asOf:
        String?
    @Option(help: "Seulement les PLIE de ce profil (défaut : tous).") var profile: String?
    @Option(help: "Seulement ce PLIE (UUID).") var plie: String?
    @Flag(help: "Sortie JSON.") var json = false

    func run() async throws {
        try await Runtime.using(global) { runtime in
            let date =
                try asOf.map { text throws(DomainError) in try runtime.config.input.dates.parse(text, field: "as-of") }
                ?? runtime.services.clock.today
            if let profile { _ = try runtime.config.profiles.named(profile, field: "profile") }
            let plieId = try plie.map { text throws(DomainError) in
                guard let id = UUID(uuidString: text) else {
                    throw DomainError.invalid("plie", "identifiant de PLIE invalide « \(text) » (UUID attendu)")
                }
                return id
            }
            let candidates = try await runtime.services.ledger.outcomes.candidates(
                .system("cli: outcomes"), selection: PathwaySelection(plieId: plieId, profile: profile), asOf: date)
            if json {
                print(String(decoding: try JSONCoding.encode(Items(items: candidates)), as: UTF8.self))
                return
            }
            print("\(candidates.count) sortie(s) positive(s) à proposer au comité au \(date.french) :")
            for c in candidates {
                print("  - \(c.reference) (\(c.plieName)) : \(c.candidate.evidence)")
            }
        }
    }
}

/// `clauses indicators --profile NAME [--plie ID] [--year YYYY | --from DATE --to DATE] [--json | --csv]`
struct IndicatorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicators", abstract: "Indicateurs d'un profil PLIE face à ses objectifs, sur une période.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Profil PLIE (par exemple istres-ouest-provence-2020).") var profile: String
    @Option(help: "Seulement ce PLIE (UUID).") var plie: String?
    @Option(help: "Année civile (défaut : l'année en cours).") var year: Int?
    @Option(help: "Début de la période (AAAA-MM-JJ).") var from: String?
    @Option(help: "Fin de la période (AAAA-MM-JJ).") var to: String?
    @Flag(help: "Sortie JSON.") var json = false
    @Flag(help: "Sortie CSV (« ; », virgule décimale, UTF-8 avec BOM).") var csv = false

    func run() async throws {
        try await Runtime.using(global) { runtime in
            let dates = runtime.config.input.dates
            let period = try IndicatorPeriod.resolve(
                year: year, from: try from.map { text throws(DomainError) in try dates.parse(text, field: "from") },
                to: try to.map { text throws(DomainError) in try dates.parse(text, field: "to") },
                today: runtime.services.clock.today)
            let plieId = try plie.map { text throws(DomainError) in
                guard let id = UUID(uuidString: text) else {
                    throw DomainError.invalid("plie", "identifiant de PLIE invalide « \(text) » (UUID attendu)")
                }
                return id
            }
            let report = try await runtime.services.ledger.indicators.report(
                .system("cli: indicators"), profile: profile, plieId: plieId, period: period)
            if json {
                print(String(decoding: try JSONCoding.encode(report.items), as: UTF8.self))
            } else if csv {
                FileHandle.standardOutput.write(Data(report.csv.utf8))
            } else {
                print("\(report.profileLabel) · \(period.french)")
                for item in report.items {
                    let value = item.value.map { French.number($0, .text, maxFraction: 4) } ?? "—"
                    let fraction =
                        item.denominator.map {
                            " (\(French.number(item.numerator, .text)) / \(French.number($0, .text)))"
                        } ?? ""
                    let target = item.target.map { " · objectif ≥ \(French.number($0, .text, maxFraction: 4))" } ?? ""
                    print("  \(item.label) : \(value)\(fraction)\(target) · \(item.status.frenchLabel)")
                }
            }
        }
    }
}
