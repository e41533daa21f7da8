import Foundation
import TOMLKit

/// Reads one TOML table against the keys the service knows, so an unknown key or a value of the wrong
/// type is refused with its full key path (`database.pool_size`) and a French reason.
struct TOMLReader {
    let path: String
    let table: TOMLTable?
    private(set) var known: Set<String> = []

    init(path: String, table: TOMLTable?) {
        self.path = path
        self.table = table
    }

    private func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether the table gives `key` (without marking it read).
    func has(_ key: String) -> Bool { table?[key] != nil }

    func problem(_ key: String, _ reason: String) -> DomainError {
        DomainError(
            .unprocessable, code: .configInvalid,
            message: "configuration : « \(keyPath(key)) » \(reason)", field: keyPath(key))
    }

    mutating func section(_ key: String) throws(DomainError) -> TOMLReader {
        known.insert(key)
        guard let value = table?[key] else { return TOMLReader(path: keyPath(key), table: nil) }
        guard let sub = value.table else { throw problem(key, "doit être une table ([\(keyPath(key))])") }
        return TOMLReader(path: keyPath(key), table: sub)
    }

    mutating func string(_ key: String, _ fallback: String) throws(DomainError) -> String {
        known.insert(key)
        guard let value = table?[key] else { return fallback }
        guard let s = value.string else { throw problem(key, "doit être une chaîne de caractères") }
        return s
    }

    mutating func bool(_ key: String, _ fallback: Bool) throws(DomainError) -> Bool {
        known.insert(key)
        guard let value = table?[key] else { return fallback }
        guard let b = value.bool else { throw problem(key, "doit valoir true ou false") }
        return b
    }

    mutating func int(_ key: String, _ fallback: Int, in range: ClosedRange<Int>) throws(DomainError) -> Int {
        known.insert(key)
        guard let value = table?[key] else { return fallback }
        guard value.type == .int, let i = value.int else { throw problem(key, "doit être un nombre entier") }
        guard range.contains(i) else {
            throw problem(key, "doit être compris entre \(range.lowerBound) et \(range.upperBound) (reçu \(i))")
        }
        return i
    }

    /// A decimal given as a TOML number or a string ("0.10"); floats are read through their shortest
    /// text form so 0.1 stays exactly 0.1.
    mutating func decimal(_ key: String, _ fallback: Decimal, in range: ClosedRange<Decimal>) throws(DomainError)
        -> Decimal
    {
        known.insert(key)
        guard let value = table?[key] else { return fallback }
        let text: String
        if value.type == .int, let i = value.int {
            text = String(i)
        } else if value.type == .double, let d = value.double {
            text = String(d)
        } else if let s = value.string {
            text = s
        } else {
            throw problem(key, "doit être un nombre")
        }
        guard
            let d = Decimal(
                string: text.replacingOccurrences(of: ",", with: "."), locale: Locale(identifier: "en_US_POSIX"))
        else {
            throw problem(key, "doit être un nombre (reçu « \(text) »)")
        }
        guard range.contains(d) else {
            throw problem(key, "doit être compris entre \(range.lowerBound) et \(range.upperBound) (reçu \(text))")
        }
        return d
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ fallback: T) throws(DomainError) -> T
    where T.RawValue == String {
        let raw = try string(key, fallback.rawValue)
        guard let v = T(rawValue: raw) else {
            throw problem(
                key, "doit valoir \(T.allCases.map { "« \($0.rawValue) »" }.joined(separator: ", ")) (reçu « \(raw) »)")
        }
        return v
    }

    /// A `YYYY-MM-DD` date given as a string.
    mutating func date(_ key: String, _ fallback: LocalDate) throws(DomainError) -> LocalDate {
        let text = try string(key, fallback.description)
        guard let date = LocalDate(iso: text) else {
            throw problem(key, "doit être une date au format AAAA-MM-JJ (reçu « \(text) »)")
        }
        return date
    }

    mutating func stringArray(_ key: String, _ fallback: [String]) throws(DomainError) -> [String] {
        known.insert(key)
        guard let value = table?[key] else { return fallback }
        guard let array = value.array else { throw problem(key, "doit être une liste") }
        var out: [String] = []
        for item in array {
            guard let s = item.string else { throw problem(key, "doit être une liste de chaînes") }
            out.append(s)
        }
        return out
    }

    /// Sub-tables whose keys are free names (e.g. `[jobs.NAME]`): the names, in file order.
    mutating func tableNames(_ key: String) throws(DomainError) -> [String] {
        try section(key).table?.keys ?? []
    }

    /// Refuses keys this reader was never asked for.
    func rejectUnknownKeys() throws(DomainError) {
        guard let table else { return }
        for key in table.keys where !known.contains(key) {
            throw DomainError(
                .unprocessable, code: .configUnknownKey,
                message: "configuration : clé inconnue « \(keyPath(key)) »", field: keyPath(key))
        }
    }
}
