import Foundation

/// One piece of the participant's paid work, whatever its source: a clause placement or an employment
/// episode a référent recorded (DOMAIN §6: detection uses all paid work).
public struct PaidWork: Codable, Sendable, Equatable {
    /// The placement code or the episode's id: what the evidence cites.
    public var id: String
    public var contractType: EmploymentContractType
    public var start: LocalDate
    public var end: LocalDate?
    /// Contractual weekly hours; nil when unknown (then no part-time floor is met).
    public var weeklyHours: Decimal?
    /// The participant attested agreement to hours below the floor (the derogation some profiles allow).
    public var reducedHoursAgreed: Bool
    /// Hours actually reported per month: the only hours the activity rules count (team reading).
    public var monthlyHours: [YearMonth: Decimal]

    public init(
        id: String, contractType: EmploymentContractType, start: LocalDate, end: LocalDate? = nil,
        weeklyHours: Decimal?, reducedHoursAgreed: Bool = false, monthlyHours: [YearMonth: Decimal] = [:]
    ) {
        self.id = id
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
    case subsidisedContract = "subsidised_contract"
    case tempMissions = "temp_missions"

    public var frenchLabel: String {
        switch self {
        case .sustainedActivity: "Activité salariée soutenue"
        case .qualifyingContract: "CDI ou CDD de 6 mois et plus"
        case .subsidisedContract: "Contrat aidé de plus de 6 mois"
        case .tempMissions: "Missions d'intérim sans interruption"
        }
    }
}

/// A positive outcome the service proposes to the committee; the committee decides.
public struct OutcomeCandidate: Codable, Sendable, Equatable {
    public var rule: OutcomeRule
    public var establishedOn: LocalDate
    public var windowStart: YearMonth
    public var windowEnd: YearMonth
    /// Hours worked in the window (activity rules); nil for the contract rules.
    public var hours: Decimal?
    /// The paid work cited (placement codes, episode ids), sorted.
    public var workIds: [String]
    public var evidence: String

    /// What the committee decided on: the same rule on the same facts is not proposed again, other
    /// facts (a different window, other hours, other contracts) are.
    public var facts: String {
        [
            rule.rawValue, establishedOn.description, windowStart.description, windowEnd.description,
            hours.map { "\($0)" } ?? "", workIds.joined(separator: ","),
        ].joined(separator: "|")
    }
}

/// Detects the positive-outcome candidates of one pathway established on or before `asOf` and not
/// before `entry` (DOMAIN §6, `acceptance/outcomes.md`): at most one per rule, the earliest established
/// that the committee has not `settled` yet (so a refused CDD does not hide the CDI that follows), sorted
/// by date. Only months from the entry month count; training is not paid work, and contract types the
/// profile excludes (CDDI) never count.
public func detectOutcomes(
    work: [PaidWork], profile: PLIEProfile, entry: LocalDate = .min, asOf: LocalDate,
    settled: (OutcomeCandidate) -> Bool = { _ in false }
) -> [OutcomeCandidate] {
    let counted = work.filter {
        $0.contractType != .training && !profile.excludedContractTypes.contains($0.contractType)
    }
    return withoutActuallyEscaping(settled) { settled in
        let detection = OutcomeDetection(profile: profile, entry: entry, asOf: asOf, settled: settled)
        return [
            detection.sustainedActivity(counted),
            detection.qualifyingContract(counted),
            detection.subsidisedContract(counted),
            detection.tempMissions(counted),
        ]
        .compactMap { $0 }
        .sorted { $0.establishedOn < $1.establishedOn }
    }
}

private struct OutcomeDetection {
    let profile: PLIEProfile
    let entry: LocalDate
    let asOf: LocalDate
    let settled: (OutcomeCandidate) -> Bool

    func inRange(_ established: LocalDate) -> Bool { established >= entry && established <= asOf }

    /// Reported hours of `work` added per calendar month, from the entry month.
    func monthlyTotals(_ work: [PaidWork]) -> [YearMonth: Decimal] {
        var totals: [YearMonth: Decimal] = [:]
        for piece in work {
            for (month, hours) in piece.monthlyHours where hours > 0 && month >= entry.yearMonth {
                totals[month, default: 0] += hours
            }
        }
        return totals
    }

    func ids(_ work: [PaidWork], workingIn months: [YearMonth]) -> [String] {
        work.filter { piece in months.contains { (piece.monthlyHours[$0] ?? 0) > 0 } }.map(\.id).sorted()
    }

    /// Sustained activity: the earliest month E such that a window of at most M consecutive months
    /// ending at E totals at least H reported hours; months without hours count as 0, or break the
    /// window when the profile wants continuity (Pays d'Aix). Only the profile's contract types count
    /// (Pays d'Aix: temp work), else all paid work. Established on E's last day; the shortest such
    /// window is reported.
    func sustainedActivity(_ work: [PaidWork]) -> OutcomeCandidate? {
        let types = profile.activityContractTypes
        let counted = types.isEmpty ? work : work.filter { types.contains($0.contractType) }
        let totals = monthlyTotals(counted)
        guard let first = totals.keys.min(), let last = totals.keys.max() else { return nil }
        months: for end in first.through(last) where inRange(end.lastDay) {
            for window in profile.activityWindows {
                var sum: Decimal = 0
                for length in 1...window.months {
                    let start = end.adding(months: -(length - 1))
                    let hours = totals[start] ?? 0
                    if profile.activityContinuous && hours == 0 { break }
                    sum += hours
                    guard sum >= window.hours else { continue }
                    let continuity = profile.activityContinuous ? ", chaque mois travaillé" : ""
                    let kinds = types.isEmpty ? "" : " en \(types.map(\.frenchLabel).joined(separator: " ou "))"
                    let evidence =
                        "\(French.hours(sum, .text)) travaillées\(kinds) de \(French.month(start)) à \(French.month(end)) "
                        + "(\(length) mois\(continuity)), seuil de \(French.hours(window.hours, .text)) sur \(window.months) mois au plus atteint ; "
                        + "établi le \(end.lastDay.french)."
                    let candidate = OutcomeCandidate(
                        rule: .sustainedActivity, establishedOn: end.lastDay, windowStart: start, windowEnd: end,
                        hours: sum, workIds: ids(counted, workingIn: start.through(end)), evidence: evidence)
                    if settled(candidate) { continue months }
                    return candidate
                }
            }
        }
        return nil
    }

    /// At or above the profile's weekly floor, or below it with the participant's attested agreement
    /// where the profile allows that derogation (Istres only).
    func meetsHours(_ piece: PaidWork) -> Bool {
        if let weekly = piece.weeklyHours, weekly >= profile.partTimeWeeklyHours { return true }
        return profile.reducedHoursDerogation && piece.reducedHoursAgreed
    }

    /// Qualifying contract: a CDI, or a fixed-term contract of the profile's qualifying types (CDD, CDI
    /// de chantier, alternance) of at least N months (Nord-Ouest 91: more than N), at or above the weekly
    /// floor. Fixed-term contracts followed by a CDI, any employer, each gap at most `chainGapDays` days
    /// strictly between one end and the next start, form a chain counted from the first start. Established
    /// at (chain) start + N months − 1 day, provided the contract still runs then (or, without an end date,
    /// has run that long by `asOf`).
    func qualifyingContract(_ work: [PaidWork]) -> OutcomeCandidate? {
        let months = profile.qualifyingContractMonths
        let eligible = work.filter { profile.qualifyingContractTypes.contains($0.contractType) && meetsHours($0) }
            .sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        var best: OutcomeCandidate?
        for piece in eligible {
            let chain = piece.contractType == .cdi ? chainEnding(at: piece, among: eligible) : [piece]
            let chainStart = chain[0].start
            let established = chainStart.adding(months: months).adding(days: -1)
            guard inRange(established) else { continue }
            if piece.contractType != .cdi {
                // A fixed-term contract must last N months (or more than N), known from its end date or,
                // without one, from how long it has run by `asOf`.
                let lastsUntil = piece.end ?? asOf
                guard profile.fixedTermMustExceed ? lastsUntil > established : lastsUntil >= established else {
                    continue
                }
            } else if let end = piece.end, end < established {
                continue
            }
            if let current = best, current.establishedOn <= established { continue }
            let description = contractDescription(chain, months: months)
            let hours = chain.map(hoursDescription).joined(separator: " ; ")
            let candidate = OutcomeCandidate(
                rule: .qualifyingContract, establishedOn: established, windowStart: chainStart.yearMonth,
                windowEnd: established.yearMonth, hours: nil, workIds: chain.map(\.id).sorted(),
                evidence: "\(description) ; \(hours) ; établi le \(established.french).")
            if !settled(candidate) { best = candidate }
        }
        return best
    }

    /// The CDI and the fixed-term contracts before it that chain into it, earliest first.
    func chainEnding(at cdi: PaidWork, among eligible: [PaidWork]) -> [PaidWork] {
        var chain = [cdi]
        while let head = chain.first,
            let previous =
                eligible
                .filter({ candidate in
                    guard candidate.contractType != .cdi, candidate.start < head.start, let end = candidate.end,
                        !chain.contains(candidate)
                    else { return false }
                    // Days strictly between the end and the next start; a contract still running when the
                    // next one starts (converted early) chains too.
                    return max(0, end.days(until: head.start) - 1) <= profile.chainGapDays
                })
                .max(by: { ($0.end ?? .min, $0.id) < ($1.end ?? .min, $1.id) })
        {
            chain.insert(previous, at: 0)
        }
        return chain
    }

    func contractDescription(_ chain: [PaidWork], months: Int) -> String {
        let last = chain[chain.count - 1]
        if chain.count > 1 {
            let fixed = chain.dropLast().map {
                "\($0.contractType.frenchLabel) du \($0.start.french)\($0.end.map { " au \($0.french)" } ?? "")"
            }
            return fixed.joined(separator: ", ")
                + " suivi d'un CDI à partir du \(last.start.french) (au plus \(profile.chainGapDays) jours entre deux contrats) ; "
                + "\(months) mois comptés depuis le début du premier contrat"
        }
        let length = profile.fixedTermMustExceed ? "plus de \(months) mois" : "\(months) mois ou plus"
        if last.contractType == .cdi { return "CDI depuis le \(last.start.french)" }
        if let end = last.end {
            return "\(last.contractType.frenchLabel) du \(last.start.french) au \(end.french) (\(length))"
        }
        return "\(last.contractType.frenchLabel) depuis le \(last.start.french), sans date de fin (\(length))"
    }

    func hoursDescription(_ piece: PaidWork) -> String {
        let floor = "seuil \(French.hours(profile.partTimeWeeklyHours, .text))"
        guard let weekly = piece.weeklyHours else { return "durée hebdomadaire inconnue" }
        var text = "\(French.hours(weekly, .text)) par semaine (\(floor))"
        if weekly < profile.partTimeWeeklyHours { text += ", durée réduite acceptée par le participant" }
        return text
    }

    /// Istres: a subsidised (non-market) contract of more than N months, with no part-time floor,
    /// established at start + N months − 1 day.
    func subsidisedContract(_ work: [PaidWork]) -> OutcomeCandidate? {
        guard let months = profile.subsidisedContractMonths else { return nil }
        for piece in work.filter({ $0.contractType == .subsidised }).sorted(by: {
            ($0.start, $0.id) < ($1.start, $1.id)
        }) {
            let established = piece.start.adding(months: months).adding(days: -1)
            guard inRange(established), (piece.end ?? asOf) > established else { continue }
            let period =
                piece.end.map { "du \(piece.start.french) au \($0.french)" } ?? "depuis le \(piece.start.french)"
            let candidate = OutcomeCandidate(
                rule: .subsidisedContract, establishedOn: established, windowStart: piece.start.yearMonth,
                windowEnd: established.yearMonth, hours: nil, workIds: [piece.id],
                evidence: "Contrat aidé \(period) (plus de \(months) mois) ; établi le \(established.french).")
            if settled(candidate) { continue }
            return candidate
        }
        return nil
    }

    /// Nord-Ouest 91: temp missions following each other without interruption for N months at half-time
    /// or more, read on the reported hours: N consecutive calendar months each with temp hours at or above
    /// the weekly floor's monthly equivalent (17.5 h a week: 75.83 h a month). Established on the last
    /// month's last day.
    func tempMissions(_ work: [PaidWork]) -> OutcomeCandidate? {
        guard let months = profile.tempMissionMonths else { return nil }
        let missions = work.filter { profile.tempMissionContractTypes.contains($0.contractType) }
        let totals = monthlyTotals(missions)
        let floor = PLIEProfile.monthlyEquivalent(weeklyHours: profile.partTimeWeeklyHours)
        guard let first = totals.keys.min(), let last = totals.keys.max() else { return nil }
        var run = 0
        for month in first.through(last) {
            run = (totals[month] ?? 0) >= floor ? run + 1 : 0
            guard run >= months, inRange(month.lastDay) else { continue }
            let start = month.adding(months: -(months - 1))
            let sum = start.through(month).reduce(Decimal(0)) { $0 + (totals[$1] ?? 0) }
            let candidate = OutcomeCandidate(
                rule: .tempMissions, establishedOn: month.lastDay, windowStart: start, windowEnd: month, hours: sum,
                workIds: ids(missions, workingIn: start.through(month)),
                evidence:
                    "Missions d'intérim sans interruption de \(French.month(start)) à \(French.month(month)) (\(months) mois), "
                    + "au moins \(French.hours(floor, .text)) chaque mois (mi-temps) ; \(French.hours(sum, .text)) au total ; "
                    + "établi le \(month.lastDay.french).")
            if settled(candidate) { continue }
            return candidate
        }
        return nil
    }
}
