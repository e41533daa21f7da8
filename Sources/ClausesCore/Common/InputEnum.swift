import Foundation
import PostgresClient

/// An enumeration read from requests, files and the database by its raw value: an unknown value is
/// refused in French, naming it and the values allowed (instead of Swift's English "Cannot initialize…").
public protocol InputEnum: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {}

extension InputEnum {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: InputEnumMessage.unknown(value: raw, allowed: Self.allCases.map(\.rawValue)))
        }
        self = value
    }
}

extension InputEnum {
    /// The value a person or program named (a query parameter, an option), `fallback` when none was given;
    /// an unknown value is refused in French naming `field` and the values allowed.
    public static func parse(_ text: String?, field: String, fallback: Self? = nil) throws(DomainError) -> Self {
        try Validate.choice(text, existing: fallback, field: field, as: Self.self)
    }
}

enum InputEnumMessage {
    /// `valeur « x » inconnue (valeurs possibles : « a », « b »)`.
    static func unknown(value: String, allowed: [String]) -> String {
        "valeur « \(value) » inconnue (valeurs possibles : \(allowed.map { "« \($0) »" }.joined(separator: ", ")))"
    }

    /// `« field » : valeur « x » inconnue (valeurs possibles : …).`
    static func text(field: String, value: String, allowed: [String]) -> String {
        "« \(field) » : \(unknown(value: value, allowed: allowed))."
    }
}

extension PostgresRow {
    /// A column holding an enumeration's raw value. A value the code does not know is a decoding error naming
    /// the table, the column and the value (logged with the request), never a silent default.
    func decodeEnum<E: InputEnum>(_ index: Int, table: String, column: String, as type: E.Type = E.self) throws -> E {
        let raw: String = try decode(index)
        guard let value = E(rawValue: raw) else { throw Self.unknownValue(raw, table: table, column: column) }
        return value
    }

    /// The same by column name.
    func decodeEnum<E: InputEnum>(_ column: String, table: String, as type: E.Type = E.self) throws -> E {
        let raw: String = try decode(column)
        guard let value = E(rawValue: raw) else { throw Self.unknownValue(raw, table: table, column: column) }
        return value
    }

    /// A nullable enumeration column by name (nil for NULL; an unknown value is an error).
    func decodeOptionalEnum<E: InputEnum>(_ column: String, table: String, as type: E.Type = E.self) throws -> E? {
        guard let raw: String = try decode(column) else { return nil }
        guard let value = E(rawValue: raw) else { throw Self.unknownValue(raw, table: table, column: column) }
        return value
    }

    /// The same by position.
    func decodeOptionalEnum<E: InputEnum>(_ index: Int, table: String, column: String, as type: E.Type = E.self)
        throws -> E?
    {
        guard let raw: String = try decode(index) else { return nil }
        guard let value = E(rawValue: raw) else { throw Self.unknownValue(raw, table: table, column: column) }
        return value
    }

    static func unknownValue(_ raw: String, table: String, column: String) -> PostgresError {
        PostgresError(.decoding, "valeur inconnue « \(raw) » dans \(table).\(column)")
    }
}
