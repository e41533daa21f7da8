import Foundation

/// `CreditCalculator`'s count in exact integer hundredths (`Int64`): stored figures have 2 decimals, and
/// Foundation's `Decimal` arithmetic is slow on Linux. Same rules, same order, same `Credit` (the property
/// test runs both on random facts); `count` returns nil whenever a figure does not fit (more than 2
/// decimals, beyond `Hundredths.limit`, too many terms), and the caller then uses the reference.
enum FixedPointCredit {
    /// The count over reports already in hundredths (the balance query reads them so), with the month
    /// totals in hundredths for callers that add lots up; nil when a figure does not fit.
    static func count(
        _ placements: [HundredthsPlacement], requiredHours: Decimal, rules: CountingRuleTable, through: YearMonth?
    ) -> (credit: Credit, months: [HundredthsMonthTotal])? {
        let last = through?.index ?? Int.max
        let modeRules = allModes.map { rules.rule(for: $0) }
        var bonuses: [Int64?] = []
        for rule in modeRules {
            guard rule.hireBonusHours > 0 else {
                bonuses.append(nil)
                continue
            }
            guard let bonus = Hundredths.exact(rule.hireBonusHours) else { return nil }
            bonuses.append(bonus)
        }
        // By id (stable, like the training order); sorting indices keeps the placements where they are.
        let order = placements.indices.sorted { placements[$0].facts.id < placements[$1].facts.id }

        var low = Int.max
        var high = Int.min
        var terms = placements.count
        for p in placements {
            terms += p.months.count
            // Every figure within the limit, or the sums could overflow (reports read from text are not bounded).
            for m in p.months
            where !Hundredths.within(m.worked) || !Hundredths.within(m.training)
                || !Hundredths.within(m.attested ?? 0) || !Hundredths.within(m.amount ?? 0)
            {
                return nil
            }
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
        guard terms < Hundredths.termLimit else { return nil }
        var slots = MonthSlots(low: low, high: high)
        var months: [MonthSums] = []
        var modes = [ModeSums](repeating: ModeSums(), count: allModes.count)
        var modeSeen = [Bool](repeating: false, count: allModes.count)
        var excludedHours = [Int64](repeating: 0, count: allReasons.count)
        var excludedIds = [[String]](repeating: [], count: allReasons.count)
        var claims: [TrainingClaim] = []

        for (rank, index) in order.enumerated() {
            let placement = placements[index]
            let facts = placement.facts
            let modeIndex = modeIndices[facts.mode.rawValue, default: 0]
            let rule = modeRules[modeIndex]
            let reason = CreditCalculator.exclusionReason(facts)
            let isSIAE = facts.mode.isSIAEPurchase
            var mode = modes[modeIndex]
            modeSeen[modeIndex] = true
            mode.placements += 1
            var placementExcluded: Int64 = 0

            for report in placement.months where report.month <= last {
                let s = slots.slot(report.month)
                if s == months.count { months.append(MonthSums()) }
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
                if let amount = report.amount, amount > 0,
                    CreditCalculator.converts(rule: rule, rules: rules, countsWorked: worked > 0)
                {
                    // The one multiplication and division of the count: done in Decimal, as the reference does.
                    let exact = CreditCalculator.convertedHours(amount: Hundredths.decimal(amount), rules: rules)
                    guard let hours = Hundredths.exact(exact) else { return nil }
                    months[s].converted += hours
                    mode.converted += hours
                    mode.amount += amount
                }
                if training > 0 {
                    if rule.countTrainingHours {
                        claims.append(
                            TrainingClaim(slot: s, month: report.month, rank: rank, mode: modeIndex, hours: training))
                        mode.countableTraining += training
                    } else {
                        mode.uncountedTraining += training
                    }
                }
            }

            if reason == nil, let bonus = bonuses[modeIndex], facts.qualifiesForHireBonus,
                facts.start.yearMonth.index <= last
            {
                let s = slots.slot(facts.start.yearMonth.index)
                if s == months.count { months.append(MonthSums()) }
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
        let capDecimal = CreditCalculator.trainingCapHours(rules: rules, requiredHours: requiredHours)
        guard let capHours = Hundredths.exact(capDecimal) else { return nil }
        var capLeft = capHours
        claims.sort { ($0.month, $0.rank) < ($1.month, $1.rank) }
        for claim in claims {
            let credited = min(claim.hours, capLeft)
            capLeft -= credited
            months[claim.slot].countedTraining += credited
            modes[claim.mode].countedTraining += credited
        }

        // Month series, converted to Decimal once per figure.
        let d = Hundredths.decimal
        let monthKeys = slots.months
        let sortedSlots = monthKeys.indices.sorted { monthKeys[$0] < monthKeys[$1] }
        var cumulative: Int64 = 0
        var series: [MonthCredit] = []
        var totals: [HundredthsMonthTotal] = []
        series.reserveCapacity(sortedSlots.count)
        totals.reserveCapacity(sortedSlots.count)
        for s in sortedSlots {
            let m = months[s]
            let credited = m.countedWorked + m.countedTraining + m.bonus + m.converted
            cumulative += credited
            series.append(
                MonthCredit(
                    month: YearMonth(index: monthKeys[s]), worked: d(m.worked), training: d(m.training),
                    countedWorked: d(m.countedWorked), countedTraining: d(m.countedTraining), bonus: d(m.bonus),
                    converted: d(m.converted), credited: d(credited), cumulativeCredited: d(cumulative)))
            totals.append(
                HundredthsMonthTotal(month: monthKeys[s], worked: m.worked, training: m.training, credited: credited))
        }

        // By mode, and the totals over modes.
        var byMode: [ModeCredit] = []
        var total = ModeSums()
        for (i, key) in allModes.enumerated() where modeSeen[i] {
            let m = modes[i]
            byMode.append(
                ModeCredit(
                    mode: key, placementCount: m.placements, workedHours: d(m.worked),
                    countedWorkedHours: d(m.countedWorked), uncountedWorkedHours: d(m.uncountedWorked),
                    attestedHours: d(m.attested), trainingHours: d(m.training),
                    countableTrainingHours: d(m.countableTraining), uncountedTrainingHours: d(m.uncountedTraining),
                    countedTrainingHours: d(m.countedTraining), bonusHours: d(m.bonus), hires: m.hires,
                    subcontractAmount: d(m.amount), convertedHours: d(m.converted), excludedHours: d(m.excluded),
                    creditedHours: d(m.credited)))
            total.add(m)
        }
        var exclusions: [Exclusion] = []
        var excludedTotal: Int64 = 0
        for (r, reason) in allReasons.enumerated() where !excludedIds[r].isEmpty {
            exclusions.append(Exclusion(reason: reason, hours: d(excludedHours[r]), placementIds: excludedIds[r]))
            excludedTotal += excludedHours[r]
        }
        var credit = Credit(
            workedHours: d(total.worked), countedWorkedHours: d(total.countedWorked), trainingHours: d(total.training),
            countableTrainingHours: d(total.countableTraining), countedTrainingHours: d(total.countedTraining),
            trainingCapHours: capDecimal, bonusHours: d(total.bonus), convertedHours: d(total.converted),
            creditedHours: d(total.credited), excludedHours: d(excludedTotal), exclusions: exclusions,
            months: series, byMode: byMode, explanation: [])
        credit.explanation = CreditExplanation.lines(for: credit, rules: rules, requiredHours: requiredHours)
        return (credit, totals)
    }

    private static let allModes = ExecutionMode.allCases
    private static let allReasons = ExclusionReason.allCases
    private static let modeIndices = Dictionary(
        uniqueKeysWithValues: ExecutionMode.allCases.enumerated().map { ($1.rawValue, $0) })

    private struct MonthSums {
        var worked: Int64 = 0, training: Int64 = 0, countedWorked: Int64 = 0
        var countedTraining: Int64 = 0, bonus: Int64 = 0, converted: Int64 = 0
    }

    private struct ModeSums {
        var placements = 0, hires = 0
        var worked: Int64 = 0, countedWorked: Int64 = 0, uncountedWorked: Int64 = 0, attested: Int64 = 0
        var training: Int64 = 0, countableTraining: Int64 = 0, uncountedTraining: Int64 = 0
        var countedTraining: Int64 = 0
        var bonus: Int64 = 0, amount: Int64 = 0, converted: Int64 = 0, excluded: Int64 = 0

        var credited: Int64 { countedWorked + countedTraining + bonus + converted }

        mutating func add(_ other: ModeSums) {
            worked += other.worked
            training += other.training
            countableTraining += other.countableTraining
            countedWorked += other.countedWorked
            countedTraining += other.countedTraining
            bonus += other.bonus
            converted += other.converted
        }
    }

    /// Training hours waiting for the cap; `slot` is the month's sums, `rank` the placement's place by id.
    private struct TrainingClaim {
        let slot: Int, month: Int, rank: Int, mode: Int
        let hours: Int64
    }
}

/// One placement and its validated reports in hundredths, as the balance query reads them.
struct HundredthsPlacement: Sendable {
    /// The placement; its `months` are not read (the reports are `months` below).
    var facts: PlacementFacts
    var months: [HundredthsReport]

    /// The placements in hundredths; nil when a figure has more than 2 decimals or exceeds the limit.
    static func from(_ placements: [PlacementFacts]) -> [HundredthsPlacement]? {
        var result: [HundredthsPlacement] = []
        result.reserveCapacity(placements.count)
        for placement in placements {
            var months: [HundredthsReport] = []
            months.reserveCapacity(placement.months.count)
            for m in placement.months {
                guard let worked = Hundredths.exact(m.workedHours), let training = Hundredths.exact(m.trainingHours)
                else { return nil }
                var attested: Int64?
                var amount: Int64?
                if let value = m.attestedInsertionHours {
                    guard let exact = Hundredths.exact(value) else { return nil }
                    attested = exact
                }
                if let value = m.subcontractAmount {
                    guard let exact = Hundredths.exact(value) else { return nil }
                    amount = exact
                }
                months.append(
                    HundredthsReport(
                        month: m.month.index, worked: worked, training: training, attested: attested, amount: amount))
            }
            var facts = placement
            facts.months = []
            result.append(HundredthsPlacement(facts: facts, months: months))
        }
        return result
    }

    /// Back to decimal facts, for the reference calculation.
    var decimalFacts: PlacementFacts {
        var copy = facts
        copy.months = months.map { m in
            MonthFacts(
                month: YearMonth(index: m.month), workedHours: Hundredths.decimal(m.worked),
                trainingHours: Hundredths.decimal(m.training),
                attestedInsertionHours: m.attested.map(Hundredths.decimal),
                subcontractAmount: m.amount.map(Hundredths.decimal))
        }
        return copy
    }
}

/// One monthly report in hundredths (`month` is `YearMonth.index`).
struct HundredthsReport: Sendable {
    var month: Int
    var worked: Int64
    var training: Int64
    var attested: Int64?
    var amount: Int64?
}

/// A month of a lot's series in hundredths, for adding lots up without Decimal arithmetic.
struct HundredthsMonthTotal: Sendable {
    var month: Int
    var worked: Int64
    var training: Int64
    var credited: Int64
}

/// Integer hundredths. Every figure is bounded by `limit` (2^40 hundredths, about 11 billion hours or euros)
/// and a count by `termLimit` terms, so no sum can overflow Int64 (at most 4 × 2^20 × 2^40 = 2^62).
enum Hundredths {
    static let limit: Int64 = 1 << 40
    static let termLimit = 1 << 20
    private static let decimalLimit = decimal(limit)
    private static let significandLimit = Decimal(UInt64(1) << 62)

    static func decimal(_ value: Int64) -> Decimal {
        value == 0
            ? Decimal()
            : Decimal(sign: value < 0 ? .minus : .plus, exponent: -2, significand: Decimal(value.magnitude))
    }

    /// Whether a figure in hundredths is one the count may add up without overflow.
    static func within(_ value: Int64) -> Bool { value.magnitude <= limit.magnitude }

    /// `-1250.5`: the value as `Decimal.description` writes it (no trailing zero), straight from hundredths.
    static func plainText(_ hundredths: Int64) -> String {
        let magnitude = hundredths.magnitude
        let cents = magnitude % 100
        let fraction = cents == 0 ? "" : cents < 10 ? ".0\(cents)" : cents % 10 == 0 ? ".\(cents / 10)" : ".\(cents)"
        return (hundredths < 0 ? "-" : "") + String(magnitude / 100) + fraction
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
}

/// Slots of the months a count meets, in the order first met: a dense table over the months' span (a lot spans
/// a few years), a dictionary when the span is unusually wide.
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
