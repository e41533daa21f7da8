import Foundation

/// The calibration result as JSON (CLI `--json` and the API): whole required hours as a number, the
/// unrounded value as an exact decimal string, the inputs and rounding that produced them.
public struct CalibrationReport: Encodable, Sendable {
    public let mode: String
    public let requiredHours: Decimal
    public let unroundedHours: String
    public let warnings: [String]
    public let explanation: String
    public let inputs: CalibrationInput
    public let rounding: String

    public init(_ result: CalibrationResult, input: CalibrationInput, rounding: Rounding) {
        mode = result.mode.rawValue
        requiredHours = result.requiredHours
        unroundedHours = FrenchNumber.format(result.unroundedHours)
        warnings = result.warnings
        explanation = result.explanation
        inputs = input
        self.rounding = rounding.rawValue
    }
}
