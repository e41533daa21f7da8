import ArgumentParser
import ClausesCore
import Foundation

extension ReferenceDataStore.Kind: ExpressibleByArgument {}

/// `clauses refdata import rome|communes FILE…`: loads the reference data the matching reads, from the
/// official open-data files (all or nothing).
struct RefdataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refdata", abstract: "Données de référence : codes ROME et communes.",
        subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract:
                "Charge le référentiel ROME (fichier des codes, et celui des appellations) ou les communes ; remplace l'existant, tout ou rien."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "rome ou communes.") var kind: ReferenceDataStore.Kind
        @Argument(help: "Fichier(s) CSV officiels (UTF-8).") var files: [String]

        func run() async throws {
            var read: [(name: String, data: Data)] = []
            for path in files {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw DomainError.invalid("file", "impossible de lire « \(path) »")
                }
                read.append((URL(fileURLWithPath: path).lastPathComponent, data))
            }
            try await Runtime.using(global) { runtime in
                let result = try await runtime.services.matching.referenceData.importFiles(kind, read)
                switch kind {
                case .rome:
                    print(
                        "Référentiel ROME chargé : \(result.romeCodes) codes, \(result.romeAppellations) appellations.")
                case .communes:
                    print("Communes chargées : \(result.communes).")
                }
            }
        }
    }
}

/// `clauses match need ID [--as-of DATE] [--limit N] [--json] [--excluded]`: a need's shortlist, explained.
struct MatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match", abstract: "Présélection de candidats pour un besoin de recrutement.",
        subcommands: [Need.self])

    struct Need: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "need", abstract: "Classe les participants pour un besoin, chaque score expliqué.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Identifiant (UUID) du besoin.") var id: String
        @Option(name: .customLong("as-of"), help: "Jour pris pour aujourd'hui (AAAA-MM-JJ) ; défaut : aujourd'hui.")
        var asOf: String?
        @Option(help: "Nombre de candidats affichés (défaut : matching.shortlist_length).") var limit: Int?
        @Flag(help: "Sortie JSON.") var json = false
        @Flag(help: "Liste aussi les personnes écartées, avec la raison.") var excluded = false

        func run() async throws {
            guard let uuid = UUID(uuidString: id) else {
                throw DomainError.invalid("id", "identifiant invalide « \(id) » (UUID attendu)")
            }
            try await Runtime.using(global) { runtime in
                let dates = runtime.config.input.dates
                let day = try asOf.map { t throws(DomainError) in try dates.parse(t, field: "as-of") }
                let list = try await runtime.services.matching.shortlists.shortlist(
                    .system("cli: match"), needId: uuid, asOf: day,
                    limit: limit ?? runtime.config.matching.shortlistLength, excluded: excluded)
                if json {
                    FileHandle.standardOutput.write(try JSONCoding.encode(list))
                    print()
                } else {
                    print(Self.text(list))
                }
            }
        }

        /// The shortlist as a person reads it in a terminal.
        static func text(_ list: Shortlist) -> String {
            var lines = [
                "Besoin \(list.needId.uuidString.lowercased()), jugé au \(list.judgedOn.french) ; chantier : "
                    + (list.worksite.located
                        ? "\(list.worksite.name ?? "") (\(list.worksite.insee ?? ""))"
                        : "commune inconnue (distances inconnues)"),
                list.kept.map { "\($0) personne\($0 > 1 ? "s" : "") retenue\($0 > 1 ? "s" : "") par les filtres." }
                    ?? "Les mieux classées des personnes retenues par les filtres (le classement s'arrête quand plus personne ne peut y entrer).",
            ]
            for (rank, candidate) in list.candidates.enumerated() {
                lines.append("")
                lines.append(
                    "\(rank + 1). \(candidate.name) (\(candidate.reference)) : \(French.number(candidate.score, .text, fixedFraction: 2)) points"
                        + (candidate.proposal.map { " — \($0.status.frenchLabel.lowercased())" } ?? ""))
                for part in candidate.parts {
                    lines.append(
                        "   \(part.part.frenchLabel) : \(French.number(part.points, .text, fixedFraction: 2)) — \(part.detail)"
                    )
                }
            }
            if let excluded = list.excluded {
                lines.append("")
                lines.append("Écartées (\(excluded.count)) :")
                for person in excluded { lines.append("- \(person.name) (\(person.reference)) : \(person.reason)") }
            }
            return lines.joined(separator: "\n")
        }
    }
}
