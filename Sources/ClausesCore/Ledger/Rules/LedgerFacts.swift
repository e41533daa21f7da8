import Foundation

/// The stored facts of one validated monthly hour report.
public struct MonthFacts: Codable, Sendable, Equatable {
    public var month: YearMonth
    public var workedHours: Decimal
    public var trainingHours: Decimal
    /// SIAE modes: the insertion employees' hours attested by the SIAE; when present it replaces
    /// `workedHours` for that month.
    public var attestedInsertionHours: Decimal?
    /// SIAE modes: the amount (€ excl. VAT) paid to the SIAE for the month, converted when no hours are attested.
    public var subcontractAmount: Decimal?

    public init(
        month: YearMonth, workedHours: Decimal = 0, trainingHours: Decimal = 0, attestedInsertionHours: Decimal? = nil,
        subcontractAmount: Decimal? = nil
    ) {
        self.month = month
        self.workedHours = workedHours
        self.trainingHours = trainingHours
        self.attestedInsertionHours = attestedInsertionHours
        self.subcontractAmount = subcontractAmount
    }
}

/// One placement on the clause's lot, with its validated monthly reports.
public struct PlacementFacts: Codable, Sendable, Equatable {
    public var id: String
    public var mode: ExecutionMode
    public var contractType: EmploymentContractType
    public var start: LocalDate
    public var end: LocalDate?
    /// The person was eligible on the placement's start date (rule 1); judged once for the whole placement.
    public var eligibleAtStart: Bool
    /// The hours are worked on the operation carrying the clause, or on a lot bound by a pooling agreement (rule 2).
    public var onClauseOperation: Bool
    public var months: [MonthFacts]

    public init(
        id: String, mode: ExecutionMode, contractType: EmploymentContractType, start: LocalDate, end: LocalDate? = nil,
        eligibleAtStart: Bool = true, onClauseOperation: Bool = true, months: [MonthFacts] = []
    ) {
        self.id = id
        self.mode = mode
        self.contractType = contractType
        self.start = start
        self.end = end
        self.eligibleAtStart = eligibleAtStart
        self.onClauseOperation = onClauseOperation
        self.months = months
    }

    /// A hire that earns the bonus (`isQualifyingHire`).
    public var qualifiesForHireBonus: Bool { isQualifyingHire(contractType, start: start, end: end) }
}

/// A qualifying hire (DOMAIN §4 hire bonus, §8 bilan): a CDI, or a CDD / CDD de chantier whose planned end
/// is at least 6 months after its start (end ≥ start + 6 months − 1 day; a CDD without an end date does not
/// qualify).
func isQualifyingHire(_ type: EmploymentContractType, start: LocalDate, end: LocalDate?) -> Bool {
    if type == .cdi { return true }
    guard type.isFixedTerm, let end else { return false }
    return end >= start.adding(months: 6).adding(days: -1)
}
