import Foundation

/// A calendar date without time or zone (SQL `date`). Month boundaries are civil dates in Europe/Paris.
///
/// Every value lies between `LocalDate.min` (0001-01-01) and `LocalDate.max` (9999-12-31), the dates a
/// four-digit ISO year can write; arithmetic is total: a result beyond those bounds is clamped to them
/// (the service's own date window, far narrower, is enforced where dates enter).
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public static let yearRange = 1...9999
    public static let min = LocalDate(checkedYear: 1, month: 1, day: 1)
    public static let max = LocalDate(checkedYear: 9999, month: 12, day: 31)

    /// Creates a date, or nil when the components do not name a real day within `yearRange`.
    public init?(year: Int, month: Int, day: Int) {
        guard LocalDate.yearRange.contains(year), (1...12).contains(month),
            day >= 1, day <= LocalDate.daysIn(year: year, month: month)
        else { return nil }
        self.init(checkedYear: year, month: month, day: day)
    }

    /// 1 January of `year`, clamped to `yearRange`: a calendar year's first day.
    public static func firstDay(ofYear year: Int) -> LocalDate {
        LocalDate(checkedYear: Swift.min(Swift.max(year, yearRange.lowerBound), yearRange.upperBound), month: 1, day: 1)
    }

    /// 31 December of `year`, clamped to `yearRange`.
    public static func lastDay(ofYear year: Int) -> LocalDate {
        LocalDate(
            checkedYear: Swift.min(Swift.max(year, yearRange.lowerBound), yearRange.upperBound), month: 12, day: 31)
    }

    /// Components already known to name a real day within `yearRange`.
    fileprivate init(checkedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        DigitText.join([(year, 4), (month, 2), (day, 2)], separator: UInt8(ascii: "-"))
    }

    /// `31/01/2026`, as French pages show dates.
    public var french: String {
        DigitText.join([(day, 2), (month, 2), (year, 4)], separator: UInt8(ascii: "/"))
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

    /// The date `dayNumber` days after 1970-01-01, clamped to `min`…`max`.
    public init(dayNumber: Int) {
        let z0 = Swift.min(Swift.max(dayNumber, LocalDate.min.dayNumber), LocalDate.max.dayNumber)
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.init(checkedYear: y, month: m, day: d)
    }

    /// Adds days (negative: subtracts), clamped to `min`…`max`.
    public func adding(days: Int) -> LocalDate {
        let (sum, overflow) = dayNumber.addingReportingOverflow(days)
        return LocalDate(dayNumber: overflow ? (days < 0 ? Int.min : Int.max) : sum)
    }

    /// Adds calendar months, clamping the day to the end of the target month (31 Jan + 1 month = 28/29 Feb)
    /// and the result to `min`…`max`.
    public func adding(months: Int) -> LocalDate {
        let (sum, overflow) = yearMonth.index.addingReportingOverflow(months)
        let index = overflow ? (months < 0 ? Int.min : Int.max) : sum
        if index < YearMonth.min.index { return .min }
        if index > YearMonth.max.index { return .max }
        let target = YearMonth(index: index)
        return LocalDate(checkedYear: target.year, month: target.month, day: Swift.min(day, target.dayCount))
    }

    public func days(until other: LocalDate) -> Int { other.dayNumber - dayNumber }

    /// 1 = Monday … 7 = Sunday (ISO 8601); 1970-01-01 was a Thursday.
    public var isoWeekday: Int { ((dayNumber % 7 + 7) % 7 + 3) % 7 + 1 }

    /// The Monday of this date's week.
    public var weekStart: LocalDate { adding(days: 1 - isoWeekday) }

    public var yearMonth: YearMonth { YearMonth(checkedYear: year, month: month) }
}

/// A calendar month (`2026-01`), the unit of hour reports, between `YearMonth.min` (0001-01) and
/// `YearMonth.max` (9999-12); arithmetic clamps to those bounds like `LocalDate`'s.
public struct YearMonth: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public static let min = YearMonth(checkedYear: 1, month: 1)
    public static let max = YearMonth(checkedYear: 9999, month: 12)

    public init?(year: Int, month: Int) {
        guard LocalDate.yearRange.contains(year), (1...12).contains(month) else { return nil }
        self.init(checkedYear: year, month: month)
    }

    fileprivate init(checkedYear year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM`, `MM/YYYY` or a full date's month.
    public init?(text: some StringProtocol) {
        let s = text.trimmingCharacters(in: .whitespaces)
        if let d = LocalDate(iso: s) {
            self = d.yearMonth
            return
        }
        let iso = s.split(separator: "-")
        if iso.count == 2, iso[0].count == 4, let y = Int(iso[0]), let m = Int(iso[1]) {
            self.init(year: y, month: m)
            return
        }
        let fr = s.split(separator: "/")
        if fr.count == 2, fr[1].count == 4, let m = Int(fr[0]), let y = Int(fr[1]) {
            self.init(year: y, month: m)
            return
        }
        return nil
    }

    public var description: String { DigitText.join([(year, 4), (month, 2)], separator: UInt8(ascii: "-")) }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    /// Months since January of year 0: consecutive months have consecutive indexes.
    public var index: Int { year * 12 + month - 1 }

    /// The month of that index, clamped to `min`…`max`.
    public init(index: Int) {
        let clamped = Swift.min(Swift.max(index, YearMonth.min.index), YearMonth.max.index)
        self.init(checkedYear: clamped / 12, month: clamped % 12 + 1)
    }

    /// Adds months (negative: subtracts), clamped to `min`…`max`.
    public func adding(months: Int) -> YearMonth {
        let (sum, overflow) = index.addingReportingOverflow(months)
        return YearMonth(index: overflow ? (months < 0 ? Int.min : Int.max) : sum)
    }

    public var firstDay: LocalDate { LocalDate(checkedYear: year, month: month, day: 1) }
    public var lastDay: LocalDate { LocalDate(checkedYear: year, month: month, day: dayCount) }
    public var dayCount: Int { LocalDate.daysIn(year: year, month: month) }

    /// Months from `self` to `other` inclusive, or empty when `other` is earlier.
    public func through(_ other: YearMonth) -> [YearMonth] {
        guard other >= self else { return [] }
        return (index...other.index).map(YearMonth.init(index:))
    }
}

extension CodingUserInfoKey {
    /// A decoder carrying a `ClosedRange<LocalDate>` under this key refuses dates and months outside it
    /// (the service's accepted window); without it only the format is checked. (The initializer is
    /// failable in the standard library's signature only.)
    public static let acceptedDates = CodingUserInfoKey(rawValue: "clauses.acceptedDates")
}

extension Decoder {
    /// The accepted window of dates this decoder was given, if any.
    var acceptedDates: ClosedRange<LocalDate>? {
        CodingUserInfoKey.acceptedDates.flatMap { userInfo[$0] as? ClosedRange<LocalDate> }
    }
}

/// The underlying error of a date or month refused because it lies outside the decoder's window.
public struct DateOutsideAcceptedWindow: Error {}

extension DecodingError {
    static func outsideWindow(
        _ what: String, in container: any SingleValueDecodingContainer, range: ClosedRange<LocalDate>
    ) -> DecodingError {
        .dataCorrupted(
            Context(
                codingPath: container.codingPath,
                debugDescription: "\(what) est hors de la période acceptée (\(frenchRange(range)))",
                underlyingError: DateOutsideAcceptedWindow()))
    }
}

/// `du 01/01/1900 au 31/12/2199`.
private func frenchRange(_ range: ClosedRange<LocalDate>) -> String {
    "du \(range.lowerBound.french) au \(range.upperBound.french)"
}

/// JSON form: `"2026-01-31"`.
extension LocalDate: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = LocalDate(iso: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "date attendue au format AAAA-MM-JJ, reçu « \(text) »")
        }
        if let range = decoder.acceptedDates, !range.contains(value) {
            throw DecodingError.outsideWindow("la date \(value.french)", in: container, range: range)
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
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "mois attendu au format AAAA-MM, reçu « \(text) »")
        }
        if let range = decoder.acceptedDates, value < range.lowerBound.yearMonth || value > range.upperBound.yearMonth {
            throw DecodingError.outsideWindow("le mois \(value)", in: container, range: range)
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Zero-padded numbers joined by a separator (`2026-01-31`), without `String(format:)`, which is slow
/// enough to show in imports and large JSON answers.
enum DigitText {
    static func join(_ parts: [(value: Int, width: Int)], separator: UInt8) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(12)
        for (index, part) in parts.enumerated() {
            if index > 0 { bytes.append(separator) }
            var digits: [UInt8] = []
            var rest = part.value.magnitude
            repeat {
                digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
                rest /= 10
            } while rest > 0
            while digits.count < part.width { digits.append(UInt8(ascii: "0")) }
            if part.value < 0 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(contentsOf: digits.reversed())
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
