import Foundation

/// One rule per kind of figure, shared by the API, the pages and the CSV imports so a value refused by
/// one is refused by all, with the same words. Each returns a French problem (without the field name,
/// which each boundary adds its own way) or nil.
public enum FieldRules {
    /// Hours as the ledger stores them: not negative, at most two decimals (151,67). (A month's own
    /// ceiling, its days × 24, is the hour-report rule's.)
    public static func hoursProblem(_ value: Decimal) -> String? {
        if value < 0 { return "les heures ne peuvent pas être négatives" }
        if !hasAtMostTwoDecimals(value) { return "deux décimales au plus pour des heures" }
        return nil
    }

    /// Money in euros: not negative, at most two decimals, below a hundred thousand billion.
    public static func amountProblem(_ value: Decimal) -> String? {
        if value < 0 { return "un montant ne peut pas être négatif" }
        if !hasAtMostTwoDecimals(value) { return "deux décimales au plus pour un montant en euros" }
        if value >= maximumAmount {
            return "montant trop élevé (moins de \(French.euros(maximumAmount, .text)) attendu)"
        }
        return nil
    }

    /// A birth date is not in the future.
    public static func birthDateProblem(_ date: LocalDate, today: LocalDate) -> String? {
        date > today ? "date de naissance dans le futur" : nil
    }

    /// The distance a participant may travel to work, in kilometres.
    public static let travelKilometres = 0...2000

    /// What `numeric(16, 2)` columns hold.
    public static let maximumAmount: Decimal = 100_000_000_000_000

    static func hasAtMostTwoDecimals(_ value: Decimal) -> Bool {
        French.round(value, scale: 2) == value
    }
}
