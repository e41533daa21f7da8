import Foundation

/// Today and now as the service sees them: civil dates in Europe/Paris. Injected wherever the date
/// matters so rules and tests never depend on the machine's calendar (tests use a fixed clock).
public protocol CivilClock: Sendable {
    /// The current instant.
    var now: Date { get }
    /// Today's civil date in Europe/Paris.
    var today: LocalDate { get }
}

/// The machine's clock, read in Europe/Paris: the only place the service reads the system date.
public struct SystemCivilClock: CivilClock {
    public init() {}

    public var now: Date { Date() }

    public var today: LocalDate { Self.parisDate(of: now) }

    /// The civil date an instant falls on in Europe/Paris (summer and winter time included).
    public static func parisDate(of instant: Date) -> LocalDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = paris
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return LocalDate(year: c.year ?? 1, month: c.month ?? 1, day: c.day ?? 1) ?? .min
    }

    static let paris = TimeZone(identifier: "Europe/Paris") ?? TimeZone(secondsFromGMT: 3600) ?? .current
}
