import Foundation

/// Hours credited to a clause from stored facts (DOMAIN §4), in exact decimals, step by step as the rules
/// read. This is the reference: the fixed-point engine (`FixedPointCredit`) gives the same `Credit` for
/// every input (property-tested) and falls back to it when a figure does not fit.
///
/// - rules 1 and 2 (`exclusionReason`): placements not eligible at start, or off the clause's operation,
///   count nothing; their hours appear in `excludedHours` (when both apply, the reason is non-eligibility);
/// - worked hours (`countReport`) count when the mode's rule says so; for SIAE modes the attested hours
///   replace the reported hours;
/// - conversion (`convertedHours`): months of an SIAE mode without attested or counted worked hours convert
///   the subcontract amount (`amount × labourShare ÷ hourlyCost`, rounded to 2 decimals per month) when
///   the rule allows it;
/// - training cap (`applyTrainingCap`): training hours of modes that count them are credited
///   chronologically (placements by id within a month) until `trainingCapShare × requiredHours` is
///   reached for the whole clause (a month may be partly credited);
/// - hire bonus: credited once per qualifying placement (`PlacementFacts.qualifiesForHireBonus`) in its
///   start month;
/// - surplus beyond the required hours is kept.
/// `through` limits the count to reports of months up to and including it (a bonus counts when its start
/// month is within the limit).
public enum CreditCalculator {
    public static func credit(
        placements: [PlacementFacts], requiredHours: Decimal, rules: CountingRuleTable, through: YearMonth? = nil
    ) -> Credit {
        var tally = Tally()
        for placement in placements.sorted(by: { $0.id < $1.id }) {
            let rule = rules.rule(for: placement.mode)
            let reports = placement.months
                .filter { report in through.map { report.month <= $0 } ?? true }
                .sorted { $0.month < $1.month }
            tally.modes[placement.mode, default: ModeTally()].placements += 1
            if let reason = exclusionReason(placement) {
                tally.exclude(placement, reports: reports, reason: reason)
                continue
            }
            for report in reports { tally.countReport(report, of: placement, rule: rule, rules: rules) }
            if rule.hireBonusHours > 0, placement.qualifiesForHireBonus,
                through.map({ placement.start.yearMonth <= $0 }) ?? true
            {
                tally.addHireBonus(rule.hireBonusHours, for: placement)
            }
        }
        tally.applyTrainingCap(trainingCapHours(rules: rules, requiredHours: requiredHours))
        return tally.credit(rules: rules, requiredHours: requiredHours)
    }

    /// Rules 1–2: why a placement counts nothing, or nil when it counts.
    static func exclusionReason(_ placement: PlacementFacts) -> ExclusionReason? {
        if !placement.eligibleAtStart { return .notEligibleAtStart }
        if !placement.onClauseOperation { return .offOperation }
        return nil
    }

    /// `trainingCapShare × requiredHours`, rounded to 2 decimals (negative inputs count as 0).
    static func trainingCapHours(rules: CountingRuleTable, requiredHours: Decimal) -> Decimal {
        French.round(max(rules.trainingCapShare, 0) * max(requiredHours, 0), scale: 2)
    }

    /// The hours an SIAE amount converts into for one month, rounded to 2 decimals.
    static func convertedHours(amount: Decimal, rules: CountingRuleTable) -> Decimal {
        French.round(amount * rules.labourShare / rules.hourlyCost, scale: 2)
    }

    /// Whether a month's subcontract amount converts: the rule allows it, a cost is set, an amount was paid,
    /// and no worked hours of the month already count.
    static func converts(rule: CountingRule, rules: CountingRuleTable, countsWorked worked: Bool) -> Bool {
        rule.convertSubcontractAmount && rules.hourlyCost > 0 && !(rule.countWorkedHours && worked)
    }

    struct MonthTally {
        var worked: Decimal = 0, training: Decimal = 0, countedWorked: Decimal = 0
        var countedTraining: Decimal = 0, bonus: Decimal = 0, converted: Decimal = 0
    }

    struct ModeTally {
        var placements = 0, hires = 0
        var worked: Decimal = 0, countedWorked: Decimal = 0, uncountedWorked: Decimal = 0, attested: Decimal = 0
        var training: Decimal = 0, countableTraining: Decimal = 0, uncountedTraining: Decimal = 0
        var countedTraining: Decimal = 0
        var bonus: Decimal = 0, amount: Decimal = 0, converted: Decimal = 0, excluded: Decimal = 0
    }

    /// Training hours waiting for the cap.
    struct TrainingClaim {
        let month: YearMonth
        let placementId: String
        let mode: ExecutionMode
        let hours: Decimal
    }

    struct Tally {
        var months: [YearMonth: MonthTally] = [:]
        var modes: [ExecutionMode: ModeTally] = [:]
        var excluded: [ExclusionReason: (hours: Decimal, ids: [String])] = [:]
        var trainingClaims: [TrainingClaim] = []

        /// The hours a report brings as worked: attested hours replace reported ones for SIAE modes.
        static func workedHours(_ report: MonthFacts, mode: ExecutionMode) -> (hours: Decimal, attested: Bool) {
            if mode.isSIAEPurchase, let attested = report.attestedInsertionHours { return (attested, true) }
            return (report.workedHours, false)
        }

        mutating func exclude(_ placement: PlacementFacts, reports: [MonthFacts], reason: ExclusionReason) {
            var hours: Decimal = 0
            for report in reports {
                let worked = Self.workedHours(report, mode: placement.mode).hours
                months[report.month, default: MonthTally()].worked += worked
                months[report.month, default: MonthTally()].training += report.trainingHours
                modes[placement.mode, default: ModeTally()].worked += worked
                modes[placement.mode, default: ModeTally()].training += report.trainingHours
                hours += worked + report.trainingHours
            }
            modes[placement.mode, default: ModeTally()].excluded += hours
            var entry = excluded[reason] ?? (hours: 0, ids: [])
            entry.hours += hours
            entry.ids.append(placement.id)
            excluded[reason] = entry
        }

        mutating func countReport(
            _ report: MonthFacts, of placement: PlacementFacts, rule: CountingRule, rules: CountingRuleTable
        ) {
            var month = months[report.month, default: MonthTally()]
            var mode = modes[placement.mode, default: ModeTally()]
            let (worked, attested) = Self.workedHours(report, mode: placement.mode)
            month.worked += worked
            month.training += report.trainingHours
            mode.worked += worked
            mode.training += report.trainingHours
            if rule.countWorkedHours {
                month.countedWorked += worked
                mode.countedWorked += worked
                if attested { mode.attested += worked }
            } else {
                mode.uncountedWorked += worked
            }
            if let amount = report.subcontractAmount, amount > 0,
                CreditCalculator.converts(rule: rule, rules: rules, countsWorked: worked > 0)
            {
                let hours = CreditCalculator.convertedHours(amount: amount, rules: rules)
                month.converted += hours
                mode.converted += hours
                mode.amount += amount
            }
            if report.trainingHours > 0 {
                if rule.countTrainingHours {
                    trainingClaims.append(
                        TrainingClaim(
                            month: report.month, placementId: placement.id, mode: placement.mode,
                            hours: report.trainingHours))
                    mode.countableTraining += report.trainingHours
                } else {
                    mode.uncountedTraining += report.trainingHours
                }
            }
            months[report.month] = month
            modes[placement.mode] = mode
        }

        mutating func addHireBonus(_ hours: Decimal, for placement: PlacementFacts) {
            months[placement.start.yearMonth, default: MonthTally()].bonus += hours
            modes[placement.mode, default: ModeTally()].bonus += hours
            modes[placement.mode, default: ModeTally()].hires += 1
        }

        /// Credits the claims chronologically (months, then placements by id) until the cap is used up.
        mutating func applyTrainingCap(_ capHours: Decimal) {
            var left = capHours
            for claim in trainingClaims.sorted(by: { ($0.month, $0.placementId) < ($1.month, $1.placementId) }) {
                let credited = min(claim.hours, left)
                left -= credited
                months[claim.month, default: MonthTally()].countedTraining += credited
                modes[claim.mode, default: ModeTally()].countedTraining += credited
            }
        }

        func credit(rules: CountingRuleTable, requiredHours: Decimal) -> Credit {
            var cumulative: Decimal = 0
            let series: [MonthCredit] = months.keys.sorted().map { key in
                let m = months[key, default: MonthTally()]
                let credited = m.countedWorked + m.countedTraining + m.bonus + m.converted
                cumulative += credited
                return MonthCredit(
                    month: key, worked: m.worked, training: m.training, countedWorked: m.countedWorked,
                    countedTraining: m.countedTraining, bonus: m.bonus, converted: m.converted,
                    credited: credited, cumulativeCredited: cumulative)
            }
            let byMode: [ModeCredit] = ExecutionMode.allCases.compactMap { key in
                guard let m = modes[key] else { return nil }
                return ModeCredit(
                    mode: key, placementCount: m.placements, workedHours: m.worked, countedWorkedHours: m.countedWorked,
                    uncountedWorkedHours: m.uncountedWorked, attestedHours: m.attested, trainingHours: m.training,
                    countableTrainingHours: m.countableTraining, uncountedTrainingHours: m.uncountedTraining,
                    countedTrainingHours: m.countedTraining, bonusHours: m.bonus, hires: m.hires,
                    subcontractAmount: m.amount, convertedHours: m.converted, excludedHours: m.excluded,
                    creditedHours: m.countedWorked + m.countedTraining + m.bonus + m.converted)
            }
            let exclusions = ExclusionReason.allCases.compactMap { reason in
                excluded[reason].map { Exclusion(reason: reason, hours: $0.hours, placementIds: $0.ids) }
            }
            let sum = { (path: KeyPath<ModeCredit, Decimal>) in byMode.reduce(Decimal(0)) { $0 + $1[keyPath: path] } }
            var credit = Credit(
                workedHours: sum(\.workedHours), countedWorkedHours: sum(\.countedWorkedHours),
                trainingHours: sum(\.trainingHours), countableTrainingHours: sum(\.countableTrainingHours),
                countedTrainingHours: sum(\.countedTrainingHours),
                trainingCapHours: CreditCalculator.trainingCapHours(rules: rules, requiredHours: requiredHours),
                bonusHours: sum(\.bonusHours), convertedHours: sum(\.convertedHours),
                creditedHours: sum(\.creditedHours), excludedHours: exclusions.reduce(Decimal(0)) { $0 + $1.hours },
                exclusions: exclusions, months: series, byMode: byMode, explanation: [])
            credit.explanation = CreditExplanation.lines(for: credit, rules: rules, requiredHours: requiredHours)
            return credit
        }
    }
}
