import ClausesTestSupport
import Foundation
import Logging
import PostgresClient
import Testing

@testable import ClausesCore

@Suite("Bilans against a real database")
struct BilanDBTests {
    static let today = ldate("2026-12-01")

    func bilans(_ f: LedgerFixture) -> BilanService {
        BilanService(
            pool: f.pool, balances: f.ledger.balances, secrecy: StatisticalSecrecy(), clock: FixedClock(Self.today))
    }

    /// The acceptance case (acceptance/bilan-secrecy.md) on a marché of two lots: four women on lot 1, two
    /// men on lot 2; ages 22, 46, 41, 36 / 56, 31; criteria RSA+DELD, RSA, RSA, DELD / RQTH, RQTH.
    @Test(
        "BI1 the acceptance case from the ledger: counts hidden as DOMAIN §8 says, hours exact and equal to the balance's"
    )
    func acceptanceFromLedger() async throws {
        let f = try await LedgerFixture.make(requiredHours: 1000)
        let lot2 = try await LedgerFixture.lot(
            f.pool, contract: f.contractId, number: 2, required: 300, start: "2026-01-01", end: "2026-12-31",
            contractor: f.otherCompanyId)
        let people: [(String, String, String, [EligibilityCriterionCode], UUID)] = [
            ("B-1", "F", "2003-05-01", [.RSA, .DELD], f.lotId), ("B-2", "F", "1980-01-01", [.RSA], f.lotId),
            ("B-3", "F", "1985-01-01", [.RSA], f.lotId), ("B-4", "F", "1990-01-01", [.DELD], f.lotId),
            ("B-5", "M", "1970-01-01", [.RQTH], lot2), ("B-6", "M", "1995-01-01", [.RQTH], lot2),
        ]
        var placements: [Placement] = []
        for (reference, sex, born, criteria, lot) in people {
            let p = try await f.participant(
                reference, last: "Nom\(reference)", criteria: criteria.map { ($0, "2026-01-10", true) }, sex: sex,
                birthDate: born, priorityArea: reference == "B-1" ? .qpv : PriorityArea.none)
            let placement = try await f.placement(p, lot: lot, company: lot == f.lotId ? f.companyId : f.otherCompanyId)
            placements.append(placement)
            _ = try await f.declare(placement, "2026-03", worked: 100.25, validate: true)
            _ = try await f.declare(placement, "2026-04", worked: 50, validate: true)
        }
        // After her placement (ended 31 August), B-1 holds a CDI (151,67 h in September: beyond the clause);
        // a job she held in January, before her first placement here, is not. B-2 is in training.
        _ = try await f.ledger.episodes.create(
            f.staff, participantId: placements[0].participantId,
            .init(
                employerName: "Boulangerie (démo)", contractType: .cdi, startDate: ldate("2026-09-01"), weeklyHours: 35,
                monthlyHours: [.init(month: lmonth("2026-09"), hours: ldec("151.67"))]))
        _ = try await f.ledger.episodes.create(
            f.staff, participantId: placements[0].participantId,
            .init(
                employerName: "Café (démo)", contractType: .cdd, startDate: ldate("2026-01-05"),
                endDate: ldate("2026-01-31"), weeklyHours: 20,
                monthlyHours: [.init(month: lmonth("2026-01"), hours: 80)]))
        _ = try await f.ledger.episodes.create(
            f.staff, participantId: placements[1].participantId,
            .init(employerName: "AFPA (démo)", contractType: .training, startDate: ldate("2026-09-01"), weeklyHours: 35)
        )

        let bilan = try await bilans(f).bilan(f.staff, scope: .publicContract(f.contractId), period: .year(2026))
        #expect(bilan.people.total == .exact(6))
        let cells = { (key: String) in bilan.people.breakdowns.first { $0.key == key }?.cells.map(\.count) ?? [] }
        #expect(cells("sex") == [.masked, .belowThreshold(3), .exact(0)])
        #expect(cells("ageBand") == [.belowThreshold(3), .masked, .belowThreshold(3), .exact(0)])
        let criteria = try #require(bilan.people.breakdowns.first { $0.key == "criterion" })
        #expect(criteria.cells.map(\.key) == ["DELD", "RSA", "RQTH"] && !criteria.partition)
        #expect(criteria.cells.map(\.count) == [.belowThreshold(3), .exact(3), .belowThreshold(3)])
        #expect(cells("qpv") == [.belowThreshold(3), .masked, .exact(0)])
        // At the end (1 September ≤ 1 December): B-1 employed, B-2 in training, the others unknown; six
        // months: not yet.
        #expect(
            cells("outcomeAtEnd") == [.exact(0), .exact(0), .belowThreshold(3), .belowThreshold(3), .exact(0), .masked])
        #expect(cells("outcomeAfterSixMonths") == [.exact(0), .exact(6), .exact(0), .exact(0), .exact(0), .exact(0)])
        // The lot with two people: « < 3 », every cell masked; the lot of four shows its cells.
        let small = try #require(bilan.lots.first { $0.lotNumber == 2 })
        #expect(small.people.total == .belowThreshold(3))
        #expect(small.people.breakdowns.allSatisfy { $0.cells.allSatisfy { $0.count == .masked } })
        #expect(bilan.lots.first { $0.lotNumber == 1 }?.people.total == .exact(4))
        #expect(bilan.employmentContracts.total == .exact(6))
        let types = bilan.employmentContracts.byType.cells
        #expect(types.count == EmploymentContractType.allCases.count)
        #expect(
            types.first { $0.key == "cdd" }?.count == .exact(6) && types.filter { $0.count == .exact(0) }.count == 9)
        #expect(bilan.leverage.hoursBeyondClause == ldec("151.67"))

        // Hours: exact, never hidden, the balance service's own figures.
        let balance = try await f.ledger.balances.balance(
            of: .publicContract(f.contractId), at: Self.today, caller: f.staff)
        #expect(bilan.hours.creditedHours == balance.aggregate.creditedHours)
        #expect(bilan.hours.creditedHours == ldec("901.5"))
        #expect(bilan.hours.requiredHours == 1300 && bilan.hours.remainingHours == balance.aggregate.remainingHours)
        #expect(small.hours.creditedHours == ldec("300.5") && small.hours.surplusHours == ldec("0.5"))
        #expect(bilan.months.map(\.creditedHours) == [ldec("601.5"), 300])
        #expect(bilan.leverage.surplusHours == ldec("0.5"))
        #expect(bilan.contractors.map(\.name) == ["Bâtisseurs Test (démo)", "Intérim Test (démo)"])
        // A quarter counts only its months' credited hours, the balance since the start at its end.
        let q2 = try await bilans(f).bilan(f.staff, scope: .publicContract(f.contractId), period: .quarter(2026, 2))
        #expect(
            q2.hours.creditedInPeriod == 300 && q2.hours.creditedHours == ldec("901.5") && q2.at == ldate("2026-06-30"))

        // Nothing that names a person, in any format.
        let documents = try [ReportFormat.json, .csv, .html].map {
            String(decoding: try bilan.document($0), as: UTF8.self)
        }
        for text in documents {
            for forbidden in [
                "NomB-", "Samira", "B-1", "2003-05-01", "01/05/2003", placements[0].code,
                placements[0].id.uuidString.lowercased(),
            ] {
                #expect(!text.contains(forbidden), "« \(forbidden) » in a bilan")
            }
        }
        await f.close()
    }

    @Test(
        "BI2 who may ask: a buyer its own scopes and whole periods, others 404, référents and companies 403; an empty buyer has an honest empty bilan"
    )
    func access() async throws {
        let f = try await LedgerFixture.make()
        let service = bilans(f)
        let own = try await service.bilan(f.buyer, scope: .buyer(f.buyerId), period: .month(lmonth("2026-11")))
        #expect(own.lots.count == 1 && own.buyerName == "Office test (démo)")
        let dates = await ledgerError {
            _ = try await service.bilan(
                f.buyer, scope: .buyer(f.buyerId),
                period: try .dates(from: ldate("2026-01-01"), to: ldate("2026-01-15")))
        }
        #expect(dates?.kind == .unprocessable && dates?.field == "period")
        let other = try await EntityStore<Buyer>(pool: f.pool).create(
            f.staff, .init(siret: DemoData.siret("2013000880001"), name: "Autre office (démo)"))
        let foreign = await ledgerError {
            _ = try await service.bilan(f.buyer, scope: .buyer(other.id), period: .year(2026))
        }
        #expect(foreign?.kind == .notFound)
        let foreignContract = await ledgerError {
            _ = try await service.bilan(
                Caller(userId: nil, role: .buyer, buyerId: other.id, label: "autre"),
                scope: .publicContract(f.contractId), period: .year(2026))
        }
        #expect(foreignContract?.kind == .notFound)
        #expect(
            await ledgerError {
                _ = try await service.bilan(f.referent, scope: .buyer(f.buyerId), period: .year(2026))
            }?.kind == .forbidden)
        #expect(
            await ledgerError { _ = try await service.bilan(f.company, scope: .buyer(f.buyerId), period: .year(2026)) }?
                .kind == .forbidden)
        let unknown = await ledgerError {
            _ = try await service.bilan(f.staff, scope: .operation(UUID()), period: .year(2026))
        }
        #expect(unknown?.kind == .notFound && unknown?.message.hasPrefix("L'opération ") == true)
        let empty = try await service.bilan(f.staff, scope: .buyer(other.id), period: .year(2026))
        #expect(empty.lots.isEmpty && empty.people.total == .exact(0) && empty.hours.requiredHours == 0)
        #expect(empty.html.contains("Aucun lot sous clause sociale dans ce périmètre pour cette période."))
        await f.close()
    }

    @Test(
        "BI3 subscriptions: refusals in French; the job mails last month's bilan once, with HTML and CSV attached, and records it"
    )
    func subscriptionsAndJob() async throws {
        let f = try await LedgerFixture.make()
        let clock = FixedClock(Self.today)
        let services = AppServices(config: f.config, pool: f.pool, clock: clock, bcryptCost: 4)
        let store = services.reportSubscriptions
        let scope = ReportSubscription.Input(scope: "contract", scopeId: f.contractId, frequency: "monthly")
        let noRecipient = await ledgerError { _ = try await store.create(f.staff, buyerId: f.buyerId, scope) }
        #expect(
            noRecipient?.field == "recipients" && noRecipient?.message == "Indiquez au moins un destinataire du bilan.")
        var bad = scope
        bad.recipients = ["dg.acheteur.fr"]
        let noAt = await ledgerError { _ = try await store.create(f.staff, buyerId: f.buyerId, bad) }
        #expect(noAt?.field == "recipients" && noAt?.message.hasPrefix("Destinataire « dg.acheteur.fr » :") == true)
        var json = scope
        json.recipients = ["dg@acheteur.fr"]
        json.formats = ["json"]
        #expect(await ledgerError { _ = try await store.create(f.staff, buyerId: f.buyerId, json) }?.field == "formats")
        var foreign = scope
        foreign.recipients = ["dg@acheteur.fr"]
        foreign.scopeId = UUID()
        #expect(
            await ledgerError { _ = try await store.create(f.staff, buyerId: f.buyerId, foreign) }?.field == "scopeId")
        #expect(
            await ledgerError { _ = try await store.create(f.buyer, buyerId: f.buyerId, foreign) }?.kind == .forbidden)
        #expect(try await f.count("SELECT count(*) FROM report_subscriptions") == 0)

        var good = scope
        good.recipients = ["DG@acheteur.fr; suivi@acheteur.fr"]
        let subscription = try await store.create(f.staff, buyerId: f.buyerId, good)
        #expect(
            subscription.recipients == ["dg@acheteur.fr", "suivi@acheteur.fr"] && subscription.formats == [.html, .csv])
        // Created today: November has ended before it started, so nothing is due yet.
        let job = services.jobBody(.reports)
        let context = JobContext(clock: clock, logger: Logger(label: "test"))
        #expect(try await job.run(context) == ["sent": 0, "alreadySent": 0, "failed": 0])
        // December's bilan is due from 1 January.
        let january = JobContext(clock: FixedClock(ldate("2027-01-02")), logger: Logger(label: "test"))
        #expect(try await job.run(january) == ["sent": 1, "alreadySent": 0, "failed": 0])
        #expect(try await job.run(january) == ["sent": 0, "alreadySent": 1, "failed": 0])
        let mail = try #require(
            try await f.pool.query("SELECT subject, text_body, recipients::text FROM mail_outbox").first)
        #expect(
            try mail.decode(0) as String
                == "Bilan de la clause sociale d'insertion — TEST-2026-001 — Réhabilitation test — décembre 2026")
        #expect((try mail.decode(1) as String).contains("Heures prescrites : 1 000 h"))
        #expect(try await f.count("SELECT count(*) FROM mail_attachments") == 2)
        #expect(
            try await f.pool.query("SELECT string_agg(filename, ',' ORDER BY position) FROM mail_attachments").scalar(
                String.self) == "bilan-2026-12.html,bilan-2026-12.csv")
        let mailings = try await store.mailings(f.staff, buyerId: f.buyerId)
        #expect(
            mailings.map(\.periodCode) == ["2026-12"]
                && mailings.first?.recipients == ["dg@acheteur.fr", "suivi@acheteur.fr"])
        // By hand: sent again, recorded as manual; the next scheduled run still sends nothing twice.
        try await services.reportMailer.sendNow(subscription, by: f.staff)
        #expect(try await f.count("SELECT count(*) FROM report_mailings WHERE manual") == 1)
        // Suspended: nothing more.
        _ = try await store.update(f.staff, id: subscription.id, .init(active: false))
        #expect(
            try await job.run(JobContext(clock: FixedClock(ldate("2027-02-01")), logger: Logger(label: "test"))) == [
                "sent": 0, "alreadySent": 0, "failed": 0,
            ])
        await services.shutdown()
        await f.close()
    }

    /// The demo dataset with a fixed clock gives byte-stable bilans (Fixtures/bilan-demo.json, .csv).
    @Test("BI4 golden bilans of the demo buyer: JSON and CSV byte for byte, the HTML's sections and figures")
    func golden() async throws {
        let db = try await TestDatabase.create()
        let services = AppServices(config: Config(), pool: db.pool, clock: FixedClock(Self.today), bcryptCost: 4)
        try await DemoData.load(services)
        let buyer = try #require(
            try await db.pool.query("SELECT buyer_id FROM users WHERE role = 'buyer'").scalar(UUID.self))
        let caller = Caller(userId: nil, role: .buyer, buyerId: buyer, label: "acheteur")
        let bilan = try await services.bilans.bilan(caller, scope: .buyer(buyer), period: .year(2026))
        let json = String(decoding: try bilan.document(.json), as: UTF8.self) + "\n"
        let csv = bilan.csv
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        if ProcessInfo.processInfo.environment["CLAUSES_UPDATE_GOLDEN"] == "1" {
            try json.write(to: fixtures.appendingPathComponent("bilan-demo.json"), atomically: true, encoding: .utf8)
            try csv.write(to: fixtures.appendingPathComponent("bilan-demo.csv"), atomically: true, encoding: .utf8)
        }
        #expect(json == (try String(contentsOf: fixtures.appendingPathComponent("bilan-demo.json"), encoding: .utf8)))
        // Compared as bytes: decoding the file as text would drop its byte-order mark.
        #expect(Data(csv.utf8) == (try Data(contentsOf: fixtures.appendingPathComponent("bilan-demo.csv"))))
        #expect(csv.hasPrefix("\u{FEFF}rubrique;objet;mesure;valeur\r\n"))
        let html = bilan.html
        for section in [
            "1. Synthèse", "2. Avancement par lot", "3. Par entreprise titulaire", "4. Heures par modalité et par mois",
            "5. Les personnes", "6. Contrats de travail et effet levier", "Méthode",
        ] {
            #expect(html.contains("<h2>\(section)</h2>"), "section \(section)")
        }
        #expect(html.contains("Habitat Ouest Provence, office public (démo) — bilan, année 2026"))
        #expect(html.contains("<svg") && html.contains("@page"))
        #expect(
            html.contains(French.hours(bilan.hours.requiredHours))
                && html.contains(French.hours(bilan.hours.creditedHours)))
        await services.shutdown()
        await db.pool.shutdown()
    }
}
