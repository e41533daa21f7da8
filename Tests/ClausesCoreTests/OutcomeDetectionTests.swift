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

private func tempWork(_ monthly: [YearMonth: Decimal], id: String = "t1") -> PaidWork {
    PaidWork(
        id: id, contractType: .temporaryWork, start: day("2026-01-01"), end: day("2026-12-31"),
        weeklyHours: 35, monthlyHours: monthly)
}

private let istres = PLIEProfile.istresOuestProvence2020
private let aix = PLIEProfile.paysDAix
private let no91 = PLIEProfile.nordOuest91
private let endOfYear = day("2026-12-31")

@Suite("Positive-outcome detection (DOMAIN §6, acceptance/outcomes.md)")
struct OutcomeDetectionTests {
    // MARK: Istres Ouest Provence 2020–2022

    @Test func o1_624HoursInSixMonths() {
        let found = detectOutcomes(
            work: [tempWork(hours(Array(repeating: 104, count: 6)))], profile: istres, asOf: endOfYear)
        #expect(found.count == 1)
        let candidate = found[0]
        #expect(candidate.rule == .sustainedActivity)
        #expect(candidate.windowStart == month(1))
        #expect(candidate.windowEnd == month(6))
        #expect(candidate.establishedOn == day("2026-06-30"))
        #expect(candidate.hours == 624)
        #expect(candidate.workIds == ["t1"])
        #expect(
            candidate.evidence
                == "624 h travaillées de janvier 2026 à juin 2026 (6 mois), seuil de 624 h sur 6 mois au plus atteint ; établi le 30/06/2026."
        )
    }

    @Test func o2_623_4HoursIsNotEnough() {
        let found = detectOutcomes(
            work: [tempWork(hours(Array(repeating: dec("103.9"), count: 6)))], profile: istres, asOf: endOfYear)
        #expect(found.isEmpty)
    }

    @Test func o3_936HoursInNineMonthsOnly() {
        let monthly = hours([150, 150, 150, 50, 50, 50, 112, 112, 112])
        let found = detectOutcomes(work: [tempWork(monthly)], profile: istres, asOf: endOfYear)
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
        #expect(detectOutcomes(work: [tempWork(monthly)], profile: istres, asOf: endOfYear).isEmpty)
    }

    @Test func o5_cddOfSixMonthsFullTime() {
        let cdd = PaidWork(
            id: "cdd", contractType: .cdd, start: day("2026-01-01"), end: day("2026-06-30"),
            weeklyHours: 35)
        let found = detectOutcomes(work: [cdd], profile: istres, asOf: endOfYear)
        #expect(found.count == 1)
        #expect(found[0].rule == .qualifyingContract)
        #expect(found[0].establishedOn == day("2026-06-30"))
        #expect(found[0].windowStart == month(1))
        #expect(found[0].windowEnd == month(6))
        #expect(found[0].hours == nil)
        #expect(found[0].workIds == ["cdd"])
        #expect(
            found[0].evidence
                == "CDD du 01/01/2026 au 30/06/2026 (6 mois ou plus) ; 35 h par semaine (seuil 24 h) ; établi le 30/06/2026."
        )
    }

    @Test func o6_belowPartTimeUnlessAgreed() {
        var cdd = PaidWork(
            id: "cdd", contractType: .cdd, start: day("2026-01-01"), end: day("2026-06-30"),
            weeklyHours: 20)
        #expect(detectOutcomes(work: [cdd], profile: istres, asOf: endOfYear).isEmpty)
        cdd.reducedHoursAgreed = true
        let found = detectOutcomes(work: [cdd], profile: istres, asOf: endOfYear)
        #expect(found.map(\.rule) == [.qualifyingContract])
        #expect(found.first?.establishedOn == day("2026-06-30"))
        #expect(
            found.first?.evidence.contains("20 h par semaine (seuil 24 h), durée réduite acceptée par le participant")
                == true)
    }

    @Test func o7_cddiIsExcluded() {
        let weekly: Decimal = 26
        let monthly = weekly * 52 / 12
        let cddi = PaidWork(
            id: "cddi", contractType: .cddi, start: day("2026-01-01"), end: day("2026-12-31"),
            weeklyHours: weekly, monthlyHours: hours(Array(repeating: monthly, count: 12)))
        #expect(detectOutcomes(work: [cddi], profile: istres, asOf: endOfYear).isEmpty)
    }

    @Test func o8_cddFollowedByCdiCountsFromTheCddStart() {
        let cdd = PaidWork(
            id: "cdd", contractType: .cdd, start: day("2026-01-01"), end: day("2026-04-30"),
            weeklyHours: 35)
        let cdi = PaidWork(id: "cdi", contractType: .cdi, start: day("2026-05-01"), weeklyHours: 35)
        let found = detectOutcomes(work: [cdi, cdd], profile: istres, asOf: endOfYear)
        #expect(found.count == 1)
        #expect(found[0].rule == .qualifyingContract)
        #expect(found[0].establishedOn == day("2026-06-30"))
        #expect(found[0].workIds == ["cdd", "cdi"])
        #expect(
            found[0].evidence.contains(
                "CDD du 01/01/2026 au 30/04/2026 suivi d'un CDI à partir du 01/05/2026 (au plus 7 jours entre deux contrats)"
            ))
        // Not established yet on 29 June.
        #expect(detectOutcomes(work: [cdi, cdd], profile: istres, asOf: day("2026-06-29")).isEmpty)
    }

    @Test func o9_chainAcrossEmployersOverAWeekend() {
        let cdd = PaidWork(
            id: "cdd", contractType: .cdd, start: day("2026-01-05"), end: day("2026-01-30"), weeklyHours: 35)
        let cdi = PaidWork(id: "cdi", contractType: .cdi, start: day("2026-02-02"), weeklyHours: 35)
        let found = detectOutcomes(work: [cdd, cdi], profile: istres, asOf: endOfYear)
        #expect(found.map(\.rule) == [.qualifyingContract])
        #expect(found.first?.establishedOn == day("2026-07-04"))
        #expect(found.first?.workIds == ["cdd", "cdi"])
        #expect(found.first?.windowStart == month(1))
    }

    // MARK: Pays d'Aix

    @Test func a1_cdiAtEighteenAndAHalfHoursAWeek() {
        let cdi = PaidWork(id: "cdi", contractType: .cdi, start: day("2026-01-01"), weeklyHours: dec("18.5"))
        let found = detectOutcomes(work: [cdi], profile: aix, asOf: endOfYear)
        #expect(found.count == 1)
        #expect(found[0].rule == .qualifyingContract)
        #expect(found[0].establishedOn == day("2026-06-30"))
        #expect(
            found[0].evidence == "CDI depuis le 01/01/2026 ; 18,5 h par semaine (seuil 17,5 h) ; établi le 30/06/2026.")
    }

    @Test func a2_cdiAtSixteenHoursIsBelowHalfTime() {
        let cdi = PaidWork(id: "cdi", contractType: .cdi, start: day("2026-01-01"), weeklyHours: 16)
        #expect(detectOutcomes(work: [cdi], profile: aix, asOf: endOfYear).isEmpty)
    }

    @Test func a3_tempWork624Hours() {
        let found = detectOutcomes(
            work: [tempWork(hours(Array(repeating: 110, count: 6)))], profile: aix, asOf: endOfYear)
        #expect(found.map(\.rule) == [.sustainedActivity])
        #expect(found.first?.establishedOn == day("2026-06-30"))
        #expect(found.first?.hours == 660)
        #expect(found.first?.evidence.contains("chaque mois travaillé") == true)
    }

    @Test func a4_aMonthWithoutHoursBreaksContinuity() {
        let monthly = hours([150, 150, 0, 150, 150, 150])
        #expect(detectOutcomes(work: [tempWork(monthly)], profile: aix, asOf: endOfYear).isEmpty)
        // The same hours count under Istres, where gaps are allowed inside the window.
        #expect(
            detectOutcomes(work: [tempWork(monthly)], profile: istres, asOf: endOfYear).first?.establishedOn
                == day("2026-06-30"))
    }

    @Test func a5_cddHoursAreNotTempWorkButTheContractQualifies() {
        let cdd = PaidWork(
            id: "cdd", contractType: .cdd, start: day("2026-01-01"), end: day("2026-06-30"), weeklyHours: 24,
            monthlyHours: hours(Array(repeating: 104, count: 6)))
        let found = detectOutcomes(work: [cdd], profile: aix, asOf: endOfYear)
        #expect(found.map(\.rule) == [.qualifyingContract])
        #expect(found.first?.establishedOn == day("2026-06-30"))
        // Under Istres the same 624 h count as sustained activity too (all paid work).
        #expect(
            Set(detectOutcomes(work: [cdd], profile: istres, asOf: endOfYear).map(\.rule)) == [
                .sustainedActivity, .qualifyingContract,
            ])
    }

    @Test func halfTimeBoundaryAndNoDerogationOutsideIstres() {
        let atHalf = PaidWork(id: "cdi", contractType: .cdi, start: day("2026-01-01"), weeklyHours: dec("17.5"))
        #expect(detectOutcomes(work: [atHalf], profile: aix, asOf: endOfYear).map(\.rule) == [.qualifyingContract])
        var below = PaidWork(id: "cdi", contractType: .cdi, start: day("2026-01-01"), weeklyHours: dec("17.49"))
        #expect(detectOutcomes(work: [below], profile: aix, asOf: endOfYear).isEmpty)
        // The participant's agreement to shorter hours is an Istres derogation only.
        below.reducedHoursAgreed = true
        #expect(detectOutcomes(work: [below], profile: aix, asOf: endOfYear).isEmpty)
        #expect(detectOutcomes(work: [below], profile: no91, asOf: endOfYear).isEmpty)
        #expect(detectOutcomes(work: [below], profile: istres, asOf: endOfYear).map(\.rule) == [.qualifyingContract])
    }

    // MARK: Nord-Ouest 91

    @Test func n1_sixMonthsOfUninterruptedTempMissions() {
        let found = detectOutcomes(
            work: [tempWork(hours(Array(repeating: 80, count: 6)))], profile: no91, asOf: endOfYear)
        #expect(found.map(\.rule) == [.tempMissions])
        #expect(found.first?.establishedOn == day("2026-06-30"))
        #expect(found.first?.windowStart == month(1))
        #expect(found.first?.hours == 480)
        // Below half-time in one month (75.83 h) breaks the run; no hours threshold applies in Nord-Ouest 91.
        let short = hours([80, 80, 75, 80, 80, 80])
        #expect(detectOutcomes(work: [tempWork(short)], profile: no91, asOf: endOfYear).isEmpty)
        #expect(
            detectOutcomes(work: [tempWork(hours([80, 80, dec("75.83"), 80, 80, 80]))], profile: no91, asOf: endOfYear)
                .map(\.rule) == [.tempMissions])
    }

    @Test func n2_aCddOfExactlySixMonthsIsNotEnough() {
        let cdd = PaidWork(
            id: "cdd", contractType: .cdd, start: day("2026-01-01"), end: day("2026-06-30"), weeklyHours: 35)
        #expect(detectOutcomes(work: [cdd], profile: no91, asOf: endOfYear).isEmpty)
        let longer = PaidWork(
            id: "cdd", contractType: .cdd, start: day("2026-01-01"), end: day("2026-07-01"), weeklyHours: 35)
        let found = detectOutcomes(work: [longer], profile: no91, asOf: endOfYear)
        #expect(found.map(\.rule) == [.qualifyingContract])
        #expect(found.first?.establishedOn == day("2026-06-30"))
        // Without an end date, it must have run past the sixth month.
        let open = PaidWork(id: "cdd", contractType: .cdd, start: day("2026-01-01"), weeklyHours: 35)
        #expect(detectOutcomes(work: [open], profile: no91, asOf: day("2026-06-30")).isEmpty)
        #expect(detectOutcomes(work: [open], profile: no91, asOf: day("2026-07-01")).count == 1)
    }

    // MARK: Other rules

    @Test func subsidisedContractOfMoreThanSixMonthsIstresOnly() {
        let aided = PaidWork(
            id: "cui", contractType: .subsidised, start: day("2026-01-01"), end: day("2026-09-30"), weeklyHours: 20)
        let found = detectOutcomes(work: [aided], profile: istres, asOf: endOfYear)
        #expect(found.map(\.rule) == [.subsidisedContract])
        #expect(found.first?.establishedOn == day("2026-06-30"))
        #expect(detectOutcomes(work: [aided], profile: aix, asOf: endOfYear).isEmpty)
        let sixMonths = PaidWork(
            id: "cui", contractType: .subsidised, start: day("2026-01-01"), end: day("2026-06-30"), weeklyHours: 20)
        #expect(detectOutcomes(work: [sixMonths], profile: istres, asOf: endOfYear).isEmpty)
    }

    @Test func alternanceQualifies() {
        for type in [EmploymentContractType.apprenticeship, .professionalisation] {
            let contract = PaidWork(
                id: "alt", contractType: type, start: day("2026-01-01"), end: day("2027-06-30"), weeklyHours: 35)
            #expect(
                detectOutcomes(work: [contract], profile: istres, asOf: endOfYear).map(\.rule) == [.qualifyingContract])
            #expect(
                detectOutcomes(work: [contract], profile: aix, asOf: endOfYear).map(\.rule) == [.qualifyingContract])
        }
    }

    @Test func onlyWorkFromThePathwayEntryCounts() {
        let work = tempWork(hours(Array(repeating: 104, count: 6)))
        #expect(detectOutcomes(work: [work], profile: istres, entry: day("2026-01-01"), asOf: endOfYear).count == 1)
        // Entered in February: January's hours belong to before the pathway.
        #expect(detectOutcomes(work: [work], profile: istres, entry: day("2026-02-01"), asOf: endOfYear).isEmpty)
        // A contract established before the entry is not this pathway's outcome.
        let cdi = PaidWork(id: "cdi", contractType: .cdi, start: day("2025-01-01"), weeklyHours: 35)
        #expect(detectOutcomes(work: [cdi], profile: istres, entry: day("2026-01-01"), asOf: endOfYear).isEmpty)
    }

    // MARK: Boundaries

    @Test func exactly624HoursWithUnevenMonths() {
        let found = detectOutcomes(
            work: [tempWork(hours([104, 104, 104, 104, 104, 104]))], profile: istres, asOf: endOfYear)
        #expect(found.first?.hours == 624)
        #expect(
            detectOutcomes(
                work: [tempWork(hours([104, 104, 104, 104, 104, dec("103.5")]))], profile: istres, asOf: endOfYear
            ).isEmpty)
    }

    @Test func weeklyThresholdBoundary() {
        let at24 = PaidWork(id: "c", contractType: .cdi, start: day("2026-01-01"), weeklyHours: 24)
        #expect(detectOutcomes(work: [at24], profile: istres, asOf: endOfYear).count == 1)
        let below = PaidWork(id: "c", contractType: .cdi, start: day("2026-01-01"), weeklyHours: dec("23.99"))
        #expect(detectOutcomes(work: [below], profile: istres, asOf: endOfYear).isEmpty)
    }

    @Test func nineHundredThirtySixHoursOverNineVersusTenMonths() {
        // No 6-month window reaches 624 h (620 and 616 at most).
        let nine: [Decimal] = [120, 100, 100, 100, 100, 100, 100, 100, 116]
        let found = detectOutcomes(work: [tempWork(hours(nine))], profile: istres, asOf: endOfYear)
        #expect(found.first?.establishedOn == day("2026-09-30"))
        #expect(found.first?.hours == 936)
        let ten: [Decimal] = [120, 100, 100, 100, 0, 100, 100, 100, 100, 116]
        #expect(detectOutcomes(work: [tempWork(hours(ten))], profile: istres, asOf: endOfYear).isEmpty)
        let evenTen = Array(repeating: dec("93.6"), count: 10)
        #expect(detectOutcomes(work: [tempWork(hours(evenTen))], profile: istres, asOf: endOfYear).isEmpty)
    }

    @Test func asOfBeforeEstablishmentGivesNoCandidateYet() {
        let placement = tempWork(hours(Array(repeating: 104, count: 6)))
        #expect(detectOutcomes(work: [placement], profile: istres, asOf: day("2026-06-29")).isEmpty)
        #expect(detectOutcomes(work: [placement], profile: istres, asOf: day("2026-06-30")).count == 1)
        let cdd = PaidWork(
            id: "cdd", contractType: .cdd, start: day("2026-01-01"), end: day("2026-06-30"),
            weeklyHours: 35)
        #expect(detectOutcomes(work: [cdd], profile: istres, asOf: day("2026-06-29")).isEmpty)
    }

    @Test func shortestWindowAndHoursOfAllPlacementsAdded() {
        let a = tempWork(hours([0, 52, 52, 52, 52, 52, 52]), id: "a")
        let b = tempWork(hours([0, 52, 52, 52, 52, 52, 52]), id: "b")
        let unrelated = tempWork(hours([10]), id: "c")
        let found = detectOutcomes(work: [a, b, unrelated], profile: istres, asOf: endOfYear)
        #expect(found.count == 1)
        #expect(found[0].windowStart == month(2))
        #expect(found[0].windowEnd == month(7))
        #expect(found[0].workIds == ["a", "b"])
        // One very long month reaches the threshold alone.
        let burst = detectOutcomes(work: [tempWork(hours([10, 700]))], profile: istres, asOf: endOfYear)
        #expect(burst.first?.windowStart == month(2))
        #expect(burst.first?.windowEnd == month(2))
        #expect(burst.first?.hours == 700)
    }

    @Test func earliestThresholdWinsAndTiesGoToTheFirstListed() {
        // 936 h over 9 months reached in month 9; 624 h over 6 months reached only in month 10.
        let late624: [Decimal] = [120, 100, 100, 100, 100, 100, 100, 100, 116, 200]
        let found = detectOutcomes(work: [tempWork(hours(late624))], profile: istres, asOf: endOfYear)
        #expect(found.count == 1)
        #expect(found[0].establishedOn == day("2026-09-30"))
        #expect(found[0].evidence.contains("936 h"))
        // Both met in the same month: the 624 h rule is reported.
        let both = detectOutcomes(work: [tempWork(hours([936]))], profile: istres, asOf: endOfYear)
        #expect(both.first?.evidence.contains("seuil de 624 h sur 6 mois") == true)
    }

    @Test func bothRuleKindsReportedSortedByDate() {
        let weekly: Decimal = 35
        let cdi = PaidWork(
            id: "cdi", contractType: .cdi, start: day("2026-01-01"), weeklyHours: weekly,
            monthlyHours: hours(Array(repeating: dec("151.67"), count: 12)))
        let found = detectOutcomes(work: [cdi], profile: istres, asOf: endOfYear)
        #expect(found.map(\.rule) == [.sustainedActivity, .qualifyingContract])
        #expect(found.map(\.establishedOn) == [day("2026-05-31"), day("2026-06-30")])
    }

    @Test func cddOneDayShortOrContractEndedEarlyIsNotACandidate() {
        let short = PaidWork(
            id: "cdd", contractType: .cdd, start: day("2026-01-01"), end: day("2026-06-29"),
            weeklyHours: 35)
        #expect(detectOutcomes(work: [short], profile: istres, asOf: endOfYear).isEmpty)
        let brokenCdi = PaidWork(
            id: "cdi", contractType: .cdi, start: day("2026-01-01"), end: day("2026-03-31"),
            weeklyHours: 35)
        #expect(detectOutcomes(work: [brokenCdi], profile: istres, asOf: endOfYear).isEmpty)
        let temp = PaidWork(
            id: "tt", contractType: .temporaryWork, start: day("2026-01-01"), end: day("2026-12-31"),
            weeklyHours: 35)
        #expect(detectOutcomes(work: [temp], profile: istres, asOf: endOfYear).isEmpty)
    }

    @Test func cddChantierAndOpenEndedCdd() {
        let chantier = PaidWork(
            id: "ch", contractType: .cddChantier, start: day("2026-02-15"), end: day("2026-08-14"),
            weeklyHours: 35)
        #expect(
            detectOutcomes(work: [chantier], profile: istres, asOf: endOfYear).first?.establishedOn
                == day("2026-08-14"))
        let open = PaidWork(id: "ch", contractType: .cddChantier, start: day("2026-02-15"), weeklyHours: 35)
        #expect(detectOutcomes(work: [open], profile: istres, asOf: day("2026-08-13")).isEmpty)
        #expect(
            detectOutcomes(work: [open], profile: istres, asOf: day("2026-08-14")).first?.establishedOn
                == day("2026-08-14"))
    }

    @Test func chainGapOfAtMostSevenDaysAnyEmployer() {
        let cdd = PaidWork(
            id: "cdd", contractType: .cdd, start: day("2026-01-01"), end: day("2026-04-30"), weeklyHours: 35)
        // 7 days strictly between 30 April and 8 May: chained.
        let week = PaidWork(id: "cdi", contractType: .cdi, start: day("2026-05-08"), weeklyHours: 35)
        #expect(
            detectOutcomes(work: [cdd, week], profile: istres, asOf: endOfYear).first?.establishedOn
                == day("2026-06-30"))
        // 8 days: the CDI stands alone, 6 months from its own start.
        let late = PaidWork(id: "cdi", contractType: .cdi, start: day("2026-05-09"), weeklyHours: 35)
        let alone = detectOutcomes(work: [cdd, late], profile: istres, asOf: endOfYear)
        #expect(alone.first?.establishedOn == day("2026-11-08"))
        #expect(alone.first?.workIds == ["cdi"])
        // Two CDDs then a CDI: counted from the first CDD.
        let first = PaidWork(
            id: "cdd0", contractType: .cdd, start: day("2025-11-01"), end: day("2025-12-31"), weeklyHours: 35)
        let cdi = PaidWork(id: "cdi", contractType: .cdi, start: day("2026-05-01"), weeklyHours: 35)
        let chain = detectOutcomes(work: [cdi, cdd, first], profile: istres, asOf: endOfYear)
        #expect(chain.first?.establishedOn == day("2026-04-30"))
        #expect(chain.first?.workIds == ["cdd", "cdd0", "cdi"])
    }

    @Test func aSettledCandidateGivesWayToTheNextFacts() {
        // The committee refused the CDD; the CDI that follows three months later is proposed.
        let cdd = PaidWork(
            id: "cdd", contractType: .cdd, start: day("2026-01-01"), end: day("2026-06-30"), weeklyHours: 35)
        let cdi = PaidWork(id: "cdi", contractType: .cdi, start: day("2026-09-01"), weeklyHours: 35)
        let first = detectOutcomes(work: [cdd, cdi], profile: istres, asOf: endOfYear)
        #expect(first.first?.workIds == ["cdd"])
        let refused = first[0]
        let next = detectOutcomes(work: [cdd, cdi], profile: istres, asOf: endOfYear, settled: { $0 == refused })
        // Not established yet at the end of the year; it is once six months of CDI have passed.
        #expect(next.isEmpty)
        let cdiCandidate = detectOutcomes(
            work: [cdd, cdi], profile: istres, asOf: day("2027-03-01"), settled: { $0 == refused })
        #expect(cdiCandidate.first?.workIds == ["cdi"] && cdiCandidate.first?.establishedOn == day("2027-02-28"))
        // Sustained activity: a refused window gives way to the next month's.
        let temp = tempWork(hours(Array(repeating: 104, count: 7)))
        let window = detectOutcomes(work: [temp], profile: istres, asOf: endOfYear)[0]
        let later = detectOutcomes(work: [temp], profile: istres, asOf: endOfYear, settled: { $0 == window })
        #expect(later.first?.establishedOn == day("2026-07-31"))
    }

    @Test func aCddConvertedEarlyStillChainsAndTrainingIsNotPaidWork() {
        // The CDD's planned end stays after the CDI's start (converted early).
        let cdd = PaidWork(
            id: "cdd", contractType: .cdd, start: day("2026-01-05"), end: day("2026-06-30"), weeklyHours: 35)
        let cdi = PaidWork(id: "cdi", contractType: .cdi, start: day("2026-03-01"), weeklyHours: 35)
        let found = detectOutcomes(work: [cdd, cdi], profile: aix, asOf: endOfYear)
        #expect(found.first?.workIds == ["cdd", "cdi"] && found.first?.establishedOn == day("2026-07-04"))
        let training = PaidWork(
            id: "poe", contractType: .training, start: day("2026-01-01"), end: day("2026-06-30"), weeklyHours: 35,
            monthlyHours: hours(Array(repeating: 110, count: 6)))
        #expect(detectOutcomes(work: [training], profile: istres, asOf: endOfYear).isEmpty)
    }

    @Test func factsChangeWithTheEvidence() {
        let six = detectOutcomes(
            work: [tempWork(hours(Array(repeating: 104, count: 6)))], profile: istres, asOf: endOfYear)
        let more = detectOutcomes(
            work: [tempWork(hours(Array(repeating: 110, count: 6)))], profile: istres, asOf: endOfYear)
        #expect(six.first?.establishedOn == more.first?.establishedOn)
        #expect(six.first?.facts != more.first?.facts)
        #expect(six.first?.facts == "sustained_activity|2026-06-30|2026-01|2026-06|624|t1")
    }

    @Test func profiles() throws {
        #expect(PLIEProfile.builtIn.map(\.name) == ["istres-ouest-provence-2020", "pays-d-aix", "nord-ouest-91"])
        #expect(
            istres.activityWindows == [ActivityWindow(hours: 624, months: 6), ActivityWindow(hours: 936, months: 9)])
        #expect(istres.partTimeWeeklyHours == 24 && istres.reducedHoursDerogation)
        #expect(aix.partTimeWeeklyHours == dec("17.5") && !aix.reducedHoursDerogation && aix.activityContinuous)
        #expect(aix.activityContractTypes == [.temporaryWork, .ettiAssignment])
        #expect(no91.activityWindows.isEmpty && no91.fixedTermMustExceed && no91.tempMissionMonths == 6)
        #expect(istres.excludedContractTypes == [.cddi] && istres.subsidisedContractMonths == 6)
        #expect(PLIEProfile.monthlyEquivalent(weeklyHours: dec("17.5")) == dec("75.83"))
        let profiles = PLIEProfiles()
        #expect(profiles.named("pays-d-aix") == aix)
        #expect(profiles.named("nowhere") == nil)
        let error = #expect(throws: DomainError.self) { try profiles.named("nowhere", field: "profile") }
        #expect(error?.message.contains("nord-ouest-91") == true)
        let data = try JSONEncoder().encode(istres)
        #expect(try JSONDecoder().decode(PLIEProfile.self, from: data) == istres)
        #expect(OutcomeRule.sustainedActivity.rawValue == "sustained_activity")
    }
}
