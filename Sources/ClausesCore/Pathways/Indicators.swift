import Foundation

/// The steering indicators a PLIE is judged on (DOMAIN §6, targets), each with a possible target.
public enum IndicatorKind: String, InputEnum, CodingKeyRepresentable {
    case accompanied
    case entries
    case exits
    case positiveExitRate = "positive_exit_rate"
    case positiveExitRateEmployment = "positive_exit_rate_employment"
    case positiveExitRateTraining = "positive_exit_rate_training"
    case rsaShare = "rsa_share"
    case qpvOrTVAShare = "qpv_or_tva_share"
    case esfQPVShare = "esf_qpv_share"
    case womenShare = "women_share"
    case seniorShare = "senior_share"
    case pathwayJobs = "pathway_jobs"
    case caseloadPerReferent = "caseload_per_referent"
    case clauseHours = "clause_hours"

    public enum Unit: String, Codable, Sendable { case count, share, ratio, hours }

    public var unit: Unit {
        switch self {
        case .accompanied, .entries, .exits, .pathwayJobs: .count
        case .positiveExitRate, .positiveExitRateEmployment, .positiveExitRateTraining, .rsaShare, .qpvOrTVAShare,
            .esfQPVShare, .womenShare, .seniorShare:
            .share
        case .caseloadPerReferent: .ratio
        case .clauseHours: .hours
        }
    }

    public var frenchLabel: String {
        switch self {
        case .accompanied: "Participants accompagnés"
        case .entries: "Entrées en parcours"
        case .exits: "Sorties de parcours"
        case .positiveExitRate: "Taux de sorties positives"
        case .positiveExitRateEmployment: "Sorties positives en emploi"
        case .positiveExitRateTraining: "Sorties positives en formation qualifiante"
        case .rsaShare: "Allocataires du RSA (à l'entrée ou pendant le parcours)"
        case .qpvOrTVAShare: "Résidents d'un QPV ou d'un territoire de veille active"
        case .esfQPVShare: "Résidents d'un QPV (règle FSE)"
        case .womenShare: "Femmes"
        case .seniorShare: "Seniors"
        case .pathwayJobs: "Emplois de parcours"
        case .caseloadPerReferent: "File active moyenne par référent"
        case .clauseHours: "Heures réalisées dans les clauses"
        }
    }

    /// What the numerator and denominator count, in French.
    public var frenchDefinition: String {
        switch self {
        case .accompanied: "personnes ayant un parcours ouvert à un moment de la période"
        case .entries: "parcours entrés pendant la période"
        case .exits: "parcours sortis pendant la période"
        case .positiveExitRate: "sorties positives (emploi et formation retenue) ÷ toutes les sorties de la période"
        case .positiveExitRateEmployment: "sorties en emploi ÷ toutes les sorties de la période"
        case .positiveExitRateTraining: "sorties en formation qualifiante retenues ÷ toutes les sorties de la période"
        case .rsaShare: "accompagnés allocataires du RSA à l'entrée ou pendant le parcours ÷ accompagnés"
        case .qpvOrTVAShare: "accompagnés résidant en QPV ou en TVA ÷ accompagnés"
        case .esfQPVShare: "accompagnés résidant en QPV ÷ accompagnés"
        case .womenShare: "accompagnées ÷ accompagnés"
        case .seniorShare: "accompagnés ayant l'âge senior du profil à leur entrée ÷ accompagnés"
        case .pathwayJobs:
            "emplois commencés pendant un parcours dans la période : contrats aidés, CDDI et contrats de moins de 6 mois"
        case .caseloadPerReferent: "accompagnés ÷ référents qui les suivent"
        case .clauseHours: "heures validées des mises à l'emploi des accompagnés, mois de la période"
        }
    }
}

/// An indicator's name: a kind, or the exits of one kind (`exits.employment_cdi`).
public enum IndicatorId: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    case kind(IndicatorKind)
    case exits(ExitKind)

    public var description: String {
        switch self {
        case .kind(let kind): kind.rawValue
        case .exits(let exit): "exits.\(exit.rawValue)"
        }
    }

    public init?(text: String) {
        if let kind = IndicatorKind(rawValue: text) {
            self = .kind(kind)
        } else if text.hasPrefix("exits."), let exit = ExitKind(rawValue: String(text.dropFirst(6))) {
            self = .exits(exit)
        } else {
            return nil
        }
    }

    public var frenchLabel: String {
        switch self {
        case .kind(let kind): kind.frenchLabel
        case .exits(let exit): "Sorties : \(exit.frenchLabel.prefix(1).lowercased())\(exit.frenchLabel.dropFirst())"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = IndicatorId(text: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "indicateur inconnu « \(text) »")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

public enum IndicatorStatus: String, Codable, Sendable {
    /// At or above the target.
    case met
    /// Below the target.
    case notMet = "not_met"
    /// The profile sets no target for this indicator, or none over this period.
    case noTarget = "no_target"

    public var frenchLabel: String {
        switch self {
        case .met: "Objectif atteint"
        case .notMet: "Objectif non atteint"
        case .noTarget: "Sans objectif"
        }
    }
}

/// A period of whole days.
public struct IndicatorPeriod: Codable, Sendable, Equatable {
    public var from: LocalDate
    public var to: LocalDate

    /// Refuses a period that ends before it starts.
    public init(from: LocalDate, to: LocalDate) throws(DomainError) {
        guard from <= to else {
            throw DomainError.invalid(
                "to", "La période se termine le \(to.french), avant de commencer (\(from.french)).")
        }
        self.from = from
        self.to = to
    }

    /// A calendar year (1 January is never after 31 December).
    public static func year(_ year: Int) -> IndicatorPeriod {
        IndicatorPeriod(unchecked: .firstDay(ofYear: year), .lastDay(ofYear: year))
    }

    private init(unchecked from: LocalDate, _ to: LocalDate) {
        self.from = from
        self.to = to
    }

    /// The period a request names: a year, or two dates, else the current calendar year.
    public static func resolve(year: Int?, from: LocalDate?, to: LocalDate?, today: LocalDate) throws(DomainError)
        -> IndicatorPeriod
    {
        switch (year, from, to) {
        case (let year?, nil, nil):
            guard LocalDate.yearRange.contains(year) else {
                throw DomainError.invalid("year", "« year » doit être une année entre 1 et 9999 (reçu \(year)).")
            }
            return .year(year)
        case (nil, let from?, let to?): return try IndicatorPeriod(from: from, to: to)
        case (nil, nil, nil): return .year(today.year)
        case (_?, _, _):
            throw DomainError.invalid("year", "Indiquez soit une année, soit une période (début et fin), pas les deux.")
        default:
            throw DomainError.invalid(
                from == nil ? "from" : "to", "Une période se donne avec sa date de début et sa date de fin.",
                code: .missingField)
        }
    }

    /// A whole calendar year.
    public var isCalendarYear: Bool {
        from.year == to.year && from == .firstDay(ofYear: from.year) && to == .lastDay(ofYear: to.year)
    }

    public var french: String {
        isCalendarYear ? "année \(from.year)" : "du \(from.french) au \(to.french)"
    }
}

/// The facts the indicators divide, counted by `IndicatorQuery` over one profile and period.
public struct IndicatorCounts: Sendable, Equatable {
    public var accompanied = 0
    public var entries = 0
    public var exitsByKind: [ExitKind: Int] = [:]
    public var rsa = 0
    public var qpvOrTVA = 0
    public var qpv = 0
    public var women = 0
    public var seniors = 0
    public var pathwayJobs = 0
    public var referents = 0
    public var clauseHours: Decimal = 0

    public init() {}
}

/// One indicator against its target.
public struct Indicator: Codable, Sendable, Equatable {
    public var indicator: IndicatorId
    public var label: String
    public var definition: String
    public var unit: IndicatorKind.Unit
    public var numerator: Decimal
    /// Nil for plain counts and hours.
    public var denominator: Decimal?
    /// Numerator ÷ denominator rounded half-up to 4 decimals (the count itself for counts); nil when the
    /// denominator is 0 (then a target is `not_met`, and `note` says why).
    public var value: Decimal?
    public var target: Decimal?
    public var targetPeriod: TargetPeriod?
    public var status: IndicatorStatus
    /// How the figure was obtained when a rule shaped it (Aix's training cap), in French.
    public var note: String?
}

/// The indicators of one profile over one period, from the counts (DOMAIN §6):
/// - positive-exit rate = (E + T′) ÷ all exits, where E counts employment exits and T′ training exits,
///   capped where the profile says so: T′ = min(T, ⌊cap × (E + T)⌋) (Pays d'Aix, 8 %);
/// - shares of the participants accompanied (RSA at entry or during the pathway, QPV or TVA, QPV, women,
///   seniors at the profile's age);
/// - a target is judged when its period fits: share targets on any period (a share is meaningful over any
///   period), count and ratio targets only over their own period (a calendar year, or exactly the
///   protocol's dates); the comparison is exact (numerator ≥ target × denominator), before rounding.
public func indicators(from counts: IndicatorCounts, profile: PLIEProfile, period: IndicatorPeriod) -> [Indicator] {
    let exits = counts.exitsByKind.values.reduce(0, +)
    let employment = counts.exitsByKind.filter { $0.key.group == .employment }.values.reduce(0, +)
    let training = counts.exitsByKind.filter { $0.key.group == .training }.values.reduce(0, +)
    var countedTraining = training
    var capNote: String?
    if let cap = profile.trainingExitCapShare {
        var product = cap * Decimal(employment + training)
        var floor = Decimal()
        NSDecimalRound(&floor, &product, 0, .down)
        let limit = NSDecimalNumber(decimal: floor).intValue
        countedTraining = min(training, limit)
        capNote =
            "Sorties en formation retenues : min(\(training) ; ⌊\(French.percent(cap, .text)) × (\(employment) + \(training))⌋) = \(countedTraining)."
    }

    func make(_ kind: IndicatorKind, _ numerator: Decimal, over denominator: Decimal? = nil, note: String? = nil)
        -> Indicator
    {
        let value: Decimal?
        if let denominator {
            value = denominator == 0 ? nil : French.round(numerator / denominator, scale: 4)
        } else {
            value = numerator
        }
        var target = profile.targets[kind]
        if let set = target, kind.unit != .share {
            let fits =
                switch set.period {
                case .year: period.isCalendarYear
                case .protocol: period.from == profile.protocolStart && period.to == profile.protocolEnd
                }
            if !fits { target = nil }
        }
        let status: IndicatorStatus
        if let target {
            if let denominator {
                // Nothing to divide by (no exit, nobody accompanied): no value, the target is not met.
                status = denominator > 0 && numerator >= target.value * denominator ? .met : .notMet
            } else {
                status = numerator >= target.value ? .met : .notMet
            }
        } else {
            status = .noTarget
        }
        var note = note
        if denominator == 0 {
            note = [note, "Rien à diviser sur la période (dénominateur nul) : pas de valeur."].compactMap { $0 }
                .joined(separator: " ")
        }
        return Indicator(
            indicator: .kind(kind),
            label: kind == .seniorShare ? "Seniors (\(profile.seniorAge) ans et plus)" : kind.frenchLabel,
            definition: kind.frenchDefinition, unit: kind.unit, numerator: numerator, denominator: denominator,
            value: value, target: target?.value, targetPeriod: target?.period, status: status, note: note)
    }

    let accompanied = Decimal(counts.accompanied)
    let allExits = Decimal(exits)
    var result = [
        make(.accompanied, accompanied),
        make(.entries, Decimal(counts.entries)),
        make(.exits, allExits),
    ]
    for kind in ExitKind.allCases {
        let count = counts.exitsByKind[kind] ?? 0
        guard count > 0 else { continue }
        result.append(
            Indicator(
                indicator: .exits(kind), label: IndicatorId.exits(kind).frenchLabel,
                definition: "parcours sortis pendant la période pour ce motif ÷ toutes les sorties", unit: .share,
                numerator: Decimal(count), denominator: allExits,
                value: French.round(Decimal(count) / allExits, scale: 4),
                target: nil, targetPeriod: nil, status: .noTarget, note: nil))
    }
    result += [
        make(.positiveExitRate, Decimal(employment + countedTraining), over: allExits, note: capNote),
        make(.positiveExitRateEmployment, Decimal(employment), over: allExits),
        make(.positiveExitRateTraining, Decimal(countedTraining), over: allExits, note: capNote),
        make(.rsaShare, Decimal(counts.rsa), over: accompanied),
        make(.qpvOrTVAShare, Decimal(counts.qpvOrTVA), over: accompanied),
        make(.esfQPVShare, Decimal(counts.qpv), over: accompanied),
        make(.womenShare, Decimal(counts.women), over: accompanied),
        make(.seniorShare, Decimal(counts.seniors), over: accompanied),
        make(.pathwayJobs, Decimal(counts.pathwayJobs)),
        make(.caseloadPerReferent, accompanied, over: Decimal(counts.referents)),
        make(.clauseHours, counts.clauseHours),
    ]
    return result
}
