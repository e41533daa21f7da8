import Foundation
import Testing

@testable import ClausesCore

@Suite("Indicator rules (DOMAIN §6 targets)")
struct IndicatorRulesTests {
    private func item(_ items: [Indicator], _ kind: IndicatorKind) -> Indicator? {
        items.first { $0.indicator == .kind(kind) }
    }

    @Test("Aix's training cap: counted training exits = min(T, ⌊0.08 × (E + T)⌋)")
    func trainingCap() throws {
        var counts = IndicatorCounts()
        counts.exitsByKind = [.employmentCDI: 40, .employmentTempWork: 6, .qualifyingTraining: 9, .droppedOut: 45]
        let aix = indicators(from: counts, profile: .paysDAix, period: .year(2026))
        // E = 46, T = 9: ⌊0.08 × 55⌋ = 4 training exits counted; (46 + 4) ÷ 100.
        #expect(item(aix, .positiveExitRate)?.numerator == 50 && item(aix, .positiveExitRate)?.value == 0.5)
        #expect(item(aix, .positiveExitRate)?.status == .met)
        #expect(item(aix, .positiveExitRateTraining)?.numerator == 4)
        // Istres has no cap: all 9 count.
        let istres = indicators(from: counts, profile: .istresOuestProvence2020, period: .year(2026))
        #expect(item(istres, .positiveExitRate)?.numerator == 55)
        #expect(istres.contains { $0.indicator == .exits(.droppedOut) && $0.value == Decimal(string: "0.45") })
    }

    @Test("nothing to divide by: no value, the target is not met and the note says why")
    func zeroDenominator() {
        let items = indicators(from: IndicatorCounts(), profile: .istresOuestProvence2020, period: .year(2026))
        let rate = item(items, .positiveExitRate)
        #expect(rate?.value == nil && rate?.status == .notMet && rate?.note?.contains("dénominateur nul") == true)
        #expect(item(items, .womenShare)?.status == .noTarget)
    }

    @Test("count targets are judged over their own period only; shares over any")
    func targetPeriods() throws {
        var counts = IndicatorCounts()
        counts.accompanied = 2100
        counts.referents = 20
        counts.qpvOrTVA = 700
        let protocolPeriod = try IndicatorPeriod(from: .firstDay(ofYear: 2020), to: .lastDay(ofYear: 2022))
        let overProtocol = indicators(from: counts, profile: .istresOuestProvence2020, period: protocolPeriod)
        #expect(item(overProtocol, .accompanied)?.status == .met && item(overProtocol, .accompanied)?.target == 2090)
        #expect(item(overProtocol, .caseloadPerReferent)?.status == .noTarget)
        let year = indicators(from: counts, profile: .istresOuestProvence2020, period: .year(2021))
        #expect(item(year, .accompanied)?.status == .noTarget)
        #expect(item(year, .caseloadPerReferent)?.value == 105 && item(year, .caseloadPerReferent)?.status == .met)
        #expect(
            item(year, .qpvOrTVAShare)?.status == .met && item(year, .qpvOrTVAShare)?.value == Decimal(string: "0.3333")
        )
        #expect(IndicatorPeriod.year(2021).isCalendarYear && !protocolPeriod.isCalendarYear)
    }
}
