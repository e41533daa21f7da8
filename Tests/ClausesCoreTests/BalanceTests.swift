import Foundation
import Testing

@testable import ClausesCore

private func day(_ text: String) -> LocalDate { LocalDate(iso: text)! }
private func dec(_ text: String) -> Decimal { Decimal(string: text)! }

/// A lot executed 1–10 January 2026 (10 days), 1 000 h required, tolerance 10 %.
private func tenDayLot(credited: Decimal, at: String, required: Decimal = 1000, tolerance: Decimal = dec("0.10"))
    -> Balance
{
    computeBalance(
        BalanceInput(
            requiredHours: required, workedHours: credited, trainingHours: 0, creditedHours: credited,
            executionStart: day("2026-01-01"), executionEnd: day("2026-01-10"), at: day(at), tolerance: tolerance))
}

@Suite("Balances and status (DOMAIN §4, §8)")
struct BalanceTests {
    @Test func notStartedBeforeExecutionStart() {
        let balance = computeBalance(
            BalanceInput(
                requiredHours: 1000, workedHours: 0, trainingHours: 0, creditedHours: 0,
                executionStart: day("2026-03-01"), executionEnd: day("2026-12-31"),
                at: day("2026-02-28"), tolerance: dec("0.1")))
        #expect(balance.status == .notStarted)
        #expect(balance.progress == 0)
        #expect(balance.expectedHours == 0)
        #expect(balance.statusExplanation.french(.text) == "Exécution non commencée (début prévu le 01/03/2026).")
    }

    @Test func notStartedWithoutDatesAndHours() {
        let none = computeBalance(
            BalanceInput(
                requiredHours: 500, workedHours: 0, trainingHours: 0, creditedHours: 0,
                executionStart: nil, executionEnd: nil, at: day("2026-06-01"), tolerance: dec("0.1")))
        #expect(none.status == .notStarted)
        #expect(none.progress == nil)
        #expect(none.expectedHours == nil)
        let some = computeBalance(
            BalanceInput(
                requiredHours: 500, workedHours: 10, trainingHours: 0, creditedHours: 10,
                executionStart: nil, executionEnd: nil, at: day("2026-06-01"), tolerance: dec("0.1")))
        #expect(some.status == .onTrack)
        #expect(some.shortfallHours == 0)
    }

    @Test func onTrackAndBehindAtTheToleranceBoundary() {
        // At the end of 5 January, half the period has elapsed: expected 500 h, behind below 450 h.
        let atTolerance = tenDayLot(credited: 450, at: "2026-01-05")
        #expect(atTolerance.progress == dec("0.5"))
        #expect(atTolerance.expectedHours == 500)
        #expect(atTolerance.status == .onTrack)
        #expect(atTolerance.shortfallHours == 50)
        let justBelow = tenDayLot(credited: dec("449.99"), at: "2026-01-05")
        #expect(justBelow.status == .behind)
        #expect(justBelow.shortfallHours == dec("50.01"))
        #expect(
            justBelow.statusExplanation.french(.text)
                == "En retard : 449,99 h valorisées pour 500 h attendues à ce stade (50 % de la période écoulée), au-delà de la tolérance de 10 %."
        )
        #expect(tenDayLot(credited: 0, at: "2026-01-05", tolerance: 1).status == .onTrack)
        #expect(tenDayLot(credited: dec("499.99"), at: "2026-01-05", tolerance: 0).status == .behind)
    }

    @Test func progressIsDayBasedInclusiveAndRounded() {
        let balance = computeBalance(
            BalanceInput(
                requiredHours: 833, workedHours: 0, trainingHours: 0, creditedHours: 400,
                executionStart: day("2026-01-01"), executionEnd: day("2026-12-31"),
                at: day("2026-07-02"), tolerance: dec("0.1")))
        // 183 of 365 days.
        #expect(balance.progress == dec("0.5014"))
        #expect(balance.expectedHours == dec("417.67"))
        #expect(balance.completionRate == dec("0.4802"))
        #expect(balance.remainingHours == 433)
        #expect(balance.status == .onTrack)
        #expect(tenDayLot(credited: 0, at: "2026-01-01").progress == dec("0.1"))
        #expect(tenDayLot(credited: 1000, at: "2026-01-10").progress == 1)
    }

    @Test func doneWhenCreditedReachesRequired() {
        let exact = tenDayLot(credited: 1000, at: "2026-01-03")
        #expect(exact.status == .done)
        #expect(exact.completionRate == 1)
        #expect(exact.remainingHours == 0)
        #expect(exact.surplusHours == 0)
        let more = tenDayLot(credited: 1250, at: "2026-02-01")
        #expect(more.status == .done)
        #expect(more.surplusHours == 250)
        #expect(more.completionRate == dec("1.25"))
        #expect(
            more.statusExplanation.french(.text) == "Objectif atteint : 1 250 h valorisées pour 1 000 h prescrites.")
    }

    @Test func nonCompliantOnlyAfterTheEnd() {
        let lastDay = tenDayLot(credited: 950, at: "2026-01-10")
        #expect(lastDay.status == .onTrack)
        let after = tenDayLot(credited: 950, at: "2026-01-11")
        #expect(after.status == .nonCompliant)
        #expect(after.progress == 1)
        #expect(after.remainingHours == 50)
        #expect(
            after.statusExplanation.french(.text)
                == "Exécution terminée le 10/01/2026 avec 950 h valorisées pour 1 000 h prescrites : 50 h manquantes.")
        #expect(tenDayLot(credited: 800, at: "2026-01-10").status == .behind)
    }

    @Test func zeroRequired() {
        let running = tenDayLot(credited: 0, at: "2026-01-05", required: 0)
        #expect(running.completionRate == nil)
        #expect(running.expectedHours == 0)
        #expect(running.status == .onTrack)
        #expect(tenDayLot(credited: 0, at: "2026-01-11", required: 0).status == .done)
        #expect(tenDayLot(credited: 12, at: "2026-01-05", required: 0).surplusHours == 12)
    }

    @Test func onTrackWithoutEndDate() {
        let balance = computeBalance(
            BalanceInput(
                requiredHours: 500, workedHours: 10, trainingHours: 0, creditedHours: 10,
                executionStart: day("2026-01-01"), executionEnd: nil, at: day("2026-06-01"), tolerance: dec("0.1")))
        #expect(balance.status == .onTrack)
        #expect(balance.progress == nil)
    }

    @Test func inputFromCredit() {
        let credit = creditHours(
            placements: [
                PlacementFacts(
                    id: "p", mode: .workStudy, contractType: .apprenticeship, start: day("2026-01-01"),
                    months: [MonthFacts(month: YearMonth(text: "2026-01")!, workedHours: 100, trainingHours: 20)])
            ],
            requiredHours: 1000, rules: .defaults)
        let input = BalanceInput(
            requiredHours: 1000, credit: credit, executionStart: day("2026-01-01"), executionEnd: day("2026-12-31"),
            at: day("2026-01-31"), tolerance: dec("0.1"))
        let balance = computeBalance(input)
        #expect(balance.workedHours == 100)
        #expect(balance.trainingHours == 20)
        #expect(balance.creditedHours == 120)
        #expect(balance.status == .onTrack)
    }

    @Test(arguments: [
        ([LotStatus](), LotStatus.notStarted),
        ([.done, .done], .done),
        ([.notStarted, .notStarted], .notStarted),
        ([.done, .notStarted], .onTrack),
        ([.onTrack, .done], .onTrack),
        ([.onTrack, .behind, .done], .behind),
        ([.behind, .nonCompliant], .nonCompliant),
        ([.done, .nonCompliant], .nonCompliant),
    ])
    func aggregateStatusRule(statuses: [LotStatus], expected: LotStatus) {
        #expect(aggregateStatus(statuses) == expected)
    }

    @Test func aggregateAddsLotsWithoutNettingSurplusAgainstShortfall() {
        let done = tenDayLot(credited: 1200, at: "2026-01-11")
        let short = tenDayLot(credited: 700, at: "2026-01-11")
        let aggregate = aggregateBalances([done, short])
        #expect(aggregate.lotCount == 2)
        #expect(aggregate.requiredHours == 2000)
        #expect(aggregate.creditedHours == 1900)
        #expect(aggregate.remainingHours == 300)
        #expect(aggregate.surplusHours == 200)
        #expect(aggregate.completionRate == dec("0.95"))
        #expect(aggregate.expectedHours == 2000)
        #expect(aggregate.status == .nonCompliant)
        #expect(aggregate.statusCounts.done == 1)
        #expect(aggregate.statusCounts[.nonCompliant] == 1)
        let empty = aggregateBalances([])
        #expect(empty.status == .notStarted)
        #expect(empty.completionRate == nil)
        #expect(empty.expectedHours == nil)
    }

    @Test func lotsSortedByUrgency() {
        func lot(_ name: String, credited: Decimal, start: String, end: String, at: String = "2026-06-30") -> (
            String, Balance
        ) {
            (
                name,
                computeBalance(
                    BalanceInput(
                        requiredHours: 1000, workedHours: credited, trainingHours: 0, creditedHours: credited,
                        executionStart: day(start), executionEnd: day(end), at: day(at), tolerance: dec("0.1")))
            )
        }
        let lots = [
            lot("done", credited: 1000, start: "2026-01-01", end: "2026-12-31"),
            lot("onTrackLate", credited: 600, start: "2026-01-01", end: "2027-12-31"),
            lot("behindSmall", credited: 400, start: "2026-01-01", end: "2026-12-31"),
            lot("notStarted", credited: 0, start: "2026-09-01", end: "2026-12-31"),
            lot("nonCompliantSmall", credited: 900, start: "2025-01-01", end: "2025-12-31"),
            lot("behindLarge", credited: 100, start: "2026-01-01", end: "2026-12-31"),
            lot("onTrackSoon", credited: 900, start: "2026-01-01", end: "2026-07-31"),
            lot("nonCompliantLarge", credited: 100, start: "2025-01-01", end: "2025-12-31"),
        ]
        #expect(lots.first { $0.0 == "onTrackLate" }?.1.status == .onTrack)
        let sorted = sortedByUrgency(lots) { $0.1 }.map(\.0)
        #expect(
            sorted == [
                "nonCompliantLarge", "nonCompliantSmall", "behindLarge", "behindSmall",
                "onTrackSoon", "onTrackLate", "notStarted", "done",
            ])
    }

    @Test func urgencyTiesKeepInputOrderAndUnknownEndComesLast() {
        let noEnd = computeBalance(
            BalanceInput(
                requiredHours: 100, workedHours: 1, trainingHours: 0, creditedHours: 1,
                executionStart: day("2026-01-01"), executionEnd: nil, at: day("2026-02-01"), tolerance: 0))
        let withEnd = tenDayLot(credited: 1000, at: "2026-01-05", required: 2000, tolerance: 1)
        #expect(withEnd.status == .onTrack)
        #expect(sortedByUrgency([noEnd, withEnd]) { $0 } == [withEnd, noEnd])
        #expect(sortedByUrgency(["a", "b"]) { _ in withEnd } == ["a", "b"])
    }
}
