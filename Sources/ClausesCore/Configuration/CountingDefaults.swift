import Foundation

/// `[counting]` in config.toml: the territory's defaults for every clause's counting-rule table
/// (DOMAIN §4); a clause's `countingOverrides` refine them.
public struct CountingDefaults: Sendable, Equatable {
    public var trainingCapShare = CountingRuleTable.defaults.trainingCapShare
    public var hireBonusHours: Decimal = 0
    public var subcontractLabourShare = CountingRuleTable.defaults.labourShare
    public var subcontractHourlyCost = CountingRuleTable.defaults.hourlyCost

    public init() {}

    /// The rule table every clause starts from.
    public var table: CountingRuleTable {
        var table = CountingRuleTable.defaults
        table.trainingCapShare = trainingCapShare
        table.labourShare = subcontractLabourShare
        table.hourlyCost = subcontractHourlyCost
        for mode in ExecutionMode.allCases { table.rules[mode]?.hireBonusHours = hireBonusHours }
        return table
    }

    static func read(_ reader: inout TOMLReader) throws(DomainError) -> CountingDefaults {
        var d = CountingDefaults()
        d.trainingCapShare = try reader.decimal("training_cap_share", d.trainingCapShare, in: 0...1)
        d.hireBonusHours = try reader.decimal("hire_bonus_hours", d.hireBonusHours, in: 0...10_000)
        d.subcontractLabourShare = try reader.decimal("subcontract_labour_share", d.subcontractLabourShare, in: 0...1)
        d.subcontractHourlyCost = try reader.decimal("subcontract_hourly_cost", d.subcontractHourlyCost, in: 1...1_000)
        return d
    }

    func describe() -> String {
        """
        training_cap_share = "\(trainingCapShare)"
        hire_bonus_hours = "\(hireBonusHours)"
        subcontract_labour_share = "\(subcontractLabourShare)"
        subcontract_hourly_cost = "\(subcontractHourlyCost)"
        """
    }
}
