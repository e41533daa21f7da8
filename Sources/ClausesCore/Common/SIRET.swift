/// SIRET numbers (14 digits: the 9-digit SIREN of the company, then 5 for the establishment).
public enum SIRET {
    /// The 14 digits with spaces removed (`362 521 879 00034` → `36252187900034`), or nil when the
    /// text is not 14 digits.
    public static func normalize(_ text: String) -> String? {
        let digits = text.filter { !$0.isWhitespace }
        guard digits.count == 14, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return digits
    }

    /// Whether the text is a SIRET whose check digit is right: the Luhn key, except for the
    /// establishments of La Poste (SIREN 356 000 000), numbered so that their digits add up to a
    /// multiple of 5 (its head office, 356 000 000 00048, follows Luhn).
    public static func isValid(_ text: String) -> Bool {
        guard let siret = normalize(text) else { return false }
        let digits = siret.compactMap(\.wholeNumberValue)
        if siret.hasPrefix("356000000"), digits.reduce(0, +) % 5 == 0 { return true }
        return luhn(digits)
    }

    static func luhn(_ digits: [Int]) -> Bool {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            if offset % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }
}
