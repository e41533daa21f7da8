import Foundation
import PostgresClient

/// Checks shared by every input: each failure names the field and says why, in French.
enum Validate {
    /// Trimmed, non-empty text of at most `maxLength` characters, without control characters (line
    /// breaks and tabs only in multi-line fields, `TextInput.multiLineFields`).
    static func text(_ value: String?, existing: String?, field: String, maxLength: Int = 500) throws(DomainError)
        -> String
    {
        guard let raw = value ?? existing else {
            throw DomainError.invalid(field, "« \(field) » est obligatoire.", code: .missingField)
        }
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw DomainError.invalid(field, "« \(field) » ne peut pas être vide.", code: .missingField)
        }
        guard trimmed.count <= maxLength else {
            throw DomainError.invalid(field, "« \(field) » dépasse \(maxLength) caractères.")
        }
        try TextInput.check(trimmed, field: field)
        return trimmed
    }

    static func optionalText(_ value: String?, existing: String?, field: String, maxLength: Int = 500)
        throws(DomainError) -> String?
    {
        guard let raw = value else { return existing }
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return nil }
        guard trimmed.count <= maxLength else {
            throw DomainError.invalid(field, "« \(field) » dépasse \(maxLength) caractères.")
        }
        try TextInput.check(trimmed, field: field)
        return trimmed
    }

    /// The largest value of an `integer` column.
    static let maxInt32 = Int(Int32.max)

    /// An integer within what the field (and its column) can hold, refused in French naming the field.
    static func integer(_ value: Int?, existing: Int?, field: String, in range: ClosedRange<Int>) throws(DomainError)
        -> Int?
    {
        guard let value else { return existing }
        guard range.contains(value) else {
            throw DomainError.invalid(
                field,
                "« \(field) » doit être un entier entre \(range.lowerBound) et \(range.upperBound) (reçu \(value)).",
                code: .outOfRange)
        }
        return value
    }

    /// Hours (`FieldRules.hoursProblem`), refused in French naming the field.
    static func hours(_ value: Decimal, field: String) throws(DomainError) -> Decimal {
        if let problem = FieldRules.hoursProblem(value) {
            throw DomainError.invalid(
                field, "« \(field) » : \(problem) (reçu \(French.number(value, .text, maxFraction: 6))).")
        }
        return value
    }

    /// An amount in euros (`FieldRules.amountProblem`), refused in French naming the field.
    static func amount(_ value: Decimal?, existing: Decimal?, field: String) throws(DomainError) -> Decimal? {
        guard let value else { return existing }
        if let problem = FieldRules.amountProblem(value) {
            throw DomainError.invalid(
                field, "« \(field) » : \(problem) (reçu \(French.number(value, .text, maxFraction: 6))).")
        }
        return value
    }

    static func siret(_ value: String?, existing: String?, field: String = "siret") throws(DomainError) -> String {
        guard let raw = value ?? existing else {
            throw DomainError.invalid(field, "« \(field) » est obligatoire.", code: .missingField)
        }
        guard let normalized = SIRET.normalize(raw), SIRET.isValid(normalized) else {
            throw DomainError.invalid(
                field, "SIRET invalide « \(raw) » : il faut 14 chiffres et une clé de contrôle (Luhn) correcte.",
                code: .invalidSiret)
        }
        return normalized
    }

    static func insee(_ value: String?, existing: String?, field: String) throws(DomainError) -> String? {
        guard let raw = value else { return existing }
        let code = raw.trimmingCharacters(in: .whitespaces).uppercased()
        if code.isEmpty { return nil }
        guard code.range(of: #"^([0-9]{2}|2A|2B)[0-9]{3}$"#, options: .regularExpression) != nil else {
            throw DomainError.invalid(
                field, "Code commune INSEE invalide « \(raw) » : 5 caractères attendus (ex. 13047, 2A004).")
        }
        return code
    }

    static func romeCodes(_ value: [String]?, existing: [String], field: String) throws(DomainError) -> [String] {
        guard let value else { return existing }
        var codes: [String] = []
        for raw in value {
            let code = raw.trimmingCharacters(in: .whitespaces).uppercased()
            guard code.range(of: #"^[A-N][0-9]{4}$"#, options: .regularExpression) != nil else {
                throw DomainError.invalid(
                    field, "Code ROME invalide « \(raw) » : une lettre de A à N suivie de 4 chiffres (ex. F1703).")
            }
            if !codes.contains(code) { codes.append(code) }
        }
        return codes
    }

    /// A value the input must give unless the record already has one.
    /// The fields an update empties (`clear`: field names), each one of those the record lets people
    /// empty; another name is refused in French.
    static func cleared(_ names: [String]?, allowed: Set<String>) throws(DomainError) -> Set<String> {
        let names = Set(names ?? [])
        if let unknown = names.subtracting(allowed).sorted().first {
            throw DomainError.invalid(
                "clear",
                "« \(unknown) » ne peut pas être vidé ; champs possibles : \(allowed.sorted().joined(separator: ", "))."
            )
        }
        return names
    }

    /// The new value, else nothing when the update empties the field, else the stored value.
    static func kept<T>(_ value: T?, _ field: String, existing: T?, cleared: Set<String>) -> T? {
        value ?? (cleared.contains(field) ? nil : existing)
    }

    static func required<T>(_ value: T?, existing: T?, field: String) throws(DomainError) -> T {
        guard let value = value ?? existing else {
            throw DomainError.invalid(field, "« \(field) » est obligatoire.", code: .missingField)
        }
        return value
    }

    static func choice<T: RawRepresentable & CaseIterable>(
        _ value: String?, existing: T?, field: String, as type: T.Type
    ) throws(DomainError) -> T where T.RawValue == String {
        guard let value else {
            guard let existing else {
                throw DomainError.invalid(field, "« \(field) » est obligatoire.", code: .missingField)
            }
            return existing
        }
        guard let v = T(rawValue: value) else {
            throw DomainError.invalid(
                field, InputEnumMessage.text(field: field, value: value, allowed: T.allCases.map(\.rawValue)))
        }
        return v
    }
}

/// A decimal in JSON given either as a number or as a French or plain string ("1 000 000,50").
public struct FlexibleDecimal: Codable, Sendable, Equatable {
    public let value: Decimal

    public init(_ value: Decimal) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Decimal.self) {
            value = number
            return
        }
        let text = try container.decode(String.self)
        let field = decoder.codingPath.last?.stringValue ?? "valeur"
        do {
            value = try FrenchNumber.parseDecimal(text, field: field)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
