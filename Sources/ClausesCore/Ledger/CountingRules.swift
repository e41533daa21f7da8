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

    public init(
        countWorkedHours: Bool, countTrainingHours: Bool, hireBonusHours: Decimal = 0,
        convertSubcontractAmount: Bool = false
    ) {
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

    public init(
        rules: [ExecutionMode: CountingRule], trainingCapShare: Decimal, labourShare: Decimal, hourlyCost: Decimal
    ) {
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
            throw .invalid(
                "rules.\(mode.rawValue).hireBonusHours",
                "Le bonus d'heures à l'embauche (\(mode.frenchLabel)) doit être positif ou nul.")
        }
    }
}

/// A rule with only some fields set, for overrides.
public struct PartialCountingRule: Codable, Sendable, Equatable {
    public var countWorkedHours: Bool?
    public var countTrainingHours: Bool?
    public var hireBonusHours: Decimal?
    public var convertSubcontractAmount: Bool?

    public init(
        countWorkedHours: Bool? = nil, countTrainingHours: Bool? = nil, hireBonusHours: Decimal? = nil,
        convertSubcontractAmount: Bool? = nil
    ) {
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

    public init(
        rules: [ExecutionMode: PartialCountingRule]? = nil, trainingCapShare: Decimal? = nil,
        labourShare: Decimal? = nil, hourlyCost: Decimal? = nil
    ) {
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
public enum ExclusionReason: String, InputEnum {
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
    /// The placements concerned; nil (absent from JSON) in a buyer's answer, which names no placement.
    public var placementIds: [String]?
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
public func creditHours(
    placements: [PlacementFacts], requiredHours: Decimal, rules: CountingRuleTable, through: YearMonth? = nil
) -> Credit {
    // Stored figures have 2 decimals: count them in exact integer hundredths (Foundation's Decimal is slow on
    // Linux); any figure that does not fit falls back to the same count in Decimal.
    if let counted = CountedPlacement<Int64>.from(placements, Hundredths()),
        let result = countCredit(counted, requiredHours: requiredHours, rules: rules, through: through, Hundredths())
    {
        return result.credit
    }
    return countCredit(
        CountedPlacement<Decimal>.from(placements, DecimalArithmetic())!, requiredHours: requiredHours,
        rules: rules, through: through, DecimalArithmetic())!.credit
}

/// `creditHours` over reports already in hundredths (the balance queries read them so), with the month
/// totals in hundredths for callers that add lots up.
func creditHours(
    hundredths placements: [CountedPlacement<Int64>], requiredHours: Decimal, rules: CountingRuleTable,
    through: YearMonth?
) -> (credit: Credit, months: [CountedMonthTotal]?) {
    if let result = countCredit(placements, requiredHours: requiredHours, rules: rules, through: through, Hundredths())
    {
        return (result.credit, result.months)
    }
    let decimal = placements.map { p in
        CountedPlacement<Decimal>(
            facts: p.facts,
            months: p.months.map { m in
                CountedMonth(
                    month: m.month, worked: Hundredths.decimal(m.worked), training: Hundredths.decimal(m.training),
                    attested: m.attested.map(Hundredths.decimal), amount: m.amount.map(Hundredths.decimal))
            })
    }
    return (
        countCredit(decimal, requiredHours: requiredHours, rules: rules, through: through, DecimalArithmetic())!.credit,
        nil
    )
}

/// One placement and its reports in the number type the count runs on.
struct CountedPlacement<Number>: Sendable where Number: Sendable {
    /// The placement; its `months` are not read (the reports are `months` below).
    var facts: PlacementFacts
    var months: [CountedMonth<Number>]

    static func from<A: CreditArithmetic>(_ placements: [PlacementFacts], _ arithmetic: A) -> [CountedPlacement<
        Number
    >]? where A.Number == Number {
        var result: [CountedPlacement<Number>] = []
        result.reserveCapacity(placements.count)
        for placement in placements {
            var months: [CountedMonth<Number>] = []
            months.reserveCapacity(placement.months.count)
            for m in placement.months {
                guard let worked = arithmetic.number(m.workedHours), let training = arithmetic.number(m.trainingHours)
                else { return nil }
                var attested: Number?
                var amount: Number?
                if let value = m.attestedInsertionHours {
                    guard let exact = arithmetic.number(value) else { return nil }
                    attested = exact
                }
                if let value = m.subcontractAmount {
                    guard let exact = arithmetic.number(value) else { return nil }
                    amount = exact
                }
                months.append(
                    CountedMonth(
                        month: m.month.index, worked: worked, training: training, attested: attested, amount: amount))
            }
            var facts = placement
            facts.months = []
            result.append(CountedPlacement(facts: facts, months: months))
        }
        return result
    }
}

/// One monthly report (`month` is `YearMonth.index`).
struct CountedMonth<Number>: Sendable where Number: Sendable {
    var month: Int
    var worked: Number
    var training: Number
    var attested: Number?
    var amount: Number?
}

/// A month of a lot's series in hundredths, for adding lots up without Decimal arithmetic.
struct CountedMonthTotal: Sendable {
    var month: Int
    var worked: Int64
    var training: Int64
    var credited: Int64
}

/// The numbers `countCredit` adds up: exact hundredths, or Decimal for figures hundredths cannot hold.
protocol CreditArithmetic {
    associatedtype Number: Comparable, AdditiveArithmetic, Sendable
    /// The exact number for a decimal, or nil when this arithmetic cannot hold it.
    func number(_ value: Decimal) -> Number?
    func decimal(_ value: Number) -> Decimal
    /// `LedgerFormat.number(decimal(value))`, without going through Decimal when possible.
    func text(_ value: Number) -> String
    /// The value in hundredths when the arithmetic holds it so (month totals for adding lots up).
    func hundredths(_ value: Number) -> Int64?
    /// How many reports and placements one count may hold (see `Hundredths`).
    var termLimit: Int { get }
}

struct DecimalArithmetic: CreditArithmetic {
    func number(_ value: Decimal) -> Decimal? { value }
    func decimal(_ value: Decimal) -> Decimal { value }
    func text(_ value: Decimal) -> String { LedgerFormat.number(value) }
    func hundredths(_ value: Decimal) -> Int64? { nil }
    var termLimit: Int { .max }
}

/// Integer hundredths. Every figure is bounded by `limit` (2^40 hundredths, about 11 billion hours or euros) and
/// a count by `termLimit` terms, so no sum can overflow Int64 (at most 4 × 2^20 × 2^40 = 2^62).
struct Hundredths: CreditArithmetic {
    static let limit: Int64 = 1 << 40
    private static let decimalLimit = decimal(limit)
    private static let significandLimit = Decimal(UInt64(1) << 62)

    var termLimit: Int { 1 << 20 }
    func number(_ value: Decimal) -> Int64? { Self.exact(value) }
    func decimal(_ value: Int64) -> Decimal { Self.decimal(value) }
    func hundredths(_ value: Int64) -> Int64? { value }

    static func decimal(_ value: Int64) -> Decimal {
        value == 0
            ? Decimal() : Decimal(sign: value < 0 ? .minus : .plus, exponent: -2, significand: Decimal(value.magnitude))
    }

    /// The value in hundredths when it has at most 2 decimals and is within `limit`.
    static func exact(_ value: Decimal) -> Int64? {
        if value.isZero { return 0 }
        guard value.isFinite, value.magnitude <= decimalLimit, value.significand.magnitude <= significandLimit else {
            return nil
        }
        var digits = NSDecimalNumber(decimal: value.significand.magnitude).int64Value
        var shift = value.exponent + 2
        while shift < 0 {
            guard digits % 10 == 0 else { return nil }
            digits /= 10
            shift += 1
        }
        while shift > 0 {
            digits *= 10
            shift -= 1
        }
        let result = value.sign == .minus ? -digits : digits
        return decimal(result) == value ? result : nil
    }

    /// Same text as `LedgerFormat.number` (2 decimals at most, trailing zeros dropped, thousands spaced).
    func text(_ value: Int64) -> String {
        let magnitude = value.magnitude
        let integer = Array(String(magnitude / 100).utf8)
        var bytes: [UInt8] = value < 0 ? [UInt8(ascii: "-")] : []
        bytes.reserveCapacity(integer.count + integer.count / 3 + 4)
        for (i, digit) in integer.enumerated() {
            if i > 0, (integer.count - i) % 3 == 0 { bytes.append(UInt8(ascii: " ")) }
            bytes.append(digit)
        }
        let fraction = UInt8(magnitude % 100)
        if fraction != 0 {
            bytes.append(UInt8(ascii: ","))
            bytes.append(UInt8(ascii: "0") + fraction / 10)
            if fraction % 10 != 0 { bytes.append(UInt8(ascii: "0") + fraction % 10) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

private let allModes = ExecutionMode.allCases
private let allReasons = ExclusionReason.allCases

/// The count behind `creditHours`, written once for both arithmetics; nil when a figure (the training cap, a
/// bonus, a conversion, or too many terms) does not fit the arithmetic.
func countCredit<A: CreditArithmetic>(
    _ placements: [CountedPlacement<A.Number>], requiredHours: Decimal, rules: CountingRuleTable,
    through: YearMonth?, _ arithmetic: A
) -> (credit: Credit, months: [CountedMonthTotal])? {
    typealias N = A.Number
    typealias MonthAcc = MonthAccumulator<N>
    typealias ModeAcc = ModeAccumulator<N>
    typealias TrainingCandidate = TrainingCandidateHours<N>

    let last = through?.index ?? Int.max
    let modeRules = allModes.map { rules.rule(for: $0) }
    var bonuses: [N?] = []
    for rule in modeRules {
        guard rule.hireBonusHours > 0 else {
            bonuses.append(nil)
            continue
        }
        guard let bonus = arithmetic.number(rule.hireBonusHours) else { return nil }
        bonuses.append(bonus)
    }
    let convert = rules.hourlyCost > 0
    // By id (stable, like the training order); sorting indices keeps the placements where they are.
    let order = placements.indices.sorted { placements[$0].facts.id < placements[$1].facts.id }

    // Months that appear: reports up to `last` and bonus start months. A dense table maps a month to its slot
    // (lots span a few years), a dictionary when the span is unusually wide.
    var low = Int.max
    var high = Int.min
    var terms = placements.count
    for p in placements {
        terms += p.months.count
        for m in p.months where m.month <= last {
            low = min(low, m.month)
            high = max(high, m.month)
        }
        let start = p.facts.start.yearMonth.index
        if start <= last {
            low = min(low, start)
            high = max(high, start)
        }
    }
    guard terms < arithmetic.termLimit else { return nil }
    var slots = MonthSlots(low: low, high: high)
    var months: [MonthAcc] = []
    var modes = [ModeAcc](repeating: ModeAcc(), count: allModes.count)
    var modeSeen = [Bool](repeating: false, count: allModes.count)
    var excludedHours = [N](repeating: .zero, count: allReasons.count)
    var excludedIds = [[String]](repeating: [], count: allReasons.count)
    var candidates: [TrainingCandidate] = []

    for (rank, index) in order.enumerated() {
        let placement = placements[index]
        let facts = placement.facts
        let modeIndex = allModes.firstIndex(of: facts.mode)!
        let rule = modeRules[modeIndex]
        let reason: ExclusionReason? =
            !facts.eligibleAtStart ? .notEligibleAtStart : !facts.onClauseOperation ? .offOperation : nil
        let isSIAE = facts.mode.isSIAEPurchase
        var mode = modes[modeIndex]
        modeSeen[modeIndex] = true
        mode.placements += 1
        var placementExcluded: N = .zero

        for report in placement.months where report.month <= last {
            let s = slots.slot(report.month)
            if s == months.count { months.append(MonthAcc()) }
            let attested = isSIAE ? report.attested : nil
            let worked = attested ?? report.worked
            let training = report.training
            months[s].worked += worked
            months[s].training += training
            mode.worked += worked
            mode.training += training

            if reason != nil {
                placementExcluded += worked + training
                continue
            }
            if rule.countWorkedHours {
                months[s].countedWorked += worked
                mode.countedWorked += worked
                if attested != nil { mode.attested += worked }
            } else {
                mode.uncountedWorked += worked
            }
            if rule.convertSubcontractAmount, convert, let amount = report.amount, amount > .zero,
                !(rule.countWorkedHours && worked > .zero)
            {
                // The one multiplication and division of the count: done in Decimal, rounded per month as before.
                let exact = LedgerFormat.round(
                    arithmetic.decimal(amount) * rules.labourShare / rules.hourlyCost, scale: 2)
                guard let hours = arithmetic.number(exact) else { return nil }
                months[s].converted += hours
                mode.converted += hours
                mode.amount += amount
            }
            if training > .zero {
                if rule.countTrainingHours {
                    candidates.append(
                        TrainingCandidate(slot: s, month: report.month, rank: rank, mode: modeIndex, hours: training))
                    mode.trainingCandidate += training
                } else {
                    mode.uncountedTraining += training
                }
            }
        }

        if reason == nil, let bonus = bonuses[modeIndex], facts.qualifiesForHireBonus,
            facts.start.yearMonth.index <= last
        {
            let s = slots.slot(facts.start.yearMonth.index)
            if s == months.count { months.append(MonthAcc()) }
            months[s].bonus += bonus
            mode.bonus += bonus
            mode.hires += 1
        }
        if let reason {
            let r = reason == .notEligibleAtStart ? 0 : 1
            mode.excluded += placementExcluded
            excludedHours[r] += placementExcluded
            excludedIds[r].append(facts.id)
        }
        modes[modeIndex] = mode
    }

    // Training cap, over the whole clause, chronologically (months, then placements by id).
    let capDecimal = LedgerFormat.round(max(rules.trainingCapShare, 0) * max(requiredHours, 0), scale: 2)
    guard let capHours = arithmetic.number(capDecimal) else { return nil }
    var capLeft = capHours
    var candidateTotal: N = .zero
    for candidate in candidates { candidateTotal += candidate.hours }
    candidates.sort { ($0.month, $0.rank) < ($1.month, $1.rank) }
    for candidate in candidates {
        let credited = min(candidate.hours, capLeft)
        capLeft -= credited
        months[candidate.slot].countedTraining += credited
        modes[candidate.mode].countedTraining += credited
    }

    // Month series, converted to Decimal once per figure.
    let monthKeys = slots.months
    let sortedSlots = monthKeys.indices.sorted { monthKeys[$0] < monthKeys[$1] }
    var cumulative: N = .zero
    var series: [MonthCredit] = []
    var totals: [CountedMonthTotal] = []
    series.reserveCapacity(sortedSlots.count)
    for s in sortedSlots {
        let m = months[s]
        let credited = m.countedWorked + m.countedTraining + m.bonus + m.converted
        cumulative += credited
        let d = arithmetic.decimal
        series.append(
            MonthCredit(
                month: YearMonth(index: monthKeys[s]), worked: d(m.worked), training: d(m.training),
                countedWorked: d(m.countedWorked), countedTraining: d(m.countedTraining), bonus: d(m.bonus),
                converted: d(m.converted), credited: d(credited), cumulativeCredited: d(cumulative)))
        if let worked = arithmetic.hundredths(m.worked), let training = arithmetic.hundredths(m.training),
            let credited = arithmetic.hundredths(credited)
        {
            totals.append(
                CountedMonthTotal(month: monthKeys[s], worked: worked, training: training, credited: credited))
        }
    }

    // By mode, and the totals over modes.
    var byMode: [ModeCredit] = []
    var worked: N = .zero
    var training: N = .zero
    var countedWorked: N = .zero
    var countedTraining: N = .zero
    var bonus: N = .zero
    var converted: N = .zero
    for (i, key) in allModes.enumerated() where modeSeen[i] {
        let m = modes[i]
        let d = arithmetic.decimal
        byMode.append(
            ModeCredit(
                mode: key, placementCount: m.placements, workedHours: d(m.worked),
                countedWorkedHours: d(m.countedWorked),
                attestedHours: d(m.attested), trainingHours: d(m.training), countedTrainingHours: d(m.countedTraining),
                bonusHours: d(m.bonus), hires: m.hires, subcontractAmount: d(m.amount), convertedHours: d(m.converted),
                excludedHours: d(m.excluded),
                creditedHours: d(m.countedWorked + m.countedTraining + m.bonus + m.converted)))
        worked += m.worked
        training += m.training
        countedWorked += m.countedWorked
        countedTraining += m.countedTraining
        bonus += m.bonus
        converted += m.converted
    }
    let credited = countedWorked + countedTraining + bonus + converted

    var exclusions: [Exclusion] = []
    var excludedTotal: N = .zero
    for (r, reason) in allReasons.enumerated() where !excludedIds[r].isEmpty {
        exclusions.append(
            Exclusion(reason: reason, hours: arithmetic.decimal(excludedHours[r]), placementIds: excludedIds[r]))
        excludedTotal += excludedHours[r]
    }

    // Explanation: a few lines per lot, built from the totals.
    let h = { (value: N) in arithmetic.text(value) + " h" }
    var lines: [String] = []
    for (r, reason) in allReasons.enumerated() where !excludedIds[r].isEmpty {
        let rule = reason == .notEligibleAtStart ? "règle 1" : "règle 2"
        let count = excludedIds[r].count
        lines.append(
            "Exclues : \(h(excludedHours[r])) de \(count) mise\(count > 1 ? "s" : "") à l'emploi, \(reason.frenchLabel) (\(rule))."
        )
    }
    for (i, key) in allModes.enumerated() where modeSeen[i] {
        let m = modes[i]
        let label = key.frenchLabel
        if m.countedWorked > .zero {
            let attested = m.attested > .zero ? " (dont \(h(m.attested)) attestées par la SIAE)" : ""
            lines.append("\(label) : \(h(m.countedWorked)) travaillées valorisées\(attested).")
        }
        if m.uncountedWorked > .zero {
            lines.append(
                "\(label) : \(h(m.uncountedWorked)) travaillées non valorisées (règle de comptage de la clause).")
        }
        if m.trainingCandidate > .zero {
            if m.countedTraining == m.trainingCandidate {
                lines.append("\(label) : \(h(m.countedTraining)) de formation valorisées.")
            } else {
                lines.append(
                    "\(label) : \(h(m.trainingCandidate)) de formation déclarées, \(h(m.countedTraining)) valorisées (plafond de formation)."
                )
            }
        }
        if m.uncountedTraining > .zero {
            lines.append(
                "\(label) : \(h(m.uncountedTraining)) de formation non valorisées (règle de comptage de la clause).")
        }
        if m.bonus > .zero {
            let perHire = modeRules[i].hireBonusHours
            lines.append(
                "\(label) : bonus de \(LedgerFormat.hours(perHire)) par embauche en CDI ou en CDD d'au moins 6 mois × \(m.hires) = \(h(m.bonus))."
            )
        }
        if m.converted > .zero {
            lines.append(
                "\(label) : \(arithmetic.text(m.amount)) € × \(LedgerFormat.percent(rules.labourShare)) ÷ \(LedgerFormat.number(rules.hourlyCost)) €/h = \(h(m.converted)) (montant payé à la SIAE converti en heures, faute d'heures attestées)."
            )
        }
    }
    if candidateTotal > .zero {
        if candidateTotal > capHours {
            lines.append(
                "Heures de formation plafonnées à \(LedgerFormat.percent(rules.trainingCapShare)) des heures prescrites (\(h(capHours))) : \(h(candidateTotal)) déclarées, \(h(countedTraining)) valorisées."
            )
        } else {
            lines.append(
                "Heures de formation : \(h(countedTraining)) valorisées, sous le plafond de \(LedgerFormat.percent(rules.trainingCapShare)) des heures prescrites (\(h(capHours)))."
            )
        }
    }
    var parts: [String] = []
    if countedWorked > .zero { parts.append("\(h(countedWorked)) travaillées") }
    if countedTraining > .zero { parts.append("\(h(countedTraining)) de formation") }
    if bonus > .zero { parts.append("\(h(bonus)) de bonus d'embauche") }
    if converted > .zero { parts.append("\(h(converted)) converties") }
    if parts.count > 1 {
        lines.append("Heures valorisées : \(parts.joined(separator: " + ")) = \(h(credited)).")
    } else {
        lines.append("Heures valorisées : \(h(credited)).")
    }
    let creditedDecimal = arithmetic.decimal(credited)
    if requiredHours > 0, creditedDecimal > requiredHours {
        lines.append(
            "Excédent conservé : \(LedgerFormat.hours(creditedDecimal - requiredHours)) au-delà des \(LedgerFormat.hours(requiredHours)) prescrites (effet levier)."
        )
    }

    let credit = Credit(
        workedHours: arithmetic.decimal(worked), countedWorkedHours: arithmetic.decimal(countedWorked),
        trainingHours: arithmetic.decimal(training), countedTrainingHours: arithmetic.decimal(countedTraining),
        trainingCapHours: capDecimal, bonusHours: arithmetic.decimal(bonus),
        convertedHours: arithmetic.decimal(converted),
        creditedHours: creditedDecimal, excludedHours: arithmetic.decimal(excludedTotal), exclusions: exclusions,
        months: series, byMode: byMode, explanation: lines)
    return (credit, totals)
}

private struct MonthAccumulator<N: AdditiveArithmetic> {
    var worked: N = .zero, training: N = .zero, countedWorked: N = .zero
    var countedTraining: N = .zero, bonus: N = .zero, converted: N = .zero
}

private struct ModeAccumulator<N: AdditiveArithmetic> {
    var placements = 0, hires = 0
    var worked: N = .zero, countedWorked: N = .zero, uncountedWorked: N = .zero, attested: N = .zero
    var training: N = .zero, trainingCandidate: N = .zero, uncountedTraining: N = .zero, countedTraining: N = .zero
    var bonus: N = .zero, amount: N = .zero, converted: N = .zero, excluded: N = .zero
}

/// Training hours waiting for the cap; `slot` is the month's accumulator, `rank` the placement's place by id.
private struct TrainingCandidateHours<N> {
    let slot: Int, month: Int, rank: Int, mode: Int
    let hours: N
}

/// Slots of the months a count meets, in the order first met: a dense table over the months' span (a lot spans a
/// few years), a dictionary when the span is unusually wide.
private struct MonthSlots {
    let low: Int
    let dense: Bool
    var table: [Int32]
    var dictionary: [Int: Int] = [:]
    /// Month (`YearMonth.index`) of each slot.
    var months: [Int] = []

    init(low: Int, high: Int) {
        self.low = low
        dense = low <= high && high - low < 4096
        table = dense ? [Int32](repeating: -1, count: high - low + 1) : []
    }

    mutating func slot(_ month: Int) -> Int {
        if dense {
            let known = table[month - low]
            if known >= 0 { return Int(known) }
            table[month - low] = Int32(months.count)
        } else {
            if let known = dictionary[month] { return known }
            dictionary[month] = months.count
        }
        months.append(month)
        return months.count - 1
    }
}
