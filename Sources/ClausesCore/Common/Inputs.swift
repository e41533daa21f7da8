import Foundation

extension OutcomeProfile {
    /// A built-in profile by name, refused in French with the list of known names.
    public static func named(_ name: String, field: String) throws(DomainError) -> OutcomeProfile {
        guard let profile = named(name) else {
            throw DomainError.invalid(
                field,
                "« \(field) » : profil de sortie inconnu « \(name) » (profils : \(builtIn.map(\.name).joined(separator: ", ")))."
            )
        }
        return profile
    }
}

/// `{"items": [...]}` for short lists that need no pagination.
public struct Items<T: Encodable & Sendable>: Encodable, Sendable {
    public let items: [T]
    public init(items: [T]) { self.items = items }
}
