import Foundation

/// The hours a clause credits from stored facts (DOMAIN §4): the fixed-point engine when every figure fits
/// it, the `CreditCalculator` reference otherwise. Both give the same `Credit`.
public func creditHours(
    placements: [PlacementFacts], requiredHours: Decimal, rules: CountingRuleTable, through: YearMonth? = nil
) -> Credit {
    if let counted = HundredthsPlacement.from(placements),
        let result = FixedPointCredit.count(counted, requiredHours: requiredHours, rules: rules, through: through)
    {
        return result.credit
    }
    return CreditCalculator.credit(placements: placements, requiredHours: requiredHours, rules: rules, through: through)
}

/// `creditHours` over reports already in hundredths, with the month totals in hundredths (nil when the
/// reference had to count).
func creditHours(
    hundredths placements: [HundredthsPlacement], requiredHours: Decimal, rules: CountingRuleTable,
    through: YearMonth?
) -> (credit: Credit, months: [HundredthsMonthTotal]?) {
    if let result = FixedPointCredit.count(placements, requiredHours: requiredHours, rules: rules, through: through) {
        return (result.credit, result.months)
    }
    let credit = CreditCalculator.credit(
        placements: placements.map(\.decimalFacts), requiredHours: requiredHours, rules: rules, through: through)
    return (credit, nil)
}
