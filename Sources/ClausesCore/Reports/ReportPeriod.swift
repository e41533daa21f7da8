import Foundation

/// The period a bilan covers. A buyer may only ask for whole periods (since the start, a month, a quarter,
/// a year): with arbitrary dates, two overlapping reports could be subtracted to recover hidden counts
/// (DOMAIN §8). Staff may also give explicit dates.
public struct ReportPeriod: Sendable, Equatable {
    public enum Kind: String, Sendable, Encodable {
        case sinceStart, month, quarter, year, dates
    }

    public let kind: Kind
    /// nil: since the start of every lot.
    public let from: LocalDate?
    public let to: LocalDate

    /// Since the start, up to `to` (usually today).
    public static func sinceStart(through to: LocalDate) -> ReportPeriod {
        ReportPeriod(kind: .sinceStart, from: nil, to: to)
    }

    public static func month(_ month: YearMonth) -> ReportPeriod {
        ReportPeriod(kind: .month, from: month.firstDay, to: month.lastDay)
    }

    /// Quarter 1…4 of `year`.
    public static func quarter(_ year: Int, _ quarter: Int) -> ReportPeriod {
        let first = YearMonth(index: year * 12 + (quarter - 1) * 3)
        return ReportPeriod(kind: .quarter, from: first.firstDay, to: first.adding(months: 2).lastDay)
    }

    /// The quarter `month` falls in.
    public static func quarter(containing month: YearMonth) -> ReportPeriod {
        quarter(month.year, (month.month - 1) / 3 + 1)
    }

    public static func year(_ year: Int) -> ReportPeriod {
        ReportPeriod(kind: .year, from: .firstDay(ofYear: year), to: .lastDay(ofYear: year))
    }

    /// Explicit dates (staff only); refused when the period ends before it starts.
    public static func dates(from: LocalDate, to: LocalDate) throws(DomainError) -> ReportPeriod {
        guard from <= to else {
            throw DomainError.invalid(
                "to", "La période se termine le \(to.french), avant de commencer le \(from.french).")
        }
        return ReportPeriod(kind: .dates, from: from, to: to)
    }

    /// A whole period as people and programs write it: `depuis-le-debut`, `2026-07`, `2026-Q3`, `2026`.
    public static func parse(_ text: String, today: LocalDate, field: String = "period") throws(DomainError)
        -> ReportPeriod
    {
        let value = text.trimmingCharacters(in: .whitespaces)
        if value == "depuis-le-debut" { return .sinceStart(through: today) }
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        let digits = { (text: Substring) in !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber } }
        if parts.count == 1, value.count == 4, digits(parts[0]), let year = Int(value), year > 0 { return .year(year) }
        if parts.count == 2, parts[0].count == 4, digits(parts[0]), let year = Int(parts[0]), year > 0 {
            let tail = Substring(parts[1].uppercased())
            if tail.count == 2, tail.hasPrefix("Q"), digits(tail.dropFirst()), let q = Int(tail.dropFirst()),
                (1...4).contains(q)
            {
                return .quarter(year, q)
            }
            if tail.count == 2, digits(tail), let month = YearMonth(year: year, month: Int(tail) ?? 0) {
                return .month(month)
            }
        }
        throw DomainError.invalid(
            field,
            "« \(field) » : période « \(text) » inconnue (attendu : depuis-le-debut, une année 2026, un trimestre 2026-Q3 ou un mois 2026-07)."
        )
    }

    /// The whole periods offered to a buyer on `today`, most recent first: since the start, the last
    /// twelve months, the last eight quarters, the last three years.
    public static func wholePeriods(today: LocalDate) -> [ReportPeriod] {
        let month = today.yearMonth
        return [.sinceStart(through: today)] + (0..<12).map { .month(month.adding(months: -$0)) }
            + (0..<8).map { .quarter(containing: month.adding(months: -3 * $0)) }
            + (0..<3).map { .year(today.year - $0) }
    }

    /// Whether a buyer may ask for it (not explicit dates).
    public var isWhole: Bool { kind != .dates }

    /// The code `parse` reads back (`2026-Q3`), or `AAAA-MM-JJ_AAAA-MM-JJ` for explicit dates.
    public var code: String {
        switch kind {
        case .sinceStart: "depuis-le-debut"
        case .month: to.yearMonth.description
        case .quarter: "\(to.year)-Q\(quarterNumber)"
        case .year: String(to.year)
        case .dates: "\(from?.description ?? "")_\(to.description)"
        }
    }

    /// `3e trimestre 2026`, `novembre 2026`, `du 01/07/2026 au 15/08/2026`…
    public var french: String {
        switch kind {
        case .sinceStart: "depuis le début, jusqu'au \(to.french)"
        case .month: French.month(to.yearMonth)
        case .quarter: quarterNumber == 1 ? "1er trimestre \(to.year)" : "\(quarterNumber)e trimestre \(to.year)"
        case .year: "année \(to.year)"
        case .dates: "du \(from?.french ?? "") au \(to.french)"
        }
    }

    /// 1…4: the quarter of the period's end.
    private var quarterNumber: Int { (to.month - 1) / 3 + 1 }

    /// Whether `month` lies within the period.
    public func contains(_ month: YearMonth) -> Bool {
        month <= to.yearMonth && (from.map { month >= $0.yearMonth } ?? true)
    }
}

extension ReportPeriod {
    /// The period a request names, by one of: `period` (`2026-Q3`, `2026-07`, `2026`, `depuis-le-debut`),
    /// `year`, or `from` and `to` together; since the start up to today when none is given.
    public static func resolve(
        period: String?, year: String?, from: LocalDate?, to: LocalDate?, today: LocalDate
    ) throws(DomainError) -> ReportPeriod {
        switch (period, year, from, to) {
        case (let text?, nil, nil, nil): return try parse(text, today: today)
        case (nil, let text?, nil, nil): return try parse(text, today: today, field: "year")
        case (nil, nil, let from?, let to?): return try dates(from: from, to: to)
        case (nil, nil, nil, nil): return .sinceStart(through: today)
        case (nil, nil, _, _):
            throw DomainError.invalid(
                from == nil ? "from" : "to", "Une période se donne avec sa date de début et sa date de fin.",
                code: .missingField)
        default:
            throw DomainError.invalid(
                "period",
                "Indiquez une seule façon de choisir la période : « period », « year », ou « from » et « to ».")
        }
    }
}

/// JSON: `{"kind": "quarter", "code": "2026-Q3", "from": "2026-07-01", "to": "2026-09-30", "label": "3e trimestre 2026"}`.
extension ReportPeriod: Encodable {
    private enum Key: String, CodingKey { case kind, code, from, to, label }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(code, forKey: .code)
        try c.encodeIfPresent(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(french, forKey: .label)
    }
}
