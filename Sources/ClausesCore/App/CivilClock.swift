import Foundation

/// Today and now as the service sees them: civil dates in Europe/Paris. Injected wherever the date
/// matters so rules and tests never depend on the machine's calendar (tests use a fixed clock).
public protocol CivilClock: Sendable {
    /// The current instant.
    func now() -> Date
    /// Today's civil date in Europe/Paris.
    func today() -> LocalDate
}

/// The machine's clock, read in Europe/Paris: the only place the service reads the system date.
public struct SystemCivilClock: CivilClock {
    public init() {}

    public func now() -> Date { Date() }

    public func today() -> LocalDate { LocalDate.today() }
}
