import Foundation

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
