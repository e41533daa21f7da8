import Foundation

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
        trainingCapShare: Decimal(sign: .plus, exponent: -2, significand: 30),
        labourShare: Decimal(sign: .plus, exponent: -1, significand: 5),
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
