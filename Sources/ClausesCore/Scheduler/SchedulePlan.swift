import Foundation

/// When a job runs next, from its schedule and the latest slot recorded for it (pure, so the catch-up and
/// overlap rules are tested without waiting).
public enum SchedulePlan {
    public enum Step: Sendable, Equatable {
        /// Run this slot now (it is due, or the latest one missed while the service was down).
        case run(slot: Date)
        /// Nothing is due before this instant.
        case wait(until: Date)
        /// The schedule never runs again.
        case never
    }

    /// After `since` (the latest recorded slot, or when the scheduler started for a job never run): the
    /// latest slot due by `now` runs once, however many were missed; otherwise wait for the next one.
    public static func step(_ schedule: CronSchedule, since: Date, now: Date) -> Step {
        guard let first = schedule.next(after: since) else { return .never }
        guard first <= now else { return .wait(until: first) }
        return .run(slot: latestSlot(schedule, after: since, atOrBefore: now) ?? first)
    }

    /// The latest slot in (`after`, `atOrBefore`], nil when there is none.
    public static func latestSlot(_ schedule: CronSchedule, after: Date, atOrBefore: Date) -> Date? {
        guard let latest = schedule.previous(atOrBefore: atOrBefore), latest > after else { return nil }
        return latest
    }
}
