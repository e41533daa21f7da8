import Foundation

/// The version of a stored record a form was opened on: its `updated_at` in whole microseconds (the
/// precision PostgreSQL keeps). A form sends it back, and the store refuses the save when the record has
/// changed since, so nobody overwrites a colleague's change without seeing it.
public struct RecordVersion: Sendable, Equatable, CustomStringConvertible {
    public let microseconds: Int64

    public init(_ updatedAt: Date) {
        microseconds = Int64((updatedAt.timeIntervalSince1970 * 1_000_000).rounded())
    }

    private init(microseconds: Int64) { self.microseconds = microseconds }

    /// A form opened when the record did not exist yet (a lot without a clause).
    public static let absent = RecordVersion(microseconds: 0)

    /// The form's hidden field; nil when it is not a version (a form forged or from an older page).
    public init?(text: String) {
        guard let value = Int64(text) else { return nil }
        microseconds = value
    }

    public var description: String { String(microseconds) }

    /// Refuses a save when `expected` (the version the form showed) is not the record's current one.
    /// No expected version (the JSON API, the CLI) saves over whatever is there, as before.
    public static func check(_ expected: RecordVersion?, current updatedAt: Date?, noun: String)
        throws(DomainError)
    {
        guard let expected, expected != updatedAt.map(RecordVersion.init) ?? .absent else { return }
        throw DomainError.conflict(
            "\(noun.prefix(1).uppercased())\(noun.dropFirst()) a été modifié par quelqu'un d'autre depuis que vous avez ouvert ce formulaire : rien n'a été enregistré. Vos valeurs sont gardées ci-dessous ; relisez la fiche, puis enregistrez à nouveau pour remplacer la version actuelle.",
            code: .staleForm)
    }
}
