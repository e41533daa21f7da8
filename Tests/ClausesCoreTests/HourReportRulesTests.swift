import Foundation
import Testing

@testable import ClausesCore

@Suite("Hour report rules: one wording and one 'unchanged' test for the API, the pages and imports")
struct HourReportRulesTests {
    let june = YearMonth(year: 2026, month: 6)!

    @Test func figuresBeyondTheMonthAreRefusedAndHighOnesNeedConfirmation() {
        let beyond = HourReportRules.figureProblems(
            worked: 700, training: 30, attested: 800, month: june, plausibleCeiling: 220)
        #expect(beyond.map(\.field) == ["workedHours", "attestedInsertionHours"])
        #expect(beyond.first?.message == "730 h en juin 2026 : impossible, un mois de 30 jours compte 720 h.")
        let high = HourReportRules.figureProblems(
            worked: 230, training: 0, attested: nil, month: june, plausibleCeiling: 220)
        #expect(high == [.implausible(total: 230, month: june, ceiling: 220)])
        #expect(high.first?.error.code == .implausibleHours)
        #expect(
            HourReportRules.figureProblems(
                worked: 151.67, training: 0, attested: nil, month: june, plausibleCeiling: 220
            )
            .isEmpty)
    }

    @Test func monthsOutsideThePlacementOrStillToComeAreRefused() {
        let start = LocalDate(year: 2026, month: 3, day: 15)!
        let end = LocalDate(year: 2026, month: 5, day: 31)!
        let today = LocalDate(year: 2026, month: 11, day: 30)!
        let outside = HourReportRules.periodProblem(
            month: june, today: today, placementCode: "MEP-1", start: start, end: end)
        #expect(
            outside?.message
                == "juin 2026 est hors de la période de la mise à l'emploi MEP-1 (de mars 2026 à mai 2026).")
        #expect(outside?.column == "mois")
        let future = HourReportRules.periodProblem(
            month: YearMonth(year: 2026, month: 12)!, today: today, placementCode: "MEP-1", start: start, end: nil)
        #expect(future == .futureMonth(YearMonth(year: 2026, month: 12)!))
        #expect(
            HourReportRules.periodProblem(month: june, today: today, placementCode: "MEP-1", start: start, end: nil)
                == nil)
    }

    @Test("a figure left out keeps the current one; a rejected report is never 'unchanged'")
    func unchanged() {
        let current = HourReportRules.Figures(worked: 100, training: 10, attested: 90, amount: 5000)
        #expect(
            HourReportRules.isUnchanged(
                current: current, status: .validated, declared: .init(worked: 100, training: 10)))
        #expect(
            HourReportRules.isUnchanged(
                current: current, status: .declared, declared: .init(worked: 100, training: 10, attested: 90)))
        #expect(
            !HourReportRules.isUnchanged(
                current: current, status: .declared, declared: .init(worked: 100, training: 10, attested: 80)))
        #expect(
            !HourReportRules.isUnchanged(
                current: current, status: .declared, declared: .init(worked: 101, training: 10)))
        #expect(
            !HourReportRules.isUnchanged(
                current: current, status: .rejected, declared: .init(worked: 100, training: 10)))
    }
}
