import Foundation

/// A five-field cron expression (`minute hour day-of-month month day-of-week`) read as Vixie cron reads
/// it: lists (`1,15`), ranges (`1-5`), steps (`*/10`, `8-18/2`), month names (`jan`…`dec`) and day names
/// (`sun`…`sat`, Sunday also 0 or 7). A field starting with `*` (`*/n` included) leaves its day unrestricted;
/// when both day-of-month and day-of-week are restricted, a day matching either one matches.
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    public let expression: String
    let minutes: [Int]
    let hours: [Int]
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    /// 0 = Sunday … 6 = Saturday.
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public var description: String { expression }

    private struct Field {
        let name: String
        let range: ClosedRange<Int>
        let names: [String]
        /// The first value `names` stands for.
        let namesStart: Int
    }

    private static let fields = [
        Field(name: "minute", range: 0...59, names: [], namesStart: 0),
        Field(name: "heure", range: 0...23, names: [], namesStart: 0),
        Field(name: "jour du mois", range: 1...31, names: [], namesStart: 1),
        Field(
            name: "mois", range: 1...12,
            names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], namesStart: 1),
        Field(
            name: "jour de la semaine", range: 0...7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
            namesStart: 0),
    ]

    /// Parses `text`; a refusal says in French which field is wrong and why.
    public init(parsing text: String) throws(CronError) {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard parts.count == 5 else {
            throw CronError(
                expression: text,
                reason:
                    "il faut 5 champs séparés par des espaces (minute heure jour-du-mois mois jour-de-la-semaine), \(parts.count) trouvé(s)"
            )
        }
        var sets: [Set<Int>] = []
        for (part, field) in zip(parts, Self.fields) {
            sets.append(try Self.values(part, field, expression: text))
        }
        expression = parts.joined(separator: " ")
        minutes = sets[0].sorted()
        hours = sets[1].sorted()
        daysOfMonth = sets[2]
        months = sets[3]
        daysOfWeek = Set(sets[4].map { $0 % 7 })
        dayOfMonthRestricted = !parts[2].hasPrefix("*")
        dayOfWeekRestricted = !parts[4].hasPrefix("*")
        if !dayOfWeekRestricted {
            // Day-of-month alone decides: some chosen month must have one of the chosen days.
            let reachable = months.contains { month in
                daysOfMonth.contains { $0 <= LocalDate.daysIn(year: 2028, month: month) }
            }
            guard reachable else {
                throw CronError(expression: text, reason: "aucun des mois choisis n'a les jours choisis")
            }
        }
    }

    /// At `minutes` past each of `hours`, every day or on `daysOfWeek` (0 = Sunday): the built-in
    /// schedules, whose `expression` says the same.
    init(builtIn expression: String, minutes: [Int], hours: [Int], daysOfWeek: Set<Int> = Set(0...6)) {
        self.expression = expression
        self.minutes = minutes
        self.hours = hours
        daysOfMonth = Set(1...31)
        months = Set(1...12)
        self.daysOfWeek = daysOfWeek
        dayOfMonthRestricted = false
        dayOfWeekRestricted = daysOfWeek != Set(0...6)
    }

    private static func values(_ text: String, _ field: Field, expression: String) throws(CronError) -> Set<Int> {
        func refuse(_ reason: String) -> CronError {
            CronError(expression: expression, reason: "champ \(field.name) « \(text) » : \(reason)")
        }
        func number(_ token: Substring) throws(CronError) -> Int {
            if let value = Int(token), token.allSatisfy(\.isASCII) {
                guard field.range.contains(value) else {
                    throw refuse("\(value) hors de \(field.range.lowerBound)–\(field.range.upperBound)")
                }
                return value
            }
            if let index = field.names.firstIndex(of: token.lowercased()) { return field.namesStart + index }
            throw refuse("« \(token) » n'est ni un nombre ni un nom reconnu")
        }
        var result = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let stepParts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2, !stepParts[0].isEmpty else { throw refuse("élément vide ou mal formé") }
            var step = 1
            if stepParts.count == 2 {
                guard let value = Int(stepParts[1]), value >= 1, stepParts[1].allSatisfy(\.isASCII) else {
                    throw refuse("le pas « \(stepParts[1]) » doit être un entier positif")
                }
                step = value
            }
            let span = stepParts[0]
            let low: Int
            let high: Int
            if span == "*" {
                (low, high) = (field.range.lowerBound, field.range.upperBound)
            } else {
                let bounds = span.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2, bounds.allSatisfy({ !$0.isEmpty }) else {
                    throw refuse("intervalle mal formé")
                }
                low = try number(bounds[0])
                high = bounds.count == 2 ? try number(bounds[1]) : low
                guard low <= high else { throw refuse("l'intervalle \(low)-\(high) est à l'envers") }
                guard bounds.count == 2 || stepParts.count == 1 else {
                    throw refuse(
                        "un pas s'applique à * ou à un intervalle (écrire \(low)-\(field.range.upperBound)/\(step))")
                }
            }
            result.formUnion(stride(from: low, through: high, by: step))
        }
        return result
    }

    /// How far `next` and `previous` look: dates and weekdays come back together within 28 years.
    static let horizonDays = 28 * 366

    /// Whether jobs run on `day` (month, then the day-of-month / day-of-week rule above).
    func runs(on day: LocalDate) -> Bool {
        guard months.contains(day.month) else { return false }
        let weekday = day.isoWeekday % 7  // cron's 0 = Sunday
        let byMonthDay = daysOfMonth.contains(day.day)
        let byWeekday = daysOfWeek.contains(weekday)
        if dayOfMonthRestricted && dayOfWeekRestricted { return byMonthDay || byWeekday }
        return byMonthDay && byWeekday
    }

    /// The first instant strictly after `instant` at which the schedule runs in `zone`. A local time that
    /// does not exist (the spring gap) runs at the first instant after the gap; a local time that occurs
    /// twice (autumn) runs at its first occurrence only. Nil when nothing runs within 28 years.
    public func next(after instant: Date, in zone: TimeZone = CivilTime.paris) -> Date? {
        firstSlot(from: instant, in: zone, forward: true)
    }

    /// The latest instant at or before `instant` at which the schedule runs (the same slots as `next`),
    /// nil when none within 28 years.
    public func previous(atOrBefore instant: Date, in zone: TimeZone = CivilTime.paris) -> Date? {
        firstSlot(from: instant, in: zone, forward: false)
    }

    /// Walks the days from `instant`'s own, and each day's times, forward (the first slot after `instant`)
    /// or backward (the first at or before it). Forward, the times of the first day before the instant's
    /// own minute are skipped; backward none is, as later local times may still map at or before the
    /// instant (the repeated autumn hour).
    private func firstSlot(from instant: Date, in zone: TimeZone, forward: Bool) -> Date? {
        let local = CivilTime.wallClockSeconds(of: instant, in: zone)
        let firstDay = LocalDate(dayNumber: Int((local / 86_400).rounded(.down)))
        let firstMinute = Int((local - Double(firstDay.dayNumber) * 86_400) / 60)
        let hourOrder = forward ? hours : hours.reversed()
        let minuteOrder = forward ? minutes : minutes.reversed()
        for offset in 0...Self.horizonDays {
            let day = firstDay.adding(days: forward ? offset : -offset)
            guard runs(on: day) else { continue }
            for hour in hourOrder {
                for minute in minuteOrder {
                    let minuteOfDay = hour * 60 + minute
                    if forward && offset == 0 && minuteOfDay < firstMinute { continue }
                    let candidate = CivilTime.instant(of: day, minuteOfDay: minuteOfDay, in: zone)
                    if forward ? candidate > instant : candidate <= instant { return candidate }
                }
            }
        }
        return nil
    }
}

/// A cron expression refused, with the reason in French.
public struct CronError: Error, Sendable, Equatable {
    public let expression: String
    public let reason: String

    public var message: String { "expression cron « \(expression) » invalide : \(reason)" }
}

/// Civil (wall-clock) time in a time zone, with the daylight-saving rules the scheduler follows.
public enum CivilTime {
    public static let paris = SystemCivilClock.paris

    /// Seconds since 1970-01-01T00:00 on the wall clock of `zone` at `instant`.
    static func wallClockSeconds(of instant: Date, in zone: TimeZone) -> Double {
        instant.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: instant))
    }

    /// The instant the wall clock of `zone` shows `minuteOfDay` on `day`. In a gap (spring), the instant
    /// the gap ends; when the time occurs twice (autumn), its first occurrence.
    public static func instant(of day: LocalDate, minuteOfDay: Int, in zone: TimeZone) -> Date {
        let wall = Double(day.dayNumber * 86_400 + minuteOfDay * 60)
        let before = Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: wall - 86_400)))
        let after = Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: wall + 86_400)))
        let valid = [wall - before, wall - after].filter { candidate in
            Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: candidate))) == wall - candidate
        }
        if let first = valid.min() { return Date(timeIntervalSince1970: first) }
        // In the gap: the transition lies between the two readings; find it to the second.
        var low = min(wall - before, wall - after)
        var high = max(wall - before, wall - after)
        let offsetBefore = zone.secondsFromGMT(for: Date(timeIntervalSince1970: low))
        while high - low > 1 {
            let middle = ((low + high) / 2).rounded(.down)
            if zone.secondsFromGMT(for: Date(timeIntervalSince1970: middle)) == offsetBefore {
                low = middle
            } else {
                high = middle
            }
        }
        return Date(timeIntervalSince1970: high)
    }
}
