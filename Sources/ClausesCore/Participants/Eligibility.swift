import Foundation

/// One eligibility criterion a participant carries, with its proof and whether the facilitateur
/// validated it (DOMAIN §5).
public struct CriterionProof: Codable, Sendable, Equatable {
    public var code: EligibilityCriterionCode
    public var proofDate: LocalDate
    /// The facilitateur's validation: an unvalidated proof never makes anyone eligible.
    public var validated: Bool
    /// The end date the proof states, for the criteria that have one: the RQTH decision's end, the PASS
    /// IAE's end.
    public var validUntil: LocalDate?

    public init(code: EligibilityCriterionCode, proofDate: LocalDate, validated: Bool, validUntil: LocalDate? = nil) {
        self.code = code
        self.proofDate = proofDate
        self.validated = validated
        self.validUntil = validUntil
    }

    /// Whether the proof is within the validity window at `date`: dated on or before `date`, and no older
    /// than `validityMonths` calendar months (a proof dated exactly `validityMonths` months before `date`
    /// still counts; one day older does not).
    func withinWindow(at date: LocalDate, validityMonths: Int) -> Bool {
        proofDate <= date && proofDate >= date.adding(months: -validityMonths)
    }

    /// The window's last day: usually `proofDate + validityMonths`; a proof dated on a month's last day
    /// stays valid to the end of the target month (28 Feb + 6 months is valid through 31 Aug), because
    /// month arithmetic clamps to month ends.
    func windowLastDay(validityMonths: Int) -> LocalDate {
        var day = proofDate.adding(months: validityMonths)
        while withinWindow(at: day.adding(days: 1), validityMonths: validityMonths) { day = day.adding(days: 1) }
        return day
    }
}

/// A PLIE pathway as eligibility sees it: entered on `entry`, exited on `exit` (its last day) or open.
public struct PathwaySpan: Codable, Sendable, Equatable {
    public var entry: LocalDate
    public var exit: LocalDate?

    public init(entry: LocalDate, exit: LocalDate? = nil) {
        self.entry = entry
        self.exit = exit
    }

    public func isOpen(at date: LocalDate) -> Bool { entry <= date && exit.map { date <= $0 } ?? true }
}

/// Everything eligibility reads about a person (DOMAIN §5).
public struct EligibilityFacts: Sendable, Equatable {
    public var proofs: [CriterionProof]
    public var birthDate: LocalDate?
    /// The person's PLIE pathways, of any PLIE: an open one is the `PLIE` criterion, with no proof.
    public var pathways: [PathwaySpan]

    public init(proofs: [CriterionProof], birthDate: LocalDate? = nil, pathways: [PathwaySpan] = []) {
        self.proofs = proofs
        self.birthDate = birthDate
        self.pathways = pathways
    }
}

/// How long one criterion stays valid (the table of DOMAIN §5), judged at a date.
enum CriterionValidity {
    static let youthAge = 26
    static let seniorAge = 50

    /// Nil when the proof does not make its criterion valid at `date`; else the criterion's last valid day,
    /// `.max` when it has no foreseeable end.
    static func lastDay(_ proof: CriterionProof, facts: EligibilityFacts, at date: LocalDate, validityMonths: Int)
        -> LocalDate?
    {
        guard proof.validated, proof.proofDate <= date else { return nil }
        let window: LocalDate? =
            proof.withinWindow(at: date, validityMonths: validityMonths)
            ? proof.windowLastDay(validityMonths: validityMonths) : nil
        switch proof.code {
        case .PLIE:
            // Never from a proof: the open pathway is the criterion.
            return nil
        case .RQTH, .SIAE:
            // The RQTH decision's or PASS IAE's end date, else the window.
            guard let end = proof.validUntil else { return window }
            return date <= end ? end : nil
        case .YOUTH:
            // Under 26 at the date when the birth date is known, else the window.
            guard let birth = facts.birthDate else { return window }
            let birthday = birth.adding(months: 12 * youthAge)
            return date < birthday ? birthday.adding(days: -1) : nil
        case .SENIOR:
            // 50 or more at the date, and the proof within the window.
            if let birth = facts.birthDate, date < birth.adding(months: 12 * seniorAge) { return nil }
            return window
        case .DELD, .DETLD, .RSA, .ASS, .AAH, .AI, .INVALIDITY, .E2C_EPIDE, .REASONED_OPINION:
            return window
        }
    }

    /// Why a proof does not make its criterion valid at `date`, in French.
    static func problem(_ proof: CriterionProof, facts: EligibilityFacts, at date: LocalDate, validityMonths: Int)
        -> String
    {
        let what = "\(proof.code.rawValue) (justificatif du \(proof.proofDate.french)"
        if proof.code == .PLIE {
            return "\(what) : le critère PLIE découle d'un parcours ouvert, pas d'un justificatif)"
        }
        if !proof.validated { return "\(what) non validé)" }
        if proof.proofDate > date { return "\(what), postérieur au début)" }
        if let end = proof.validUntil, [.RQTH, .SIAE].contains(proof.code) {
            return "\(what), valable jusqu'au \(end.french))"
        }
        if proof.code == .YOUTH, let birth = facts.birthDate {
            return "\(what) : 26 ans atteints le \(birth.adding(months: 12 * youthAge).french))"
        }
        if proof.code == .SENIOR, let birth = facts.birthDate, date < birth.adding(months: 12 * seniorAge) {
            return "\(what) : moins de 50 ans à cette date)"
        }
        return "\(what), plus de \(validityMonths) mois)"
    }
}

/// Why a person who is not eligible at `date` is not: one French line per stored proof and per pathway,
/// sorted (DOMAIN §5); empty when nothing is recorded.
public func ineligibilityReasons(of facts: EligibilityFacts, at date: LocalDate, validityMonths: Int) -> [String] {
    let proofs = facts.proofs.sorted { ($0.code.rawValue, $0.proofDate) < ($1.code.rawValue, $1.proofDate) }
    return proofs.map { CriterionValidity.problem($0, facts: facts, at: date, validityMonths: validityMonths) }
        + facts.pathways.sorted { $0.entry < $1.entry }.map { pathway in
            pathway.entry > date
                ? "PLIE (parcours ouvert le \(pathway.entry.french), après le début)"
                : "PLIE (parcours clos le \(pathway.exit?.french ?? "?"))"
        }
}

/// Where one stored proof stands at a date (DOMAIN §5), as a record page shows it beside the proof.
public enum ProofStanding: Sendable, Equatable {
    /// Valid at the date, until this day (nil: no foreseeable end).
    case valid(until: LocalDate?)
    /// Not valid at the date, and why, in French.
    case invalid(String)

    public static func of(_ proof: CriterionProof, facts: EligibilityFacts, at date: LocalDate, validityMonths: Int)
        -> ProofStanding
    {
        if let last = CriterionValidity.lastDay(proof, facts: facts, at: date, validityMonths: validityMonths) {
            return .valid(until: last == .max ? nil : last)
        }
        return .invalid(CriterionValidity.problem(proof, facts: facts, at: date, validityMonths: validityMonths))
    }
}

/// Whether a person is eligible at a date, and on which criteria.
public struct EligibilityVerdict: Codable, Sendable, Equatable {
    public var eligible: Bool
    /// The criteria valid at the date, without duplicates, sorted by code.
    public var criteria: [EligibilityCriterionCode]
    /// The last day on which at least one of these criteria is still valid: the date to watch for the
    /// "eligibility proof expiring" alert. Nil when not eligible, or when a criterion has no foreseeable
    /// end (an open pathway, a PASS IAE without end date is bounded by its window).
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
            : "Non éligible : aucun critère valide à cette date"
    }
}

/// Judges eligibility at `date` (DOMAIN §5), each criterion by its own validity: a validated proof within
/// the window (`validityMonths`), the RQTH decision's or PASS IAE's end date, the age for YOUTH and
/// SENIOR, and an open pathway for PLIE.
public func eligibility(of facts: EligibilityFacts, at date: LocalDate, validityMonths: Int) -> EligibilityVerdict {
    var lastDays: [EligibilityCriterionCode: LocalDate] = [:]
    for proof in facts.proofs {
        guard let last = CriterionValidity.lastDay(proof, facts: facts, at: date, validityMonths: validityMonths)
        else { continue }
        lastDays[proof.code] = max(lastDays[proof.code] ?? last, last)
    }
    for pathway in facts.pathways where pathway.isOpen(at: date) {
        lastDays[.PLIE] = max(lastDays[.PLIE] ?? .min, pathway.exit ?? .max)
    }
    let codes = lastDays.keys.sorted { $0.rawValue < $1.rawValue }
    let until = lastDays.values.max()
    return EligibilityVerdict(
        eligible: !codes.isEmpty, criteria: codes, validUntil: until == .max ? nil : until)
}
