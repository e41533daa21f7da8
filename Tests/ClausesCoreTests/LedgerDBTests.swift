import ClausesTestSupport
import Foundation
import Testing

@testable import ClausesCore

@Suite("LedgerDB placements")
struct LedgerDBPlacementTests {
    @Test("a placement is refused when the participant is not eligible at its start, naming the criteria and the date")
    func refusedWhenNotEligible() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        // RSA proof not validated; DELD proof validated but older than 6 months at the start.
        let p = try await f.participant("P-001", criteria: [(.RSA, "2026-02-01", false), (.DELD, "2025-06-01", true)])
        let error = await ledgerError { _ = try await f.placement(p, start: "2026-03-01") }
        #expect(error?.kind == .unprocessable)
        #expect(error?.code == .notEligible)
        let message = error?.message ?? ""
        #expect(message.contains("Samira BENALI"))
        #expect(message.contains("01/03/2026"))
        #expect(message.contains("RSA (justificatif du 01/02/2026 non validé)"))
        #expect(message.contains("DELD (justificatif du 01/06/2025, plus de 6 mois)"))
        #expect(try await f.count("SELECT count(*) FROM placements") == 0)
    }

    @Test("with nonCounting the same placement is recorded, counting = false, no frozen criteria")
    func nonCounting() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let p = try await f.participant("P-002", criteria: [])
        let placement = try await f.placement(p, nonCounting: true)
        #expect(placement.counting == false)
        #expect(placement.eligibilityCriteria.isEmpty)
        #expect(placement.code.hasPrefix("MEP-2026-"))
        #expect(
            try await f.count(
                "SELECT count(*) FROM audit_log WHERE entity = 'placement' AND entity_id = $1",
                [placement.id.uuidString.lowercased()]) == 1)
    }

    @Test("the criteria valid at the start are frozen on the placement")
    func criteriaFrozen() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let p = try await f.participant(
            "P-003", criteria: [(.RSA, "2026-01-10", true), (.RQTH, "2026-01-15", false), (.DELD, "2025-01-10", true)])
        let placement = try await f.placement(p, start: "2026-03-01")
        #expect(placement.counting)
        #expect(placement.eligibilityCriteria == [.RSA])
        // A proof added later does not change what was judged at the start.
        let later = try await f.ledger.participants.addCriterion(
            f.staff, participantId: p.id, .init(code: .SENIOR, proofDate: ldate("2026-05-01")),
            today: ldate("2026-11-23"))
        _ = try await f.ledger.participants.validateCriterion(
            f.staff, participantId: p.id, criterionId: later.criteria.first { $0.code == .SENIOR }!.id)
        #expect(try await f.ledger.placements.get(f.staff, id: placement.id).eligibilityCriteria == [.RSA])
        let verdict = try await f.ledger.participants.eligibility(f.staff, participantId: p.id, at: ldate("2026-06-01"))
        #expect(verdict.criteria == [.RSA, .SENIOR])
    }

    @Test("a placement overlapping a full-time placement of the same person is refused; part-time ones may overlap")
    func overlap() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let p = try await f.participant("P-004", pathwayEntry: "2026-08-20", criteria: [(.RSA, "2026-01-10", true)])
        let full = try await f.placement(p, start: "2026-03-01", end: "2026-08-31", weekly: 35)
        let error = await ledgerError {
            _ = try await f.placement(p, company: f.otherCompanyId, start: "2026-06-01", end: nil, weekly: 20)
        }
        #expect(error?.code == .overlappingPlacement)
        #expect(error?.message.contains("chevauche la mise à l'emploi \(full.code) à temps plein") == true)
        // After the full-time one ends, fine; two part-time placements may overlap.
        let a = try await f.placement(p, start: "2026-09-01", end: "2026-12-31", weekly: 20)
        let b = try await f.placement(p, company: f.otherCompanyId, start: "2026-10-01", end: "2026-11-30", weekly: 15)
        #expect(a.code != b.code)
        // A new full-time placement overlapping a part-time one is refused too.
        let again = await ledgerError {
            _ = try await f.placement(p, start: "2026-11-01", end: "2026-11-30", weekly: 35)
        }
        #expect(again?.code == .overlappingPlacement)
    }

    @Test("unknown lot, company or participant are refused in French")
    func unknownReferences() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let p = try await f.participant("P-005")
        let lot = await ledgerError { _ = try await f.placement(p, lot: UUID()) }
        #expect(lot?.field == "lotId")
        #expect(lot?.message == "« lotId » ne désigne aucun lot existant.")
        let company = await ledgerError { _ = try await f.placement(p, company: UUID()) }
        #expect(company?.field == "companyId")
    }
}

@Suite("LedgerDB hour reports")
struct LedgerDBHourReportTests {
    @Test(
        "bounds: negative, more than the month's hours, outside the placement, implausible without confirmation, unknown placement"
    )
    func bounds() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let placement = try await f.placement(try await f.participant("H-001"), start: "2026-03-15", end: "2026-06-10")
        #expect(await ledgerError { _ = try await f.declare(placement, "2026-03", worked: -1) }?.field == "workedHours")
        let tooMany = await ledgerError { _ = try await f.declare(placement, "2026-04", worked: 700, training: 21) }
        #expect(tooMany?.message.contains("un mois de 30 jours compte 720 h") == true)
        #expect(await ledgerError { _ = try await f.declare(placement, "2026-02", worked: 10) }?.field == "month")
        #expect(await ledgerError { _ = try await f.declare(placement, "2026-07", worked: 10) }?.field == "month")
        #expect(await ledgerError { _ = try await f.declare(placement, "2026-12", worked: 10) }?.field == "month")
        let implausible = await ledgerError { _ = try await f.declare(placement, "2026-04", worked: 230) }
        #expect(implausible?.code == .implausibleHours)
        #expect(try await f.declare(placement, "2026-04", worked: 230, confirm: true).outcome == .created)
        let unknown = await ledgerError {
            _ = try await f.ledger.hours.declare(
                f.staff, HourDeclaration(placementCode: "MEP-2026-99999", month: lmonth("2026-04"), workedHours: 10))
        }
        #expect(unknown?.kind == .notFound)
        // Start and end months are both within the placement.
        #expect(try await f.declare(placement, "2026-03", worked: 80).outcome == .created)
        #expect(try await f.declare(placement, "2026-06", worked: 40).outcome == .created)
        #expect(try await f.count("SELECT count(*) FROM hour_reports") == 3)
    }

    @Test(
        "an existing month is a conflict; the same figures change nothing; replace records a correction and keeps the history"
    )
    func conflictAndReplace() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let placement = try await f.placement(try await f.participant("H-002"))
        let first = try await f.declare(placement, "2026-04", worked: 100, by: f.company)
        #expect(first.outcome == .created)
        #expect(first.report.source == .company)
        #expect(first.report.status == .declared)
        let conflict = await ledgerError { _ = try await f.declare(placement, "2026-04", worked: 120, by: f.company) }
        #expect(conflict?.kind == .conflict)
        #expect(conflict?.code == .reportExists)
        #expect(try await f.declare(placement, "2026-04", worked: 100, by: f.company).outcome == .unchanged)
        let corrected = try await f.declare(placement, "2026-04", worked: 120, by: f.company, replace: true)
        #expect(corrected.outcome == .corrected)
        #expect(corrected.report.correctionOf == first.report.id)

        let history = try await f.ledger.hours.history(f.staff, placementId: placement.id, month: lmonth("2026-04"))
        #expect(history.map(\.workedHours) == [100, 120])
        #expect(history.map(\.current) == [false, true])
        #expect(history[0].supersededAt != nil)
        #expect(try await f.ledger.hours.list(f.staff, placementId: placement.id).map(\.workedHours) == [120])
        #expect(
            try await f.count(
                "SELECT count(*) FROM audit_log WHERE entity = 'hour_report' AND changes ? 'correctionOf'") == 1)

        // Review: validate, then a validated report cannot be rejected without a correction.
        let validated = try await f.ledger.hours.validate(f.staff, reportId: corrected.report.id)
        #expect(validated.status == .validated)
        #expect(
            await ledgerError {
                _ = try await f.ledger.hours.reject(f.staff, reportId: corrected.report.id, reason: "non")
            }?.code == .alreadyReviewed)
        #expect(
            await ledgerError { _ = try await f.ledger.hours.validate(f.company, reportId: corrected.report.id) }?.kind
                == .forbidden)
        // The superseded version cannot be reviewed.
        #expect(
            await ledgerError { _ = try await f.ledger.hours.validate(f.staff, reportId: first.report.id) }?.code
                == .superseded)
    }

    @Test("a rejected report can be declared again without replace")
    func rejectedThenRedeclared() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let placement = try await f.placement(try await f.participant("H-003"))
        let first = try await f.declare(placement, "2026-05", worked: 150)
        let rejected = try await f.ledger.hours.reject(f.staff, reportId: first.report.id, reason: "Relevé non signé")
        #expect(rejected.rejectionReason == "Relevé non signé")
        let again = try await f.declare(placement, "2026-05", worked: 140)
        #expect(again.outcome == .corrected)
        #expect(try await f.ledger.hours.pending(f.staff).map(\.id) == [again.report.id])
    }
}

@Suite("LedgerDB balances")
struct LedgerDBBalanceTests {
    @Test("a lot's balance moves after an import, with credited hours equal to the pure rules' figure")
    func balanceMovesAfterImport() async throws {
        let f = try await LedgerFixture.make(requiredHours: 1000)
        defer { Task { await f.close() } }
        let eligible = try await f.placement(
            try await f.participant("B-001"), mode: .workStudy, contract: .professionalisation)
        let notEligible = try await f.placement(
            try await f.participant("B-002", first: "Jonas", last: "Meyer", criteria: []), nonCounting: true)
        let at = ldate("2026-07-15")
        let before = try await f.ledger.balances.lotBalance(f.staff, lotId: f.lotId, at: at)
        #expect(before.balance.creditedHours == 0)
        #expect(before.placementCount == 2)

        let csv = """
            placement;mois;heures travaillées;heures de formation
            \(eligible.code);2026-03;120;20
            \(eligible.code);2026-04;130,5;400
            \(eligible.code);2026-05;140;0
            \(notEligible.code);2026-03;151,67;0
            \(eligible.code);2026-08;100;0
            """
        let report = try await f.ledger.imports.importHours(
            data: Data(csv.utf8), caller: f.staff, confirmPlausible: true, validate: true,
            today: ldate("2026-11-23"))
        #expect(report.status == .written)
        #expect(report.created == 5)

        let after = try await f.ledger.balances.lotBalance(f.staff, lotId: f.lotId, at: at)
        let expected = creditHours(
            placements: [
                PlacementFacts(
                    id: eligible.code, mode: .workStudy, contractType: .professionalisation, start: ldate("2026-03-01"),
                    end: ldate("2026-08-31"),
                    months: [
                        MonthFacts(month: lmonth("2026-03"), workedHours: 120, trainingHours: 20),
                        MonthFacts(month: lmonth("2026-04"), workedHours: ldec("130.5"), trainingHours: 400),
                        MonthFacts(month: lmonth("2026-05"), workedHours: 140, trainingHours: 0),
                    ]),
                PlacementFacts(
                    id: notEligible.code, mode: .directHire, contractType: .cdd, start: ldate("2026-03-01"),
                    end: ldate("2026-08-31"),
                    eligibleAtStart: false, months: [MonthFacts(month: lmonth("2026-03"), workedHours: ldec("151.67"))]),
            ], requiredHours: 1000, rules: f.config.counting.table, through: at.yearMonth)
        #expect(after.credit == expected)
        // 390.5 worked + training capped at 30 % of 1000 = 300 → 690.5; the non-eligible 151.67 h are excluded.
        #expect(after.balance.creditedHours == ldec("690.5"))
        #expect(after.credit.excludedHours == ldec("151.67"))
        #expect(
            after.balance
                == computeBalance(
                    BalanceInput(
                        requiredHours: 1000, credit: expected, executionStart: ldate("2026-01-01"),
                        executionEnd: ldate("2026-12-31"), at: at, tolerance: f.config.ledger.tolerance)))
        // August is after the balance date: not counted yet.
        #expect(after.credit.months.map(\.month).last == lmonth("2026-05"))
        let later = try await f.ledger.balances.lotBalance(f.staff, lotId: f.lotId, at: ldate("2026-09-01"))
        #expect(later.balance.creditedHours == ldec("790.5"))
    }

    @Test("declared but unvalidated hours are shown apart and not credited; rejected ones are ignored")
    func onlyValidatedCount() async throws {
        let f = try await LedgerFixture.make(requiredHours: 500)
        defer { Task { await f.close() } }
        let placement = try await f.placement(try await f.participant("B-003"))
        _ = try await f.declare(placement, "2026-03", worked: 100, validate: true)
        _ = try await f.declare(placement, "2026-04", worked: 110, by: f.company)
        let rejected = try await f.declare(placement, "2026-05", worked: 90, by: f.company)
        _ = try await f.ledger.hours.reject(f.staff, reportId: rejected.report.id, reason: "Doublon")
        let balance = try await f.ledger.balances.lotBalance(f.staff, lotId: f.lotId, at: ldate("2026-11-01"))
        #expect(balance.balance.creditedHours == 100)
        #expect(balance.pendingHours == 110)
        #expect(balance.pendingReports == 1)
    }

    @Test("a buyer's balance adds its lots up and sorts them by urgency; clause overrides apply per lot")
    func buyerSortedByUrgency() async throws {
        let f = try await LedgerFixture.make(requiredHours: 100, lotStart: "2026-01-01", lotEnd: "2026-12-31")
        defer { Task { await f.close() } }
        let behindLot = try await LedgerFixture.lot(
            f.pool, contract: f.contractId, number: 2, required: 1000, start: "2026-01-01", end: "2026-12-31",
            contractor: f.companyId)
        let futureLot = try await LedgerFixture.lot(
            f.pool, contract: f.contractId, number: 3, required: 300, start: "2027-01-01", end: "2027-12-31",
            contractor: f.otherCompanyId)
        let endedLot = try await LedgerFixture.lot(
            f.pool, contract: f.contractId, number: 4, required: 200, start: "2025-01-01", end: "2026-05-31",
            contractor: f.otherCompanyId)
        // Lot 1 done (150 ≥ 100); lot 2 behind (10 of ~833 expected); lot 4 ended non-compliant (50 of 200).
        let p1 = try await f.placement(try await f.participant("U-1"), lot: f.lotId)
        _ = try await f.declare(p1, "2026-03", worked: 150, validate: true)
        let p2 = try await f.placement(try await f.participant("U-2"), lot: behindLot)
        _ = try await f.declare(p2, "2026-03", worked: 10, validate: true)
        let p4 = try await f.placement(
            try await f.participant("U-4"), lot: endedLot, start: "2026-02-01", end: "2026-05-31")
        _ = try await f.declare(p4, "2026-03", worked: 50, validate: true)
        // A clause whose worked hours do not count for direct hires: lot 3's placement credits nothing.
        _ = try await InsertionClauseStore(pool: f.pool, defaultRounding: .halfUp).put(
            f.staff, lotId: futureLot,
            .init(
                calibration: .fixed(hours: 300),
                countingOverrides: CountingRuleOverrides(rules: [
                    .directHire: PartialCountingRule(countWorkedHours: false)
                ])))
        let p3 = try await f.placement(
            try await f.participant("U-3"), lot: futureLot, start: "2026-04-01", end: "2026-06-30")
        _ = try await f.declare(p3, "2026-04", worked: 70, validate: true)

        let at = ldate("2026-11-01")
        let summary = try await f.ledger.balances.balance(of: .buyer(f.buyerId), at: at, caller: f.buyer)
        #expect(summary.lots.map(\.lotNumber) == [4, 2, 3, 1])
        #expect(summary.lots.map(\.balance.status) == [.nonCompliant, .behind, .notStarted, .done])
        #expect(summary.aggregate.lotCount == 4)
        #expect(summary.aggregate.creditedHours == 210)
        #expect(summary.aggregate.status == .nonCompliant)
        #expect(summary.aggregate == aggregateBalances(summary.lots.map(\.balance)))
        #expect(summary.months.map(\.month) == [lmonth("2026-03"), lmonth("2026-04")])
        #expect(summary.months.last?.cumulativeCredited == 210)
        // The same lots through the marché and the company views.
        #expect(
            try await f.ledger.balances.balance(of: .publicContract(f.contractId), at: at, caller: f.staff).aggregate
                .lotCount == 4)
        #expect(
            try await f.ledger.balances.balance(of: .company(f.otherCompanyId), at: at, caller: f.staff).lots.map(
                \.lotNumber) == [4, 3])
    }
}

@Suite("LedgerDB role scoping")
struct LedgerDBScopeTests {
    @Test("a référent sees only their own participants and their placements")
    func referent() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let mine = try await f.participant("R-1", referent: f.referentId)
        let theirs = try await f.participant("R-2", first: "Léo", last: "Martin", referent: f.otherReferentId)
        _ = try await f.placement(mine)
        _ = try await f.placement(theirs)
        #expect(try await f.ledger.participants.list(f.referent, page: PageRequest()).items.map(\.reference) == ["R-1"])
        #expect(try await f.ledger.participants.list(f.staff, page: PageRequest()).items.count == 2)
        #expect(
            await ledgerError { _ = try await f.ledger.participants.get(f.referent, id: theirs.id) }?.kind == .notFound)
        #expect(
            await ledgerError {
                _ = try await f.ledger.participants.update(f.referent, id: theirs.id, .init(phone: "0600000000"))
            }?.kind == .notFound)
        #expect(
            try await f.ledger.placements.list(f.referent, page: PageRequest()).items.map(\.participantId) == [mine.id])
        // A référent may not validate a proof.
        #expect(
            await ledgerError {
                _ = try await f.ledger.participants.validateCriterion(
                    f.referent, participantId: mine.id, criterionId: mine.criteria[0].id)
            }?.kind == .forbidden)
    }

    @Test("a buyer reads no participant, placement or report, only balances of its own lots")
    func buyer() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let p = try await f.participant("S-1")
        let placement = try await f.placement(p)
        #expect(
            await ledgerError { _ = try await f.ledger.participants.list(f.buyer, page: PageRequest()) }?.kind
                == .forbidden)
        #expect(await ledgerError { _ = try await f.ledger.participants.get(f.buyer, id: p.id) }?.kind == .forbidden)
        #expect(
            await ledgerError { _ = try await f.ledger.placements.list(f.buyer, page: PageRequest()) }?.kind
                == .forbidden)
        #expect(
            await ledgerError { _ = try await f.ledger.hours.list(f.buyer, placementId: placement.id) }?.kind
                == .forbidden)
        #expect(
            await ledgerError {
                _ = try await f.ledger.outcomes.candidates(f.buyer, asOf: ldate("2026-11-01"))
            }?.kind == .forbidden)
        #expect(
            try await f.ledger.balances.lotBalance(f.buyer, lotId: f.lotId, at: ldate("2026-06-01")).lotId == f.lotId)
        let stranger = Caller(userId: nil, role: .buyer, buyerId: UUID(), label: "autre acheteur")
        #expect(
            await ledgerError {
                _ = try await f.ledger.balances.lotBalance(stranger, lotId: f.lotId, at: ldate("2026-06-01"))
            }?.kind == .notFound)
        #expect(
            await ledgerError {
                _ = try await f.ledger.balances.balance(
                    of: .buyer(f.buyerId), at: ldate("2026-06-01"), caller: stranger)
            }?.kind == .notFound)
    }

    @Test("a company sees and declares only its own placements, with the person's first name and initial")
    func company() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let own = try await f.placement(try await f.participant("C-1", first: "Samira", last: "Benali"))
        let other = try await f.placement(
            try await f.participant("C-2", first: "Léo", last: "Martin"), company: f.otherCompanyId)
        let listed = try await f.ledger.placements.companyList(f.company, page: PageRequest()).items
        #expect(listed.map(\.code) == [own.code])
        #expect(listed.first?.participantName == "Samira B.")
        #expect(try await f.ledger.placements.get(f.staff, id: own.id).participantName == "Samira BENALI")
        #expect(
            await ledgerError { _ = try await f.ledger.placements.companyGet(f.company, id: other.id) }?.kind
                == .notFound)
        // The full view, with the eligibility criteria, is never a company's.
        #expect(
            await ledgerError { _ = try await f.ledger.placements.list(f.company, page: PageRequest()) }?.kind
                == .forbidden)
        #expect(await ledgerError { _ = try await f.ledger.placements.get(f.company, id: own.id) }?.kind == .forbidden)
        #expect(
            await ledgerError { _ = try await f.declare(other, "2026-04", worked: 10, by: f.company) }?.kind
                == .notFound)
        #expect(try await f.declare(own, "2026-04", worked: 10, by: f.company).outcome == .created)
        #expect(
            await ledgerError { _ = try await f.declare(own, "2026-05", worked: 10, by: f.company, validate: true) }?
                .kind == .forbidden)
        #expect(
            await ledgerError { _ = try await f.ledger.participants.list(f.company, page: PageRequest()) }?.kind
                == .forbidden)
        // A company's import may not reach another company's placement.
        let csv = "placement;mois;heures travaillées\n\(other.code);2026-05;10\n"
        let report = try await f.ledger.imports.importHours(
            data: Data(csv.utf8), caller: f.company, today: ldate("2026-11-23"))
        #expect(report.status == .rejected)
        #expect(report.problems.first?.message.contains("inconnue ou hors de votre périmètre") == true)
    }
}

@Suite("LedgerDB imports")
struct LedgerDBImportTests {
    @Test("a file with one bad line writes nothing and reports every problem with its line")
    func allOrNothing() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let placement = try await f.placement(try await f.participant("I-1"))
        _ = try await f.declare(placement, "2026-06", worked: 50)
        let csv = """
            placement;mois;heures travaillées
            \(placement.code);2026-03;100
            \(placement.code);2026-04;110
            MEP-2026-99999;2026-04;10
            \(placement.code);2026-01;10
            \(placement.code);2026-06;60
            """
        let report = try await f.ledger.imports.importHours(
            data: Data(csv.utf8), caller: f.staff, today: ldate("2026-11-23"))
        #expect(report.status == .rejected)
        #expect(report.problems.map(\.line) == [4, 5, 6])
        #expect(report.problems[0].message.contains("MEP-2026-99999"))
        #expect(report.problems[1].message.contains("hors de la période"))
        // The same sentence as the API's (HourReportRules): already declared, with the figures and the remedy.
        #expect(
            report.problems[2].message.contains("déjà déclarées pour MEP-2026-00001 en juin 2026 (50 h travaillées"))
        #expect(report.problems[2].message.contains("demandez le remplacement"))
        #expect(try await f.count("SELECT count(*) FROM hour_reports") == 1)
        // A format error is reported by the parser, with nothing written either.
        let bad = try await f.ledger.imports.importHours(
            data: Data("placement;mois;heures travaillées\n\(placement.code);2026-03;abc\n".utf8),
            caller: f.staff, today: ldate("2026-11-23"))
        #expect(bad.status == .rejected)
        #expect(bad.problems.first?.line == 2)
    }

    @Test("importing the same file twice changes nothing; with replace, different figures become corrections")
    func idempotentAndReplace() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let a = try await f.placement(try await f.participant("I-2"))
        let b = try await f.placement(
            try await f.participant("I-3", first: "Léo", last: "Martin"), company: f.otherCompanyId)
        let csv =
            "placement;mois;heures travaillées;heures de formation\n\(a.code);2026-03;100;0\n\(a.code);2026-04;110;5\n\(b.code);2026-03;90;0\n"
        let first = try await f.ledger.imports.importHours(
            data: Data(csv.utf8), caller: f.staff, today: ldate("2026-11-23"))
        #expect(first.status == .written)
        #expect(first.created == 3)
        let second = try await f.ledger.imports.importHours(
            data: Data(csv.utf8), caller: f.staff, today: ldate("2026-11-23"))
        #expect(second.status == .written)
        #expect((second.created, second.updated, second.unchanged) == (0, 0, 3))
        #expect(try await f.count("SELECT count(*) FROM hour_reports") == 3)

        let changed =
            "placement;mois;heures travaillées;heures de formation\n\(a.code);2026-03;100;0\n\(a.code);2026-04;120;5\n"
        let refused = try await f.ledger.imports.importHours(
            data: Data(changed.utf8), caller: f.staff, today: ldate("2026-11-23"))
        #expect(refused.status == .rejected)
        #expect(refused.problems.map(\.line) == [3])
        let dry = try await f.ledger.imports.importHours(
            data: Data(changed.utf8), caller: f.staff, replace: true, dryRun: true, today: ldate("2026-11-23"))
        #expect(dry.status == .dryRun)
        #expect((dry.updated, dry.unchanged) == (1, 1))
        #expect(try await f.count("SELECT count(*) FROM hour_reports") == 3)
        let replaced = try await f.ledger.imports.importHours(
            data: Data(changed.utf8), caller: f.staff, replace: true, today: ldate("2026-11-23"))
        #expect((replaced.status, replaced.created, replaced.updated, replaced.unchanged) == (.written, 0, 1, 1))
        let history = try await f.ledger.hours.history(f.staff, placementId: a.id, month: lmonth("2026-04"))
        #expect(history.map(\.workedHours) == [110, 120])
        #expect(history[1].correctionOf == history[0].id)
        #expect(
            try await f.count(
                "SELECT count(*) FROM audit_log WHERE entity = 'hour_report' AND changes->>'via' = 'import'") == 1)
    }

    @Test("implausible rows need confirmation")
    func confirmation() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let a = try await f.placement(try await f.participant("I-4"))
        let csv = "placement;mois;heures travaillées\n\(a.code);2026-03;230\n"
        let unconfirmed = try await f.ledger.imports.importHours(
            data: Data(csv.utf8), caller: f.staff, today: ldate("2026-11-23"))
        #expect(unconfirmed.status == .confirmationRequired)
        #expect(unconfirmed.warnings.map(\.line) == [2])
        #expect(try await f.count("SELECT count(*) FROM hour_reports") == 0)
        #expect(
            try await f.ledger.imports.importHours(
                data: Data(csv.utf8), caller: f.staff, confirmPlausible: true, today: ldate("2026-11-23")
            ).status == .written)
    }

    @Test("a Windows-1252 file with ; separators is imported")
    func windows1252() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let a = try await f.placement(try await f.participant("I-5"))
        let text = "Placement;Mois;Heures travaillées;Commentaire\r\n\(a.code);03/2026;151,67;Chantier à l'été\r\n"
        let data = text.data(using: .windowsCP1252)!
        #expect(data.contains(0xE9))
        let report = try await f.ledger.imports.importHours(data: data, caller: f.staff, today: ldate("2026-11-23"))
        #expect(report.status == .written)
        let stored = try await f.ledger.hours.list(f.staff, placementId: a.id)
        #expect(stored.map(\.workedHours) == [ldec("151.67")])
        #expect(stored.first?.comment == "Chantier à l'été")
    }

    @Test("participants import: created, then idempotent; changed data updates; criteria added once")
    func participants() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let csv = """
            référence;nom;prénom;sexe;commune;QPV;prescripteur;critères;date justificatif;métiers;entrée PLIE
            PLIE-0001;Durand;Inès;F;13047;oui;Pôle emploi;RSA;15/01/2026;F1703;15/01/2026
            PLIE-0002;Okafor;Daniel;H;;TVA;ML;DELD;01/02/2026;;
            """
        let first = try await f.ledger.imports.importParticipants(
            data: Data(csv.utf8), caller: f.staff, today: ldate("2026-11-23"), validateCriteria: true)
        #expect(
            (first.status, first.created, first.updated, first.unchanged, first.criteriaAdded) == (.written, 2, 0, 0, 2)
        )
        #expect(first.pathwaysOpened == 1)
        let again = try await f.ledger.imports.importParticipants(
            data: Data(csv.utf8), caller: f.staff, today: ldate("2026-11-23"))
        #expect(
            (again.status, again.created, again.updated, again.unchanged, again.criteriaAdded) == (.written, 0, 0, 2, 0)
        )
        #expect(again.pathwaysOpened == 0)
        let ines = try await f.ledger.participants.get(f.staff, reference: "PLIE-0001")
        #expect(ines.targetJobs == ["F1703"])
        #expect(ines.criteria.map(\.code) == [.RSA])
        #expect(ines.priorityArea == .qpv && ines.prescriber == .franceTravail)
        #expect(ines.pathways.map(\.entryDate) == [ldate("2026-01-15")] && ines.pathways.first?.plieId == f.plieId)
        #expect(try await f.ledger.participants.get(f.staff, reference: "PLIE-0002").priorityArea == .tva)
        // A PLIE that does not exist is refused, naming the line; nothing is written.
        let unknownPLIE = """
            référence;nom;prénom;PLIE;entrée PLIE
            PLIE-0003;Roux;Ana;PLIE inconnu;01/03/2026
            """
        let elsewhere = try await f.ledger.imports.importParticipants(
            data: Data(unknownPLIE.utf8), caller: f.staff, today: ldate("2026-11-23"))
        #expect(elsewhere.status == .rejected)
        #expect(elsewhere.problems.first?.message == "aucun PLIE ne s'appelle « PLIE inconnu »")
        #expect(elsewhere.problems.first?.line == 2)
        #expect(try await f.count("SELECT count(*) FROM participants") == 2)
        #expect(
            try await f.ledger.participants.eligibility(f.staff, participantId: ines.id, at: ldate("2026-03-01"))
                .eligible)
        let changed = csv.replacingOccurrences(of: "Okafor;Daniel;H;;", with: "Okafor;Daniel;H;13056;")
        let third = try await f.ledger.imports.importParticipants(
            data: Data(changed.utf8), caller: f.staff, today: ldate("2026-11-23"))
        #expect((third.created, third.updated, third.unchanged) == (0, 1, 1))
        #expect(try await f.ledger.participants.get(f.staff, reference: "PLIE-0002").communeInsee == "13056")
        #expect(
            await ledgerError {
                _ = try await f.ledger.imports.importParticipants(data: Data(csv.utf8), caller: f.referent)
            }?.kind == .forbidden)
    }
}

@Suite("LedgerDB outcomes")
struct LedgerDBOutcomeTests {
}

@Suite("LedgerDB demo data")
struct LedgerDBDemoTests {
    @Test("the demo dataset loads participants, placements and hours: balances move and an outcome candidate appears")
    func demo() async throws {
        let db = try await TestDatabase.create()
        defer { Task { await db.pool.shutdown() } }
        let services = AppServices(config: Config(), pool: db.pool, bcryptCost: 4)
        defer { Task { await services.shutdown() } }
        try await DemoData.load(services)
        let ledger = services.ledger
        let staff = Caller.system("test")
        let today = services.clock.today
        let lot = try #require(
            try await db.pool.query(
                "SELECT l.id FROM lots l JOIN public_contracts pc ON pc.id = l.public_contract_id WHERE pc.reference = 'HOP-2026-014' AND l.number = 1"
            ).scalar(UUID.self))
        let balance = try await ledger.balances.lotBalance(staff, lotId: lot, at: today)
        #expect(balance.placementCount == 2)
        #expect(balance.balance.creditedHours > 0)
        #expect((balance.pendingReports ?? 0) > 0)
        let candidates = try await ledger.outcomes.candidates(staff, asOf: today)
        #expect(candidates.map(\.reference).contains("DEMO-002"))
        #expect(try await db.pool.query("SELECT count(*) FROM participants").scalar(Int.self) == 15)
        #expect(try await db.pool.query("SELECT count(*) FROM plie").scalar(Int.self) == 3)
    }
}
