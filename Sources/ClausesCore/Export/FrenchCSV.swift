import Foundation

/// A CSV file for French spreadsheets: `;` between cells, decimal comma (figures go through
/// `French` with the `.csv` style), UTF-8 with a byte-order mark so Excel reads the accents, CRLF line
/// ends, cells quoted only when they hold `;`, a quote or a line break.
public struct FrenchCSV: Sendable {
    private var lines: [String] = []

    public init(header: [String]) { row(header) }

    public mutating func row(_ cells: [String]) {
        lines.append(cells.map(Self.cell).joined(separator: ";"))
    }

    public var text: String { "\u{FEFF}" + lines.map { $0 + "\r\n" }.joined() }

    static func cell(_ text: String) -> String {
        guard text.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension IndicatorReport {
    /// One line per indicator: its name, label, numerator, denominator, value, target, status.
    public var csv: String {
        var file = FrenchCSV(header: [
            "indicateur", "libellé", "numérateur", "dénominateur", "valeur", "objectif", "période de l'objectif",
            "statut",
        ])
        for item in items {
            file.row([
                item.indicator.description, item.label, French.number(item.numerator, .csv, maxFraction: 2),
                item.denominator.map { French.number($0, .csv, maxFraction: 2) } ?? "",
                item.value.map { French.number($0, .csv, maxFraction: 4) } ?? "",
                item.target.map { French.number($0, .csv, maxFraction: 4) } ?? "",
                item.targetPeriod.map { $0 == .year ? "année" : "protocole" } ?? "", item.status.frenchLabel,
            ])
        }
        return file.text
    }
}

extension CommitteeList {
    /// Every line of the committee's list: section, reference, person, référent, date, detail.
    public var csv: String {
        var file = FrenchCSV(header: ["rubrique", "référence", "personne", "référent", "date", "détail"])
        for entry in entries {
            file.row([
                "entrée", entry.person.reference, entry.person.name, entry.person.referentLabel ?? "",
                entry.entryDate.french, "",
            ])
        }
        for request in extensions {
            file.row([
                "prolongation demandée", request.person.reference, request.person.name,
                request.person.referentLabel ?? "", request.requestedOn.french,
                "\(request.months) mois : \(request.reason)\(request.quota.map { " (\($0.french))" } ?? "")",
            ])
        }
        for exit in exits {
            file.row([
                "sortie", exit.person.reference, exit.person.name, exit.person.referentLabel ?? "",
                exit.exitDate.french, exit.exitKind.frenchLabel + (exit.exitReason.map { " : \($0)" } ?? ""),
            ])
        }
        for candidate in candidates {
            file.row([
                "sortie positive à décider", candidate.reference, candidate.participantName,
                candidate.proposedBy.map { "proposée par \($0)" } ?? "",
                candidate.candidate.establishedOn.french,
                "\(candidate.candidate.rule.frenchLabel) : \(candidate.candidate.evidence)",
            ])
        }
        return file.text
    }
}
