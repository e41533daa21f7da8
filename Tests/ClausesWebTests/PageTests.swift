import ClausesTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import ClausesCore
@testable import ClausesWeb

@Suite("French web pages")
struct PageTests {
    /// Logs in through the form (login CSRF cookie included) and returns the session cookie header.
    static func login(_ client: any TestClientProtocol, email: String, password: String) async throws -> (
        status: HTTPResponse.Status, cookie: String?
    ) {
        let form = try await client.execute(uri: "/connexion", method: .get) { $0 }
        let page = String(buffer: form.body)
        let token = try #require(page.firstMatch(of: /name="_login_csrf" value="([^"]+)"/)?.1)
        let loginCookie = try #require(
            form.headers[values: .setCookie].first { $0.hasPrefix(PageRoutes.loginCookie) }?.split(separator: ";").first
        )
        let body =
            "_login_csrf=\(token)&email=\(email.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&password=\(password)&suite=/lots"
        return try await client.execute(
            uri: "/connexion", method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", .cookie: String(loginCookie)],
            body: ByteBuffer(string: body)
        ) { response in
            let session = response.headers[values: .setCookie].first { $0.hasPrefix(SessionMiddleware.cookieName) }
            return (response.status, session.flatMap { $0.split(separator: ";").first.map(String.init) })
        }
    }

    @Test("login, pages in French with the clause, CSRF-checked logout")
    func loginAndPages() async throws {
        let harness = try await APIHarness.make()
        let system = Caller.system("test")
        let contract = try await harness.services.publicContracts.create(
            system, .init(buyerId: harness.buyerA, reference: "HOP-1", object: "Réhabilitation"))
        let lot = try await harness.services.lots.create(
            system,
            .init(
                publicContractId: contract.id, number: 1, label: "Gros œuvre",
                executionStart: LocalDate(iso: "2026-02-01"), executionEnd: LocalDate(iso: "2027-07-31")))
        _ = try await harness.services.clauses.put(
            system, lotId: lot.id,
            .init(
                calibration: .standard(
                    amount: 1_000_000, labourShare: Decimal(string: "0.5")!, rate: Decimal(string: "0.05")!,
                    hourlyCost: 30)))
        let app = try ClausesServer.application(
            services: harness.services, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            // Anonymous: redirected to the login page.
            let anonymous = try await client.execute(uri: "/lots", method: .get) { $0 }
            #expect(anonymous.status == .seeOther || anonymous.status == .found)
            #expect(anonymous.headers[.location]?.hasPrefix("/connexion") == true)

            let refused = try await Self.login(client, email: "facilitator@test.fr", password: "mauvais")
            #expect(refused.status == .unauthorized)
            #expect(refused.cookie == nil)

            let accepted = try await Self.login(
                client, email: "facilitator@test.fr", password: "mot-de-passe-facilitator")
            #expect(accepted.status == .seeOther)
            let cookie = try #require(accepted.cookie)

            let lotPage = try await client.execute(
                uri: "/lots/\(lot.id.uuidString.lowercased())", method: .get, headers: [.cookie: cookie]
            ) { $0 }
            #expect(lotPage.status == .ok)
            let html = String(buffer: lotPage.body)
            #expect(html.contains("<html lang=\"fr\">"))
            #expect(html.contains("Gros œuvre"))
            #expect(html.contains("833 h prescrites"))
            #expect(html.contains("833,333333 h"))
            #expect(html.contains("01/02/2026 → 31/07/2027"))

            for path in [
                "/", "/acheteurs", "/acheteurs/\(harness.buyerA.uuidString.lowercased())", "/marches",
                "/marches/\(contract.id.uuidString.lowercased())", "/lots",
            ] {
                let page = try await client.execute(uri: path, method: .get, headers: [.cookie: cookie]) { $0 }
                #expect(page.status == .ok, "\(path)")
            }
            let missing = try await client.execute(
                uri: "/lots/\(UUID().uuidString)", method: .get, headers: [.cookie: cookie]
            ) { $0 }
            #expect(missing.status == .notFound)
            #expect(String(buffer: missing.body).contains("Page introuvable"))

            let css = try await client.execute(uri: "/static/app.css", method: .get) { $0 }
            #expect(css.headers[.contentType]?.hasPrefix("text/css") == true)

            // Logout without the CSRF token is refused; with it, the session ends.
            let forged = try await client.execute(
                uri: "/deconnexion", method: .post,
                headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "_csrf=faux")
            ) { $0 }
            #expect(forged.status == .forbidden)
            let csrf = try #require(html.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.1)
            let logout = try await client.execute(
                uri: "/deconnexion", method: .post,
                headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "_csrf=\(csrf)")
            ) { $0 }
            #expect(logout.status == .seeOther)
            let after = try await client.execute(uri: "/lots", method: .get, headers: [.cookie: cookie]) { $0 }
            #expect(after.headers[.location]?.hasPrefix("/connexion") == true)
        }
    }

    @Test("a buyer account's pages show only its own marchés")
    func buyerScopedPages() async throws {
        let harness = try await APIHarness.make()
        let system = Caller.system("test")
        _ = try await harness.services.publicContracts.create(
            system, .init(buyerId: harness.buyerA, reference: "A-VISIBLE", object: "Marché A"))
        let hidden = try await harness.services.publicContracts.create(
            system, .init(buyerId: harness.buyerB, reference: "B-CACHE", object: "Marché B"))
        let app = try ClausesServer.application(
            services: harness.services, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            let cookie = try #require(
                try await Self.login(client, email: "buyer@test.fr", password: "mot-de-passe-buyer").cookie)
            let list = String(
                buffer: try await client.execute(uri: "/marches", method: .get, headers: [.cookie: cookie]) { $0 }.body)
            #expect(list.contains("A-VISIBLE"))
            #expect(!list.contains("B-CACHE"))
            let other = try await client.execute(
                uri: "/marches/\(hidden.id.uuidString.lowercased())", method: .get, headers: [.cookie: cookie]
            ) { $0 }
            #expect(other.status == .notFound)
        }
    }
}

@Suite("Ledger pages")
struct LedgerPageTests {
    @Test("upload a Windows-1252 hours file from the import page, then see the lot's balance and chart")
    func uploadAndBalance() async throws {
        let harness = try await APIHarness.make()
        let s = harness.services
        let f = try await DailyLoopPageTests.fixture(harness, inPLIE: true)
        let app = try ClausesServer.application(services: s, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            let cookie = try #require(
                try await PageTests.login(client, email: "facilitator@test.fr", password: "mot-de-passe-facilitator")
                    .cookie)
            let form = String(
                buffer: try await client.execute(uri: "/imports", method: .get, headers: [.cookie: cookie]) { $0 }.body)
            let csrf = try #require(form.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.1)
            let once = try #require(form.firstMatch(of: /name="_once" value="([^"]+)"/)?.1)

            var lines = "placement;mois;heures travaillées;heures formation\r\n"
            for month in 1...6 { lines += "\(f.placementCode);\(String(format: "%02d", month))/2026;104;0\r\n" }
            let csv = try #require(lines.data(using: .windowsCP1252))
            let boundary = "----clausesTestBoundary"
            var body = Data()
            func field(_ name: String, _ value: String) {
                body += Data(
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
            }
            field("_csrf", String(csrf))
            field("_once", String(once))
            field("kind", "hours")
            field("validate", "1")
            body += Data(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"heures.csv\"\r\nContent-Type: text/csv\r\n\r\n"
                    .utf8)
            body += csv
            body += Data("\r\n--\(boundary)--\r\n".utf8)
            let upload = try await client.execute(
                uri: "/imports", method: .post,
                headers: [.cookie: cookie, .contentType: "multipart/form-data; boundary=\(boundary)"],
                body: ByteBuffer(bytes: body)
            ) { $0 }
            let result = String(buffer: upload.body)
            #expect(upload.status == .ok)
            #expect(result.contains("Import terminé : 6 ligne(s) lue(s), 6 créée(s)"))

            let page = String(
                buffer: try await client.execute(
                    uri: "/lots/\(f.lotId.uuidString.lowercased())?au=2026-06-30", method: .get,
                    headers: [.cookie: cookie]
                ) { $0 }.body)
            #expect(page.contains("Valorisées : <strong>624 h</strong> sur 600 h"))
            #expect(page.contains("<svg class=\"chart\""))
            #expect(page.contains("juin 2026"))
            #expect(page.contains(f.placementCode))
            #expect(page.contains("Jade"))

            let outcomes = String(
                buffer: try await client.execute(
                    uri: "/sorties-positives?au=2026-07-15", method: .get, headers: [.cookie: cookie]
                ) { $0 }.body)
            #expect(outcomes.contains("PLIE-7"))
            #expect(outcomes.contains("624"))
        }
    }
}

@Suite("The daily loop in pages")
struct DailyLoopPageTests {
    /// A lot of 600 hours with one placement of Jade Moreau (January to December 2026), and a logged-in client.
    struct Fixture {
        let lotId: UUID
        let placementId: UUID
        let placementCode: String
    }

    /// `inPLIE`: the person has an open pathway in a PLIE (outcome candidates need one).
    static func fixture(_ harness: APIHarness, inPLIE: Bool = false) async throws -> Fixture {
        let system = Caller.system("test")
        let s = harness.services
        let contract = try await s.publicContracts.create(
            system, .init(buyerId: harness.buyerA, reference: "GRILLE-1", object: "Travaux"))
        let lot = try await s.lots.create(
            system,
            .init(
                publicContractId: contract.id, number: 1, label: "Peinture",
                executionStart: LocalDate(iso: "2026-01-01"), executionEnd: LocalDate(iso: "2026-12-31")))
        _ = try await s.clauses.put(system, lotId: lot.id, .init(calibration: .fixed(hours: 600)))
        _ = try await s.lotCompanies.assign(
            system, lotId: lot.id, .init(companyId: harness.companyX, role: .contractor))
        let plie =
            inPLIE
            ? try await s.ledger.plie.create(
                system, .init(name: "PLIE page (démo)", profile: "istres-ouest-provence-2020")) : nil
        var person = try await s.ledger.participants.create(
            system,
            .init(
                reference: "PLIE-7", lastName: "Moreau", firstName: "Jade",
                pathway: plie.map { .init(plieId: $0.id, entryDate: LocalDate(iso: "2025-12-01")) }))
        person = try await s.ledger.participants.addCriterion(
            system, participantId: person.id, .init(code: .DELD, proofDate: LocalDate(iso: "2025-12-15")))
        person = try await s.ledger.participants.validateCriterion(
            system, participantId: person.id, criterionId: person.criteria[0].id)
        let placement = try await s.ledger.placements.create(
            system,
            .init(
                participantId: person.id, lotId: lot.id, companyId: harness.companyX, executionMode: .temporaryWork,
                contractType: .temporaryWork, startDate: LocalDate(iso: "2026-01-01"),
                endDate: LocalDate(iso: "2026-12-31"), weeklyHours: 35))
        return Fixture(lotId: lot.id, placementId: placement.id, placementCode: placement.code)
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, cookie: String) async throws -> (
        HTTPResponse.Status, String
    ) {
        try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) {
            ($0.status, String(buffer: $0.body))
        }
    }

    static func post(_ client: any TestClientProtocol, _ uri: String, cookie: String, _ body: String) async throws
        -> TestResponse
    {
        try await client.execute(
            uri: uri, method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: body)
        ) { $0 }
    }

    static func tokens(_ html: String) throws -> String {
        let csrf = try #require(html.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.1)
        let once = try #require(html.firstMatch(of: /name="_once" value="([^"]+)"/)?.1)
        return "_csrf=\(csrf)&_once=\(once)"
    }

    @Test(
        "hours typed in the grid wait in the queue; validated, the balance moves; bad input, double submits and stale grids write nothing"
    )
    func gridQueueBalance() async throws {
        let harness = try await APIHarness.make()
        let f = try await Self.fixture(harness)
        let app = try ClausesServer.application(
            services: harness.services, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            let cookie = try #require(
                try await PageTests.login(client, email: "facilitator@test.fr", password: "mot-de-passe-facilitator")
                    .cookie)
            let id = f.placementId.uuidString.lowercased()
            let grid = "/lots/\(f.lotId.uuidString.lowercased())/heures?mois=2026-10"
            let (status, page) = try await Self.get(client, grid, cookie: cookie)
            #expect(status == .ok)
            #expect(page.contains("Jade MOREAU"))
            #expect(page.contains("Heures travaillées — Jade MOREAU"))

            // Letters, three decimals, a negative figure: refused next to the row, what was typed kept.
            for (typed, message) in [
                ("12a", "en chiffres (par exemple 151,67)"), ("7,125", "deux décimales au plus"),
                ("-3", "ne peuvent pas être négatives"),
            ] {
                let (_, fresh) = try await Self.get(client, grid, cookie: cookie)
                let refused = try await Self.post(
                    client, grid, cookie: cookie,
                    "\(try Self.tokens(fresh))&rows%5B\(id)%5D%5Bworked%5D=\(typed)&rows%5B\(id)%5D%5Bseen%5D=")
                let html = String(buffer: refused.body)
                #expect(refused.status == .unprocessableContent, "\(typed)")
                #expect(html.contains(message), "\(typed)")
                #expect(html.contains("value=\"\(typed)\""), "\(typed)")
            }
            // A month outside the placement (it starts in January 2026): refused on its row.
            let december = "/lots/\(f.lotId.uuidString.lowercased())/heures?mois=2025-12"
            let (_, empty) = try await Self.get(client, december, cookie: cookie)
            #expect(empty.contains("Aucune mise à l"))
            let outside = try await Self.post(
                client, december, cookie: cookie,
                "\(try Self.tokens(empty))&rows%5B\(id)%5D%5Bworked%5D=10&rows%5B\(id)%5D%5Bseen%5D=")
            #expect(outside.status == .unprocessableContent)
            #expect(String(buffer: outside.body).contains("hors de la période de la mise à l"))
            #expect(
                try await harness.services.ledger.hours.list(Caller.system("t"), placementId: f.placementId).isEmpty)

            // 151,67 h in October: saved as declared, the same form sent again does nothing twice.
            let (_, fresh) = try await Self.get(client, grid, cookie: cookie)
            let body = "\(try Self.tokens(fresh))&rows%5B\(id)%5D%5Bworked%5D=151%2C67&rows%5B\(id)%5D%5Bseen%5D="
            let saved = try await Self.post(client, grid, cookie: cookie, body)
            #expect(saved.status == .seeOther)
            #expect(saved.headers[.location]?.contains("fait=heures-enregistrees") == true)
            let again = try await Self.post(client, grid, cookie: cookie, body)
            #expect(again.status == .conflict)
            #expect(String(buffer: again.body).contains("déjà été envoyé"))
            let reports = try await harness.services.ledger.hours.history(
                Caller.system("t"), placementId: f.placementId)
            #expect(reports.count == 1)
            #expect(reports.first?.status == .declared)

            // A grid opened before that save (it saw no report) is stale: refused, nothing written.
            let reopened = try await Self.get(client, grid, cookie: cookie).1
            #expect(reopened.contains("value=\"151,67\""))
            let stale = try await Self.post(
                client, grid, cookie: cookie,
                "\(try Self.tokens(reopened))&rows%5B\(id)%5D%5Bworked%5D=100&rows%5B\(id)%5D%5Bseen%5D=")
            #expect(stale.status == .unprocessableContent)
            let staleHTML = String(buffer: stale.body)
            #expect(staleHTML.contains("modifiées par facilitator@test.fr"))
            #expect(
                try await harness.services.ledger.hours.history(Caller.system("t"), placementId: f.placementId).count
                    == 1)
            // Sent again from the refusal, which now carries the current report, it replaces it knowingly.
            let seen = try #require(staleHTML.firstMatch(of: /\[seen\]" value="([^"]+)"/)?.1)
            #expect(seen.hasSuffix(":declared"))
            let replaced = try await Self.post(
                client, grid, cookie: cookie,
                "\(try Self.tokens(staleHTML))&rows%5B\(id)%5D%5Bworked%5D=151%2C67&rows%5B\(id)%5D%5Bseen%5D=\(seen)")
            #expect(replaced.status == .seeOther)

            // The lot page says who waits; the queue validates; the balance moves.
            let lot = "/lots/\(f.lotId.uuidString.lowercased())?au=2026-11-30"
            let before = try await Self.get(client, lot, cookie: cookie).1
            #expect(before.contains("Jade MOREAU (octobre 2026)"))
            #expect(before.contains("Valorisées : <strong>0 h</strong>"))
            let (_, queue) = try await Self.get(client, "/releves", cookie: cookie)
            let reportId = try #require(queue.firstMatch(of: /name="validateOne" value="([^"]+)"/)?.1)
            #expect(queue.contains("Valider<span class=\"sr-only\"> — Jade MOREAU, octobre 2026</span>"))
            let noReason = try await Self.post(
                client, "/releves", cookie: cookie, "\(try Self.tokens(queue))&rejectOne=\(reportId)")
            #expect(noReason.status == .unprocessableContent)
            #expect(String(buffer: noReason.body).contains("Indiquez le motif du refus"))
            let (_, queue2) = try await Self.get(client, "/releves", cookie: cookie)
            let validated = try await Self.post(
                client, "/releves", cookie: cookie, "\(try Self.tokens(queue2))&ids%5B%5D=\(reportId)&bulk=validate")
            #expect(validated.status == .seeOther)
            let after = try await Self.get(client, lot, cookie: cookie).1
            #expect(after.contains("Valorisées : <strong>151,67 h</strong>"))
            #expect(try await Self.get(client, "/releves", cookie: cookie).1.contains("Aucun relevé n'attend"))
            // The buyer's balance adds its lots up, with their month chart.
            let buyer = try await Self.get(
                client, "/acheteurs/\(harness.buyerA.uuidString.lowercased())?au=2026-11-30", cookie: cookie
            ).1
            #expect(buyer.contains("<strong>151,67 h</strong> valorisées sur 600 h prescrites"))
            #expect(buyer.contains("<svg class=\"chart\""))
            #expect(buyer.contains("octobre 2026 : 151,67 h valorisées"))
        }
    }

    @Test("a company types its own placements' hours in the grid: declared, waiting for validation")
    func companyGrid() async throws {
        let harness = try await APIHarness.make()
        let f = try await Self.fixture(harness)
        let app = try ClausesServer.application(
            services: harness.services, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            let cookie = try #require(
                try await PageTests.login(client, email: "company@test.fr", password: "mot-de-passe-company").cookie)
            let id = f.placementId.uuidString.lowercased()
            let grid = "/lots/\(f.lotId.uuidString.lowercased())/heures?mois=2026-09"
            let (status, page) = try await Self.get(client, grid, cookie: cookie)
            #expect(status == .ok)
            #expect(page.contains("Jade M."))
            #expect(!page.contains("MOREAU"))
            #expect(!page.contains("Enregistrer comme validées"))
            #expect(page.contains("comptent dans le bilan une fois validées"))
            let saved = try await Self.post(
                client, grid, cookie: cookie,
                "\(try Self.tokens(page))&rows%5B\(id)%5D%5Bworked%5D=120&rows%5B\(id)%5D%5Bseen%5D=&validate=1")
            #expect(saved.status == .seeOther)
            let reports = try await harness.services.ledger.hours.list(Caller.system("t"), placementId: f.placementId)
            #expect(reports.map(\.status) == [.declared])
            #expect(reports.first?.source == .company)

            // The facilitatrice checks the timesheet: the same figure, saved as validated, validates it.
            let staff = try #require(
                try await PageTests.login(client, email: "facilitator@test.fr", password: "mot-de-passe-facilitator")
                    .cookie)
            let (_, checked) = try await Self.get(client, grid, cookie: staff)
            #expect(checked.contains("value=\"120\""))
            let seen = try #require(checked.firstMatch(of: /\[seen\]" value="([^"]+)"/)?.1)
            let validated = try await Self.post(
                client, grid, cookie: staff,
                "\(try Self.tokens(checked))&rows%5B\(id)%5D%5Bworked%5D=120&rows%5B\(id)%5D%5Bseen%5D=\(seen)&validate=1"
            )
            #expect(validated.headers[.location]?.contains("n=1") == true)
            let after = try await harness.services.ledger.hours.history(Caller.system("t"), placementId: f.placementId)
            #expect(after.map(\.status) == [.validated])
        }
    }

    @Test("a company sees no staff page (403 inside the layout, with its menu); unknown pages keep the menu")
    func rolesAndErrors() async throws {
        let harness = try await APIHarness.make()
        let app = try ClausesServer.application(
            services: harness.services, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            let cookie = try #require(
                try await PageTests.login(client, email: "company@test.fr", password: "mot-de-passe-company").cookie)
            for path in ["/releves", "/imports", "/indicateurs", "/sorties-positives"] {
                let (status, html) = try await Self.get(client, path, cookie: cookie)
                #expect(status == .forbidden, "\(path)")
                #expect(html.contains("Accès refusé"), "\(path)")
                #expect(html.contains("Se déconnecter"), "\(path)")
            }
            let (status, html) = try await Self.get(client, "/nulle-part", cookie: cookie)
            #expect(status == .notFound)
            #expect(html.contains("Se déconnecter"))
            // Lists end without a dead « next page » link.
            let lots = try await Self.get(client, "/lots", cookie: cookie).1
            #expect(!lots.contains("cursor=nil"))
            #expect(!lots.contains("Page suivante"))
            let login = try await client.execute(uri: "/connexion", method: .get) { String(buffer: $0.body) }
            #expect(!login.contains("nil"))
        }
    }
}
