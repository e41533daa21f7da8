import Foundation

/// How a participant is named, in one place: `Samira BENALI` for staff and référents, `Samira B.` for
/// the employing company (DOMAIN §11: a company never reads the full last name). The SQL forms let the
/// short name be computed in the database, so the full one never leaves it.
enum PersonName {
    static func full(firstName: String, lastName: String) -> String { "\(firstName) \(lastName.uppercased())" }

    static func fullSQL(_ alias: String) -> String { "(\(alias).first_name || ' ' || upper(\(alias).last_name))" }

    static func shortSQL(_ alias: String) -> String {
        "(\(alias).first_name || ' ' || left(\(alias).last_name, 1) || '.')"
    }
}
