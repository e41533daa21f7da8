import Foundation

/// A sustained-activity threshold: at least `hours` worked within at most `months` consecutive calendar months.
public struct ActivityWindow: Codable, Sendable, Equatable {
    public var hours: Decimal
    public var months: Int

    public init(hours: Decimal, months: Int) {
        self.hours = hours
        self.months = months
    }
}

/// A territory's positive-outcome rules (DOMAIN §6), named so that a PLIE picks its own.
public struct OutcomeProfile: Codable, Sendable, Equatable {
    public var name: String
    public var label: String
    /// Checked in this order; the earliest-established window wins, ties go to the first listed.
    public var sustainedActivityWindows: [ActivityWindow]
    /// A CDD qualifies from this length, and a qualifying contract is established after it.
    public var qualifyingContractMonths: Int
    /// Minimum contractual weekly hours (legal part-time), if the profile states it weekly.
    public var partTimeWeeklyHours: Decimal?
    /// Minimum contractual monthly hours (weekly × 52 ÷ 12, rounded to 2 decimals), if stated monthly.
    public var partTimeMonthlyHours: Decimal?
    /// Contract types that never count, neither for sustained activity nor as a qualifying contract.
    public var excludedContractTypes: [EmploymentContractType]

    public init(
        name: String, label: String, sustainedActivityWindows: [ActivityWindow], qualifyingContractMonths: Int = 6,
        partTimeWeeklyHours: Decimal? = nil, partTimeMonthlyHours: Decimal? = nil,
        excludedContractTypes: [EmploymentContractType] = [.cddi]
    ) {
        self.name = name
        self.label = label
        self.sustainedActivityWindows = sustainedActivityWindows
        self.qualifyingContractMonths = qualifyingContractMonths
        self.partTimeWeeklyHours = partTimeWeeklyHours
        self.partTimeMonthlyHours = partTimeMonthlyHours
        self.excludedContractTypes = excludedContractTypes
    }

    /// PLIE Istres Ouest Provence, protocol 2020–2022: 624 h within 6 months or 936 h within 9 months;
    /// CDI or CDD ≥ 6 months of at least 24 h a week; CDDI excluded.
    public static let istresOuestProvence2020 = OutcomeProfile(
        name: "istres-ouest-provence-2020",
        label: "PLIE Istres Ouest Provence (protocole 2020-2022)",
        sustainedActivityWindows: [ActivityWindow(hours: 624, months: 6), ActivityWindow(hours: 936, months: 9)],
        qualifyingContractMonths: 6, partTimeWeeklyHours: 24, excludedContractTypes: [.cddi])

    /// PLIE du Pays d'Aix: same windows; CDI or CDD ≥ 6 months of at least half-time (76 h a month).
    public static let paysDAix = OutcomeProfile(
        name: "pays-d-aix",
        label: "PLIE du Pays d'Aix",
        sustainedActivityWindows: [ActivityWindow(hours: 624, months: 6), ActivityWindow(hours: 936, months: 9)],
        qualifyingContractMonths: 6, partTimeMonthlyHours: 76, excludedContractTypes: [.cddi])

    public static let builtIn: [OutcomeProfile] = [istresOuestProvence2020, paysDAix]

    public static func named(_ name: String) -> OutcomeProfile? { builtIn.first { $0.name == name } }
}

/// One placement of the participant (all lots, all companies), with its monthly reported hours.
public struct OutcomePlacement: Codable, Sendable, Equatable {
    public var id: String
    public var companyId: String
    public var contractType: EmploymentContractType
    public var start: LocalDate
    public var end: LocalDate?
    /// Contractual weekly hours.
    public var weeklyHours: Decimal
    /// The participant agreed to hours below the part-time threshold (the protocols' derogation).
    public var reducedHoursAgreed: Bool
    public var monthlyHours: [YearMonth: Decimal]

    public init(
        id: String, companyId: String, contractType: EmploymentContractType, start: LocalDate, end: LocalDate? = nil,
        weeklyHours: Decimal, reducedHoursAgreed: Bool = false, monthlyHours: [YearMonth: Decimal] = [:]
    ) {
        self.id = id
        self.companyId = companyId
        self.contractType = contractType
        self.start = start
        self.end = end
        self.weeklyHours = weeklyHours
        self.reducedHoursAgreed = reducedHoursAgreed
        self.monthlyHours = monthlyHours
    }
}

public enum OutcomeRule: String, InputEnum {
    case sustainedActivity = "sustained_activity"
    case qualifyingContract = "qualifying_contract"

    public var frenchLabel: String {
        switch self {
        case .sustainedActivity: "Activité salariée soutenue"
        case .qualifyingContract: "CDI ou CDD de 6 mois ou plus"
        }
    }
}

/// A positive outcome the service proposes to the committee; the committee decides.
public struct OutcomeCandidate: Codable, Sendable, Equatable {
    public var rule: OutcomeRule
    public var establishedOn: LocalDate
    public var windowStart: YearMonth
    public var windowEnd: YearMonth
    /// Hours worked in the window (sustained activity); nil for a qualifying contract.
    public var hours: Decimal?
    public var placementIds: [String]
    public var evidence: String
}

/// Detects positive-outcome candidates established on or before `asOf` (DOMAIN §6): at most one per rule
/// kind, the earliest established. Results are sorted by establishment date.
public func detectOutcomes(placements: [OutcomePlacement], profile: OutcomeProfile, asOf: LocalDate)
    -> [OutcomeCandidate]
{
    let counted = placements.filter { !profile.excludedContractTypes.contains($0.contractType) }
    return [
        sustainedActivityCandidate(counted, profile: profile, asOf: asOf),
        qualifyingContractCandidate(counted, profile: profile, asOf: asOf),
    ]
    .compactMap { $0 }
    .sorted { $0.establishedOn < $1.establishedOn }
}

/// Sustained activity: the hours of all placements added per calendar month; the earliest month E such
/// that a window of at most M consecutive months ending at E totals at least H hours (months without
/// hours count as 0), established on E's last day; the shortest such window is reported.
private func sustainedActivityCandidate(_ placements: [OutcomePlacement], profile: OutcomeProfile, asOf: LocalDate)
    -> OutcomeCandidate?
{
    var totals: [YearMonth: Decimal] = [:]
    for placement in placements {
        for (month, hours) in placement.monthlyHours where hours > 0 {
            totals[month, default: 0] += hours
        }
    }
    guard let first = totals.keys.min(), let last = totals.keys.max() else { return nil }
    let windows = profile.sustainedActivityWindows.filter { $0.months > 0 }

    for end in first.through(last) where end.lastDay <= asOf {
        for window in windows {
            var sum: Decimal = 0
            for length in 1...window.months {
                let start = end.adding(months: -(length - 1))
                sum += totals[start] ?? 0
                guard sum >= window.hours else { continue }
                let months = start.through(end)
                let ids =
                    placements
                    .filter { p in months.contains { (p.monthlyHours[$0] ?? 0) > 0 } }
                    .map(\.id).sorted()
                let evidence =
                    "\(French.hours(sum, .text)) travaillées de \(French.month(start)) à \(French.month(end)) "
                    + "(\(length) mois), seuil de \(French.hours(window.hours, .text)) sur \(window.months) mois au plus atteint ; "
                    + "établi le \(end.lastDay.french)."
                return OutcomeCandidate(
                    rule: .sustainedActivity, establishedOn: end.lastDay, windowStart: start, windowEnd: end,
                    hours: sum, placementIds: ids, evidence: evidence)
            }
        }
    }
    return nil
}

/// Qualifying contract: a CDI, or a CDD / CDD de chantier of at least `qualifyingContractMonths` months, at or
/// above the part-time threshold unless the participant agreed to shorter hours. CDDs with the same company
/// followed without a gap (next start ≤ previous end + 1 day) by a CDI form a chain counted from the first
/// CDD's start; every link must meet the hours condition. Established at chain start + N months − 1 day,
/// when that date is on or before `asOf` and the contract (chain) is still running or lasted to that date.
/// A CDD without an end date qualifies once it has lasted N months.
private func qualifyingContractCandidate(_ placements: [OutcomePlacement], profile: OutcomeProfile, asOf: LocalDate)
    -> OutcomeCandidate?
{
    let months = profile.qualifyingContractMonths
    let eligible =
        placements
        .filter { ($0.contractType == .cdi || $0.contractType.isFixedTerm) && meetsHours($0, profile: profile) }
        .sorted { ($0.start, $0.id) < ($1.start, $1.id) }

    var best: OutcomeCandidate?
    for placement in eligible {
        var chain = [placement]
        if placement.contractType == .cdi {
            // Walk back through CDDs with the same company ending the day before (or after) the link's start.
            while let head = chain.first,
                let previous =
                    eligible
                    .filter({
                        $0.contractType.isFixedTerm && $0.companyId == head.companyId && $0.start < head.start
                            && $0.end.map { head.start <= $0.adding(days: 1) } == true
                            && !chain.contains($0)
                    })
                    .min(by: { ($0.start, $0.id) < ($1.start, $1.id) })
            {
                chain.insert(previous, at: 0)
            }
        }
        let chainStart = chain[0].start
        let established = chainStart.adding(months: months).adding(days: -1)
        guard established <= asOf else { continue }
        let last = chain[chain.count - 1]
        if let end = last.end, end < established { continue }
        if let current = best, current.establishedOn <= established { continue }

        let description: String
        if chain.count > 1 {
            let cdds = chain.dropLast().map {
                "\($0.contractType.frenchLabel) du \($0.start.french)\($0.end.map { " au \($0.french)" } ?? "")"
            }
            description =
                cdds.joined(separator: ", ")
                + " suivi d'un CDI chez le même employeur à partir du \(last.start.french) ; "
                + "\(months) mois comptés depuis le début du premier contrat"
        } else if last.contractType == .cdi {
            description = "CDI depuis le \(last.start.french)"
        } else if let end = last.end {
            description =
                "\(last.contractType.frenchLabel) du \(last.start.french) au \(end.french) (\(months) mois ou plus)"
        } else {
            description =
                "\(last.contractType.frenchLabel) depuis le \(last.start.french), sans date de fin, en cours depuis \(months) mois"
        }
        let hours = chain.map { hoursDescription($0, profile: profile) }.joined(separator: " ; ")
        best = OutcomeCandidate(
            rule: .qualifyingContract, establishedOn: established, windowStart: chainStart.yearMonth,
            windowEnd: established.yearMonth, hours: nil, placementIds: chain.map(\.id),
            evidence: "\(description) ; \(hours) ; établi le \(established.french).")
    }
    return best
}

/// Contractual hours expressed per month: weekly × 52 ÷ 12, rounded to 2 decimals.
private func monthlyEquivalent(weeklyHours: Decimal) -> Decimal {
    French.round(weeklyHours * 52 / 12, scale: 2)
}

/// At or above part-time (any configured threshold met; none configured means any hours), or shorter
/// hours agreed by the participant.
private func meetsHours(_ placement: OutcomePlacement, profile: OutcomeProfile) -> Bool {
    if placement.reducedHoursAgreed { return true }
    if profile.partTimeWeeklyHours == nil, profile.partTimeMonthlyHours == nil { return true }
    if let weekly = profile.partTimeWeeklyHours, placement.weeklyHours >= weekly { return true }
    if let monthly = profile.partTimeMonthlyHours, monthlyEquivalent(weeklyHours: placement.weeklyHours) >= monthly {
        return true
    }
    return false
}

private func hoursDescription(_ placement: OutcomePlacement, profile: OutcomeProfile) -> String {
    var text: String
    if let monthly = profile.partTimeMonthlyHours, profile.partTimeWeeklyHours == nil {
        text =
            "\(French.hours(monthlyEquivalent(weeklyHours: placement.weeklyHours), .text)) par mois (seuil \(French.hours(monthly, .text)))"
    } else if let weekly = profile.partTimeWeeklyHours {
        text = "\(French.hours(placement.weeklyHours, .text)) par semaine (seuil \(French.hours(weekly, .text)))"
    } else {
        text = "\(French.hours(placement.weeklyHours, .text)) par semaine"
    }
    if placement.reducedHoursAgreed, !meetsHoursWithoutAgreement(placement, profile: profile) {
        text += ", durée réduite acceptée par le participant"
    }
    return text
}

private func meetsHoursWithoutAgreement(_ placement: OutcomePlacement, profile: OutcomeProfile) -> Bool {
    var copy = placement
    copy.reducedHoursAgreed = false
    return meetsHours(copy, profile: profile)
}
