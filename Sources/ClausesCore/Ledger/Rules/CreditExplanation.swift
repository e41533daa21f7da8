import Foundation

/// One line of a credit's explanation: the rule applied and its figures (DOMAIN §4), as values. Pages,
/// JSON, CSV and mail all render these same values through `french(_:)`; JSON carries the rule, the
/// figures and the French text.
public enum CreditExplanation: Sendable, Equatable {
    /// Rules 1–2: the hours of these placements count for nothing. `placementCount` and `placementIds` are
    /// nil in a buyer's view (DOMAIN §8: no placement named, no exact small count).
    case excluded(reason: ExclusionReason, hours: Decimal, placementCount: Int?, placementIds: [String]?)
    /// Worked hours the mode's rule counts (of which `attestedHours` attested by the SIAE).
    case countedWorkedHours(mode: ExecutionMode, hours: Decimal, attestedHours: Decimal)
    /// Worked hours the mode's rule does not count.
    case uncountedWorkedHours(mode: ExecutionMode, hours: Decimal)
    /// Training hours the mode's rule counts, all credited.
    case countedTrainingHours(mode: ExecutionMode, hours: Decimal)
    /// Training hours the mode's rule counts, partly cut by the clause's training cap.
    case cappedTrainingHours(mode: ExecutionMode, declaredHours: Decimal, countedHours: Decimal)
    /// Training hours the mode's rule does not count.
    case uncountedTrainingHours(mode: ExecutionMode, hours: Decimal)
    /// `hoursPerHire × hires` credited for qualifying hires; `hoursPerHire` and `hires` are nil in a buyer's
    /// view (together they would count the hires).
    case hireBonus(mode: ExecutionMode, hoursPerHire: Decimal?, hires: Int?, hours: Decimal)
    /// `amount × labourShare ÷ hourlyCost`, the amount paid to an SIAE converted into hours.
    case subcontractConversion(
        mode: ExecutionMode, amount: Decimal, labourShare: Decimal, hourlyCost: Decimal, hours: Decimal)
    /// The clause's training cap (`share × required hours`) and what it let through.
    case trainingCap(share: Decimal, capHours: Decimal, declaredHours: Decimal, countedHours: Decimal)
    /// The sum credited: worked + training + bonus + converted.
    case creditedHours(worked: Decimal, training: Decimal, bonus: Decimal, converted: Decimal, total: Decimal)
    /// Credited hours beyond the required hours, kept (the effet levier).
    case surplus(hours: Decimal, requiredHours: Decimal)

    /// The explanation of a credit, in reading order: exclusions, then each mode's figures, the training
    /// cap, the sum, the surplus. Built from the credit's figures only, so any calculation that produced
    /// them explains them the same way.
    public static func lines(for credit: Credit, rules: CountingRuleTable, requiredHours: Decimal)
        -> [CreditExplanation]
    {
        var lines: [CreditExplanation] = credit.exclusions.map {
            .excluded(
                reason: $0.reason, hours: $0.hours, placementCount: $0.placementIds?.count ?? 0,
                placementIds: $0.placementIds)
        }
        for mode in credit.byMode {
            let key = mode.mode
            if mode.countedWorkedHours > 0 {
                lines.append(
                    .countedWorkedHours(mode: key, hours: mode.countedWorkedHours, attestedHours: mode.attestedHours))
            }
            if mode.uncountedWorkedHours > 0 {
                lines.append(.uncountedWorkedHours(mode: key, hours: mode.uncountedWorkedHours))
            }
            if mode.countableTrainingHours > 0 {
                lines.append(
                    mode.countedTrainingHours == mode.countableTrainingHours
                        ? .countedTrainingHours(mode: key, hours: mode.countedTrainingHours)
                        : .cappedTrainingHours(
                            mode: key, declaredHours: mode.countableTrainingHours,
                            countedHours: mode.countedTrainingHours))
            }
            if mode.uncountedTrainingHours > 0 {
                lines.append(.uncountedTrainingHours(mode: key, hours: mode.uncountedTrainingHours))
            }
            if mode.bonusHours > 0 {
                lines.append(
                    .hireBonus(
                        mode: key, hoursPerHire: rules.rule(for: key).hireBonusHours, hires: mode.hires,
                        hours: mode.bonusHours))
            }
            if mode.convertedHours > 0 {
                lines.append(
                    .subcontractConversion(
                        mode: key, amount: mode.subcontractAmount, labourShare: rules.labourShare,
                        hourlyCost: rules.hourlyCost, hours: mode.convertedHours))
            }
        }
        if credit.countableTrainingHours > 0 {
            lines.append(
                .trainingCap(
                    share: rules.trainingCapShare, capHours: credit.trainingCapHours,
                    declaredHours: credit.countableTrainingHours, countedHours: credit.countedTrainingHours))
        }
        lines.append(
            .creditedHours(
                worked: credit.countedWorkedHours, training: credit.countedTrainingHours, bonus: credit.bonusHours,
                converted: credit.convertedHours, total: credit.creditedHours))
        if requiredHours > 0, credit.creditedHours > requiredHours {
            lines.append(.surplus(hours: credit.creditedHours - requiredHours, requiredHours: requiredHours))
        }
        return lines
    }

    /// The line without the placements it names nor their count (a buyer's view, DOMAIN §8).
    var anonymous: CreditExplanation {
        switch self {
        case .excluded(let reason, let hours, _, _):
            .excluded(reason: reason, hours: hours, placementCount: nil, placementIds: nil)
        case .hireBonus(let mode, _, _, let hours):
            .hireBonus(mode: mode, hoursPerHire: nil, hires: nil, hours: hours)
        default: self
        }
    }

    /// The stable name of the rule, for programs (JSON `rule`, CSV column).
    public var rule: String {
        switch self {
        case .excluded: "excluded"
        case .countedWorkedHours: "countedWorkedHours"
        case .uncountedWorkedHours: "uncountedWorkedHours"
        case .countedTrainingHours: "countedTrainingHours"
        case .cappedTrainingHours: "cappedTrainingHours"
        case .uncountedTrainingHours: "uncountedTrainingHours"
        case .hireBonus: "hireBonus"
        case .subcontractConversion: "subcontractConversion"
        case .trainingCap: "trainingCap"
        case .creditedHours: "creditedHours"
        case .surplus: "surplus"
        }
    }

    /// The line in French.
    public func french(_ style: FrenchStyle = .page) -> String {
        let h = { (value: Decimal) in French.hours(value, style) }
        switch self {
        case .excluded(let reason, let hours, let count, _):
            let rule = reason == .notEligibleAtStart ? "règle 1" : "règle 2"
            guard let count else { return "Exclues : \(h(hours)), \(reason.frenchLabel) (\(rule))." }
            return
                "Exclues : \(h(hours)) de \(French.count(count, "mise", "mises", style)) à l'emploi, \(reason.frenchLabel) (\(rule))."
        case .countedWorkedHours(let mode, let hours, let attested):
            let detail = attested > 0 ? " (dont \(h(attested)) attestées par la SIAE)" : ""
            return "\(mode.frenchLabel) : \(h(hours)) travaillées valorisées\(detail)."
        case .uncountedWorkedHours(let mode, let hours):
            return "\(mode.frenchLabel) : \(h(hours)) travaillées non valorisées (règle de comptage de la clause)."
        case .countedTrainingHours(let mode, let hours):
            return "\(mode.frenchLabel) : \(h(hours)) de formation valorisées."
        case .cappedTrainingHours(let mode, let declared, let counted):
            return
                "\(mode.frenchLabel) : \(h(declared)) de formation déclarées, \(h(counted)) valorisées (plafond de formation)."
        case .uncountedTrainingHours(let mode, let hours):
            return "\(mode.frenchLabel) : \(h(hours)) de formation non valorisées (règle de comptage de la clause)."
        case .hireBonus(let mode, let perHire, let hires, let hours):
            guard let perHire, let hires else {
                return "\(mode.frenchLabel) : bonus d'embauche en CDI ou en CDD d'au moins 6 mois = \(h(hours))."
            }
            return
                "\(mode.frenchLabel) : bonus de \(h(perHire)) par embauche en CDI ou en CDD d'au moins 6 mois × \(hires) = \(h(hours))."
        case .subcontractConversion(let mode, let amount, let share, let cost, let hours):
            return
                "\(mode.frenchLabel) : \(French.euros(amount, style)) × \(French.percent(share, style)) ÷ \(French.number(cost, style)) €/h = \(h(hours)) (montant payé à la SIAE converti en heures, faute d'heures attestées)."
        case .trainingCap(let share, let cap, let declared, let counted):
            if declared > cap {
                return
                    "Heures de formation plafonnées à \(French.percent(share, style)) des heures prescrites (\(h(cap))) : \(h(declared)) déclarées, \(h(counted)) valorisées."
            }
            return
                "Heures de formation : \(h(counted)) valorisées, sous le plafond de \(French.percent(share, style)) des heures prescrites (\(h(cap)))."
        case .creditedHours(let worked, let training, let bonus, let converted, let total):
            var parts: [String] = []
            if worked > 0 { parts.append("\(h(worked)) travaillées") }
            if training > 0 { parts.append("\(h(training)) de formation") }
            if bonus > 0 { parts.append("\(h(bonus)) de bonus d'embauche") }
            if converted > 0 { parts.append("\(h(converted)) converties") }
            if parts.count > 1 { return "Heures valorisées : \(parts.joined(separator: " + ")) = \(h(total))." }
            return "Heures valorisées : \(h(total))."
        case .surplus(let hours, let required):
            return "Excédent conservé : \(h(hours)) au-delà des \(h(required)) prescrites (effet levier)."
        }
    }
}

/// JSON: `{"rule": "hireBonus", "mode": "directHire", "hoursPerHire": 70, "hires": 2, "hours": 140,
/// "text": "Embauche directe : bonus de 70 h …"}`, the text in plain-text style.
extension CreditExplanation: Encodable {
    private enum Key: String, CodingKey {
        case rule, text, reason, hours, placementCount, placementIds, mode, attestedHours, declaredHours
        case countedHours, hoursPerHire, hires, amount, labourShare, hourlyCost, share, capHours
        case worked, training, bonus, converted, total, requiredHours
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(rule, forKey: .rule)
        switch self {
        case .excluded(let reason, let hours, let count, let ids):
            try c.encode(reason, forKey: .reason)
            try c.encode(hours, forKey: .hours)
            try c.encodeIfPresent(count, forKey: .placementCount)
            try c.encodeIfPresent(ids, forKey: .placementIds)
        case .countedWorkedHours(let mode, let hours, let attested):
            try c.encode(mode, forKey: .mode)
            try c.encode(hours, forKey: .hours)
            try c.encode(attested, forKey: .attestedHours)
        case .uncountedWorkedHours(let mode, let hours), .countedTrainingHours(let mode, let hours),
            .uncountedTrainingHours(let mode, let hours):
            try c.encode(mode, forKey: .mode)
            try c.encode(hours, forKey: .hours)
        case .cappedTrainingHours(let mode, let declared, let counted):
            try c.encode(mode, forKey: .mode)
            try c.encode(declared, forKey: .declaredHours)
            try c.encode(counted, forKey: .countedHours)
        case .hireBonus(let mode, let perHire, let hires, let hours):
            try c.encode(mode, forKey: .mode)
            try c.encodeIfPresent(perHire, forKey: .hoursPerHire)
            try c.encodeIfPresent(hires, forKey: .hires)
            try c.encode(hours, forKey: .hours)
        case .subcontractConversion(let mode, let amount, let share, let cost, let hours):
            try c.encode(mode, forKey: .mode)
            try c.encode(amount, forKey: .amount)
            try c.encode(share, forKey: .labourShare)
            try c.encode(cost, forKey: .hourlyCost)
            try c.encode(hours, forKey: .hours)
        case .trainingCap(let share, let cap, let declared, let counted):
            try c.encode(share, forKey: .share)
            try c.encode(cap, forKey: .capHours)
            try c.encode(declared, forKey: .declaredHours)
            try c.encode(counted, forKey: .countedHours)
        case .creditedHours(let worked, let training, let bonus, let converted, let total):
            try c.encode(worked, forKey: .worked)
            try c.encode(training, forKey: .training)
            try c.encode(bonus, forKey: .bonus)
            try c.encode(converted, forKey: .converted)
            try c.encode(total, forKey: .total)
        case .surplus(let hours, let required):
            try c.encode(hours, forKey: .hours)
            try c.encode(required, forKey: .requiredHours)
        }
        try c.encode(french(.text), forKey: .text)
    }
}
