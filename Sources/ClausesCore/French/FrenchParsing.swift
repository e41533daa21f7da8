import Foundation

/// The one parser of numbers as people write them in France ("1 000 000,50", "5,5 %"), exactly, with
/// Foundation `Decimal` (never floating point); `French` prints them.
public enum FrenchNumber {
    /// Spaces accepted as thousands separators: space, no-break space, narrow no-break space.
    static let groupSeparators: Set<Character> = [" ", "\u{00A0}", "\u{202F}"]

    /// More digits than this cannot be held exactly by `Decimal`.
    static let maxDigits = 38

    static let posix = Locale(identifier: "en_US_POSIX")

    /// Parses "1000000", "1 000 000", "1000000,00", "1000000.5", "-3".
    /// Refuses anything else ("abc", "", "1,2,3", "12a", "1e5") with a French message naming `field`.
    public static func parseDecimal(_ text: String, field: String) throws(DomainError) -> Decimal {
        let trimmed = trim(text)
        guard !trimmed.isEmpty else {
            throw DomainError.invalid(
                field, "Le champ « \(field) » est vide : un nombre est attendu (par exemple 1 000 000 ou 0,5).")
        }
        guard let value = normalisedDecimal(trimmed) else {
            throw DomainError.invalid(
                field,
                "Le champ « \(field) » doit être un nombre (par exemple 1 000 000, 1000000,50 ou 0,5) : « \(text) » reçu."
            )
        }
        return value
    }

    /// Parses a rate: a fraction ("0.5", "0,5") or a percentage ("50%", "50 %", "5,5 %", divided by 100).
    public static func parseRate(_ text: String, field: String) throws(DomainError) -> Decimal {
        var trimmed = trim(text)
        guard !trimmed.isEmpty else {
            throw DomainError.invalid(
                field, "Le champ « \(field) » est vide : un taux est attendu (par exemple 0,05 ou 5 %).")
        }
        var isPercent = false
        if trimmed.hasSuffix("%") {
            isPercent = true
            trimmed = trim(String(trimmed.dropLast()))
        }
        guard !trimmed.isEmpty, let value = normalisedDecimal(trimmed) else {
            throw DomainError.invalid(
                field, "Le champ « \(field) » doit être un taux (par exemple 0,05, 5 % ou 5,5 %) : « \(text) » reçu.")
        }
        return isPercent ? value / 100 : value
    }

    /// A plain machine-readable string for JSON: dot as decimal separator, no grouping, trailing zeros
    /// trimmed, rounded half-up (away from zero) at `maxFractionDigits`. Examples: "833.333333", "1000".
    public static func format(_ d: Decimal, maxFractionDigits: Int = 6) -> String {
        French.number(d, .json, maxFraction: maxFractionDigits)
    }

    static func trim(_ text: String) -> String {
        var scalars = Substring(text)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

    /// Validates the French or plain spelling and returns the exact value, or nil if it is not a number.
    static func normalisedDecimal(_ text: String) -> Decimal? {
        var rest = Substring(text)
        var sign = ""
        if let first = rest.first, first == "-" || first == "+" || first == "\u{2212}" {
            sign = first == "+" ? "" : "-"
            rest.removeFirst()
            while let next = rest.first, groupSeparators.contains(next) { rest.removeFirst() }
        }
        // At most one decimal separator, comma or dot.
        let separators = rest.filter { $0 == "," || $0 == "." }
        guard separators.count <= 1 else { return nil }
        let pieces = rest.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "," || $0 == "." })
        let integerText = pieces[0]
        let fractionText = pieces.count > 1 ? pieces[1] : Substring("")
        if pieces.count > 1, fractionText.isEmpty { return nil }
        guard fractionText.allSatisfy(isASCIIDigit) else { return nil }

        // Integer part: plain digits, or groups of three separated by one space ("1 000 000").
        var integerDigits = ""
        if integerText.contains(where: { groupSeparators.contains($0) }) {
            let groups = integerText.split(
                omittingEmptySubsequences: false, whereSeparator: { groupSeparators.contains($0) })
            for (index, group) in groups.enumerated() {
                guard group.allSatisfy(isASCIIDigit) else { return nil }
                if index == 0 {
                    guard (1...3).contains(group.count) else { return nil }
                } else {
                    guard group.count == 3 else { return nil }
                }
                integerDigits += group
            }
        } else {
            guard integerText.allSatisfy(isASCIIDigit) else { return nil }
            integerDigits = String(integerText)
        }
        guard !integerDigits.isEmpty || !fractionText.isEmpty else { return nil }
        if integerDigits.isEmpty { integerDigits = "0" }

        let significant = integerDigits.drop(while: { $0 == "0" }).count + fractionText.count
        guard significant <= maxDigits else { return nil }

        let normalised = sign + integerDigits + (fractionText.isEmpty ? "" : "." + fractionText)
        return Decimal(string: normalised, locale: posix)
    }

    private static func isASCIIDigit(_ c: Character) -> Bool {
        c.isASCII && c.isNumber
    }
}
