import Foundation

/// A calendar date without time or zone (SQL `date`). Month boundaries are civil dates in Europe/Paris.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Creates a date, or nil when the components do not name a real day.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= LocalDate.daysIn(year: year, month: month) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// `31/01/2026`, as French pages show dates.
    public var french: String {
        String(format: "%02d/%02d/%04d", day, month, year)
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (proleptic Gregorian), for arithmetic.
    public var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(dayNumber z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.year = y
        self.month = m
        self.day = d
    }

    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// Adds calendar months, clamping the day to the end of the target month (31 Jan + 1 month = 28/29 Feb).
    public func adding(months: Int) -> LocalDate {
        let index = year * 12 + (month - 1) + months
        let y = index / 12, m = index % 12 + 1
        return LocalDate(year: y, month: m, day: min(day, LocalDate.daysIn(year: y, month: m)))!
    }

    public func days(until other: LocalDate) -> Int { other.dayNumber - dayNumber }

    public var yearMonth: YearMonth { YearMonth(year: year, month: month)! }

    /// Today's civil date in Europe/Paris.
    public static func today(in timeZone: TimeZone = TimeZone(identifier: "Europe/Paris")!) -> LocalDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: Date())
        return LocalDate(year: c.year!, month: c.month!, day: c.day!)!
    }
}

/// A calendar month (`2026-01`), the unit of hour reports.
public struct YearMonth: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM`, `MM/YYYY` or a full date's month.
    public init?(text: some StringProtocol) {
        let s = text.trimmingCharacters(in: .whitespaces)
        if let d = LocalDate(iso: s) { self = d.yearMonth; return }
        let iso = s.split(separator: "-")
        if iso.count == 2, iso[0].count == 4, let y = Int(iso[0]), let m = Int(iso[1]) {
            self.init(year: y, month: m); return
        }
        let fr = s.split(separator: "/")
        if fr.count == 2, fr[1].count == 4, let m = Int(fr[0]), let y = Int(fr[1]) {
            self.init(year: y, month: m); return
        }
        return nil
    }

    public var description: String { String(format: "%04d-%02d", year, month) }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    public var index: Int { year * 12 + month - 1 }
    public init(index: Int) { self.year = index / 12; self.month = index % 12 + 1 }

    public func adding(months: Int) -> YearMonth { YearMonth(index: index + months) }
    public var firstDay: LocalDate { LocalDate(year: year, month: month, day: 1)! }
    public var lastDay: LocalDate { LocalDate(year: year, month: month, day: LocalDate.daysIn(year: year, month: month))! }
    public var dayCount: Int { LocalDate.daysIn(year: year, month: month) }

    /// Months from `self` to `other` inclusive, or empty when `other` is earlier.
    public func through(_ other: YearMonth) -> [YearMonth] {
        guard other >= self else { return [] }
        return (index...other.index).map(YearMonth.init(index:))
    }
}

/// JSON form: `"2026-01-31"`.
extension LocalDate: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = LocalDate(iso: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "date attendue au format AAAA-MM-JJ, reçu « \(text) »")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// JSON form: `"2026-01"`.
extension YearMonth: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = YearMonth(text: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "mois attendu au format AAAA-MM, reçu « \(text) »")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
