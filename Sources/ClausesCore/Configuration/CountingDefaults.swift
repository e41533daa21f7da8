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
}
