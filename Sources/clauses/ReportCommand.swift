import ArgumentParser
import ClausesCore
import Foundation

extension ReportScope.Kind: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}

/// `clauses report contract|operation|buyer ID [--from DATE --to DATE | --period 2026-Q3 | --year 2026]
/// --format html|csv|json [--output FILE]`: a donneur d'ordre's bilan (DOMAIN §8), as it would receive it.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Bilan de la clause sociale pour un donneur d'ordre (marché, opération ou tous ses marchés).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Périmètre du bilan : contract (un marché), operation, buyer (tous ses marchés).")
    var scope: ReportScope.Kind
    @Argument(help: "Identifiant (UUID) du marché, de l'opération ou du donneur d'ordre.") var id: String
    @Option(help: "Début de la période (AAAA-MM-JJ), avec --to.") var from: String?
    @Option(help: "Fin de la période (AAAA-MM-JJ), avec --from.") var to: String?
    @Option(help: "Période entière : 2026-Q3, 2026-07, 2026 ou depuis-le-debut.") var period: String?
    @Option(help: "Une année (AAAA).") var year: String?
    @Option(help: "Format : html, csv ou json.") var format: ReportFormat = .html
    @Option(help: "Fichier à écrire (défaut : la sortie standard).") var output: String?
    @Option(name: .customLong("as-of"), help: "Jour pris pour aujourd'hui (AAAA-MM-JJ) ; défaut : aujourd'hui.")
    var asOf: String?

    func run() async throws {
        guard let uuid = UUID(uuidString: id) else {
            throw DomainError.invalid("id", "identifiant invalide « \(id) » (UUID attendu)")
        }
        try await Runtime.using(global) { runtime in
            let dates = runtime.config.input.dates
            let day = { (text: String?, field: String) throws(DomainError) in
                try text.map { t throws(DomainError) in try dates.parse(t, field: field) }
            }
            let today = try day(asOf, "as-of") ?? runtime.services.clock.today
            let chosen = try ReportPeriod.resolve(
                period: period, year: year, from: try day(from, "from"), to: try day(to, "to"), today: today)
            let bilan = try await runtime.services.bilans.bilan(
                .system("cli: report"), scope: ReportScope(kind: scope, id: uuid), period: chosen, today: today)
            let data = try bilan.document(format)
            if let output {
                do {
                    try data.write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw DomainError.invalid(
                        "output", "impossible d'écrire « \(output) » : \(error.localizedDescription)")
                }
            } else {
                FileHandle.standardOutput.write(data)
            }
        }
    }
}
