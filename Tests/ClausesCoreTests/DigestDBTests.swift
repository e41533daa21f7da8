import ClausesTestSupport
import Foundation
import Logging
import Testing

@testable import ClausesCore

/// The `digest` job and critical alerts mailed at once, through the real outbox.
@Suite struct DigestDBTests {
    /// The fixture with a facilitator in charge of its lot, and services whose config names a team address.
    static func make() async throws -> (LedgerFixture, AppServices, facilitator: UUID) {
        let f = try await LedgerFixture.make()
        let facilitator = try await f.pool.query(
            "INSERT INTO users (email, display_name, role, password_hash) VALUES ('claire@test.fr', 'Claire', 'facilitator', 'x') RETURNING id"
        ).scalar(UUID.self)!
        _ = try await f.services.lots.update(f.staff, id: f.lotId, .init(facilitatorUserId: facilitator))
        var config = f.config
        config.alerts.teamAddress = "equipe@plie.test"
        config.server.baseURL = "https://clauses.example.fr"
        return (f, AppServices(config: config, pool: f.pool, bcryptCost: 4), facilitator)
    }

    static func run(_ services: AppServices, _ job: JobName, on day: String) async throws -> [String: Int] {
        try await services.jobBody(job).run(JobContext(clock: FixedClock(ldate(day)), logger: Logger(label: "test")))
    }

    static func digests(_ f: LedgerFixture, on day: String) async throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try await f.pool.query(
            "SELECT recipient, status || coalesce(': ' || reason, '') FROM digests WHERE digest_on = $1", [ldate(day)])
        {
            result[try row.decode(0)] = try row.decode(1)
        }
        return result
    }

    @Test func digestsSentOnceSkippedWithReasonsNeverOnAHoliday() async throws {
        let (f, services, _) = try await Self.make()
        defer { Task { await f.close() } }
        _ = try await Self.run(services, .alerts, on: "2026-01-31")  // the lot has no placement 30 days after its start

        let counts = try await Self.run(services, .digest, on: "2026-02-02")
        #expect(counts["sent"] == 2)  // Claire and the team
        var sent = try await Self.digests(f, on: "2026-02-02")
        #expect(sent["claire@test.fr"] == "sent" && sent["equipe@plie.test"] == "sent")
        #expect(sent["referente@test.fr"] == "skipped: aucune alerte en cours parmi celles suivies")
        let mails = try await f.pool.query(
            "SELECT recipients[1], subject, text_body FROM mail_outbox WHERE kind = 'digest' ORDER BY 1")
        #expect(mails.count == 2)
        let claire = try #require(mails.first { (try? $0.decode(0, as: String.self)) == "claire@test.fr" })
        let subject: String = try claire.decode(1)
        let text: String = try claire.decode(2)
        #expect(subject == "[clauses] Alertes du 02/02/2026 : 2 nouvelles")  // behind, and without placement
        #expect(text.contains("Lot sans mise à l'emploi — TEST-2026-001 · lot 1 — Lot 1"))
        #expect(text.contains("https://clauses.example.fr/lots/\(f.lotId.uuidString.lowercased())"))
        #expect(!text.contains("Benali"))

        // The same day again: nothing sent twice.
        #expect(try await Self.run(services, .digest, on: "2026-02-02")["alreadyDone"] == 4)
        // The next day, nothing new: skipped, with the reason.
        _ = try await Self.run(services, .alerts, on: "2026-02-03")
        #expect(try await Self.run(services, .digest, on: "2026-02-03")["sent"] == 0)
        sent = try await Self.digests(f, on: "2026-02-03")
        #expect(sent["claire@test.fr"] == "skipped: rien de nouveau ni d'aggravé depuis le résumé précédent")

        // 14 July: no digest at all.
        _ = try await Self.run(services, .alerts, on: "2026-07-14")
        #expect(try await Self.run(services, .digest, on: "2026-07-14")["sent"] == 0)
        sent = try await Self.digests(f, on: "2026-07-14")
        #expect(sent["claire@test.fr"] == "skipped: jour férié (fête nationale)")
        #expect(try await f.count("SELECT count(*) FROM mail_outbox WHERE kind = 'digest'") == 2)

        // Weekly readers get the first digest of the week only; `none` gets nothing.
        _ = try await f.pool.query("UPDATE users SET digest_frequency = 'weekly' WHERE email = 'claire@test.fr'")
        _ = try await f.pool.query("UPDATE users SET digest_frequency = 'none' WHERE role = 'referent'")
        _ = try await Self.run(services, .digest, on: "2026-02-04")
        sent = try await Self.digests(f, on: "2026-02-04")
        #expect(sent["claire@test.fr"] == "skipped: résumé hebdomadaire déjà envoyé le 02/02/2026")
        #expect(sent["referente@test.fr"] == nil)
    }

    @Test func criticalAlertMailedAtOnceToFollowersAndTeam() async throws {
        let (f, services, _) = try await Self.make()
        defer { Task { await f.close() } }
        // The fixture's lot ends 2026-12-31 with nothing credited: non-compliant the next day.
        let counts = try await Self.run(services, .alerts, on: "2027-01-01")
        #expect(counts["mailed"] == 1)
        let row = try await f.pool.query(
            "SELECT recipients, subject FROM mail_outbox WHERE kind = 'alert'"
        ).one()
        #expect(try row.decode(0, as: PostgresTextArray.self).values == ["claire@test.fr", "equipe@plie.test"])
        #expect(try row.decode(1, as: String.self).hasPrefix("[clauses] Alerte critique : Lot terminé non conforme"))
        // Updated on the next scans, never mailed again.
        #expect(try await Self.run(services, .alerts, on: "2027-01-02")["mailed"] == 0)
        #expect(try await f.count("SELECT count(*) FROM mail_outbox WHERE kind = 'alert'") == 1)
    }
}
