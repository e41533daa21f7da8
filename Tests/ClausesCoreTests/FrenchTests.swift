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
