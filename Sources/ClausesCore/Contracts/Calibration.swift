import Foundation

// How many insertion hours a lot's clause requires (DOMAIN.md §3). Pure functions, exact decimals.

/// How the final figure is brought to a whole number of hours.
public enum Rounding: String, InputEnum {
    case halfUp = "half-up"
    case down
    case up

    /// Rounds to whole hours.
    public func apply(_ d: Decimal) -> Decimal {
        switch self {
        case .halfUp: French.round(d, scale: 0, mode: .plain)
        case .down: French.round(d, scale: 0, mode: .down)
        case .up: French.round(d, scale: 0, mode: .up)
        }
    }

    /// French wording used in explanations.
    public var frenchLabel: String {
        switch self {
        case .halfUp: "arrondi au plus proche"
        case .down: "arrondi à l'heure inférieure"
        case .up: "arrondi à l'heure supérieure"
        }
    }

    /// Accepts "half-up", "halfUp", "down", "up".
    public static func parse(_ text: String, field: String = "rounding") throws(DomainError) -> Rounding {
        let trimmed = FrenchNumber.trim(text)
        if let value = Rounding(rawValue: trimmed) { return value }
        if trimmed == "halfUp" { return .halfUp }
        let valid = allCases.map(\.rawValue).joined(separator: ", ")
        throw DomainError.invalid(field, "Arrondi inconnu (\(field)) : « \(text) ». Valeurs possibles : \(valid).")
    }
}

/// The ways a clause states its required hours.
public enum CalibrationMode: String, InputEnum {
    case standard
    case fixed
    case shareOfWorkedHours
    case perInvoicedAmount
    case cleaningPACT

    /// The name used on the command line.
    public var cliName: String {
        switch self {
        case .standard: "standard"
        case .fixed: "fixed"
        case .shareOfWorkedHours: "share-of-worked-hours"
        case .perInvoicedAmount: "per-invoiced-amount"
        case .cleaningPACT: "cleaning-pact"
        }
    }

    /// French name for people.
    public var frenchLabel: String {
        switch self {
        case .standard: "calcul standard"
        case .fixed: "nombre d'heures fixé au marché"
        case .shareOfWorkedHours: "part des heures travaillées"
        case .perInvoicedAmount: "une heure par tranche facturée"
        case .cleaningPACT: "PACT propreté"
        }
    }

    /// Accepts the camelCase raw value ("shareOfWorkedHours") or the command-line name ("share-of-worked-hours").
    public static func parse(_ text: String, field: String = "mode") throws(DomainError) -> CalibrationMode {
        let trimmed = FrenchNumber.trim(text)
        if let mode = CalibrationMode(rawValue: trimmed) { return mode }
        if let mode = allCases.first(where: { $0.cliName == trimmed }) { return mode }
        let valid = allCases.map(\.rawValue).joined(separator: ", ")
        throw DomainError.invalid(
            field,
            "Mode de calcul inconnu : « \(text) ». Modes possibles : \(valid) (ou en ligne de commande : \(allCases.map(\.cliName).joined(separator: ", ")))."
        )
    }
}

/// The inputs of one calibration mode. Encoded as a flat JSON object with decimals as strings:
/// `{"mode": "standard", "amount": "1000000", "labourShare": "0.5", "rate": "0.05", "hourlyCost": "30"}`.
public enum CalibrationInput: Sendable, Equatable, Codable {
    /// `amount × labourShare × rate ÷ hourlyCost`.
    case standard(amount: Decimal, labourShare: Decimal, rate: Decimal, hourlyCost: Decimal)
    /// Hours written in the contract.
    case fixed(hours: Decimal)
    /// `rate × workedHours` (total hours the contractor reports on the lot).
    case shareOfWorkedHours(rate: Decimal, workedHours: Decimal)
    /// `floor(invoiced ÷ per)`.
    case perInvoicedAmount(per: Decimal, invoiced: Decimal)
    /// Cleaning sector: `P = 1 − S×C ÷ (A÷N)`, `I = P × A ÷ C × T`.
    case cleaningPACT(
        turnover: Decimal, months: Int, rate: Decimal, transferredMonthlyHours: Decimal, coefficient: Decimal = 25)

    public var mode: CalibrationMode {
        switch self {
        case .standard: .standard
        case .fixed: .fixed
        case .shareOfWorkedHours: .shareOfWorkedHours
        case .perInvoicedAmount: .perInvoicedAmount
        case .cleaningPACT: .cleaningPACT
        }
    }

    enum CodingKeys: String, CodingKey {
        case mode, amount, labourShare, rate, hourlyCost, hours, workedHours, per, invoiced
        case turnover, months, transferredMonthlyHours, coefficient
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let modeText = try c.decode(String.self, forKey: .mode)
        let mode: CalibrationMode
        do {
            mode = try CalibrationMode.parse(modeText)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .mode, in: c, debugDescription: error.message)
        }
        switch mode {
        case .standard:
            self = .standard(
                amount: try Self.decimal(c, .amount),
                labourShare: try Self.decimal(c, .labourShare, rate: true),
                rate: try Self.decimal(c, .rate, rate: true),
                hourlyCost: try Self.decimal(c, .hourlyCost))
        case .fixed:
            self = .fixed(hours: try Self.decimal(c, .hours))
        case .shareOfWorkedHours:
            self = .shareOfWorkedHours(
                rate: try Self.decimal(c, .rate, rate: true), workedHours: try Self.decimal(c, .workedHours))
        case .perInvoicedAmount:
            self = .perInvoicedAmount(per: try Self.decimal(c, .per), invoiced: try Self.decimal(c, .invoiced))
        case .cleaningPACT:
            let months: Int
            if let number = try? c.decode(Int.self, forKey: .months) {
                months = number
            } else {
                let text = try c.decode(String.self, forKey: .months)
                guard let number = Int(FrenchNumber.trim(text)) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .months, in: c,
                        debugDescription: "La durée en mois (months) doit être un nombre entier : « \(text) » reçu.")
                }
                months = number
            }
            self = .cleaningPACT(
                turnover: try Self.decimal(c, .turnover),
                months: months,
                rate: try Self.decimal(c, .rate, rate: true),
                transferredMonthlyHours: try Self.decimal(c, .transferredMonthlyHours),
                coefficient: c.contains(.coefficient) ? try Self.decimal(c, .coefficient) : 25)
        }
    }

    /// Decimals are read from strings (exact); plain JSON numbers are tolerated.
    private static func decimal(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys, rate: Bool = false) throws
        -> Decimal
    {
        if let text = try? c.decode(String.self, forKey: key) {
            do {
                return rate
                    ? try FrenchNumber.parseRate(text, field: key.stringValue)
                    : try FrenchNumber.parseDecimal(text, field: key.stringValue)
            } catch {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: error.message)
            }
        }
        if let integer = try? c.decode(Int.self, forKey: key) {
            return Decimal(integer)
        }
        return try c.decode(Decimal.self, forKey: key)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mode.rawValue, forKey: .mode)
        func put(_ d: Decimal, _ key: CodingKeys) throws {
            try c.encode(FrenchNumber.format(d, maxFractionDigits: FrenchNumber.maxDigits), forKey: key)
        }
        switch self {
        case .standard(let amount, let labourShare, let rate, let hourlyCost):
            try put(amount, .amount)
            try put(labourShare, .labourShare)
            try put(rate, .rate)
            try put(hourlyCost, .hourlyCost)
        case .fixed(let hours):
            try put(hours, .hours)
        case .shareOfWorkedHours(let rate, let workedHours):
            try put(rate, .rate)
            try put(workedHours, .workedHours)
        case .perInvoicedAmount(let per, let invoiced):
            try put(per, .per)
            try put(invoiced, .invoiced)
        case .cleaningPACT(let turnover, let months, let rate, let transferredMonthlyHours, let coefficient):
            try put(turnover, .turnover)
            try c.encode(months, forKey: .months)
            try put(rate, .rate)
            try put(transferredMonthlyHours, .transferredMonthlyHours)
            try put(coefficient, .coefficient)
        }
    }
}

/// The required hours of a clause, with how they were obtained.
public struct CalibrationResult: Sendable, Equatable {
    public let mode: CalibrationMode
    /// Whole hours, after rounding.
    public let requiredHours: Decimal
    /// The exact value rounded half-up to 6 decimals.
    public let unroundedHours: Decimal
    /// Warnings for people, in French.
    public let warnings: [String]
    /// One-line French formula with the numbers.
    public let explanation: String

    public init(
        mode: CalibrationMode, requiredHours: Decimal, unroundedHours: Decimal, warnings: [String], explanation: String
    ) {
        self.mode = mode
        self.requiredHours = requiredHours
        self.unroundedHours = unroundedHours
        self.warnings = warnings
        self.explanation = explanation
    }
}

/// Below this many hours, no cleaning PACT clause is advised.
public let cleaningPACTThresholdHours: Decimal = 150

/// Computes the required hours of a clause (DOMAIN.md §3). Refuses invalid inputs with a French message
/// naming the field (command-line flag names).
public func calibrate(_ input: CalibrationInput, rounding: Rounding = .halfUp) throws(DomainError) -> CalibrationResult
{
    let fr = { (d: Decimal) in French.number(d, maxFraction: 6) }
    let pct = { (d: Decimal) in French.number(d * 100, maxFraction: 6) + " %" }

    func finish(_ exact: Decimal, _ formula: String, warnings: [String] = []) -> CalibrationResult {
        let required = rounding.apply(exact)
        let unrounded = French.round(exact, scale: 6)
        return CalibrationResult(
            mode: input.mode,
            requiredHours: required,
            unroundedHours: unrounded,
            warnings: warnings,
            explanation: "\(formula) = \(fr(unrounded)) h, \(rounding.frenchLabel) : \(fr(required)) h")
    }

    switch input {
    case .standard(let amount, let labourShare, let rate, let hourlyCost):
        try nonNegative(amount, "amount", "Le montant HT")
        try fraction(labourShare, "labour-share", "La part de main-d'œuvre", feminine: true)
        try fraction(rate, "rate", "Le taux d'insertion")
        try positive(hourlyCost, "hourly-cost", "Le coût horaire chargé")
        let exact = amount * labourShare * rate / hourlyCost
        return finish(exact, "\(fr(amount)) € × \(pct(labourShare)) × \(pct(rate)) ÷ \(fr(hourlyCost)) €/h")

    case .fixed(let hours):
        try nonNegative(hours, "hours", "Le nombre d'heures fixé au marché")
        return finish(hours, "Heures fixées au marché")

    case .shareOfWorkedHours(let rate, let workedHours):
        try fraction(rate, "rate", "Le taux d'insertion")
        try nonNegative(workedHours, "worked-hours", "Le total d'heures travaillées")
        return finish(rate * workedHours, "\(pct(rate)) × \(fr(workedHours)) h travaillées")

    case .perInvoicedAmount(let per, let invoiced):
        try positive(per, "per", "Le montant facturé par heure d'insertion")
        try nonNegative(invoiced, "invoiced", "Le montant facturé")
        let exact = invoiced / per
        let required = French.round(exact, scale: 0, mode: .down)
        let unrounded = French.round(exact, scale: 6)
        return CalibrationResult(
            mode: .perInvoicedAmount,
            requiredHours: required,
            unroundedHours: unrounded,
            warnings: [],
            explanation:
                "\(fr(invoiced)) € facturés ÷ \(fr(per)) € par heure = \(fr(unrounded)), tranches entières seulement : \(fr(required)) h"
        )

    case .cleaningPACT(let turnover, let months, let rate, let transferred, let coefficient):
        try nonNegative(turnover, "turnover", "Le chiffre d'affaires sur la période")
        guard months >= 1 else {
            throw DomainError.invalid(
                "months", "La durée du marché en mois (months) doit être d'au moins 1 mois : \(months) reçu.")
        }
        try fraction(rate, "rate", "Le taux d'insertion")
        try nonNegative(transferred, "transferred-monthly-hours", "Le nombre d'heures mensuelles du personnel repris")
        try positive(coefficient, "coefficient", "Le coefficient")
        guard turnover > 0 else {
            throw DomainError.invalid(
                "turnover",
                "Le chiffre d'affaires sur la période (turnover) doit être strictement positif pour le calcul PACT propreté : 0 reçu."
            )
        }
        let monthlyTurnover = turnover / Decimal(months)
        // P × A = A − S×C×N, computed without the intermediate division for exactness.
        let remaining = turnover - transferred * coefficient * Decimal(months)
        guard remaining > 0 else {
            throw DomainError.invalid(
                "transferred-monthly-hours",
                "Calcul PACT impossible : le personnel repris (\(fr(transferred)) h par mois × coefficient \(fr(coefficient)) = \(fr(transferred * coefficient)) € par mois) dépasse déjà le chiffre d'affaires mensuel du marché (\(fr(French.round(monthlyTurnover, scale: 2))) €) : la part P est nulle ou négative, aucune heure d'insertion ne peut être exigée.",
                code: .calibrationRefused)
        }
        let share = remaining / turnover
        let exact = remaining * rate / coefficient
        var warnings: [String] = []
        if exact < cleaningPACTThresholdHours {
            warnings.append(
                "Moins de 150 h d'insertion (\(fr(French.round(exact, scale: 6))) h) : aucune clause n'est conseillée pour ce marché de propreté."
            )
        }
        let formula =
            "P = 1 − \(fr(transferred)) h × \(fr(coefficient)) ÷ (\(fr(turnover)) € ÷ \(months) mois) = \(fr(French.round(share, scale: 6))) ; "
            + "I = P × \(fr(turnover)) € ÷ \(fr(coefficient)) × \(pct(rate))"
        return finish(exact, formula, warnings: warnings)
    }
}

private func nonNegative(_ d: Decimal, _ field: String, _ label: String) throws(DomainError) {
    guard d >= 0 else {
        throw DomainError.invalid(
            field, "\(label) (\(field)) doit être positif ou nul : \(French.number(d, maxFraction: 6)) reçu.")
    }
}

private func positive(_ d: Decimal, _ field: String, _ label: String) throws(DomainError) {
    guard d > 0 else {
        throw DomainError.invalid(
            field, "\(label) (\(field)) doit être strictement positif : \(French.number(d, maxFraction: 6)) reçu.")
    }
}

private func fraction(_ d: Decimal, _ field: String, _ label: String, feminine: Bool = false) throws(DomainError) {
    guard d >= 0, d <= 1 else {
        throw DomainError.invalid(
            field,
            "\(label) (\(field)) doit être \(feminine ? "comprise" : "compris") entre 0 et 100 % (0 et 1) : \(French.number(d, maxFraction: 6)) reçu."
        )
    }
}
