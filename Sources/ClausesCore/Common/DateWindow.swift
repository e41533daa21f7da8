import Foundation

/// The dates the service accepts from people, files, the command line and the configuration
/// (`[input] earliest_date` / `latest_date`): a birth date in year 1 or a contract in 9999 is a typing
/// mistake, and refusing it where it enters keeps every later calculation within sane calendars.
public struct DateWindow: Sendable, Equatable {
    public var earliest: LocalDate
    public var latest: LocalDate

    public init(earliest: LocalDate, latest: LocalDate) {
        self.earliest = earliest
        self.latest = latest
    }

    /// 1900-01-01 … 2199-12-31: the built-in default.
    public static let standard = DateWindow(
        earliest: LocalDate(year: 1900, month: 1, day: 1) ?? .min,
        latest: LocalDate(year: 2199, month: 12, day: 31) ?? .max)

    public var range: ClosedRange<LocalDate> { earliest...latest }

    /// `du 01/01/1900 au 31/12/2199`, for messages.
    public var frenchRange: String { "du \(earliest.french) au \(latest.french)" }

    /// The date itself, or a French refusal naming `field` when it lies outside the window.
    @discardableResult
    public func check(_ date: LocalDate, field: String) throws(DomainError) -> LocalDate {
        guard range.contains(date) else {
            throw DomainError.invalid(
                field, "« \(field) » : la date \(date.french) est hors de la période acceptée (\(frenchRange)).",
                code: .dateOutOfRange)
        }
        return date
    }

    /// The month itself, or a French refusal naming `field` when it lies outside the window.
    @discardableResult
    public func check(_ month: YearMonth, field: String) throws(DomainError) -> YearMonth {
        guard month >= earliest.yearMonth, month <= latest.yearMonth else {
            throw DomainError.invalid(
                field, "« \(field) » : le mois \(month) est hors de la période acceptée (\(frenchRange)).",
                code: .dateOutOfRange)
        }
        return month
    }

    /// A date typed in a page's form: the browsers' date field (`2026-01-31`) or as people write it
    /// (`31/01/2026`, `31/01/26`), within the window; refused in French otherwise.
    public func parseTyped(_ text: String, field: String) throws(DomainError) -> LocalDate {
        switch CellParsers.date(text.trimmingCharacters(in: .whitespaces)) {
        case .success(let date): return try check(date, field: field)
        case .failure(let problem):
            throw DomainError.invalid(field, problem.message.prefix(1).uppercased() + problem.message.dropFirst() + ".")
        }
    }

    /// `YYYY-MM-DD` given by a person (query parameter, CLI option), refused in French naming `field`
    /// when malformed or outside the window.
    public func parse(_ text: String, field: String) throws(DomainError) -> LocalDate {
        guard let date = LocalDate(iso: text) else {
            throw DomainError.invalid(field, "« \(field) » doit être une date au format AAAA-MM-JJ (reçu « \(text) »).")
        }
        return try check(date, field: field)
    }
}
