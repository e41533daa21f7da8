import Foundation

/// Age band of a person at their first placement in the bilan's scope (DOMAIN §8).
public enum AgeBand: String, CaseIterable, Sendable {
    case under26, from26To49, from50, unknown

    public var frenchLabel: String {
        switch self {
        case .under26: "Moins de 26 ans"
        case .from26To49: "26 à 49 ans"
        case .from50: "50 ans et plus"
        case .unknown: "Âge non renseigné"
        }
    }

    /// Full years on `date`.
    static func of(birthDate: LocalDate?, on date: LocalDate) -> AgeBand {
        guard let birthDate else { return .unknown }
        let age = date.year - birthDate.year - ((date.month, date.day) < (birthDate.month, birthDate.day) ? 1 : 0)
        return age < 26 ? .under26 : age < 50 ? .from26To49 : .from50
    }
}

/// Where a person stands after their placement (DOMAIN §8), from the facts recorded: a job (an employment
/// episode or a placement covering the day), else a training contract covering it, else the latest pathway
/// exit since the first placement.
/// Nothing recorded is « inconnue », never guessed.
public enum BilanOutcome: String, CaseIterable, Sendable {
    /// The placement has not ended by the bilan's date.
    case ongoing
    /// Ended, but the six months have not passed by the bilan's date.
    case notYetDue
    case employed
    case training
    case otherExit
    case unknown

    public var frenchLabel: String {
        switch self {
        case .ongoing: "Mise à l'emploi en cours"
        case .notYetDue: "Six mois non encore écoulés"
        case .employed: "En emploi"
        case .training: "En formation qualifiante"
        case .otherExit: "Sorti du PLIE sans emploi ni formation"
        case .unknown: "Situation inconnue"
        }
    }

    static func of(_ facts: OutcomeFacts) -> BilanOutcome {
        if facts.employed { return .employed }
        if facts.training { return .training }
        switch facts.exit?.group {
        case .employment: return .employed
        case .training: return .training
        case .other: return .otherExit
        case nil: return .unknown
        }
    }
}

/// What is recorded about a person on one day: employed (an episode or a placement other than training
/// covers it), in training (a training contract covers it), and the latest pathway exit between their first
/// placement and that day.
struct OutcomeFacts: Sendable, Equatable {
    var employed: Bool
    var training = false
    var exit: ExitKind?
}

/// One person placed on the scope's lots during the period, as the bilan counts them (never published).
struct BilanPerson: Sendable, Equatable {
    var sex: String?
    var birthDate: LocalDate?
    var firstStart: LocalDate
    /// The end of their last placement in the scope; nil while one is open-ended.
    var lastEnd: LocalDate?
    var criteria: Set<EligibilityCriterionCode>
    var qpvResident: Bool?
    var plieParticipant: Bool
    /// Observed the day after `lastEnd`.
    var atEnd: OutcomeFacts
    /// Observed six months after `lastEnd`.
    var afterSixMonths: OutcomeFacts
    var lotIds: Set<UUID>

    var ageBand: AgeBand { .of(birthDate: birthDate, on: firstStart) }

    /// At the end of the placement: observed the day after it ends, once that day is reached.
    func outcomeAtEnd(at: LocalDate) -> BilanOutcome {
        guard let lastEnd, lastEnd.adding(days: 1) <= at else { return .ongoing }
        return .of(atEnd)
    }

    /// Six months after the end, once reached.
    func outcomeAfterSixMonths(at: LocalDate) -> BilanOutcome {
        guard let lastEnd, lastEnd.adding(days: 1) <= at else { return .ongoing }
        guard lastEnd.adding(months: 6) <= at else { return .notYetDue }
        return .of(afterSixMonths)
    }
}

/// An employment contract (placement) of the scope in the period.
struct BilanContractFacts: Sendable, Equatable {
    var type: EmploymentContractType
    var start: LocalDate
    var end: LocalDate?
}

/// The bilan's counts from its facts, under statistical secrecy (DOMAIN §8). Pure.
enum BilanCounts {
    /// Total, sex, age band, criteria, QPV, PLIE and outcomes of the scope's people.
    static func people(_ persons: [BilanPerson], at: LocalDate, secrecy: StatisticalSecrecy) -> BilanPeopleCounts {
        let total = persons.count
        var breakdowns = basic(persons, secrecy: secrecy)
        let criteria = EligibilityCriterionCode.allCases.map { code in
            (code.rawValue, code.frenchLabel, persons.count { $0.criteria.contains(code) })
        }.filter { $0.2 > 0 }
        breakdowns.append(
            breakdown(
                "criterion", "Critère d'éligibilité retenu à l'embauche", criteria, total, secrecy, partition: false))
        breakdowns.append(
            breakdown(
                "qpv", "Résidence en quartier prioritaire (QPV)",
                [
                    ("yes", "Résident d'un QPV", persons.count { $0.qpvResident == true }),
                    ("no", "Hors QPV", persons.count { $0.qpvResident == false }),
                    ("unknown", "Non renseigné", persons.count { $0.qpvResident == nil }),
                ], total, secrecy))
        breakdowns.append(
            breakdown(
                "plie", "Participation au PLIE",
                [
                    ("yes", "Participant du PLIE", persons.count(where: \.plieParticipant)),
                    ("no", "Hors PLIE", persons.count { !$0.plieParticipant }),
                ], total, secrecy))
        for (key, label, outcome) in [
            (
                "outcomeAtEnd", "Situation à la fin de la mise à l'emploi",
                { (p: BilanPerson) in p.outcomeAtEnd(at: at) }
            ),
            (
                "outcomeAfterSixMonths", "Situation six mois après",
                { (p: BilanPerson) in p.outcomeAfterSixMonths(at: at) }
            ),
        ] {
            var tally: [BilanOutcome: Int] = [:]
            for person in persons { tally[outcome(person), default: 0] += 1 }
            let cells = BilanOutcome.allCases.map { ($0.rawValue, $0.frenchLabel, tally[$0] ?? 0) }
            breakdowns.append(breakdown(key, label, cells, total, secrecy))
        }
        return BilanPeopleCounts(total: secrecy.count(total), breakdowns: breakdowns)
    }

    /// A lot's people: total, sex and age band.
    static func lotPeople(_ persons: [BilanPerson], secrecy: StatisticalSecrecy) -> BilanPeopleCounts {
        BilanPeopleCounts(total: secrecy.count(persons.count), breakdowns: basic(persons, secrecy: secrecy))
    }

    private static func basic(_ persons: [BilanPerson], secrecy: StatisticalSecrecy) -> [Breakdown] {
        let total = persons.count
        return [
            breakdown(
                "sex", "Sexe",
                [
                    ("F", "Femmes", persons.count { $0.sex == "F" }), ("M", "Hommes", persons.count { $0.sex == "M" }),
                    ("unknown", "Non renseigné", persons.count { $0.sex == nil }),
                ], total, secrecy),
            breakdown(
                "ageBand", "Âge à la première mise à l'emploi",
                AgeBand.allCases.map { band in (band.rawValue, band.frenchLabel, persons.count { $0.ageBand == band })
                },
                total, secrecy),
        ]
    }

    /// Contracts by type, and qualifying hires (CDI, or CDD of 6 months or more: `isQualifyingHire`).
    static func contracts(_ contracts: [BilanContractFacts], secrecy: StatisticalSecrecy) -> BilanContracts {
        let total = contracts.count
        // Every type, zeros included: listing only the types present would tell each is at least 1.
        let byType = EmploymentContractType.allCases.map { type in
            (type.rawValue, type.frenchLabel, contracts.count { $0.type == type })
        }
        let qualifying = contracts.count { isQualifyingHire($0.type, start: $0.start, end: $0.end) }
        return BilanContracts(
            total: secrecy.count(total),
            byType: breakdown("contractType", "Contrats par type", byType, total, secrecy),
            qualifyingHires: breakdown(
                "qualifyingHire", "Embauches durables (CDI, ou CDD de 6 mois et plus)",
                [("yes", "Embauches durables", qualifying), ("no", "Autres contrats", total - qualifying)], total,
                secrecy))
    }

    /// A breakdown of `total` published under secrecy: a partition of it, or cells that overlap.
    private static func breakdown(
        _ key: String, _ label: String, _ cells: [(String, String, Int)], _ total: Int, _ secrecy: StatisticalSecrecy,
        partition: Bool = true
    ) -> Breakdown {
        let counts = cells.map(\.2)
        let published =
            partition
            ? secrecy.partition(counts, subjectTotal: total) : secrecy.overlapping(counts, subjectTotal: total)
        return Breakdown(
            key: key, label: label, partition: partition,
            cells: zip(cells, published).map { Breakdown.Cell(key: $0.0, label: $0.1, count: $1) })
    }
}

extension BilanHours {
    /// A lot's or a group's figures at the bilan's date, and what was credited in the period's months.
    init(_ balance: Balance, creditedInPeriod: Decimal) {
        self.init(
            requiredHours: balance.requiredHours, workedHours: balance.workedHours,
            creditedHours: balance.creditedHours,
            creditedInPeriod: creditedInPeriod, remainingHours: balance.remainingHours,
            surplusHours: balance.surplusHours, completionRate: balance.completionRate, status: balance.status)
    }

    init(_ aggregate: BalanceAggregate, creditedInPeriod: Decimal) {
        self.init(
            requiredHours: aggregate.requiredHours, workedHours: aggregate.workedHours,
            creditedHours: aggregate.creditedHours, creditedInPeriod: creditedInPeriod,
            remainingHours: aggregate.remainingHours, surplusHours: aggregate.surplusHours,
            completionRate: aggregate.completionRate, status: aggregate.status)
    }
}
