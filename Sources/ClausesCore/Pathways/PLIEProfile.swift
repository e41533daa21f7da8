import Foundation

/// A sustained-activity threshold: at least `hours` worked within at most `months` consecutive calendar months.
public struct ActivityWindow: Codable, Sendable, Equatable {
    public var hours: Decimal
    public var months: Int

    public init(hours: Decimal, months: Int) {
        self.hours = hours
        self.months = months
    }

    /// `624/6`: the form `config.toml` writes.
    public var text: String { "\(hours)/\(months)" }

    public init?(text: String) {
        let parts = text.split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let hours = NumericText.decimal(parts[0]), hours > 0, let months = Int(parts[1]),
            (1...36).contains(months)
        else { return nil }
        self.init(hours: hours, months: months)
    }
}

/// The period a target is judged over (DOMAIN §6): a calendar year, or the protocol's whole duration.
public enum TargetPeriod: String, InputEnum {
    case year
    case `protocol`
}

/// One target of a PLIE: a minimum the indicator should reach over its period.
public struct IndicatorTarget: Codable, Sendable, Equatable {
    public var value: Decimal
    public var period: TargetPeriod

    public init(_ value: Decimal, _ period: TargetPeriod) {
        self.value = value
        self.period = period
    }
}

/// A territory's PLIE rules (DOMAIN §6): pathway length and milestones, positive-outcome rules and the
/// targets the PLIE is judged on. Every value is a parameter from `config.toml` (`[profiles.NAME]`);
/// the three seed protocols are the built-in defaults.
public struct PLIEProfile: Codable, Sendable, Equatable {
    public var name: String
    public var label: String
    /// What the territory calls its committee (commission d'intégration…, commission d'agrément…).
    public var committee: String
    public var protocolStart: LocalDate
    public var protocolEnd: LocalDate

    // Pathways.
    /// Planned length of a pathway in months; nil: no maximum.
    public var pathwayMonths: Int?
    /// Extensions beyond the length: at most this share of a référent's file active (rounded down); nil:
    /// extensions are recorded without a quota.
    public var extensionQuotaShare: Decimal?
    /// A review (point d'étape) every this many months from entry; nil: no scheduled review.
    public var reviewEveryMonths: Int?
    /// Months after which a reorientation may be proposed (Nord-Ouest 91: 36); nil: no such step.
    public var reorientationMonths: Int?
    /// Age from which a participant counts as a senior in the indicators.
    public var seniorAge: Int

    // Positive outcomes.
    /// Contract types that qualify as a lasting contract (CDI, CDD and its kinds, alternance).
    public var qualifyingContractTypes: [EmploymentContractType]
    /// A fixed-term qualifying contract lasts at least this many months; a qualifying contract is
    /// established after them.
    public var qualifyingContractMonths: Int
    /// Nord-Ouest 91: a CDD must last *more* than `qualifyingContractMonths`.
    public var fixedTermMustExceed: Bool
    /// Minimum contractual weekly hours of a qualifying contract.
    public var partTimeWeeklyHours: Decimal
    /// Whether the participant's attested agreement to shorter hours lifts that floor (Istres only).
    public var reducedHoursDerogation: Bool
    /// Contract types that never count toward any rule (CDDI: a pathway step, not an exit).
    public var excludedContractTypes: [EmploymentContractType]
    /// Most days strictly between one contract's end and the next one's start in a CDD → CDI chain.
    public var chainGapDays: Int
    /// Sustained activity thresholds, checked in this order; empty: no such rule.
    public var activityWindows: [ActivityWindow]
    /// Contract types whose hours count toward sustained activity; empty: all paid work.
    public var activityContractTypes: [EmploymentContractType]
    /// Pays d'Aix: a month without hours inside the window breaks it.
    public var activityContinuous: Bool
    /// Nord-Ouest 91: temp missions following each other for this many months at half-time or more; nil: no rule.
    public var tempMissionMonths: Int?
    /// Contract types that are temp missions (for the rule above).
    public var tempMissionContractTypes: [EmploymentContractType]
    /// Istres: a subsidised contract of more than this many months, no part-time floor; nil: no rule.
    public var subsidisedContractMonths: Int?
    /// Pays d'Aix: training exits count within this share of successful exits; nil: no cap.
    public var trainingExitCapShare: Decimal?

    /// Targets by indicator.
    public var targets: [IndicatorKind: IndicatorTarget]

    /// Half of the legal 35-hour week, the protocols' « mi-temps ».
    public static let halfTimeWeeklyHours: Decimal = Decimal(string: "17.5") ?? 0

    /// PLIE Istres Ouest Provence, protocol 2020–2022 (seed 000).
    public static let istresOuestProvence2020 = PLIEProfile(
        name: "istres-ouest-provence-2020", label: "PLIE Istres Ouest Provence (protocole 2020-2022)",
        committee: "commission d'intégration et de suivi des parcours",
        protocolStart: .firstDay(ofYear: 2020),
        protocolEnd: .lastDay(ofYear: 2022),
        pathwayMonths: 18, extensionQuotaShare: Decimal(sign: .plus, exponent: -2, significand: 15),
        reviewEveryMonths: nil, reorientationMonths: nil, seniorAge: 54,
        qualifyingContractTypes: [.cdi, .cdd, .cddChantier, .apprenticeship, .professionalisation],
        qualifyingContractMonths: 6, fixedTermMustExceed: false, partTimeWeeklyHours: 24,
        reducedHoursDerogation: true, excludedContractTypes: [.cddi], chainGapDays: 7,
        activityWindows: [ActivityWindow(hours: 624, months: 6), ActivityWindow(hours: 936, months: 9)],
        activityContractTypes: [], activityContinuous: false, tempMissionMonths: nil,
        tempMissionContractTypes: [.temporaryWork, .ettiAssignment], subsidisedContractMonths: 6,
        trainingExitCapShare: nil,
        targets: [
            .positiveExitRate: IndicatorTarget(Decimal(sign: .plus, exponent: -1, significand: 5), .year),
            .rsaShare: IndicatorTarget(Decimal(sign: .plus, exponent: -1, significand: 6), .year),
            .qpvOrTVAShare: IndicatorTarget(Decimal(sign: .plus, exponent: -1, significand: 3), .protocol),
            .esfQPVShare: IndicatorTarget(Decimal(sign: .plus, exponent: -1, significand: 1), .protocol),
            .accompanied: IndicatorTarget(2090, .protocol),
            .caseloadPerReferent: IndicatorTarget(100, .year),
        ])

    /// PLIE du Pays d'Aix, protocol 2018–2022 (seed 001).
    public static let paysDAix = PLIEProfile(
        name: "pays-d-aix", label: "PLIE du Pays d'Aix (protocole 2018-2022)", committee: "comité opérationnel",
        protocolStart: .firstDay(ofYear: 2018),
        protocolEnd: .lastDay(ofYear: 2022),
        pathwayMonths: 18, extensionQuotaShare: nil, reviewEveryMonths: nil, reorientationMonths: nil, seniorAge: 50,
        qualifyingContractTypes: [.cdi, .cdd, .cddChantier, .apprenticeship, .professionalisation],
        qualifyingContractMonths: 6, fixedTermMustExceed: false, partTimeWeeklyHours: halfTimeWeeklyHours,
        reducedHoursDerogation: false, excludedContractTypes: [.cddi], chainGapDays: 7,
        activityWindows: [ActivityWindow(hours: 624, months: 6), ActivityWindow(hours: 936, months: 9)],
        activityContractTypes: [.temporaryWork, .ettiAssignment], activityContinuous: true, tempMissionMonths: nil,
        tempMissionContractTypes: [.temporaryWork, .ettiAssignment], subsidisedContractMonths: nil,
        trainingExitCapShare: Decimal(sign: .plus, exponent: -2, significand: 8),
        targets: [
            .positiveExitRate: IndicatorTarget(Decimal(sign: .plus, exponent: -1, significand: 5), .year),
            .positiveExitRateEmployment: IndicatorTarget(Decimal(sign: .plus, exponent: -2, significand: 42), .year),
            .positiveExitRateTraining: IndicatorTarget(Decimal(sign: .plus, exponent: -2, significand: 8), .year),
            .rsaShare: IndicatorTarget(Decimal(sign: .plus, exponent: -1, significand: 6), .protocol),
            .esfQPVShare: IndicatorTarget(Decimal(sign: .plus, exponent: -1, significand: 1), .protocol),
            .accompanied: IndicatorTarget(5700, .protocol),
        ])

    /// Atout PLIE Nord-Ouest 91, protocol 2018–2022 (seed 003).
    public static let nordOuest91 = PLIEProfile(
        name: "nord-ouest-91", label: "Atout PLIE Nord-Ouest 91 (protocole 2018-2022)",
        committee: "commission d'agrément",
        protocolStart: .firstDay(ofYear: 2018),
        protocolEnd: .lastDay(ofYear: 2022),
        pathwayMonths: nil, extensionQuotaShare: nil, reviewEveryMonths: 6, reorientationMonths: 36, seniorAge: 50,
        qualifyingContractTypes: [.cdi, .cdd, .cddChantier, .apprenticeship, .professionalisation],
        qualifyingContractMonths: 6, fixedTermMustExceed: true, partTimeWeeklyHours: halfTimeWeeklyHours,
        reducedHoursDerogation: false, excludedContractTypes: [.cddi], chainGapDays: 7, activityWindows: [],
        activityContractTypes: [], activityContinuous: false, tempMissionMonths: 6,
        tempMissionContractTypes: [.temporaryWork, .ettiAssignment], subsidisedContractMonths: nil,
        trainingExitCapShare: nil,
        targets: [
            .positiveExitRate: IndicatorTarget(Decimal(sign: .plus, exponent: -1, significand: 5), .protocol),
            .positiveExitRateEmployment: IndicatorTarget(
                Decimal(sign: .plus, exponent: -2, significand: 42), .protocol),
            .positiveExitRateTraining: IndicatorTarget(Decimal(sign: .plus, exponent: -2, significand: 8), .protocol),
            .esfQPVShare: IndicatorTarget(Decimal(sign: .plus, exponent: -1, significand: 1), .protocol),
            .accompanied: IndicatorTarget(2850, .protocol),
            .entries: IndicatorTarget(400, .year),
        ])

    public static let builtIn: [PLIEProfile] = [istresOuestProvence2020, paysDAix, nordOuest91]

    /// Weekly hours expressed per month (× 52 ÷ 12, rounded to 2 decimals): half-time is 75.83 h a month.
    public static func monthlyEquivalent(weeklyHours: Decimal) -> Decimal {
        French.round(weeklyHours * 52 / 12, scale: 2)
    }
}

/// The profiles the service knows (`[profiles.NAME]` in `config.toml`), by name.
public struct PLIEProfiles: Sendable, Equatable {
    public private(set) var all: [PLIEProfile]

    public init(_ all: [PLIEProfile] = PLIEProfile.builtIn) { self.all = all }

    public func named(_ name: String) -> PLIEProfile? { all.first { $0.name == name } }

    /// A profile by name, refused in French with the list of known names.
    public func named(_ name: String, field: String) throws(DomainError) -> PLIEProfile {
        guard let profile = named(name) else {
            throw DomainError.invalid(
                field,
                "« \(field) » : profil PLIE inconnu « \(name) » (profils : \(all.map(\.name).joined(separator: ", ")))."
            )
        }
        return profile
    }
}
