import Foundation

/// The checks every monthly hour report passes, wherever it comes from (the API, the pages, a CSV
/// import): one home for each rule and its French wording (DOMAIN §4, hour reports).
public enum HourReportRules {
    /// Why a report is refused or needs confirmation.
    public enum Problem: Sendable, Equatable {
        /// Worked + training hours beyond the hours the month has.
        case beyondMonth(total: Decimal, month: YearMonth)
        /// Attested hours beyond the hours the month has.
        case attestedBeyondMonth(hours: Decimal, month: YearMonth)
        /// Worked + training hours above `ledger.plausible_monthly_hours`: recorded once confirmed.
        case implausible(total: Decimal, month: YearMonth, ceiling: Decimal)
        /// A month not over yet cannot be declared.
        case futureMonth(YearMonth)
        /// The month is outside the placement's period.
        case outsidePlacement(month: YearMonth, placementCode: String, start: LocalDate, end: LocalDate?)
        /// A current report exists with other figures and no replacement was asked.
        case alreadyDeclared(
            placementCode: String, month: YearMonth, worked: Decimal, training: Decimal, status: HourReportStatus)

        /// The JSON field the problem is about.
        public var field: String {
            switch self {
            case .beyondMonth, .implausible: "workedHours"
            case .attestedBeyondMonth: "attestedInsertionHours"
            case .futureMonth, .outsidePlacement, .alreadyDeclared: "month"
            }
        }

        /// The CSV column the problem is about.
        public var column: String {
            switch self {
            case .beyondMonth, .implausible, .attestedBeyondMonth, .alreadyDeclared: "heures travaillees"
            case .futureMonth, .outsidePlacement: "mois"
            }
        }

        /// The problem in French, the same sentence on every path.
        public var message: String {
            let h = { (value: Decimal) in French.hours(value, .text) }
            switch self {
            case .beyondMonth(let total, let month):
                return
                    "\(h(total)) en \(French.month(month)) : impossible, un mois de \(month.dayCount) jours compte \(h(HourReportRules.capacity(of: month)))."
            case .attestedBeyondMonth(let hours, let month):
                return
                    "\(h(hours)) attestées en \(French.month(month)) : impossible, un mois de \(month.dayCount) jours compte \(h(HourReportRules.capacity(of: month)))."
            case .implausible(let total, let month, let ceiling):
                return
                    "\(h(total)) déclarées en \(French.month(month)) (travail + formation), au-delà de \(h(ceiling)) : confirmez ce chiffre pour l'enregistrer."
            case .futureMonth(let month):
                return "On ne peut pas déclarer d'heures pour \(French.month(month)), mois à venir."
            case .outsidePlacement(let month, let code, let start, let end):
                let period =
                    end.map { "de \(French.month(start.yearMonth)) à \(French.month($0.yearMonth))" }
                    ?? "à partir de \(French.month(start.yearMonth))"
                return "\(French.month(month)) est hors de la période de la mise à l'emploi \(code) (\(period))."
            case .alreadyDeclared(let code, let month, let worked, let training, let status):
                let trained = training > 0 ? " et \(h(training)) de formation" : ""
                return
                    "Des heures sont déjà déclarées pour \(code) en \(French.month(month)) (\(h(worked)) travaillées\(trained), \(status.frenchLabel.lowercased())). Pour les corriger, demandez le remplacement : l'ancienne déclaration sera conservée dans l'historique."
            }
        }

        /// Refusal for the API and the pages.
        public var error: DomainError {
            switch self {
            case .implausible: DomainError(.unprocessable, code: .implausibleHours, message: message, field: field)
            case .alreadyDeclared: DomainError.conflict(message, field: field, code: .reportExists)
            default: DomainError.invalid(field, message)
            }
        }
    }

    /// The hours a month has: its days × 24.
    public static func capacity(of month: YearMonth) -> Decimal { Decimal(month.dayCount * 24) }

    /// The figures of one month: impossible totals first, then the plausibility warning (`implausible`
    /// comes last, so a caller may treat it apart).
    public static func figureProblems(
        worked: Decimal, training: Decimal, attested: Decimal?, month: YearMonth, plausibleCeiling: Decimal
    ) -> [Problem] {
        let total = worked + training
        var problems: [Problem] = []
        if total > capacity(of: month) {
            problems.append(.beyondMonth(total: total, month: month))
        }
        if let attested, attested > capacity(of: month) {
            problems.append(.attestedBeyondMonth(hours: attested, month: month))
        }
        if problems.isEmpty, total > plausibleCeiling {
            problems.append(.implausible(total: total, month: month, ceiling: plausibleCeiling))
        }
        return problems
    }

    /// The month against today and the placement's period.
    public static func periodProblem(
        month: YearMonth, today: LocalDate, placementCode: String, start: LocalDate, end: LocalDate?
    ) -> Problem? {
        if month < start.yearMonth || (end.map { month > $0.yearMonth } ?? false) {
            return .outsidePlacement(month: month, placementCode: placementCode, start: start, end: end)
        }
        if month > today.yearMonth { return .futureMonth(month) }
        return nil
    }

    /// A new declaration changes nothing when the current report is not rejected and has the same worked
    /// and training hours, and the same attested hours and amount where the declaration gives them (a
    /// figure left out keeps the current one). `unchangedSQL` states the same rule for set-based checks.
    public static func isUnchanged(current: Figures, status: HourReportStatus, declared: Figures) -> Bool {
        status != .rejected && current.worked == declared.worked && current.training == declared.training
            && (declared.attested == nil || declared.attested == current.attested)
            && (declared.amount == nil || declared.amount == current.amount)
    }

    /// A report's figures.
    public struct Figures: Sendable, Equatable {
        public var worked: Decimal
        public var training: Decimal
        public var attested: Decimal?
        public var amount: Decimal?

        public init(worked: Decimal, training: Decimal = 0, attested: Decimal? = nil, amount: Decimal? = nil) {
            self.worked = worked
            self.training = training
            self.attested = attested
            self.amount = amount
        }
    }

    /// `isUnchanged` in SQL, for an import (which gives no attested hours nor amount) over rows holding the
    /// current report's `old_status`, `old_worked`, `old_training` and the file's `worked`, `training`.
    static let unchangedSQL =
        "(old_status <> 'rejected' AND (old_worked, old_training) IS NOT DISTINCT FROM (worked, training))"
}
