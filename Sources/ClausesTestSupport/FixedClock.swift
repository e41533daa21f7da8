import ClausesCore
import Foundation

/// A clock that always says the same day, so tests of date-dependent rules do not depend on the machine.
public struct FixedClock: CivilClock {
    public let day: LocalDate
    public let instant: Date

    /// `day` at noon in Europe/Paris (10:00 or 11:00 UTC): `now` and `today` agree.
    public init(_ day: LocalDate) {
        self.day = day
        self.instant = Date(timeIntervalSince1970: TimeInterval(day.dayNumber * 86_400 + 10 * 3600))
    }

    public var now: Date { instant }
    public var today: LocalDate { day }
}
