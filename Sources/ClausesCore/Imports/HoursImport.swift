import Foundation

/// One line of a monthly hours file: the hours one placement worked (and trained) in one month.
public struct HoursImportRow: Sendable, Equatable {
    public let line: Int
    /// The placement's code (`MEP-2026-00042`), upper-cased.
    public let placementCode: String
    public let month: YearMonth
    public let workedHours: Decimal
    public let trainingHours: Decimal
    public let comment: String?

    public init(
        line: Int, placementCode: String, month: YearMonth, workedHours: Decimal,
        trainingHours: Decimal, comment: String?
    ) {
        self.line = line
        self.placementCode = placementCode
        self.month = month
        self.workedHours = workedHours
        self.trainingHours = trainingHours
        self.comment = comment
    }
}

/// The hours file companies and SIAE send each month (see docs/imports.md).
public enum HoursImport {
    public static let schema = ColumnSchema([
        .init(
            "placement", aliases: ["mise a l'emploi", "code placement", "code mise a l'emploi", "reference"],
            required: true),
        .init("mois", aliases: ["month", "periode"], required: true),
        .init(
            "heures travaillees", label: "heures travaillées",
            aliases: ["heures", "heures realisees", "worked hours"], required: true),
        .init("heures formation", label: "heures de formation", aliases: ["heures de formation", "training hours"]),
        .init("commentaire", aliases: ["commentaires", "comment"], multiLine: true),
    ])

    /// Checks the whole file. Throws every problem (sorted by line) if there is any; otherwise returns
    /// the rows and the warnings to confirm (a month above `plausibleMonthlyCeiling` hours, e.g. 220).
    public static func parse(_ data: Data, plausibleMonthlyCeiling: Decimal, rules: ImportRules = ImportRules())
        throws(ValidationErrors) -> (rows: [HoursImportRow], warnings: [ValidationErrors.Problem])
    {
        var seen = FirstOccurrence<[String]>()
        var warnings: [ValidationErrors.Problem] = []
        let rows = try CSVImport.rows(data, schema: schema, rules: rules) { cells -> HoursImportRow? in
            let code = cells.required("placement", "code de la mise à l'emploi manquant")?.uppercased()
            let month = cells.month("mois", missing: "mois manquant")
            let worked = cells.hours(
                "heures travaillees", missing: "heures travaillées manquantes (indiquez 0 si aucune)")
            let training = cells.text("heures formation") == nil ? Decimal(0) : cells.hours("heures formation")
            if let code, let month, let earlier = seen.earlierLine(of: [code, month.description], line: cells.line) {
                cells.report(
                    "placement",
                    "doublon de la ligne \(earlier) : même mise à l'emploi « \(code) » et même mois \(month)")
            }
            guard let code, let month, let worked, let training else { return nil }
            for problem in HourReportRules.figureProblems(
                worked: worked, training: training, attested: nil, month: month,
                plausibleCeiling: plausibleMonthlyCeiling)
            {
                if case .implausible = problem {
                    warnings.append(cells.problem(problem.column, problem.message))
                } else {
                    cells.report(problem.column, problem.message)
                }
            }
            return HoursImportRow(
                line: cells.line, placementCode: code, month: month, workedHours: worked,
                trainingHours: training, comment: cells.text("commentaire"))
        }
        return (rows, warnings)
    }
}
