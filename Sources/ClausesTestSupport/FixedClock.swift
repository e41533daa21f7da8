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

/// A clock that moves only when told (scheduler tests): `sleep(until:)` jumps to the instant asked for, so
/// hours of schedule pass in milliseconds; past `end` it throws `CancellationError` to stop the loop.
public final class SimulatedClock: CivilClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    public let end: Date

    public init(start: Date, end: Date) {
        current = start
        self.end = end
    }

    public var now: Date { lock.withLock { current } }
    public var today: LocalDate { SystemCivilClock.parisDate(of: now) }

    /// Moves the clock forward by `seconds` (a job that takes time).
    public func advance(by seconds: TimeInterval) {
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }

    /// The scheduler's wait: the clock jumps to `instant`; past `end`, the wait is cancelled.
    public func sleep(until instant: Date) async throws {
        guard instant <= end else { throw CancellationError() }
        lock.withLock { current = max(current, instant) }
        await Task.yield()
    }
}
