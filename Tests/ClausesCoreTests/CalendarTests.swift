import Foundation
import Testing

@testable import ClausesCore

/// Calendar arithmetic is total: a date a person typed in year 1 or 9999 once crashed the service
/// through a force-unwrap in `adding(months:)` (security issue). Every operation is checked over every
/// day of the accepted window, and at the representable extremes with large offsets.
@Suite("Calendar arithmetic")
struct CalendarTests {
    static let window = DateWindow.standard

    @Test("every day of the accepted window: days and months round-trip, month ends clamp, months agree")
    func wholeWindow() {
        var date = Self.window.earliest
        var previous: LocalDate?
        var checked = 0
        while date <= Self.window.latest {
            // Days: consecutive, invertible.
            #expect(LocalDate(dayNumber: date.dayNumber) == date)
            if let previous { #expect(previous.adding(days: 1) == date && date.adding(days: -1) == previous) }
            // Months: the day is kept or clamped to the month's end, and the month moves by exactly n.
            for n in [-13, -1, 1, 6, 9, 12] {
                let moved = date.adding(months: n)
                #expect(moved.yearMonth == date.yearMonth.adding(months: n))
                #expect(moved.day == min(date.day, moved.yearMonth.dayCount))
            }
            #expect(date.yearMonth.firstDay <= date && date <= date.yearMonth.lastDay)
            #expect(date.yearMonth.lastDay.adding(days: 1) == date.yearMonth.adding(months: 1).firstDay)
            previous = date
            date = date.adding(days: 1)
            checked += 1
        }
        #expect(checked == Self.window.earliest.days(until: Self.window.latest) + 1)
    }

    @Test("the representable extremes clamp instead of crashing, whatever the offset")
    func extremes() {
        for offset in [1, 12, 1000, Int.max, Int.min, -1, -12] {
            #expect(LocalDate.max.adding(months: offset) >= LocalDate.min)
            #expect(LocalDate.min.adding(months: offset) <= LocalDate.max)
            #expect(LocalDate.max.adding(days: offset) >= LocalDate.min)
            #expect(LocalDate.min.adding(days: offset) <= LocalDate.max)
            #expect(YearMonth.max.adding(months: offset) >= YearMonth.min)
            #expect(YearMonth.min.adding(months: offset) <= YearMonth.max)
        }
        #expect(LocalDate(iso: "9999-10-01")?.adding(months: 9) == LocalDate.max)
        #expect(LocalDate(iso: "0001-03-01")?.adding(months: -6) == LocalDate.min)
        #expect(LocalDate(iso: "0001-01-01")?.adding(days: -1) == LocalDate.min)
        #expect(YearMonth(index: -5) == YearMonth.min)
        #expect(YearMonth(index: Int.max) == YearMonth.max)
    }

    @Test("the window refuses dates outside it in French, naming the field")
    func window() throws {
        let early = #expect(throws: DomainError.self) { try Self.window.parse("0001-01-01", field: "proofDate") }
        #expect(early?.field == "proofDate")
        #expect(early?.code == .dateOutOfRange)
        #expect(
            early?.message
                == "« proofDate » : la date 01/01/0001 est hors de la période acceptée (du 01/01/1900 au 31/12/2199).")
        #expect(
            (#expect(throws: DomainError.self) { try Self.window.parse("9999-12-31", field: "asOf") })?.kind
                == .unprocessable)
        #expect(
            (#expect(throws: DomainError.self) { try Self.window.parse("31/12/2026", field: "at") })?.message.contains(
                "AAAA-MM-JJ") == true)
        #expect(try Self.window.parse("2199-12-31", field: "at") == LocalDate(iso: "2199-12-31"))
        #expect(try Self.window.parse("1900-01-01", field: "at") == LocalDate(iso: "1900-01-01"))
    }

    @Test("JSON dates and months are held to the window the decoder carries")
    func jsonWindow() throws {
        struct Body: Decodable {
            let date: LocalDate
            let month: YearMonth?
        }
        let decoder = JSONDecoder()
        decoder.userInfo[try #require(CodingUserInfoKey.acceptedDates)] = Self.window.range
        let fine = try decoder.decode(Body.self, from: Data(#"{"date": "2026-03-01", "month": "2026-03"}"#.utf8))
        #expect(fine.date == LocalDate(iso: "2026-03-01"))
        #expect(throws: DecodingError.self) {
            try decoder.decode(Body.self, from: Data(#"{"date": "0001-03-01"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try decoder.decode(Body.self, from: Data(#"{"date": "2026-03-01", "month": "9999-12"}"#.utf8))
        }
        // Without a window (reading stored JSON), only the format is checked.
        #expect(
            try JSONDecoder().decode(Body.self, from: Data(#"{"date": "0001-03-01"}"#.utf8)).date
                == LocalDate(iso: "0001-03-01"))
    }

    @Test("the window is configured, and an inverted one is refused")
    func configured() throws {
        let config = try Config.parse("[input]\nearliest_date = \"1950-01-01\"\nlatest_date = \"2100-12-31\"\n")
        #expect(
            config.input.dates
                == DateWindow(
                    earliest: try #require(LocalDate(iso: "1950-01-01")),
                    latest: try #require(LocalDate(iso: "2100-12-31"))))
        #expect(
            (#expect(throws: DomainError.self) { try Config.parse("[input]\nearliest_date = \"2200-01-01\"\n") })?.field
                == "input.earliest_date")
        #expect(
            (#expect(throws: DomainError.self) { try Config.parse("[input]\nlatest_date = \"31/12/2199\"\n") })?.field
                == "input.latest_date")
    }
}
