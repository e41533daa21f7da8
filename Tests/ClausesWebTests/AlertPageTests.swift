import ClausesTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import ClausesCore
@testable import ClausesWeb

@Suite("The alerts page, the dashboard's count, the digest's frequency")
struct AlertPageTests {
    @Test(
        "open alerts by severity with links; snooze refused in the past beside the alert, then done; the digest's frequency on the account page"
    )
    func alertsPage() async throws {
        let day = LocalDate(iso: "2026-02-02")!
        let harness = try await APIHarness.make(clock: FixedClock(day))
        let system = Caller.system("test")
        let facilitator = try #require(try await harness.services.users.list(system).first { $0.role == .facilitator })
        let contract = try await harness.services.publicContracts.create(
            system, .init(buyerId: harness.buyerA, reference: "PAGE-ALERT-1", object: "Voirie"))
        let lot = try await harness.services.lots.create(
            system,
            .init(
                publicContractId: contract.id, number: 2, label: "Chaussées",
                executionStart: LocalDate(iso: "2026-01-01"),
                executionEnd: LocalDate(iso: "2026-12-31"), facilitatorUserId: facilitator.id))
        _ = try await harness.services.clauses.put(system, lotId: lot.id, .init(calibration: .fixed(hours: 700)))
        _ = try await harness.services.alertScanner.scan(at: day, now: FixedClock(day).now)
        let behind = try #require(
            try await harness.services.alerts.list(system).first { $0.rule == .lotBehind })
        try await WorkbenchFormTests.app(harness).test(.router) { client in
            let s = try await FormSession.signIn(client, "facilitator")
            let (status, html) = try await s.get("/alertes")
            #expect(status == .ok)
            #expect(html.contains("Critiques") || html.contains("À surveiller"))
            #expect(html.contains("Lot en retard"))
            #expect(html.contains("Lot sans mise à l'emploi"))
            #expect(html.contains("href=\"/lots/\(lot.id.slug)\""))
            #expect(html.contains("PAGE-ALERT-1 · lot 2 — Chaussées"))
            let mine = try await s.get("/alertes?suivies=1")
            #expect(mine.html.contains("Lot en retard"))

            let past = try await s.submit(
                "/alertes/\(behind.id)/sommeil", ["until": "2026-02-01", "comment": "Relance"], page: html)
            #expect(past.status == .unprocessableContent)
            #expect(past.html.contains("La mise en sommeil doit finir après aujourd'hui (02/02/2026)"))
            let done = try await s.submit(
                "/alertes/\(behind.id)/sommeil", ["until": "2026-03-01", "comment": "Relance"],
                page: try await s.get("/alertes").html)
            #expect(done.status == .seeOther)
            #expect(done.location?.hasPrefix("/alertes?fait=alerte-en-sommeil") == true)
            #expect(try await s.get("/alertes").html.contains("En sommeil jusqu'au 01/03/2026"))

            #expect(try await s.get("/").html.contains("1 alerte(s) en cours"))  // the snoozed one is not counted
            #expect(try await s.get("/lots/\(lot.id.slug)").html.contains("Facilitateur en charge"))
            #expect(try await s.get("/lots/\(lot.id.slug)/modifier").html.contains("Facilitateur en charge"))

            let account = try await s.get("/compte")
            #expect(account.html.contains("Résumé des alertes par courriel"))
            let saved = try await s.submit("/compte/resume-alertes", ["frequency": "weekly"], page: account.html)
            #expect(saved.status == .seeOther)
            #expect(try await harness.services.users.digestFrequency(of: facilitator) == .weekly)

            let buyer = try await FormSession.signIn(client, "buyer")
            #expect(try await buyer.get("/alertes").status == .forbidden)
            #expect(!(try await buyer.get("/compte").html.contains("Résumé des alertes")))
        }
        await harness.services.shutdown()
        await harness.db.pool.shutdown()
    }
}
