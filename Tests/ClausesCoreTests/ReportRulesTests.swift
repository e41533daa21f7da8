import Foundation
import Testing

@testable import ClausesCore

@Suite("Bilans: statistical secrecy, periods, outcomes (pure rules)")
struct ReportRulesTests {
    let secrecy = StatisticalSecrecy(threshold: 3)

    /// acceptance/bilan-secrecy.md, line by line.
    @Test("the acceptance case: 6 people, sex and age masked, criteria not, a lot of 2 all masked")
    func acceptanceCase() {
        #expect(secrecy.count(6) == .exact(6))
        // Sex: women 4, men 2 → women « masqué », men « < 3 ».
        #expect(secrecy.partition([4, 2], subjectTotal: 6) == [.masked, .belowThreshold(3)])
        // Age: 1, 4, 1 → « < 3 », « masqué », « < 3 ».
        #expect(secrecy.partition([1, 4, 1], subjectTotal: 6) == [.belowThreshold(3), .masked, .belowThreshold(3)])
        // Criteria overlap (RSA 3, DELD 2, RQTH 2): no complementary masking.
        #expect(
            secrecy.overlapping([3, 2, 2], subjectTotal: 6) == [.exact(3), .belowThreshold(3), .belowThreshold(3)])
        // A lot with 2 people: its total « < 3 », every cell of its breakdowns masked.
        #expect(secrecy.count(2) == .belowThreshold(3))
        #expect(secrecy.partition([1, 1, 0], subjectTotal: 2) == [.masked, .masked, .masked])
        #expect(secrecy.overlapping([2, 1], subjectTotal: 2) == [.masked, .masked])
    }

    @Test("zero stays 0; nothing hidden when every cell reaches the threshold; the smallest is masked first")
    func complementaryMasking() {
        #expect(secrecy.count(0) == .exact(0))
        #expect(secrecy.partition([5, 0, 7], subjectTotal: 12) == [.exact(5), .exact(0), .exact(7)])
        // 1 hidden; then the smallest non-zero (3) masked: hidden 4 < 6, so the next (5) too: 9 ≥ 6.
        #expect(
            secrecy.partition([1, 9, 3, 5], subjectTotal: 18) == [.belowThreshold(3), .exact(9), .masked, .masked])
        // Hidden cells reach twice the threshold at once: nothing more masked.
        #expect(
            secrecy.partition([2, 2, 2, 10], subjectTotal: 16)
                == [.belowThreshold(3), .belowThreshold(3), .belowThreshold(3), .exact(10)])
        // Equal candidates: the first is masked first.
        #expect(secrecy.partition([2, 4, 4], subjectTotal: 10) == [.belowThreshold(3), .masked, .exact(4)])
        // Every non-zero cell hidden and short of twice the threshold: « < 3 » cells of a total of 3 would
        // each be 1, so every cell is masked, zeros too.
        #expect(secrecy.partition([1, 1, 1, 0], subjectTotal: 3) == [.masked, .masked, .masked, .masked])
        #expect(secrecy.partition([2, 3], subjectTotal: 5) == [.masked, .masked])
        // A higher threshold from config.toml.
        let five = StatisticalSecrecy(threshold: 5)
        #expect(five.count(4) == .belowThreshold(5))
        #expect(five.partition([4, 20], subjectTotal: 24) == [.belowThreshold(5), .masked])
    }

    @Test("published counts read « < 3 » and « masqué », and are strings in JSON")
    func publishedText() throws {
        #expect(PublishedCount.belowThreshold(3).french() == "< 3")
        #expect(PublishedCount.masked.french() == "masqué")
        #expect(PublishedCount.exact(1234).french(.csv) == "1234")
        let json = String(
            decoding: try JSONCoding.encode([PublishedCount.exact(6), .belowThreshold(3), .masked]), as: UTF8.self)
        #expect(json == #"["6","< 3","masqué"]"#)
    }

    @Test("periods: months, quarters, years, since the start; explicit dates; refusals in French")
    func periods() throws {
        let today = LocalDate(iso: "2026-12-01")!
        let q3 = try ReportPeriod.parse("2026-Q3", today: today)
        #expect(q3.from == LocalDate(iso: "2026-07-01") && q3.to == LocalDate(iso: "2026-09-30"))
        #expect(q3.code == "2026-Q3" && q3.french == "3e trimestre 2026" && q3.isWhole)
        #expect(try ReportPeriod.parse("2026-q1", today: today).french == "1er trimestre 2026")
        let month = try ReportPeriod.parse("2026-02", today: today)
        #expect(month.to == LocalDate(iso: "2026-02-28") && month.french == "février 2026")
        #expect(try ReportPeriod.parse("2025", today: today).to == LocalDate(iso: "2025-12-31"))
        let start = try ReportPeriod.parse("depuis-le-debut", today: today)
        #expect(start.from == nil && start.to == today && start.contains(YearMonth(text: "1999-01")!))
        for bad in ["2026-Q5", "2026-13", "T3 2026", "", "2026-+7", "+026", "2026-Q+"] {
            #expect(throws: DomainError.self) { try ReportPeriod.parse(bad, today: today) }
        }
        let backwards = #expect(throws: DomainError.self) {
            try ReportPeriod.dates(from: LocalDate(iso: "2026-05-01")!, to: LocalDate(iso: "2026-04-30")!)
        }
        #expect(backwards?.message == "La période se termine le 30/04/2026, avant de commencer le 01/05/2026.")
        let dates = try ReportPeriod.dates(from: LocalDate(iso: "2026-05-01")!, to: LocalDate(iso: "2026-05-20")!)
        #expect(
            !dates.isWhole && !dates.contains(YearMonth(text: "2026-04")!)
                && dates.contains(YearMonth(text: "2026-05")!))
        let two = #expect(throws: DomainError.self) {
            try ReportPeriod.resolve(period: "2026", year: "2026", from: nil, to: nil, today: today)
        }
        #expect(two?.field == "period")
        let half = #expect(throws: DomainError.self) {
            try ReportPeriod.resolve(period: nil, year: nil, from: today, to: nil, today: today)
        }
        #expect(half?.field == "to")
        // The buyer's choice: since the start, 12 months, 8 quarters, 3 years, all whole.
        let offered = ReportPeriod.wholePeriods(today: today)
        #expect(offered.count == 24 && offered.allSatisfy(\.isWhole))
        #expect(offered.contains { $0.code == "2026-Q4" } && offered.contains { $0.code == "2026-11" })
    }

    @Test("outcomes: ongoing, not yet due, employed, training, other exit, unknown; age bands at the first placement")
    func outcomesAndAges() {
        let at = LocalDate(iso: "2026-12-01")!
        var person = BilanPerson(
            sex: "F", birthDate: LocalDate(iso: "2000-03-02"), firstStart: LocalDate(iso: "2026-03-01")!,
            lastEnd: nil, criteria: [], qpvResident: nil, plieParticipant: true,
            atEnd: OutcomeFacts(employed: true, exit: nil), afterSixMonths: OutcomeFacts(employed: false, exit: nil),
            lotIds: [])
        #expect(person.ageBand == .under26)  // 25 on 1 March 2026, her birthday the next day
        #expect(person.outcomeAtEnd(at: at) == .ongoing && person.outcomeAfterSixMonths(at: at) == .ongoing)
        person.lastEnd = LocalDate(iso: "2026-11-30")
        #expect(person.outcomeAtEnd(at: at) == .employed)
        #expect(person.outcomeAfterSixMonths(at: at) == .notYetDue)
        person.lastEnd = LocalDate(iso: "2026-05-31")
        #expect(person.outcomeAfterSixMonths(at: at) == .unknown)
        person.afterSixMonths.training = true
        #expect(person.outcomeAfterSixMonths(at: at) == .training)
        person.afterSixMonths.training = false
        person.afterSixMonths.exit = .qualifyingTraining
        #expect(person.outcomeAfterSixMonths(at: at) == .training)
        person.afterSixMonths.exit = .movedAway
        #expect(person.outcomeAfterSixMonths(at: at) == .otherExit)
        person.afterSixMonths.exit = .employmentCDI
        #expect(person.outcomeAfterSixMonths(at: at) == .employed)
        #expect(AgeBand.of(birthDate: LocalDate(iso: "1976-03-01"), on: LocalDate(iso: "2026-03-01")!) == .from50)
        #expect(AgeBand.of(birthDate: LocalDate(iso: "1976-03-02"), on: LocalDate(iso: "2026-03-01")!) == .from26To49)
        #expect(AgeBand.of(birthDate: nil, on: at) == .unknown)
    }

    @Test("contracts: qualifying hires are CDI or CDD of 6 months or more, hidden like any count")
    func contracts() {
        let start = LocalDate(iso: "2026-01-01")!
        let facts = [
            BilanContractFacts(type: .cdi, start: start, end: nil),
            BilanContractFacts(type: .cdd, start: start, end: LocalDate(iso: "2026-06-30")),
            BilanContractFacts(type: .cdd, start: start, end: LocalDate(iso: "2026-06-29")),
            BilanContractFacts(type: .temporaryWork, start: start, end: nil),
            BilanContractFacts(type: .temporaryWork, start: start, end: nil),
            BilanContractFacts(type: .temporaryWork, start: start, end: nil),
        ]
        let counts = BilanCounts.contracts(facts, secrecy: secrecy)
        #expect(counts.total == .exact(6))
        #expect(counts.qualifyingHires.cells.map(\.count) == [.belowThreshold(3), .masked])
        // Every type is listed, zeros included: a type listed only when present would be known to be ≥ 1.
        #expect(counts.byType.cells.map(\.key) == EmploymentContractType.allCases.map(\.rawValue))
        #expect(
            counts.byType.cells.map(\.count)
                == [.belowThreshold(3), .belowThreshold(3), .exact(0), .exact(0), .masked]
                + Array(repeating: .exact(0), count: 5))
    }
}
