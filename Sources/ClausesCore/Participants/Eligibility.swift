import Foundation

/// One eligibility criterion a participant carries, with the date of its proof and whether the
/// facilitateur validated it (DOMAIN §5).
public struct CriterionProof: Codable, Sendable, Equatable {
    public var code: EligibilityCriterionCode
    public var proofDate: LocalDate
    /// The facilitateur's validation: an unvalidated proof never makes anyone eligible.
    public var validated: Bool

    public init(code: EligibilityCriterionCode, proofDate: LocalDate, validated: Bool) {
        self.code = code
        self.proofDate = proofDate
        self.validated = validated
    }

    /// Whether this proof makes its criterion valid at `date`: validated, dated on or before `date`, and no
    /// older than `validityMonths` calendar months (a proof dated exactly `validityMonths` months before
    /// `date` still counts; one day older does not).
    public func isValid(at date: LocalDate, validityMonths: Int) -> Bool {
        validated && proofDate <= date && proofDate >= date.adding(months: -validityMonths)
    }

    /// The last day this proof is valid (nil when not validated). Usually `proofDate + validityMonths`;
    /// a proof dated on a month's last day stays valid to the end of the target month (28 Feb + 6 months
    /// is valid through 31 Aug), because month arithmetic clamps to month ends.
    public func lastValidDay(validityMonths: Int) -> LocalDate? {
        guard validated else { return nil }
        var day = proofDate.adding(months: validityMonths)
        while isValid(at: day.adding(days: 1), validityMonths: validityMonths) {
            day = day.adding(days: 1)
        }
        return day
    }
}

/// Whether a person is eligible at a date, and on which criteria.
public struct EligibilityVerdict: Codable, Sendable, Equatable {
    public var eligible: Bool
    /// The criteria valid at the date, without duplicates, sorted by code.
    public var criteria: [EligibilityCriterionCode]
    /// The last day on which at least one of these criteria is still valid (nil when not eligible):
    /// the date to watch for the "eligibility proof expiring" alert.
    public var validUntil: LocalDate?

    public init(eligible: Bool, criteria: [EligibilityCriterionCode], validUntil: LocalDate? = nil) {
        self.eligible = eligible
        self.criteria = criteria
        self.validUntil = validUntil
    }

    /// The criteria in French, joined for a page or an explanation line.
    public var frenchSummary: String {
        eligible
            ? "Éligible : " + criteria.map(\.rawValue).joined(separator: ", ")
            : "Non éligible : aucun critère validé dont la preuve est en cours de validité"
    }
}

/// Judges eligibility at `date` (DOMAIN §5): a criterion counts when its proof is validated by the
/// facilitateur, dated on or before `date`, and no older than `validityMonths` calendar months.
public func eligibility(of proofs: [CriterionProof], at date: LocalDate, validityMonths: Int) -> EligibilityVerdict {
    let valid = proofs.filter { $0.isValid(at: date, validityMonths: validityMonths) }
    let codes = Set(valid.map(\.code)).sorted { $0.rawValue < $1.rawValue }
    let until = valid.compactMap { $0.lastValidDay(validityMonths: validityMonths) }.max()
    return EligibilityVerdict(eligible: !codes.isEmpty, criteria: codes, validUntil: until)
}
