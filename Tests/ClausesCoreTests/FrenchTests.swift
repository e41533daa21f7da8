import Foundation
import Testing

@testable import ClausesCore

@Suite("French formatting: one module, four styles")
struct FrenchTests {
    static func dec(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }
    static let nb = "\u{202F}"

    @Test func numbersInEachStyle() {
        let value = Self.dec("1234567.891")
        #expect(French.number(value, .page) == "1\(Self.nb)234\(Self.nb)567,89")
        #expect(French.number(value, .text) == "1 234 567,89")
        #expect(French.number(value, .csv) == "1234567,89")
        #expect(French.number(value, .json) == "1234567.89")
        #expect(French.number(Self.dec("-1250.5"), .text) == "-1 250,5")
        #expect(French.number(Self.dec("999"), .text) == "999")
        #expect(French.number(Self.dec("-0.001"), .text) == "0")
        #expect(French.number(Self.dec("12.5"), .csv, fixedFraction: 2) == "12,50")
        #expect(French.number(Self.dec("833.333333333"), .page, maxFraction: 6) == "833,333333")
    }

    @Test func unitsRatesAndDates() {
        #expect(French.hours(Self.dec("1500.5"), .text) == "1 500,5 h")
        #expect(French.hours(Self.dec("1500.5")) == "1\(Self.nb)500,5 h")
        #expect(French.euros(Self.dec("1500"), .text, cents: true) == "1 500,00 €")
        #expect(French.percent(Self.dec("0.075"), .text) == "7,5 %")
        #expect(French.round(Self.dec("2.345"), scale: 2) == Self.dec("2.35"))
        #expect(French.round(Self.dec("-2.345"), scale: 2) == Self.dec("-2.35"))
        #expect(French.month(YearMonth(year: 2026, month: 8)!) == "août 2026")
        #expect(French.date(LocalDate(year: 2026, month: 1, day: 31)!) == "31/01/2026")
        #expect(French.count(1, "mise", "mises", .text) == "1 mise")
        #expect(French.count(1200, "mise", "mises", .text) == "1 200 mises")
    }

    @Test("the one parser reads back what the text and CSV styles print")
    func roundTrip() throws {
        for text in ["0", "1234567.89", "-1250.5", "0.01", "999999"] {
            let value = Self.dec(text)
            for style in [FrenchStyle.text, .csv, .json] {
                #expect(try FrenchNumber.parseDecimal(French.number(value, style), field: "x") == value)
            }
        }
    }
}

@Suite("Machine text: dates and numeric values as PostgreSQL and JSON read them")
struct MachineTextTests {
    @Test func datesAndMonths() {
        #expect(LocalDate(year: 2026, month: 1, day: 5)!.description == "2026-01-05")
        #expect(LocalDate(year: 1, month: 12, day: 31)!.description == "0001-12-31")
        #expect(LocalDate(year: 2026, month: 1, day: 5)!.french == "05/01/2026")
        #expect(YearMonth(year: 987, month: 3)!.description == "0987-03")
    }

    @Test func numericTextMatchesDecimalText() {
        for text in ["0", "151.67", "151.6", "-3", "-0.05", "1234567.89", "0.333", "12345678901234567890.5"] {
            let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!
            #expect(
                Decimal(string: NumericText.text(value), locale: Locale(identifier: "en_US_POSIX")) == value, "\(text)")
        }
        #expect(NumericText.text(Decimal(string: "151.60")!) == "151.6")
        #expect(NumericText.text(Decimal(string: "-0.05")!) == "-0.05")
        #expect(NumericText.text(Decimal(string: "7")!) == "7")
    }
}
