import Foundation

// MARK: - Rules

/// What counts toward a clause for one execution mode (DOMAIN §4, rule 3).
public struct CountingRule: Codable, Sendable, Equatable {
    /// Hours worked on the operation count.
    public var countWorkedHours: Bool
    /// Training hours count, within the clause's training cap (`CountingRuleTable.trainingCapShare`).
    public var countTrainingHours: Bool
    /// Hours credited once per placement hired in CDI, or in CDD / CDD de chantier of 6 months or more,
    /// in the placement's start month.
    public var hireBonusHours: Decimal
    /// The subcontract amount paid to an SIAE is converted into hours (`amount × labourShare ÷ hourlyCost`)
    /// for the months the SIAE attested no hours.
    public var convertSubcontractAmount: Bool

    public init(countWorkedHours: Bool, countTrainingHours: Bool, hireBonusHours: Decimal = 0, convertSubcontractAmount: Bool = false) {
        self.countWorkedHours = countWorkedHours
        self.countTrainingHours = countTrainingHours
        self.hireBonusHours = hireBonusHours
        self.convertSubcontractAmount = convertSubcontractAmount
    }

    /// This rule with the fields the partial rule sets replaced.
    public func overriding(with partial: PartialCountingRule) -> CountingRule {
        CountingRule(
            countWorkedHours: partial.countWorkedHours ?? countWorkedHours,
            countTrainingHours: partial.countTrainingHours ?? countTrainingHours,
            hireBonusHours: partial.hireBonusHours ?? hireBonusHours,
            convertSubcontractAmount: partial.convertSubcontractAmount ?? convertSubcontractAmount)
    }
}

/// A clause's counting rule table: one rule per execution mode plus the clause-wide parameters.
/// JSON shape: `{"rules": {"workStudy": {...}, ...}, "trainingCapShare": 0.3, "labourShare": 0.5, "hourlyCost": 25}`.
public struct CountingRuleTable: Codable, Sendable, Equatable {
    public var rules: [ExecutionMode: CountingRule]
    /// Share of the required hours that training hours may credit in total over the clause (0.30 = 30 %).
    public var trainingCapShare: Decimal
    /// Labour share `m` of an SIAE subcontract amount, for the euro-to-hours conversion.
    public var labourShare: Decimal
    /// Loaded hourly cost `c` (€/h) for the euro-to-hours conversion.
    public var hourlyCost: Decimal

    public init(rules: [ExecutionMode: CountingRule], trainingCapShare: Decimal, labourShare: Decimal, hourlyCost: Decimal) {
        self.rules = rules
        self.trainingCapShare = trainingCapShare
        self.labourShare = labourShare
        self.hourlyCost = hourlyCost
    }

    /// DOMAIN §4's table: worked hours count for every mode except `training`; training hours count for
    /// `workStudy`, `geiq` and `training`, within a cap of 30 % of the required hours (the usual ceiling
    /// for training in facilitateurs' guides; a parameter, override it per territory or clause); the SIAE
    /// modes count attested hours or convert the amount with a labour share of 50 % at 25 €/h; no hire
    /// bonus by default.
    public static let defaults = CountingRuleTable(
        rules: Dictionary(uniqueKeysWithValues: ExecutionMode.allCases.map { ($0, defaultRule(for: $0)) }),
        trainingCapShare: Decimal(string: "0.30")!,
        labourShare: Decimal(string: "0.5")!,
        hourlyCost: 25)

    public static func defaultRule(for mode: ExecutionMode) -> CountingRule {
        switch mode {
        case .directHire, .temporaryWork, .insertionTempWork, .associationSecondment:
            CountingRule(countWorkedHours: true, countTrainingHours: false)
        case .workStudy, .geiq:
            CountingRule(countWorkedHours: true, countTrainingHours: true)
        case .siaeSubcontracting, .siaeServicePurchase:
            CountingRule(countWorkedHours: true, countTrainingHours: false, convertSubcontractAmount: true)
        case .training:
            CountingRule(countWorkedHours: false, countTrainingHours: true)
        }
    }

    /// The rule for a mode; a mode missing from `rules` falls back to DOMAIN §4's default.
    public func rule(for mode: ExecutionMode) -> CountingRule {
        rules[mode] ?? Self.defaultRule(for: mode)
    }

    /// This table with the values the overrides set replaced (per mode, field by field).
    public func overriding(with partial: CountingRuleOverrides) -> CountingRuleTable {
        var result = self
        for mode in ExecutionMode.allCases {
            if let modeOverride = partial.rules?[mode] {
                result.rules[mode] = rule(for: mode).overriding(with: modeOverride)
            }
        }
        if let cap = partial.trainingCapShare { result.trainingCapShare = cap }
        if let share = partial.labourShare { result.labourShare = share }
        if let cost = partial.hourlyCost { result.hourlyCost = cost }
        return result
    }

    /// Checks the parameters; the message names the config key or JSON field.
    public func validate() throws(DomainError) {
        if trainingCapShare < 0 {
            throw .invalid("trainingCapShare", "Le plafond des heures de formation doit être positif ou nul.")
        }
        if labourShare < 0 || labourShare > 1 {
            throw .invalid("labourShare", "La part de main-d'œuvre doit être comprise entre 0 et 1.")
        }
        if hourlyCost <= 0 {
            throw .invalid("hourlyCost", "Le coût horaire doit être strictement positif.")
        }
        for mode in ExecutionMode.allCases where rule(for: mode).hireBonusHours < 0 {
            throw .invalid("rules.\(mode.rawValue).hireBonusHours", "Le bonus d'heures à l'embauche (\(mode.frenchLabel)) doit être positif ou nul.")
        }
    }
}

/// A rule with only some fields set, for overrides.
public struct PartialCountingRule: Codable, Sendable, Equatable {
    public var countWorkedHours: Bool?
    public var countTrainingHours: Bool?
    public var hireBonusHours: Decimal?
    public var convertSubcontractAmount: Bool?

    public init(countWorkedHours: Bool? = nil, countTrainingHours: Bool? = nil, hireBonusHours: Decimal? = nil, convertSubcontractAmount: Bool? = nil) {
        self.countWorkedHours = countWorkedHours
        self.countTrainingHours = countTrainingHours
        self.hireBonusHours = hireBonusHours
        self.convertSubcontractAmount = convertSubcontractAmount
    }
}

/// Overrides of a counting rule table (from `config.toml`, or a clause's jsonb column); every field optional.
/// JSON shape: `{"rules": {"workStudy": {"countTrainingHours": false}}, "trainingCapShare": 0.2}`;
/// an unknown mode key is a decoding error.
public struct CountingRuleOverrides: Codable, Sendable, Equatable {
    public var rules: [ExecutionMode: PartialCountingRule]?
    public var trainingCapShare: Decimal?
    public var labourShare: Decimal?
    public var hourlyCost: Decimal?

    public init(rules: [ExecutionMode: PartialCountingRule]? = nil, trainingCapShare: Decimal? = nil, labourShare: Decimal? = nil, hourlyCost: Decimal? = nil) {
        self.rules = rules
        self.trainingCapShare = trainingCapShare
        self.labourShare = labourShare
        self.hourlyCost = hourlyCost
    }
}

// MARK: - Facts

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

    public init(month: YearMonth, workedHours: Decimal = 0, trainingHours: Decimal = 0, attestedInsertionHours: Decimal? = nil, subcontractAmount: Decimal? = nil) {
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

    public init(id: String, mode: ExecutionMode, contractType: EmploymentContractType, start: LocalDate, end: LocalDate? = nil,
                eligibleAtStart: Bool = true, onClauseOperation: Bool = true, months: [MonthFacts] = []) {
        self.id = id
        self.mode = mode
        self.contractType = contractType
        self.start = start
        self.end = end
        self.eligibleAtStart = eligibleAtStart
        self.onClauseOperation = onClauseOperation
        self.months = months
    }

    /// A hire that earns the bonus: a CDI, or a CDD / CDD de chantier whose planned end is at least
    /// 6 months after its start (end ≥ start + 6 months − 1 day; a CDD without an end date does not qualify).
    public var qualifiesForHireBonus: Bool {
        if contractType == .cdi { return true }
        guard contractType.isFixedTerm, let end else { return false }
        return end >= start.adding(months: 6).adding(days: -1)
    }
}

// MARK: - Result

/// Why a placement's hours were left out of the count.
public enum ExclusionReason: String, CaseIterable, Codable, Sendable {
    /// Rule 1: the person was not eligible on the placement's start date.
    case notEligibleAtStart = "not_eligible_at_start"
    /// Rule 2: the hours were worked off the operation that carries the clause.
    case offOperation = "off_operation"

    public var frenchLabel: String {
        switch self {
        case .notEligibleAtStart: "personne non éligible au démarrage de la mise à l'emploi"
        case .offOperation: "heures réalisées hors de l'opération portant la clause"
        }
    }
}

public struct Exclusion: Codable, Sendable, Equatable {
    public var reason: ExclusionReason
    /// Worked (or attested) plus training hours left out.
    public var hours: Decimal
    public var placementIds: [String]
}

public struct MonthCredit: Codable, Sendable, Equatable {
    public var month: YearMonth
    /// All worked hours reported for the month, counted or not.
    public var worked: Decimal
    /// All training hours reported for the month, counted or not.
    public var training: Decimal
    public var countedWorked: Decimal
    public var countedTraining: Decimal
    public var bonus: Decimal
    public var converted: Decimal
    /// countedWorked + countedTraining + bonus + converted.
    public var credited: Decimal
    public var cumulativeCredited: Decimal
}

public struct ModeCredit: Codable, Sendable, Equatable {
    public var mode: ExecutionMode
    public var placementCount: Int
    public var workedHours: Decimal
    public var countedWorkedHours: Decimal
    /// Part of the counted worked hours that came from SIAE attestations.
    public var attestedHours: Decimal
    public var trainingHours: Decimal
    public var countedTrainingHours: Decimal
    public var bonusHours: Decimal
    public var hires: Int
    public var subcontractAmount: Decimal
    public var convertedHours: Decimal
    public var excludedHours: Decimal
    public var creditedHours: Decimal
}

/// Hours credited to a clause, every figure traceable to the rule that produced it.
public struct Credit: Codable, Sendable, Equatable {
    /// All worked hours reported (attested hours for SIAE months that have them), whether they count or not:
    /// excluded placements and modes whose worked hours do not count are included.
    public var workedHours: Decimal
    public var countedWorkedHours: Decimal
    /// All training hours reported, whether they count or not.
    public var trainingHours: Decimal
    /// Training hours credited, after the training cap.
    public var countedTrainingHours: Decimal
    /// The training cap in hours: `trainingCapShare × requiredHours`, rounded to 2 decimals.
    public var trainingCapHours: Decimal
    public var bonusHours: Decimal
    /// Hours converted from amounts paid to SIAE.
    public var convertedHours: Decimal
    /// countedWorked + countedTraining + bonus + converted; never clipped to the required hours.
    public var creditedHours: Decimal
    /// Hours left out by rules 1–2 (not eligible at start, off the operation).
    public var excludedHours: Decimal
    public var exclusions: [Exclusion]
    /// Month by month, sorted by month.
    public var months: [MonthCredit]
    /// By execution mode, in `ExecutionMode.allCases` order, modes without placements left out.
    public var byMode: [ModeCredit]
    /// French lines naming each rule applied and its figures.
    public var explanation: [String]
}

// MARK: - Computation

/// Computes the hours a clause credits from stored facts (DOMAIN §4):
/// - rule 1 and 2: placements not eligible at start, or off the clause's operation, count nothing
///   (their hours appear in `excludedHours`; when both apply, the reason recorded is non-eligibility);
/// - per mode, worked hours count when the rule says so; for SIAE modes the attested hours replace the
///   reported hours, and months without attested or reported hours convert the subcontract amount
///   (`amount × labourShare ÷ hourlyCost`, rounded to 2 decimals per month) when the rule allows it;
/// - training hours of modes that count them are credited chronologically (placements by id within a
///   month) until `trainingCapShare × requiredHours` is reached for the whole clause (a month may be
///   partly credited);
/// - the hire bonus is credited once per qualifying placement (`PlacementFacts.qualifiesForHireBonus`),
///   in its start month;
/// - surplus beyond the required hours is kept.
/// `through` limits the count to reports of months up to and including it (a bonus counts when its start
/// month is within the limit).
public func creditHours(placements: [PlacementFacts], requiredHours: Decimal, rules: CountingRuleTable, through: YearMonth? = nil) -> Credit {
    struct MonthAcc {
        var worked: Decimal = 0, training: Decimal = 0, countedWorked: Decimal = 0
        var countedTraining: Decimal = 0, bonus: Decimal = 0, converted: Decimal = 0
    }
    struct ModeAcc {
        var placements = 0, hires = 0
        var worked: Decimal = 0, countedWorked: Decimal = 0, uncountedWorked: Decimal = 0, attested: Decimal = 0
        var training: Decimal = 0, trainingCandidate: Decimal = 0, uncountedTraining: Decimal = 0, countedTraining: Decimal = 0
        var bonus: Decimal = 0, amount: Decimal = 0, converted: Decimal = 0, excluded: Decimal = 0
    }
    struct TrainingCandidate { let month: YearMonth; let placementId: String; let mode: ExecutionMode; let hours: Decimal }

    var byMonth: [YearMonth: MonthAcc] = [:]
    var byMode: [ExecutionMode: ModeAcc] = [:]
    var excluded: [ExclusionReason: (hours: Decimal, ids: [String])] = [:]
    var candidates: [TrainingCandidate] = []

    for placement in placements.sorted(by: { $0.id < $1.id }) {
        let rule = rules.rule(for: placement.mode)
        let reason: ExclusionReason? = !placement.eligibleAtStart ? .notEligibleAtStart
            : !placement.onClauseOperation ? .offOperation : nil
        var mode = byMode[placement.mode, default: ModeAcc()]
        mode.placements += 1
        var placementExcluded: Decimal = 0

        let reports = placement.months
            .filter { through == nil || $0.month <= through! }
            .sorted { $0.month < $1.month }
        for report in reports {
            var month = byMonth[report.month, default: MonthAcc()]
            let attested = placement.mode.isSIAEPurchase ? report.attestedInsertionHours : nil
            let worked = attested ?? report.workedHours
            month.worked += worked
            month.training += report.trainingHours
            mode.worked += worked
            mode.training += report.trainingHours

            if reason != nil {
                placementExcluded += worked + report.trainingHours
            } else {
                if rule.countWorkedHours {
                    month.countedWorked += worked
                    mode.countedWorked += worked
                    if attested != nil { mode.attested += worked }
                } else {
                    mode.uncountedWorked += worked
                }
                if rule.convertSubcontractAmount, let amount = report.subcontractAmount, amount > 0,
                   !(rule.countWorkedHours && worked > 0), rules.hourlyCost > 0 {
                    let hours = LedgerFormat.round(amount * rules.labourShare / rules.hourlyCost, scale: 2)
                    month.converted += hours
                    mode.converted += hours
                    mode.amount += amount
                }
                if report.trainingHours > 0 {
                    if rule.countTrainingHours {
                        candidates.append(TrainingCandidate(month: report.month, placementId: placement.id, mode: placement.mode, hours: report.trainingHours))
                        mode.trainingCandidate += report.trainingHours
                    } else {
                        mode.uncountedTraining += report.trainingHours
                    }
                }
            }
            byMonth[report.month] = month
        }

        if reason == nil, rule.hireBonusHours > 0, placement.qualifiesForHireBonus,
           through == nil || placement.start.yearMonth <= through! {
            byMonth[placement.start.yearMonth, default: MonthAcc()].bonus += rule.hireBonusHours
            mode.bonus += rule.hireBonusHours
            mode.hires += 1
        }
        if let reason {
            mode.excluded += placementExcluded
            var entry = excluded[reason] ?? (hours: 0, ids: [])
            entry.hours += placementExcluded
            entry.ids.append(placement.id)
            excluded[reason] = entry
        }
        byMode[placement.mode] = mode
    }

    // Training cap, over the whole clause, chronologically.
    let capHours = LedgerFormat.round(max(rules.trainingCapShare, 0) * max(requiredHours, 0), scale: 2)
    var capLeft = capHours
    let candidateTotal = candidates.reduce(Decimal(0)) { $0 + $1.hours }
    for candidate in candidates.sorted(by: { ($0.month, $0.placementId) < ($1.month, $1.placementId) }) {
        let credited = min(candidate.hours, capLeft)
        capLeft -= credited
        byMonth[candidate.month, default: MonthAcc()].countedTraining += credited
        byMode[candidate.mode, default: ModeAcc()].countedTraining += credited
    }

    // Month series.
    var cumulative: Decimal = 0
    let series: [MonthCredit] = byMonth.keys.sorted().map { key in
        let m = byMonth[key]!
        let credited = m.countedWorked + m.countedTraining + m.bonus + m.converted
        cumulative += credited
        return MonthCredit(month: key, worked: m.worked, training: m.training, countedWorked: m.countedWorked,
                           countedTraining: m.countedTraining, bonus: m.bonus, converted: m.converted,
                           credited: credited, cumulativeCredited: cumulative)
    }

    // By mode.
    let modes: [ModeCredit] = ExecutionMode.allCases.compactMap { key in
        guard let m = byMode[key] else { return nil }
        return ModeCredit(mode: key, placementCount: m.placements, workedHours: m.worked, countedWorkedHours: m.countedWorked,
                          attestedHours: m.attested, trainingHours: m.training, countedTrainingHours: m.countedTraining,
                          bonusHours: m.bonus, hires: m.hires, subcontractAmount: m.amount, convertedHours: m.converted,
                          excludedHours: m.excluded,
                          creditedHours: m.countedWorked + m.countedTraining + m.bonus + m.converted)
    }

    let exclusions = ExclusionReason.allCases.compactMap { reason in
        excluded[reason].map { Exclusion(reason: reason, hours: $0.hours, placementIds: $0.ids) }
    }
    let sum: (KeyPath<ModeCredit, Decimal>) -> Decimal = { path in modes.reduce(Decimal(0)) { $0 + $1[keyPath: path] } }
    let countedWorked = sum(\.countedWorkedHours)
    let countedTraining = sum(\.countedTrainingHours)
    let bonus = sum(\.bonusHours)
    let converted = sum(\.convertedHours)
    let credited = countedWorked + countedTraining + bonus + converted

    // Explanation.
    let h = LedgerFormat.hours
    var lines: [String] = []
    for exclusion in exclusions {
        let rule = exclusion.reason == .notEligibleAtStart ? "règle 1" : "règle 2"
        let count = exclusion.placementIds.count
        lines.append("Exclues : \(h(exclusion.hours)) de \(count) mise\(count > 1 ? "s" : "") à l'emploi, \(exclusion.reason.frenchLabel) (\(rule)).")
    }
    for key in ExecutionMode.allCases {
        guard let m = byMode[key] else { continue }
        let label = key.frenchLabel
        if m.countedWorked > 0 {
            let attested = m.attested > 0 ? " (dont \(h(m.attested)) attestées par la SIAE)" : ""
            lines.append("\(label) : \(h(m.countedWorked)) travaillées valorisées\(attested).")
        }
        if m.uncountedWorked > 0 {
            lines.append("\(label) : \(h(m.uncountedWorked)) travaillées non valorisées (règle de comptage de la clause).")
        }
        if m.trainingCandidate > 0 {
            if m.countedTraining == m.trainingCandidate {
                lines.append("\(label) : \(h(m.countedTraining)) de formation valorisées.")
            } else {
                lines.append("\(label) : \(h(m.trainingCandidate)) de formation déclarées, \(h(m.countedTraining)) valorisées (plafond de formation).")
            }
        }
        if m.uncountedTraining > 0 {
            lines.append("\(label) : \(h(m.uncountedTraining)) de formation non valorisées (règle de comptage de la clause).")
        }
        if m.bonus > 0 {
            let perHire = rules.rule(for: key).hireBonusHours
            lines.append("\(label) : bonus de \(h(perHire)) par embauche en CDI ou en CDD d'au moins 6 mois × \(m.hires) = \(h(m.bonus)).")
        }
        if m.converted > 0 {
            lines.append("\(label) : \(LedgerFormat.euros(m.amount)) × \(LedgerFormat.percent(rules.labourShare)) ÷ \(LedgerFormat.number(rules.hourlyCost)) €/h = \(h(m.converted)) (montant payé à la SIAE converti en heures, faute d'heures attestées).")
        }
    }
    if candidateTotal > 0 {
        if candidateTotal > capHours {
            lines.append("Heures de formation plafonnées à \(LedgerFormat.percent(rules.trainingCapShare)) des heures prescrites (\(h(capHours))) : \(h(candidateTotal)) déclarées, \(h(countedTraining)) valorisées.")
        } else {
            lines.append("Heures de formation : \(h(countedTraining)) valorisées, sous le plafond de \(LedgerFormat.percent(rules.trainingCapShare)) des heures prescrites (\(h(capHours))).")
        }
    }
    var parts: [String] = []
    if countedWorked > 0 { parts.append("\(h(countedWorked)) travaillées") }
    if countedTraining > 0 { parts.append("\(h(countedTraining)) de formation") }
    if bonus > 0 { parts.append("\(h(bonus)) de bonus d'embauche") }
    if converted > 0 { parts.append("\(h(converted)) converties") }
    if parts.count > 1 {
        lines.append("Heures valorisées : \(parts.joined(separator: " + ")) = \(h(credited)).")
    } else {
        lines.append("Heures valorisées : \(h(credited)).")
    }
    if requiredHours > 0, credited > requiredHours {
        lines.append("Excédent conservé : \(h(credited - requiredHours)) au-delà des \(h(requiredHours)) prescrites (effet levier).")
    }

    return Credit(
        workedHours: sum(\.workedHours), countedWorkedHours: countedWorked,
        trainingHours: sum(\.trainingHours), countedTrainingHours: countedTraining,
        trainingCapHours: capHours, bonusHours: bonus, convertedHours: converted, creditedHours: credited,
        excludedHours: exclusions.reduce(Decimal(0)) { $0 + $1.hours }, exclusions: exclusions,
        months: series, byMode: modes, explanation: lines)
}
