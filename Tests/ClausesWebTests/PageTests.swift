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
        let system = Caller.system("test")
        let s = harness.services
        let contract = try await s.publicContracts.create(
            system, .init(buyerId: harness.buyerA, reference: "PAGE-1", object: "Travaux"))
        let lot = try await s.lots.create(
            system,
            .init(
                publicContractId: contract.id, number: 1, label: "Peinture",
                executionStart: LocalDate(iso: "2026-01-01"), executionEnd: LocalDate(iso: "2026-12-31")))
        _ = try await s.clauses.put(system, lotId: lot.id, .init(calibration: .fixed(hours: 600)))
        _ = try await s.lotCompanies.assign(
            system, lotId: lot.id, .init(companyId: harness.companyX, role: .contractor))
        let plie = try await s.ledger.plie.create(
            system, .init(name: "PLIE page (démo)", profile: "istres-ouest-provence-2020"))
        var person = try await s.ledger.participants.create(
            system,
            .init(
                reference: "PLIE-9", lastName: "Moreau", firstName: "Jade",
                pathway: .init(plieId: plie.id, entryDate: LocalDate(iso: "2025-12-01"))))
        person = try await s.ledger.participants.addCriterion(
            system, participantId: person.id, .init(code: .DELD, proofDate: LocalDate(iso: "2025-12-15")))
        person = try await s.ledger.participants.validateCriterion(
            system, participantId: person.id, criterionId: person.criteria[0].id)
        let placement = try await s.ledger.placements.create(
            system,
            .init(
                participantId: person.id, lotId: lot.id, companyId: harness.companyX, executionMode: .temporaryWork,
                contractType: .temporaryWork,
                startDate: LocalDate(iso: "2026-01-01"), endDate: LocalDate(iso: "2026-12-31"), weeklyHours: 35))

        let app = try ClausesServer.application(services: s, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            let cookie = try #require(
                try await PageTests.login(client, email: "facilitator@test.fr", password: "mot-de-passe-facilitator")
                    .cookie)
            let form = String(
                buffer: try await client.execute(uri: "/imports", method: .get, headers: [.cookie: cookie]) { $0 }.body)
            let csrf = try #require(form.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.1)

            var lines = "placement;mois;heures travaillées;heures formation\r\n"
            for month in 1...6 { lines += "\(placement.code);\(String(format: "%02d", month))/2026;104;0\r\n" }
            let csv = try #require(lines.data(using: .windowsCP1252))
            let boundary = "----clausesTestBoundary"
            var body = Data()
            func field(_ name: String, _ value: String) {
                body += Data(
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
            }
            field("_csrf", String(csrf))
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
                    uri: "/lots/\(lot.id.uuidString.lowercased())?at=2026-06-30", method: .get,
                    headers: [.cookie: cookie]
                ) { $0 }.body)
            #expect(page.contains("Valorisées : <strong>624 h</strong> sur 600 h"))
            #expect(page.contains("<svg class=\"chart\""))
            #expect(page.contains("juin 2026"))
            #expect(page.contains(placement.code))
            #expect(page.contains("Jade"))

            let outcomes = String(
                buffer: try await client.execute(
                    uri: "/sorties-positives?au=2026-07-15", method: .get, headers: [.cookie: cookie]
                ) { $0 }.body)
            #expect(outcomes.contains("PLIE-9"))
            #expect(outcomes.contains("624"))
        }
    }
}
