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
        for (section, lines) in [
            ("entrée", entryLines), ("prolongation demandée", extensionLines), ("sortie", exitLines),
            ("sortie positive à décider", candidateLines),
        ] {
            for line in lines {
                file.row([section, line.reference, line.name, line.referent ?? "", line.date.french, line.detail])
            }
        }
        return file.text
    }
}
