import Foundation

/// Why a placement's hours were left out of the count.
public enum ExclusionReason: String, InputEnum {
    /// Rule 1: the person was not eligible on the placement's start date.
    case notEligibleAtStart = "not_eligible_at_start"
    /// Rule 2: the hours were worked off the operation that carries the clause.
    case offOperation = "off_operation"

    public var frenchLabel: String {
        switch self {
        case .notEligibleAtStart: "personne non éligible au démarrage de la mise à l'emploi"
        case .offOperation: "heures réalisées hors de l'opération portant la clause"
        }
    }
}

public struct Exclusion: Codable, Sendable, Equatable {
    public var reason: ExclusionReason
    /// Worked (or attested) plus training hours left out.
    public var hours: Decimal
    /// The placements concerned; nil (absent from JSON) in a buyer's answer, which names no placement.
    public var placementIds: [String]?
}

public struct MonthCredit: Codable, Sendable, Equatable {
    public var month: YearMonth
    /// All worked hours reported for the month, counted or not.
    public var worked: Decimal
    /// All training hours reported for the month, counted or not.
    public var training: Decimal
    public var countedWorked: Decimal
    public var countedTraining: Decimal
    public var bonus: Decimal
    public var converted: Decimal
    /// countedWorked + countedTraining + bonus + converted.
    public var credited: Decimal
    public var cumulativeCredited: Decimal
}

public struct ModeCredit: Codable, Sendable, Equatable {
    public var mode: ExecutionMode
    /// nil in a buyer's view (DOMAIN §8).
    public var placementCount: Int?
    public var workedHours: Decimal
    public var countedWorkedHours: Decimal
    /// Worked hours of counted placements that the mode's rule does not count.
    public var uncountedWorkedHours: Decimal
    /// Part of the counted worked hours that came from SIAE attestations.
    public var attestedHours: Decimal
    public var trainingHours: Decimal
    /// Training hours of counted placements that the mode's rule counts, before the training cap.
    public var countableTrainingHours: Decimal
    /// Training hours of counted placements that the mode's rule does not count.
    public var uncountedTrainingHours: Decimal
    public var countedTrainingHours: Decimal
    public var bonusHours: Decimal
    /// Qualifying hires; nil in a buyer's view.
    public var hires: Int?
    public var subcontractAmount: Decimal
    public var convertedHours: Decimal
    public var excludedHours: Decimal
    public var creditedHours: Decimal
}

/// Hours credited to a clause, every figure traceable to the rule that produced it.
public struct Credit: Encodable, Sendable, Equatable {
    /// All worked hours reported (attested hours for SIAE months that have them), whether they count or not:
    /// excluded placements and modes whose worked hours do not count are included.
    public var workedHours: Decimal
    public var countedWorkedHours: Decimal
    /// All training hours reported, whether they count or not.
    public var trainingHours: Decimal
    /// Training hours the rules count, before the training cap.
    public var countableTrainingHours: Decimal
    /// Training hours credited, after the training cap.
    public var countedTrainingHours: Decimal
    /// The training cap in hours: `trainingCapShare × requiredHours`, rounded to 2 decimals.
    public var trainingCapHours: Decimal
    public var bonusHours: Decimal
    /// Hours converted from amounts paid to SIAE.
    public var convertedHours: Decimal
    /// countedWorked + countedTraining + bonus + converted; never clipped to the required hours.
    public var creditedHours: Decimal
    /// Hours left out by rules 1–2 (not eligible at start, off the operation).
    public var excludedHours: Decimal
    public var exclusions: [Exclusion]
    /// Month by month, sorted by month.
    public var months: [MonthCredit]
    /// By execution mode, in `ExecutionMode.allCases` order, modes without placements left out.
    public var byMode: [ModeCredit]
    /// Each rule applied with its figures, in reading order (`CreditExplanation.lines`).
    public var explanation: [CreditExplanation]
}
