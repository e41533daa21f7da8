import Foundation
import Testing

@testable import ClausesCore

private func day(_ text: String) -> LocalDate { LocalDate(iso: text)! }
private func month(_ number: Int) -> YearMonth { YearMonth(year: 2026, month: number)! }
private func dec(_ text: String) -> Decimal { Decimal(string: text)! }

/// Monthly hours for consecutive months of 2026 from `first`, skipping zeros.
private func hours(_ values: [Decimal], from first: Int = 1) -> [YearMonth: Decimal] {
    var result: [YearMonth: Decimal] = [:]
    for (offset, value) in values.enumerated() where value != 0 {
        result[YearMonth(year: 2026, month: 1)!.adding(months: first - 1 + offset)] = value
    }
    return result
}

private func tempWork(_ monthly: [YearMonth: Decimal], id: String = "t1", company: String = "ett") -> OutcomePlacement {
    OutcomePlacement(
        id: id, companyId: company, contractType: .temporaryWork, start: day("2026-01-01"), end: day("2026-12-31"),
        weeklyHours: 35, monthlyHours: monthly)
}

private let istres = OutcomeProfile.istresOuestProvence2020
private let aix = OutcomeProfile.paysDAix
private let endOfYear = day("2026-12-31")

@Suite("Positive-outcome detection (DOMAIN §6, acceptance/outcomes.md)")
struct OutcomeDetectionTests {
    // MARK: Istres Ouest Provence 2020–2022

    @Test func o1_624HoursInSixMonths() {
        let found = detectOutcomes(
            placements: [tempWork(hours(Array(repeating: 104, count: 6)))], profile: istres, asOf: endOfYear)
        #expect(found.count == 1)
        let candidate = found[0]
        #expect(candidate.rule == .sustainedActivity)
        #expect(candidate.windowStart == month(1))
        #expect(candidate.windowEnd == month(6))
        #expect(candidate.establishedOn == day("2026-06-30"))
        #expect(candidate.hours == 624)
        #expect(candidate.placementIds == ["t1"])
        #expect(
            candidate.evidence
                == "624 h travaillées de janvier 2026 à juin 2026 (6 mois), seuil de 624 h sur 6 mois au plus atteint ; établi le 30/06/2026."
        )
    }

    @Test func o2_623_4HoursIsNotEnough() {
        let found = detectOutcomes(
            placements: [tempWork(hours(Array(repeating: dec("103.9"), count: 6)))], profile: istres, asOf: endOfYear)
        #expect(found.isEmpty)
    }

    @Test func o3_936HoursInNineMonthsOnly() {
        let monthly = hours([150, 150, 150, 50, 50, 50, 112, 112, 112])
        let found = detectOutcomes(placements: [tempWork(monthly)], profile: istres, asOf: endOfYear)
        #expect(found.count == 1)
        #expect(found[0].rule == .sustainedActivity)
        #expect(found[0].establishedOn == day("2026-09-30"))
        #expect(found[0].windowStart == month(1))
        #expect(found[0].windowEnd == month(9))
        #expect(found[0].hours == 936)
        #expect(found[0].evidence.contains("seuil de 936 h sur 9 mois au plus"))
    }

    @Test func o4_gapInSeptemberBreaksTheNineMonthWindow() {
        let monthly = hours([150, 150, 150, 50, 50, 50, 112, 112, 0, 112])
        #expect(detectOutcomes(placements: [tempWork(monthly)], profile: istres, asOf: endOfYear).isEmpty)
    }

    @Test func o5_cddOfSixMonthsFullTime() {
        let cdd = OutcomePlacement(
            id: "cdd", companyId: "c1", contractType: .cdd, start: day("2026-01-01"), end: day("2026-06-30"),
            weeklyHours: 35)
        let found = detectOutcomes(placements: [cdd], profile: istres, asOf: endOfYear)
        #expect(found.count == 1)
        #expect(found[0].rule == .qualifyingContract)
        #expect(found[0].establishedOn == day("2026-06-30"))
        #expect(found[0].windowStart == month(1))
        #expect(found[0].windowEnd == month(6))
        #expect(found[0].hours == nil)
        #expect(found[0].placementIds == ["cdd"])
        #expect(
            found[0].evidence
                == "CDD du 01/01/2026 au 30/06/2026 (6 mois ou plus) ; 35 h par semaine (seuil 24 h) ; établi le 30/06/2026."
        )
    }

    @Test func o6_belowPartTimeUnlessAgreed() {
        var cdd = OutcomePlacement(
            id: "cdd", companyId: "c1", contractType: .cdd, start: day("2026-01-01"), end: day("2026-06-30"),
            weeklyHours: 20)
        #expect(detectOutcomes(placements: [cdd], profile: istres, asOf: endOfYear).isEmpty)
        cdd.reducedHoursAgreed = true
        let found = detectOutcomes(placements: [cdd], profile: istres, asOf: endOfYear)
        #expect(found.map(\.rule) == [.qualifyingContract])
        #expect(found.first?.establishedOn == day("2026-06-30"))
        #expect(
            found.first?.evidence.contains("20 h par semaine (seuil 24 h), durée réduite acceptée par le participant")
                == true)
    }

    @Test func o7_cddiIsExcluded() {
        let weekly: Decimal = 26
        let monthly = weekly * 52 / 12
        let cddi = OutcomePlacement(
            id: "cddi", companyId: "aci", contractType: .cddi, start: day("2026-01-01"), end: day("2026-12-31"),
            weeklyHours: weekly, monthlyHours: hours(Array(repeating: monthly, count: 12)))
        #expect(detectOutcomes(placements: [cddi], profile: istres, asOf: endOfYear).isEmpty)
    }

    @Test func o8_cddFollowedByCdiCountsFromTheCddStart() {
        let cdd = OutcomePlacement(
            id: "cdd", companyId: "c1", contractType: .cdd, start: day("2026-01-01"), end: day("2026-04-30"),
            weeklyHours: 35)
        let cdi = OutcomePlacement(
            id: "cdi", companyId: "c1", contractType: .cdi, start: day("2026-05-01"), weeklyHours: 35)
        let found = detectOutcomes(placements: [cdi, cdd], profile: istres, asOf: endOfYear)
        #expect(found.count == 1)
        #expect(found[0].rule == .qualifyingContract)
        #expect(found[0].establishedOn == day("2026-06-30"))
        #expect(found[0].placementIds == ["cdd", "cdi"])
        #expect(
            found[0].evidence.contains(
                "CDD du 01/01/2026 au 30/04/2026 suivi d'un CDI chez le même employeur à partir du 01/05/2026"))
        // Not established yet on 29 June.
        #expect(detectOutcomes(placements: [cdi, cdd], profile: istres, asOf: day("2026-06-29")).isEmpty)
    }

    // MARK: Pays d'Aix

    @Test func a1_cdiAtEightyHoursAMonth() {
        let monthly: Decimal = 80
        let cdi = OutcomePlacement(
            id: "cdi", companyId: "c1", contractType: .cdi, start: day("2026-01-01"),
            weeklyHours: monthly * 12 / 52, monthlyHours: hours(Array(repeating: monthly, count: 12)))
        let found = detectOutcomes(placements: [cdi], profile: aix, asOf: endOfYear)
        #expect(found.count == 1)
        #expect(found[0].rule == .qualifyingContract)
        #expect(found[0].establishedOn == day("2026-06-30"))
        #expect(found[0].evidence == "CDI depuis le 01/01/2026 ; 80 h par mois (seuil 76 h) ; établi le 30/06/2026.")
    }

    @Test func a2_cdiAtSeventyHoursAMonthIsBelowHalfTime() {
        let monthly: Decimal = 70
        let cdi = OutcomePlacement(
            id: "cdi", companyId: "c1", contractType: .cdi, start: day("2026-01-01"),
            weeklyHours: monthly * 12 / 52, monthlyHours: hours(Array(repeating: monthly, count: 12)))
        #expect(detectOutcomes(placements: [cdi], profile: aix, asOf: endOfYear).isEmpty)
    }

    @Test func pdaHalfTimeBoundaryExactly76() {
        let monthly: Decimal = 76
        let cdi = OutcomePlacement(
            id: "cdi", companyId: "c1", contractType: .cdi, start: day("2026-01-01"), weeklyHours: monthly * 12 / 52)
        #expect(detectOutcomes(placements: [cdi], profile: aix, asOf: endOfYear).map(\.rule) == [.qualifyingContract])
        let below = OutcomePlacement(
            id: "cdi", companyId: "c1", contractType: .cdi, start: day("2026-01-01"),
            weeklyHours: dec("75.99") * 12 / 52)
        #expect(detectOutcomes(placements: [below], profile: aix, asOf: endOfYear).isEmpty)
    }

    // MARK: Boundaries

    @Test func exactly624HoursWithUnevenMonths() {
        let found = detectOutcomes(
            placements: [tempWork(hours([104, 104, 104, 104, 104, 104]))], profile: istres, asOf: endOfYear)
        #expect(found.first?.hours == 624)
        #expect(
            detectOutcomes(
                placements: [tempWork(hours([104, 104, 104, 104, 104, dec("103.5")]))], profile: istres, asOf: endOfYear
            ).isEmpty)
    }

    @Test func weeklyThresholdBoundary() {
        let at24 = OutcomePlacement(
            id: "c", companyId: "c1", contractType: .cdi, start: day("2026-01-01"), weeklyHours: 24)
        #expect(detectOutcomes(placements: [at24], profile: istres, asOf: endOfYear).count == 1)
        let below = OutcomePlacement(
            id: "c", companyId: "c1", contractType: .cdi, start: day("2026-01-01"), weeklyHours: dec("23.99"))
        #expect(detectOutcomes(placements: [below], profile: istres, asOf: endOfYear).isEmpty)
    }

    @Test func nineHundredThirtySixHoursOverNineVersusTenMonths() {
        // No 6-month window reaches 624 h (620 and 616 at most).
        let nine: [Decimal] = [120, 100, 100, 100, 100, 100, 100, 100, 116]
        let found = detectOutcomes(placements: [tempWork(hours(nine))], profile: istres, asOf: endOfYear)
        #expect(found.first?.establishedOn == day("2026-09-30"))
        #expect(found.first?.hours == 936)
        let ten: [Decimal] = [120, 100, 100, 100, 0, 100, 100, 100, 100, 116]
        #expect(detectOutcomes(placements: [tempWork(hours(ten))], profile: istres, asOf: endOfYear).isEmpty)
        let evenTen = Array(repeating: dec("93.6"), count: 10)
        #expect(detectOutcomes(placements: [tempWork(hours(evenTen))], profile: istres, asOf: endOfYear).isEmpty)
    }

    @Test func asOfBeforeEstablishmentGivesNoCandidateYet() {
        let placement = tempWork(hours(Array(repeating: 104, count: 6)))
        #expect(detectOutcomes(placements: [placement], profile: istres, asOf: day("2026-06-29")).isEmpty)
        #expect(detectOutcomes(placements: [placement], profile: istres, asOf: day("2026-06-30")).count == 1)
        let cdd = OutcomePlacement(
            id: "cdd", companyId: "c1", contractType: .cdd, start: day("2026-01-01"), end: day("2026-06-30"),
            weeklyHours: 35)
        #expect(detectOutcomes(placements: [cdd], profile: istres, asOf: day("2026-06-29")).isEmpty)
    }

    @Test func shortestWindowAndHoursOfAllPlacementsAdded() {
        let a = tempWork(hours([0, 52, 52, 52, 52, 52, 52]), id: "a", company: "ett1")
        let b = tempWork(hours([0, 52, 52, 52, 52, 52, 52]), id: "b", company: "ett2")
        let unrelated = tempWork(hours([10]), id: "c", company: "ett3")
        let found = detectOutcomes(placements: [a, b, unrelated], profile: istres, asOf: endOfYear)
        #expect(found.count == 1)
        #expect(found[0].windowStart == month(2))
        #expect(found[0].windowEnd == month(7))
        #expect(found[0].placementIds == ["a", "b"])
        // One very long month reaches the threshold alone.
        let burst = detectOutcomes(placements: [tempWork(hours([10, 700]))], profile: istres, asOf: endOfYear)
        #expect(burst.first?.windowStart == month(2))
        #expect(burst.first?.windowEnd == month(2))
        #expect(burst.first?.hours == 700)
    }

    @Test func earliestThresholdWinsAndTiesGoToTheFirstListed() {
        // 936 h over 9 months reached in month 9; 624 h over 6 months reached only in month 10.
        let late624: [Decimal] = [120, 100, 100, 100, 100, 100, 100, 100, 116, 200]
        let found = detectOutcomes(placements: [tempWork(hours(late624))], profile: istres, asOf: endOfYear)
        #expect(found.count == 1)
        #expect(found[0].establishedOn == day("2026-09-30"))
        #expect(found[0].evidence.contains("936 h"))
        // Both met in the same month: the 624 h rule is reported.
        let both = detectOutcomes(placements: [tempWork(hours([936]))], profile: istres, asOf: endOfYear)
        #expect(both.first?.evidence.contains("seuil de 624 h sur 6 mois") == true)
    }

    @Test func bothRuleKindsReportedSortedByDate() {
        let weekly: Decimal = 35
        let cdi = OutcomePlacement(
            id: "cdi", companyId: "c1", contractType: .cdi, start: day("2026-01-01"), weeklyHours: weekly,
            monthlyHours: hours(Array(repeating: dec("151.67"), count: 12)))
        let found = detectOutcomes(placements: [cdi], profile: istres, asOf: endOfYear)
        #expect(found.map(\.rule) == [.sustainedActivity, .qualifyingContract])
        #expect(found.map(\.establishedOn) == [day("2026-05-31"), day("2026-06-30")])
    }

    @Test func cddOneDayShortOrContractEndedEarlyIsNotACandidate() {
        let short = OutcomePlacement(
            id: "cdd", companyId: "c1", contractType: .cdd, start: day("2026-01-01"), end: day("2026-06-29"),
            weeklyHours: 35)
        #expect(detectOutcomes(placements: [short], profile: istres, asOf: endOfYear).isEmpty)
        let brokenCdi = OutcomePlacement(
            id: "cdi", companyId: "c1", contractType: .cdi, start: day("2026-01-01"), end: day("2026-03-31"),
            weeklyHours: 35)
        #expect(detectOutcomes(placements: [brokenCdi], profile: istres, asOf: endOfYear).isEmpty)
        let temp = OutcomePlacement(
            id: "tt", companyId: "c1", contractType: .temporaryWork, start: day("2026-01-01"), end: day("2026-12-31"),
            weeklyHours: 35)
        #expect(detectOutcomes(placements: [temp], profile: istres, asOf: endOfYear).isEmpty)
    }

    @Test func cddChantierAndOpenEndedCdd() {
        let chantier = OutcomePlacement(
            id: "ch", companyId: "c1", contractType: .cddChantier, start: day("2026-02-15"), end: day("2026-08-14"),
            weeklyHours: 35)
        #expect(
            detectOutcomes(placements: [chantier], profile: istres, asOf: endOfYear).first?.establishedOn
                == day("2026-08-14"))
        let open = OutcomePlacement(
            id: "ch", companyId: "c1", contractType: .cddChantier, start: day("2026-02-15"), weeklyHours: 35)
        #expect(detectOutcomes(placements: [open], profile: istres, asOf: day("2026-08-13")).isEmpty)
        #expect(
            detectOutcomes(placements: [open], profile: istres, asOf: day("2026-08-14")).first?.establishedOn
                == day("2026-08-14"))
    }

    @Test func chainRequiresSameCompanyAndNoGap() {
        let cdd = OutcomePlacement(
            id: "cdd", companyId: "c1", contractType: .cdd, start: day("2026-01-01"), end: day("2026-04-30"),
            weeklyHours: 35)
        let gap = OutcomePlacement(
            id: "cdi", companyId: "c1", contractType: .cdi, start: day("2026-05-02"), weeklyHours: 35)
        #expect(detectOutcomes(placements: [cdd, gap], profile: istres, asOf: day("2026-10-31")).isEmpty)
        let alone = detectOutcomes(placements: [cdd, gap], profile: istres, asOf: endOfYear)
        #expect(alone.first?.establishedOn == day("2026-11-01"))
        #expect(alone.first?.placementIds == ["cdi"])
        let other = OutcomePlacement(
            id: "cdi", companyId: "c2", contractType: .cdi, start: day("2026-05-01"), weeklyHours: 35)
        #expect(
            detectOutcomes(placements: [cdd, other], profile: istres, asOf: endOfYear).first?.establishedOn
                == day("2026-10-31"))
        // Two back-to-back CDDs then a CDI: counted from the first CDD.
        let first = OutcomePlacement(
            id: "cdd0", companyId: "c1", contractType: .cdd, start: day("2025-11-01"), end: day("2025-12-31"),
            weeklyHours: 35)
        let cdi = OutcomePlacement(
            id: "cdi", companyId: "c1", contractType: .cdi, start: day("2026-05-01"), weeklyHours: 35)
        let chain = detectOutcomes(placements: [cdi, cdd, first], profile: istres, asOf: endOfYear)
        #expect(chain.first?.establishedOn == day("2026-04-30"))
        #expect(chain.first?.placementIds == ["cdd0", "cdd", "cdi"])
    }

    @Test func profiles() throws {
        #expect(istres.name == "istres-ouest-provence-2020")
        #expect(aix.name == "pays-d-aix")
        #expect(
            istres.sustainedActivityWindows == [
                ActivityWindow(hours: 624, months: 6), ActivityWindow(hours: 936, months: 9),
            ])
        #expect(istres.partTimeWeeklyHours == 24 && istres.partTimeMonthlyHours == nil)
        #expect(aix.partTimeMonthlyHours == 76 && aix.partTimeWeeklyHours == nil)
        #expect(istres.excludedContractTypes == [.cddi])
        #expect(OutcomeProfile.named("pays-d-aix") == aix)
        #expect(OutcomeProfile.named("nowhere") == nil)
        let data = try JSONEncoder().encode(istres)
        #expect(try JSONDecoder().decode(OutcomeProfile.self, from: data) == istres)
        #expect(OutcomeRule.sustainedActivity.rawValue == "sustained_activity")
    }
}
