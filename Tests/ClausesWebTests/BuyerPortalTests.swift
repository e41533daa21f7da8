import ClausesTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import ClausesCore
@testable import ClausesWeb

/// A buyer's own portal on the demo data (DOMAIN §8): every route a buyer can call, through the API and
/// the pages, as the buyer itself (no identifier of a person anywhere) and as a buyer of another
/// organisation (403 or 404 on everything of the first one).
@Suite("The buyer's portal: its own bilans, nothing that names a person, nothing of another buyer")
struct BuyerPortalTests {
    struct Demo {
        let services: AppServices
        let db: TestDatabase
        var ids: [String: String] = [:]
        var forbidden: [String] = []
        var ownNames: [String] = []
        var tokens: [String: String] = [:]
    }

    static func demo() async throws -> Demo {
        let db = try await TestDatabase.create()
        let services = AppServices(
            config: Config(), pool: db.pool, clock: FixedClock(LocalDate(iso: "2026-12-01")!), bcryptCost: 4)
        try await DemoData.load(services)
        var demo = Demo(services: services, db: db)
        let pool = db.pool
        let one = { (sql: String) async throws -> String in
            try #require(try await pool.query(sql).scalar(UUID.self)).uuidString.lowercased()
        }
        let buyer = try await one("SELECT buyer_id FROM users WHERE role = 'buyer'")
        demo.ids = [
            "buyers": buyer,
            "operations": try await one("SELECT id FROM operations WHERE buyer_id = '\(buyer)' ORDER BY name LIMIT 1"),
            "public-contracts": try await one("SELECT id FROM public_contracts WHERE buyer_id = '\(buyer)' LIMIT 1"),
            "lots": try await one(
                "SELECT l.id FROM lots l JOIN public_contracts pc ON pc.id = l.public_contract_id WHERE pc.buyer_id = '\(buyer)' ORDER BY l.number LIMIT 1"
            ),
            "companies": try await one(
                "SELECT lc.company_id FROM lot_companies lc JOIN lots l ON l.id = lc.lot_id JOIN public_contracts pc ON pc.id = l.public_contract_id WHERE pc.buyer_id = '\(buyer)' LIMIT 1"
            ),
            "participants": try await one(
                "SELECT pl.participant_id FROM placements pl JOIN lots l ON l.id = pl.lot_id JOIN public_contracts pc ON pc.id = l.public_contract_id WHERE pc.buyer_id = '\(buyer)' LIMIT 1"
            ),
            "placements": try await one(
                "SELECT pl.id FROM placements pl JOIN lots l ON l.id = pl.lot_id JOIN public_contracts pc ON pc.id = l.public_contract_id WHERE pc.buyer_id = '\(buyer)' LIMIT 1"
            ),
            "pathways": try await one("SELECT id FROM pathways LIMIT 1"),
            "plie": try await one("SELECT id FROM plie LIMIT 1"),
        ]
        // What names a person: names, references, birth dates (both writings), communes, placement codes and ids.
        for row in try await pool.query(
            """
            SELECT first_name, last_name, reference, birth_date::text, to_char(birth_date, 'DD/MM/YYYY'), commune_insee, id::text
            FROM participants
            """)
        {
            for index in 0..<7 { if let text: String = try row.decode(index) { demo.forbidden.append(text) } }
        }
        // A work site's or an operation's commune is the buyer's own record, not a person's: a person living
        // in the commune of a work site does not make the work site's commune personal data.
        let places = Set(
            try await pool.query(
                "SELECT worksite_insee FROM lots WHERE worksite_insee IS NOT NULL UNION SELECT commune_insee FROM operations WHERE commune_insee IS NOT NULL"
            ).map { try $0.decode(0) as String })
        demo.forbidden.removeAll { places.contains($0) }
        for row in try await pool.query("SELECT code, id::text FROM placements") {
            demo.forbidden += [try row.decode(0), try row.decode(1)]
        }
        demo.ownNames = try await pool.query(
            "SELECT reference FROM public_contracts WHERE buyer_id = '\(buyer)' UNION SELECT name FROM buyers WHERE id = '\(buyer)'"
        ).map { try $0.decode(0) }
        // The demo buyer's account, and a buyer account of another organisation.
        let system = Caller.system("test")
        let users = try await services.users.list(system)
        let own = try #require(users.first { $0.role == .buyer })
        demo.tokens["own"] = try await services.users.createToken(for: own, name: "test", by: system).token
        let otherBuyer = try #require(
            try await pool.query("SELECT id FROM buyers WHERE id <> '\(buyer)' LIMIT 1").scalar(UUID.self))
        let other = try await services.users.create(
            system,
            .init(
                email: "autre.acheteur@test.fr", role: .buyer, password: "mot-de-passe-autre", buyerId: otherBuyer))
        demo.tokens["other"] = try await services.users.createToken(for: other, name: "test", by: system).token
        return demo
    }

    /// Every documented GET route, its parameters filled with the demo buyer's records.
    static func routes(_ ids: [String: String]) throws -> [String] {
        // The OpenAPI document is public and its examples are not data.
        try OpenAPITests.documented().filter { $0.hasPrefix("GET /api/v1/") && $0 != "GET /api/v1/openapi" }.map {
            String($0.dropFirst(4))
        }.sorted()
            .map { path in
                if path.hasPrefix("/api/v1/reports/") {
                    return "/api/v1/reports/buyer/\(ids["buyers"] ?? "")?period=2026"
                }
                let segments = path.split(separator: "/").map(String.init)
                return "/"
                    + segments.enumerated().map { index, segment in
                        guard segment.hasPrefix("{") else { return segment }
                        if segment == "{indicator}" { return "accompanied" }
                        return ids[segments[index - 1]] ?? ids["participants"] ?? ""
                    }.joined(separator: "/")
            }
    }

    @Test(
        "as the buyer: every API route and every page it can open answers without a name, birth date, commune or placement code"
    )
    func ownBuyerSeesNoPerson() async throws {
        let demo = try await Self.demo()
        let app = try ClausesServer.application(
            services: demo.services, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        let buyer = try #require(demo.ids["buyers"])
        try await app.test(.router) { client in
            var answered = 0
            for path in try Self.routes(demo.ids) {
                let (status, text) = try await client.execute(
                    uri: path, method: .get, headers: [.authorization: "Bearer \(demo.tokens["own"] ?? "")"]
                ) { ($0.status, String(buffer: $0.body)) }
                #expect([.ok, .forbidden, .notFound].contains(status), "\(path): \(status)")
                if status == .ok { answered += 1 }
                for word in demo.forbidden where text.contains(word) {
                    Issue.record("« \(word) » in the buyer's answer to \(path)")
                }
            }
            #expect(answered >= 12)
            // The printable document keeps its own inline style, and nothing else: no script, no resource.
            let policy = try await client.execute(
                uri: "/api/v1/reports/buyer/\(buyer)?period=2026&format=html", method: .get,
                headers: [.authorization: "Bearer \(demo.tokens["own"] ?? "")"]
            ) { $0.headers[.contentSecurityPolicy] }
            #expect(policy?.hasPrefix("default-src 'none'; style-src 'unsafe-inline';") == true)
            #expect(policy?.contains("script") == false)
            let cookie = try #require(
                try await PageTests.login(client, email: "acheteur@demo.clauses.fr", password: "demo-clauses").cookie)
            let document = "/bilans/document?perimetre=buyer&cible=\(buyer)&periode=2026"
            var pages = [
                "/", "/marches", "/lots", "/acheteurs/\(buyer)", "/acheteurs/\(buyer)/bilans",
                "/acheteurs/\(buyer)/bilans?portee=buyer:\(buyer)&periode=2026-Q3", document,
                document + "&format=csv", document + "&format=json", "/lots/\(demo.ids["lots"] ?? "")",
                "/lots/\(demo.ids["lots"] ?? "")/heures", "/marches/\(demo.ids["public-contracts"] ?? "")",
                "/operations/\(demo.ids["operations"] ?? "")", "/entreprises/\(demo.ids["companies"] ?? "")",
            ]
            pages.append("/bilans")
            for page in pages {
                let (status, html) = try await DailyLoopPageTests.get(client, page, cookie: cookie)
                #expect([.ok, .seeOther, .forbidden, .notFound].contains(status), "\(page): \(status)")
                for word in demo.forbidden where html.contains(word) {
                    Issue.record("« \(word) » in the buyer's page \(page)")
                }
            }
            let (_, bilans) = try await DailyLoopPageTests.get(client, "/acheteurs/\(buyer)/bilans", cookie: cookie)
            #expect(bilans.contains("Ouvrir le bilan à imprimer") && !bilans.contains("Envois programmés"))
            #expect(!bilans.contains("name=\"du\""))  // a buyer chooses whole periods only
            let (datesStatus, refused) = try await DailyLoopPageTests.get(
                client, "/acheteurs/\(buyer)/bilans?portee=buyer:\(buyer)&du=2026-01-01&au=2026-02-15", cookie: cookie)
            #expect(
                datesStatus == .ok
                    && FormSession.readable(refused).contains("Un donneur d'ordre choisit une période entière"))
            let (_, printed) = try await DailyLoopPageTests.get(client, document, cookie: cookie)
            #expect(printed.contains("<h2>5. Les personnes</h2>") && printed.contains("&lt; 3"))
        }
        await demo.services.shutdown()
        await demo.db.pool.shutdown()
    }

    @Test(
        "as a buyer of another organisation: every route of the first buyer's records answers 403 or 404, lists show nothing of it"
    )
    func otherBuyerSeesNothing() async throws {
        let demo = try await Self.demo()
        let app = try ClausesServer.application(
            services: demo.services, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            for path in try Self.routes(demo.ids) {
                let (status, text) = try await client.execute(
                    uri: path, method: .get, headers: [.authorization: "Bearer \(demo.tokens["other"] ?? "")"]
                ) { ($0.status, String(buffer: $0.body)) }
                let names = demo.ownNames.filter { text.contains($0) }
                if path.dropFirst(8).contains("/") {
                    #expect([.forbidden, .notFound].contains(status), "\(path): \(status)")
                } else {
                    #expect(names.isEmpty, "\(path) shows \(names)")
                }
                for word in demo.forbidden where text.contains(word) {
                    Issue.record("« \(word) » in another buyer's answer to \(path)")
                }
            }
            let buyer = demo.ids["buyers"] ?? ""
            let document = try await client.execute(
                uri: "/api/v1/reports/contract/\(demo.ids["public-contracts"] ?? "")?format=csv", method: .get,
                headers: [.authorization: "Bearer \(demo.tokens["other"] ?? "")"]
            ) { $0.status }
            #expect(document == .notFound)
            let cookie = try #require(
                try await PageTests.login(client, email: "autre.acheteur@test.fr", password: "mot-de-passe-autre")
                    .cookie)
            for page in [
                "/acheteurs/\(buyer)/bilans", "/bilans/document?perimetre=buyer&cible=\(buyer)&periode=2026",
                "/acheteurs/\(buyer)",
            ] {
                let (status, _) = try await DailyLoopPageTests.get(client, page, cookie: cookie)
                #expect(status == .notFound, "\(page): \(status)")
            }
        }
        await demo.services.shutdown()
        await demo.db.pool.shutdown()
    }
}

@Suite("The bilans page for the team: preview, dates, subscriptions, a mailing by hand")
struct ReportPageTests {
    @Test(
        "a facilitatrice previews a bilan with dates, adds a subscription (a bad address refused beside the form), sends it by hand"
    )
    func subscriptionsPage() async throws {
        let harness = try await APIHarness.make(clock: FixedClock(LocalDate(iso: "2026-12-01")!))
        let system = Caller.system("test")
        let contract = try await harness.services.publicContracts.create(
            system, .init(buyerId: harness.buyerA, reference: "BIL-2026-01", object: "Voirie"))
        let lot = try await harness.services.lots.create(
            system,
            .init(
                publicContractId: contract.id, number: 1, label: "Chaussées",
                executionStart: LocalDate(iso: "2026-01-01"),
                executionEnd: LocalDate(iso: "2026-12-31")))
        _ = try await harness.services.clauses.put(system, lotId: lot.id, .init(calibration: .fixed(hours: 700)))
        let buyer = harness.buyerA.slug
        try await WorkbenchFormTests.app(harness).test(.router) { client in
            let s = try await FormSession.signIn(client, "facilitator")
            let page = try await s.get(
                "/acheteurs/\(buyer)/bilans?portee=contract:\(contract.id.slug)&du=2026-03-01&au=2026-05-31")
            #expect(page.status == .ok)
            #expect(page.html.contains("BIL-2026-01 — Voirie — du 01/03/2026 au 31/05/2026"))
            #expect(page.html.contains("700 h") && page.html.contains("Envois programmés"))
            #expect(
                page.html.contains(
                    "/bilans/document?perimetre=contract&amp;cible=\(contract.id.slug)&amp;du=2026-03-01&amp;au=2026-05-31&amp;format=csv"
                ))
            let backwards = try await s.get(
                "/acheteurs/\(buyer)/bilans?portee=buyer:\(buyer)&du=2026-05-01&au=2026-04-01")
            #expect(backwards.html.contains("La période se termine le 01/04/2026, avant de commencer le 01/05/2026."))

            let refused = try await s.submit(
                "/acheteurs/\(buyer)/abonnements",
                [
                    "scope": "contract:\(contract.id.slug)", "recipients": "dg.acheteur.fr", "frequency": "monthly",
                    "html": "1", "active": "1",
                ],
                page: page.html)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("Destinataire « dg.acheteur.fr »"))
            #expect(try await harness.db.pool.query("SELECT count(*) FROM report_subscriptions").scalar(Int.self) == 0)
            let created = try await s.submit(
                "/acheteurs/\(buyer)/abonnements",
                [
                    "scope": "contract:\(contract.id.slug)", "recipients": "dg@acheteur.fr", "frequency": "monthly",
                    "html": "1", "csv": "1", "active": "1",
                ],
                page: try await s.get("/acheteurs/\(buyer)/bilans").html)
            #expect(created.status == .seeOther)
            let listed = try await s.get("/acheteurs/\(buyer)/bilans")
            #expect(listed.html.contains("Prochain envoi le 01/01/2027 : bilan décembre 2026."))
            let id = try #require(listed.html.firstMatch(of: /action="\/abonnements\/([0-9a-f-]{36})\/envoi"/)?.1)
            let sent = try await s.submit("/abonnements/\(id)/envoi", [:], page: listed.html)
            #expect(sent.status == .seeOther && sent.location?.contains("fait=bilan-envoye") == true)
            let after = try await s.get("/acheteurs/\(buyer)/bilans")
            #expect(after.html.contains("dg@acheteur.fr") && after.html.contains("(à la main)"))
            #expect(
                try await harness.db.pool.query("SELECT count(*) FROM mail_outbox WHERE kind = 'report'").scalar(
                    Int.self) == 1)
            let suspended = try await s.submit(
                "/abonnements/\(id)",
                [
                    "scope": "contract:\(contract.id.slug)", "recipients": "dg@acheteur.fr", "frequency": "quarterly",
                    "csv": "1",
                ],
                page: after.html)
            #expect(suspended.status == .seeOther)
            #expect(try await s.get("/acheteurs/\(buyer)/bilans").html.contains("Abonnement suspendu."))

            let referent = try await FormSession.signIn(client, "referent")
            #expect(try await referent.get("/acheteurs/\(buyer)/bilans").status == .forbidden)
        }
        await harness.services.shutdown()
        await harness.db.pool.shutdown()
    }
}

@Suite("Bilans through the API: documents, subscriptions, mailings")
struct ReportAPITests {
    @Test("documents in each format with their type; subscriptions created, refused in French, sent by hand; roles")
    func reportsAPI() async throws {
        let harness = try await APIHarness.make(clock: FixedClock(LocalDate(iso: "2026-12-01")!))
        let system = Caller.system("test")
        let contract = try await harness.services.publicContracts.create(
            system, .init(buyerId: harness.buyerA, reference: "API-BIL-1", object: "Espaces verts"))
        let buyer = harness.buyerA.slug
        try await harness.run { api in
            let json = try await api.call(
                .get, "/api/v1/reports/contract/\(contract.id.slug)?period=2026-Q3", as: "buyer")
            #expect(json.status == .ok && json.object["scopeLabel"] as? String == "API-BIL-1 — Espaces verts")
            #expect((json.object["people"] as? [String: Any])?["total"] as? String == "0")
            let csv = try await api.call(.get, "/api/v1/reports/buyer/\(buyer)?year=2026&format=csv", as: "facilitator")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition] == "attachment; filename=\"bilan-2026.csv\"")
            let pdf = try await api.call(.get, "/api/v1/reports/buyer/\(buyer)?format=pdf", as: "facilitator")
            #expect(pdf.status == .unprocessableContent && pdf.errorField == "format")
            let backwards = try await api.call(
                .get, "/api/v1/reports/buyer/\(buyer)?from=2026-05-01&to=2026-04-01", as: "facilitator")
            #expect(backwards.status == .unprocessableContent && backwards.errorField == "to")
            let dates = try await api.call(
                .get, "/api/v1/reports/buyer/\(buyer)?from=2026-01-01&to=2026-02-01", as: "buyer")
            #expect(dates.status == .unprocessableContent && dates.errorField == "period")
            #expect(
                try await api.call(.get, "/api/v1/reports/buyer/\(harness.buyerB.slug)", as: "buyer").status
                    == .notFound)
            #expect(try await api.call(.get, "/api/v1/reports/buyer/\(buyer)", as: "referent").status == .forbidden)
            #expect(
                try await api.call(.get, "/api/v1/reports/lot/\(buyer)", as: "admin").status == .unprocessableContent)

            let path = "/api/v1/buyers/\(buyer)/report-subscriptions"
            let empty = try await api.call(
                .post, path, as: "facilitator", json: ["scope": "buyer", "scopeId": buyer, "frequency": "monthly"])
            #expect(empty.status == .unprocessableContent && empty.errorField == "recipients")
            #expect(empty.errorMessage == "Indiquez au moins un destinataire du bilan.")
            let created = try await api.call(
                .post, path, as: "facilitator",
                json: [
                    "scope": "contract", "scopeId": contract.id.slug, "recipients": ["dg@acheteur.fr"],
                    "frequency": "quarterly",
                ])
            #expect(created.status == .created && created.object["formats"] as? [String] == ["html", "csv"])
            let id = try #require(created.object["id"] as? String)
            #expect(try await api.call(.get, path, as: "facilitator").items.count == 1)
            #expect(try await api.call(.get, path, as: "buyer").status == .forbidden)
            #expect(try await api.call(.post, path, as: "buyer", json: ["scope": "buyer"]).status == .forbidden)
            let sent = try await api.call(.post, "/api/v1/report-subscriptions/\(id)/send", as: "facilitator")
            #expect(sent.status == .created && sent.object["periodCode"] as? String == "depuis-le-debut")
            #expect(
                try await api.call(.post, "/api/v1/report-subscriptions/\(id)/send", as: "buyer").status == .forbidden)
            let mailings = try await api.call(.get, "/api/v1/buyers/\(buyer)/report-mailings", as: "admin")
            #expect(mailings.items.count == 1 && mailings.items.first?["manual"] as? Bool == true)
            let paused = try await api.call(
                .patch, "/api/v1/report-subscriptions/\(id)", as: "facilitator", json: ["active": false])
            #expect(paused.status == .ok && paused.object["active"] as? Bool == false)
            #expect(paused.object["frequency"] as? String == "quarterly")
        }
    }
}
