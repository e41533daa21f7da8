import ClausesCore
import Foundation

/// The clause form's calculator: one fieldset per calibration mode (DOMAIN §3), read into a
/// `CalibrationInput`, computed by `calibrate` (the one rule the API and the CLI use) to show the formula
/// and the result before anything is saved.
enum ClauseCalculator {
    /// Each mode's inputs: the form's field (`mode.key`), its label, whether it is a percentage, and the
    /// name `calibrate` gives it in its refusals.
    struct Input {
        let key: String
        let label: String
        let percent: Bool
        let ruleField: String
    }

    static func inputs(_ mode: CalibrationMode) -> [Input] {
        switch mode {
        case .standard:
            [
                .init(key: "amount", label: "Montant HT du lot (€)", percent: false, ruleField: "amount"),
                .init(key: "labourShare", label: "Part de main-d'œuvre (%)", percent: true, ruleField: "labour-share"),
                .init(key: "rate", label: "Taux d'insertion (%)", percent: true, ruleField: "rate"),
                .init(key: "hourlyCost", label: "Coût horaire chargé (€/h)", percent: false, ruleField: "hourly-cost"),
            ]
        case .fixed: [.init(key: "hours", label: "Heures fixées au marché", percent: false, ruleField: "hours")]
        case .shareOfWorkedHours:
            [
                .init(key: "rate", label: "Taux d'insertion (%)", percent: true, ruleField: "rate"),
                .init(
                    key: "workedHours", label: "Heures travaillées sur le lot", percent: false,
                    ruleField: "worked-hours"),
            ]
        case .perInvoicedAmount:
            [
                .init(key: "per", label: "Montant facturé par heure d'insertion (€)", percent: false, ruleField: "per"),
                .init(key: "invoiced", label: "Montant facturé (€)", percent: false, ruleField: "invoiced"),
            ]
        case .cleaningPACT:
            [
                .init(
                    key: "turnover", label: "Chiffre d'affaires sur la période (€)", percent: false,
                    ruleField: "turnover"),
                .init(key: "months", label: "Durée (mois)", percent: false, ruleField: "months"),
                .init(key: "rate", label: "Taux d'insertion (%)", percent: true, ruleField: "rate"),
                .init(
                    key: "transferredMonthlyHours", label: "Heures mensuelles du personnel repris", percent: false,
                    ruleField: "transferred-monthly-hours"),
                .init(key: "coefficient", label: "Coefficient", percent: false, ruleField: "coefficient"),
            ]
        }
    }

    static func name(_ mode: CalibrationMode, _ key: String) -> String { "\(mode.rawValue).\(key)" }

    /// The chosen mode's rule fields → the form's fields, so a refusal shows next to what was typed.
    static func fieldNames(_ draft: FormDraft) -> [String: String] {
        guard let mode = draft.values["mode"].flatMap(CalibrationMode.init(rawValue:)) else { return [:] }
        var names = Dictionary(uniqueKeysWithValues: inputs(mode).map { ($0.ruleField, name(mode, $0.key)) })
        names["penaltyPerMissingHour"] = "penalty"
        return names
    }

    /// What the form shows first: the stored clause's inputs, or the standard mode with the lot's amount.
    static func values(_ clause: InsertionClause?, lot: Lot) -> [String: String] {
        guard let clause else {
            return [
                "mode": CalibrationMode.standard.rawValue,
                name(.standard, "amount"): lot.amountExclVat.map { French.number($0, maxFraction: 2) } ?? "",
                name(.cleaningPACT, "coefficient"): "25",
            ]
        }
        let mode = clause.calibration.mode
        var values = ["mode": mode.rawValue, "rounding": clause.rounding.rawValue]
        if let penalty = clause.penaltyPerMissingHour { values["penalty"] = French.number(penalty, maxFraction: 2) }
        let figure = { (d: Decimal) in French.number(d, maxFraction: 6) }
        let share = { (d: Decimal) in French.number(d * 100, maxFraction: 6) }
        let stored: [String: String] =
            switch clause.calibration {
            case .standard(let amount, let labourShare, let rate, let hourlyCost):
                [
                    "amount": figure(amount), "labourShare": share(labourShare), "rate": share(rate),
                    "hourlyCost": figure(hourlyCost),
                ]
            case .fixed(let hours): ["hours": figure(hours)]
            case .shareOfWorkedHours(let rate, let workedHours):
                ["rate": share(rate), "workedHours": figure(workedHours)]
            case .perInvoicedAmount(let per, let invoiced): ["per": figure(per), "invoiced": figure(invoiced)]
            case .cleaningPACT(let turnover, let months, let rate, let transferred, let coefficient):
                [
                    "turnover": figure(turnover), "months": String(months), "rate": share(rate),
                    "transferredMonthlyHours": figure(transferred), "coefficient": figure(coefficient),
                ]
            }
        for (key, value) in stored { values[name(mode, key)] = value }
        return values
    }

    static func sections(_ draft: FormDraft) -> [FormSection] {
        [
            FormSection(
                legend: nil,
                fields: [
                    draft.select(
                        "mode", "Mode de calcul",
                        options: CalibrationMode.allCases.map { ($0.rawValue, modeLabel($0)) },
                        required: true, hint: "Seules les données du mode choisi sont lues."),
                    draft.select(
                        "rounding", "Arrondi", options: Rounding.allCases.map { ($0.rawValue, $0.frenchLabel) },
                        blank: "Celui de la configuration"),
                    draft.input("penalty", "Pénalité par heure manquante (€)", hint: "Si le marché en prévoit une"),
                ])
        ]
            + CalibrationMode.allCases.map { mode in
                FormSection(
                    legend: "Données du mode « \(modeLabel(mode)) »",
                    fields: inputs(mode).map { draft.input(name(mode, $0.key), $0.label) }, group: mode.rawValue)
            }
    }

    static func modeLabel(_ mode: CalibrationMode) -> String {
        mode.frenchLabel.prefix(1).uppercased() + mode.frenchLabel.dropFirst()
    }

    /// The clause as typed, or nil with the refusals noted next to their fields.
    static func input(_ draft: inout FormDraft) -> InsertionClause.Input? {
        guard let mode: CalibrationMode = draft.choice("mode", required: true) else { return nil }
        var figures: [String: Decimal] = [:]
        for input in inputs(mode) {
            let field = name(mode, input.key)
            let value = input.percent ? draft.percent(field, required: true) : draft.decimal(field, required: true)
            figures[input.key] = value
        }
        let penalty = draft.decimal("penalty")
        let rounding = draft.text("rounding")
        var months = 0
        if mode == .cleaningPACT, let typed = figures["months"] {
            guard let whole = Int(exactly: NSDecimalNumber(decimal: typed)) else {
                draft.errors[name(mode, "months")] = "La durée s'écrit en mois entiers."
                return nil
            }
            months = whole
        }
        guard draft.isValid else { return nil }
        let f = { (key: String) in figures[key] ?? 0 }
        let calibration: CalibrationInput =
            switch mode {
            case .standard:
                .standard(
                    amount: f("amount"), labourShare: f("labourShare"), rate: f("rate"), hourlyCost: f("hourlyCost"))
            case .fixed: .fixed(hours: f("hours"))
            case .shareOfWorkedHours: .shareOfWorkedHours(rate: f("rate"), workedHours: f("workedHours"))
            case .perInvoicedAmount: .perInvoicedAmount(per: f("per"), invoiced: f("invoiced"))
            case .cleaningPACT:
                .cleaningPACT(
                    turnover: f("turnover"), months: months, rate: f("rate"),
                    transferredMonthlyHours: f("transferredMonthlyHours"), coefficient: f("coefficient"))
            }
        return InsertionClause.Input(calibration: calibration, rounding: rounding, penaltyPerMissingHour: penalty)
    }

    /// The formula and the result of what is typed, or nil (with the refusals noted) when it cannot be
    /// computed yet. A first opening without inputs shows nothing and refuses nothing.
    static func preview(_ draft: inout FormDraft, defaultRounding: Rounding) -> RecordFormPage.Preview? {
        guard let mode = draft.values["mode"].flatMap(CalibrationMode.init(rawValue:)),
            inputs(mode).allSatisfy({ !(draft.values[name(mode, $0.key)] ?? "").isEmpty })
        else { return nil }
        var trial = draft
        guard let input = input(&trial) else {
            draft.errors.merge(trial.errors) { $1 }
            return nil
        }
        do {
            let rounding =
                try input.rounding.map { (text: String) throws(DomainError) in try Rounding.parse(text) }
                ?? defaultRounding
            let result = try calibrate(input.calibration, rounding: rounding)
            return .init(
                heading: "Heures d'insertion prescrites : \(French.hours(result.requiredHours))",
                lines: ["Formule : \(result.explanation)"] + result.warnings.map { "⚠ \($0)" }, good: true)
        } catch {
            draft.absorb(error, fieldNames: fieldNames(draft))
            return nil
        }
    }
}
