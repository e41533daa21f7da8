import Foundation

extension LocalDate {
    /// `YYYY-MM-DD` given by a person (query parameter, CLI option), refused in French naming `field`.
    public static func parse(_ text: String, field: String) throws(DomainError) -> LocalDate {
        guard let date = LocalDate(iso: text) else {
            throw DomainError.invalid(field, "« \(field) » doit être une date au format AAAA-MM-JJ (reçu « \(text) »).")
        }
        return date
    }
}

extension OutcomeProfile {
    /// A built-in profile by name, refused in French with the list of known names.
    public static func named(_ name: String, field: String) throws(DomainError) -> OutcomeProfile {
        guard let profile = named(name) else {
            throw DomainError.invalid(field, "« \(field) » : profil de sortie inconnu « \(name) » (profils : \(builtIn.map(\.name).joined(separator: ", "))).")
        }
        return profile
    }
}

/// `{"items": [...]}` for short lists that need no pagination.
public struct Items<T: Encodable & Sendable>: Encodable, Sendable {
    public let items: [T]
    public init(items: [T]) { self.items = items }
}
