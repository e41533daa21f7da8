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
/// With several `participants` (job loops sharing the clock), time moves only once all of them wait, to the
/// earliest instant asked for, like one machine's clock under loops that take no time.
public final class SimulatedClock: CivilClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    private let participants: Int
    private var sleepers: [(instant: Date, continuation: CheckedContinuation<Void, Never>)] = []
    private var left = 0
    public let end: Date

    public init(start: Date, end: Date, participants: Int = 1) {
        current = start
        self.end = end
        self.participants = participants
    }

    public var now: Date { lock.withLock { current } }
    public var today: LocalDate { SystemCivilClock.parisDate(of: now) }

    /// Moves the clock forward by `seconds` (a job that takes time).
    public func advance(by seconds: TimeInterval) {
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }

    /// The scheduler's wait: the clock jumps to `instant` (once every participant waits); past `end`, the
    /// wait is cancelled, and the participant leaves.
    public func sleep(until instant: Date) async throws {
        guard instant <= end else {
            let woken = lock.withLock { leave() }
            for continuation in woken { continuation.resume() }
            throw CancellationError()
        }
        await withCheckedContinuation { continuation in
            let woken = lock.withLock {
                sleepers.append((instant, continuation))
                return wakeIfAllAsleep()
            }
            for continuation in woken { continuation.resume() }
        }
        await Task.yield()
    }

    /// Called with the lock held when a participant stops for good.
    private func leave() -> [CheckedContinuation<Void, Never>] {
        left += 1
        return wakeIfAllAsleep()
    }

    /// Called with the lock held: when every remaining participant sleeps, moves to the earliest instant
    /// asked for and returns the sleepers due then.
    private func wakeIfAllAsleep() -> [CheckedContinuation<Void, Never>] {
        guard !sleepers.isEmpty, sleepers.count >= participants - left else { return [] }
        let next = sleepers.map(\.instant).min() ?? current
        current = max(current, next)
        let due = sleepers.filter { $0.instant <= current }
        sleepers.removeAll { $0.instant <= current }
        return due.map(\.continuation)
    }
}
