import ClausesTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import ClausesCore
@testable import ClausesWeb

/// Regression tests for the security review (43,082 probing requests): each finding has its test here.
@Suite("Security and robustness")
struct SecurityTests {
    /// A participant with a validated criterion (proof dated `proof`), created through the API.
    static func participant(
        _ api: APIHarness.Client, reference: String, criterion: String = "RSA", proof: String = "2026-01-15",
        first: String = "Zoé", last: String = "Simon"
    ) async throws -> String {
        let created = try await api.call(
            .post, "/api/v1/participants", as: "facilitator",
            json: ["reference": reference, "lastName": last, "firstName": first])
        let id = try #require(created.object["id"] as? String)
        let withProof = try await api.call(
            .post, "/api/v1/participants/\(id)/criteria", as: "facilitator",
            json: ["code": criterion, "proofDate": proof])
        let criterionId = try #require((withProof.object["criteria"] as? [[String: Any]])?.first?["id"] as? String)
        #expect(
            try await api.call(.post, "/api/v1/participants/\(id)/criteria/\(criterionId)/validate", as: "facilitator")
                .status == .ok)
        return id
    }

    // MARK: Finding 1 — a date in year 1 or 9999 crashed the process

    @Test(
        "dates outside the window are refused with 422 at every boundary; in-window extremes compute without crashing")
    func datesAtTheBoundaries() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let lotId = try await LedgerAPITests.lot(api, buyer: harness.buyerA, company: harness.companyX)
            let person = try await api.call(
                .post, "/api/v1/participants", as: "facilitator",
                json: ["reference": "D-1", "lastName": "An", "firstName": "Un"])
            let id = try #require(person.object["id"] as? String)

            let proof = try await api.call(
                .post, "/api/v1/participants/\(id)/criteria", as: "facilitator",
                json: ["code": "RSA", "proofDate": "0001-01-01"])
            #expect(proof.status == .unprocessableContent)
            #expect(proof.errorField == "proofDate")
            #expect(proof.errorCode == "date_out_of_range")
            #expect(
                proof.errorMessage
                    == "« proofDate » : la date 01/01/0001 est hors de la période acceptée (du 01/01/1900 au 31/12/2199)."
            )

            let eligibility = try await api.call(
                .get, "/api/v1/participants/\(id)/eligibility?at=0001-03-01", as: "facilitator")
            #expect(eligibility.status == .unprocessableContent)
            #expect(eligibility.errorField == "at")

            var placement: [String: Any] = [
                "participantId": id, "lotId": lotId, "companyId": harness.companyX.uuidString,
                "executionMode": "directHire",
                "contractType": "cdi", "startDate": "0001-03-01", "weeklyHours": 35, "nonCounting": true,
            ]
            #expect(
                try await api.call(.post, "/api/v1/placements", as: "facilitator", json: placement).status
                    == .unprocessableContent)
            placement["startDate"] = "9999-10-01"
            #expect(
                try await api.call(.post, "/api/v1/placements", as: "facilitator", json: placement).status
                    == .unprocessableContent)

            let outcomes = try await api.call(.get, "/api/v1/outcomes/candidates?asOf=9999-12-31", as: "facilitator")
            #expect(outcomes.status == .unprocessableContent)
            #expect(outcomes.errorCode == "date_out_of_range")

            // The last months of the window: month arithmetic runs past it (2200) and answers.
            placement["startDate"] = "2199-10-01"
            #expect(
                try await api.call(.post, "/api/v1/placements", as: "facilitator", json: placement).status == .created)
            #expect(
                try await api.call(.get, "/api/v1/outcomes/candidates?asOf=2199-12-31", as: "facilitator").status == .ok
            )
            #expect(
                try await api.call(.get, "/api/v1/lots/\(lotId)/balance?at=2199-12-31", as: "facilitator").status == .ok
            )
            #expect(
                try await api.call(.get, "/api/v1/participants/\(id)/eligibility?at=1900-01-01", as: "facilitator")
                    .status == .ok)

            let month = try await api.call(
                .post, "/api/v1/hour-reports", as: "facilitator",
                json: ["placementCode": "MEP-1", "month": "0001-01", "workedHours": 1])
            #expect(month.status == .unprocessableContent)
            #expect(month.errorField == "month")
        }
    }

    @Test("the outcomes page refuses a date outside the window with a French 422 page")
    func outcomesPageDate() async throws {
        let harness = try await APIHarness.make()
        let app = try ClausesServer.application(
            services: harness.services, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            let cookie = try #require(
                try await PageTests.login(client, email: "facilitator@test.fr", password: "mot-de-passe-facilitator")
                    .cookie)
            let page = try await client.execute(
                uri: "/sorties-positives?au=9999-12-31", method: .get, headers: [.cookie: cookie]
            ) { $0 }
            #expect(page.status == .unprocessableContent)
            #expect(String(buffer: page.body).contains("hors de la période acceptée"))
        }
        await harness.services.shutdown()
    }

    // MARK: Finding 2 — a company account received its employees' eligibility criteria

    /// The keys every role's answer may contain, route by route: a new key fails this test until someone
    /// decides who may read it.
    static let placementStaffKeys: Set<String> = [
        "id", "code", "participantId", "participantName", "lotId", "lotLabel", "publicContractReference", "companyId",
        "companyName",
        "executionMode", "contractType", "startDate", "endDate", "weeklyHours", "reducedHoursAgreed",
        "onClauseOperation", "counting",
        "eligibilityCriteria", "createdAt", "updatedAt",
    ]
    static let placementCompanyKeys: Set<String> = [
        "id", "code", "participantName", "lotId", "lotLabel", "publicContractReference", "companyId", "companyName",
        "executionMode",
        "contractType", "startDate", "endDate", "weeklyHours", "reportedHours", "createdAt",
    ]
    static let hourReportKeys: Set<String> = [
        "id", "placementId", "placementCode", "month", "workedHours", "trainingHours", "source", "status", "declaredBy",
        "declaredByLabel", "declaredAt", "current",
    ]
    static let lotBalanceKeys: Set<String> = [
        "lotId", "lotNumber", "lotLabel", "publicContractId", "publicContractReference", "buyerId", "contractorId",
        "contractorName",
        "calibrationMode", "placementCount", "balance", "credit", "pendingHours", "pendingReports",
    ]
    static let exclusionStaffKeys: Set<String> = ["reason", "hours", "placementIds"]
    static let exclusionBuyerKeys: Set<String> = ["reason", "hours"]

    @Test("each role's answers carry exactly the fields it may read: participants, placements, hour reports, balances")
    func fieldsByRole() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let lotId = try await LedgerAPITests.lot(api, buyer: harness.buyerA, company: harness.companyX)
            let id = try await Self.participant(api, reference: "F-1", criterion: "AAH")
            let placement = try await api.call(
                .post, "/api/v1/placements", as: "facilitator",
                json: [
                    "participantId": id, "lotId": lotId, "companyId": harness.companyX.uuidString,
                    "executionMode": "directHire",
                    "contractType": "cdd", "startDate": "2026-02-01", "endDate": "2026-07-31", "weeklyHours": 35,
                ])
            let placementId = try #require(placement.object["id"] as? String)
            let code = try #require(placement.object["code"] as? String)
            // A second person, not eligible: their hours are excluded (rule 1), which names placements.
            let other = try await api.call(
                .post, "/api/v1/participants", as: "facilitator",
                json: ["reference": "F-2", "lastName": "Roux", "firstName": "Noé"])
            let excluded = try await api.call(
                .post, "/api/v1/placements", as: "facilitator",
                json: [
                    "participantId": try #require(other.object["id"] as? String), "lotId": lotId,
                    "companyId": harness.companyX.uuidString,
                    "executionMode": "directHire", "contractType": "cdd", "startDate": "2026-02-01",
                    "endDate": "2026-07-31", "weeklyHours": 20,
                    "nonCounting": true,
                ])
            let excludedCode = try #require(excluded.object["code"] as? String)
            for (placement, hours) in [(code, "120"), (excludedCode, "60")] {
                #expect(
                    try await api.call(
                        .post, "/api/v1/hour-reports?validate=true", as: "facilitator",
                        json: ["placementCode": placement, "month": "2026-03", "workedHours": hours]
                    ).status == .created)
            }

            // Placements: staff get the full view; the company its own view, without criteria.
            let staff = try await api.call(.get, "/api/v1/placements/\(placementId)", as: "facilitator")
            #expect(Set(staff.object.keys) == Self.placementStaffKeys)
            #expect(staff.object["eligibilityCriteria"] as? [String] == ["AAH"])
            let companyList = try await api.call(.get, "/api/v1/placements", as: "company")
            #expect(companyList.status == .ok)
            #expect(companyList.items.count == 2)
            for item in companyList.items { #expect(Set(item.keys) == Self.placementCompanyKeys) }
            let companyOne = try await api.call(.get, "/api/v1/placements/\(placementId)", as: "company")
            #expect(Set(companyOne.object.keys) == Self.placementCompanyKeys)
            #expect(companyOne.object["participantName"] as? String == "Zoé S.")
            #expect((companyOne.object["reportedHours"] as? NSNumber)?.intValue == 120)
            for text in [companyList.text, companyOne.text] {
                #expect(
                    !text.contains("AAH") && !text.contains("eligibility") && !text.contains("counting")
                        && !text.contains("Simon"))
            }
            #expect(try await api.call(.get, "/api/v1/placements", as: "buyer").status == .forbidden)

            // Hour reports: the same fields for staff and the company; none for a buyer.
            for role in ["facilitator", "company"] {
                let reports = try await api.call(.get, "/api/v1/placements/\(placementId)/hour-reports", as: role)
                #expect(reports.items.count == 1)
                // Validated reports add who validated and when.
                #expect(
                    Set(reports.items[0].keys)
                        == Self.hourReportKeys.union(["validatedBy", "validatedByLabel", "validatedAt"]), "role \(role)"
                )
            }
            #expect(
                try await api.call(.get, "/api/v1/placements/\(placementId)/hour-reports", as: "buyer").status
                    == .forbidden)

            // Participants: staff only.
            for role in ["buyer", "company"] {
                #expect(try await api.call(.get, "/api/v1/participants", as: role).status == .forbidden)
                #expect(try await api.call(.get, "/api/v1/participants/\(id)", as: role).status == .forbidden)
            }

            // Balances: the buyer's names no placement and counts none (DOMAIN §8).
            let staffBalance = try await api.call(
                .get, "/api/v1/lots/\(lotId)/balance?at=2026-04-30", as: "facilitator")
            let buyerBalance = try await api.call(.get, "/api/v1/lots/\(lotId)/balance?at=2026-04-30", as: "buyer")
            #expect(Set(staffBalance.object.keys) == Self.lotBalanceKeys)
            #expect(
                Set(buyerBalance.object.keys) == Self.lotBalanceKeys.subtracting(["placementCount", "pendingReports"]))
            let buyerModes = try #require(
                (buyerBalance.object["credit"] as? [String: Any])?["byMode"] as? [[String: Any]])
            #expect(!buyerModes.isEmpty && buyerModes.allSatisfy { $0["placementCount"] == nil && $0["hires"] == nil })
            let staffExclusions = try #require(
                (staffBalance.object["credit"] as? [String: Any])?["exclusions"] as? [[String: Any]])
            let buyerExclusions = try #require(
                (buyerBalance.object["credit"] as? [String: Any])?["exclusions"] as? [[String: Any]])
            #expect(staffExclusions.map { Set($0.keys) } == [Self.exclusionStaffKeys])
            #expect(staffExclusions.first?["placementIds"] as? [String] == [excludedCode])
            #expect(buyerExclusions.map { Set($0.keys) } == [Self.exclusionBuyerKeys])
            let group = try await api.call(
                .get, "/api/v1/buyers/\(harness.buyerA.uuidString)/balance?at=2026-04-30", as: "buyer")
            for text in [buyerBalance.text, group.text] {
                #expect(
                    !text.contains(code) && !text.contains(excludedCode) && !text.contains(id.lowercased())
                        && !text.contains(id.uppercased()))
            }
        }
    }

    // MARK: Finding 3 — one upload could exhaust the server

    @Test("bodies over the route's limit get a French 413 before being read whole; CSV shapes are bounded")
    func boundedBodies() async throws {
        var config = Config()
        config.server.maxJSONBodyBytes = 2048
        config.server.maxImportBodyBytes = 64 * 1024
        let harness = try await APIHarness.make(config: config)
        try await harness.run { api in
            let big = try await api.call(
                .post, "/api/v1/buyers", as: "facilitator",
                json: ["siret": "21130047500012", "name": String(repeating: "x", count: 4000)])
            #expect(big.status == .contentTooLarge)
            #expect(big.errorCode == "payload_too_large")
            #expect(big.errorMessage?.hasPrefix("Requête trop volumineuse") == true)
            let file = Data(
                ("placement;mois;heures travaillées\n" + String(repeating: "MEP-2026-00001;2026-01;1\n", count: 4000))
                    .utf8)
            #expect(
                try await api.call(.post, "/api/v1/imports/hours", as: "company", body: file).status == .contentTooLarge
            )

            // A header of a million columns (2 MB in the review) is refused at once, within the limits.
            let wide = Data(("placement" + String(repeating: ";x", count: 30_000) + "\n").utf8)
            let refused = try await api.call(.post, "/api/v1/imports/hours", as: "company", body: wide)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("plus de 50 colonnes"))
        }
    }

    // MARK: Finding 4 — logins were not throttled, their form token could be reused, bcrypt blocked requests

    /// Posts the login form with a fresh token; returns the response.
    static func attemptLogin(
        _ client: any TestClientProtocol, email: String, password: String,
        token: (field: String, cookie: String)? = nil
    ) async throws -> (TestResponse, (field: String, cookie: String)) {
        var form = token
        if form == nil {
            let page = try await client.execute(uri: "/connexion", method: .get) { $0 }
            let field = try #require(String(buffer: page.body).firstMatch(of: /name="_login_csrf" value="([^"]+)"/)?.1)
            let cookie = try #require(
                page.headers[values: .setCookie].first { $0.hasPrefix(PageRoutes.loginCookie) }?.split(separator: ";")
                    .first)
            form = (String(field), String(cookie))
        }
        let used = try #require(form)
        let body =
            "_login_csrf=\(used.field)&email=\(email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&password=\(password)"
        let response = try await client.execute(
            uri: "/connexion", method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", .cookie: used.cookie],
            body: ByteBuffer(string: body)
        ) { $0 }
        return (response, used)
    }

    @Test("failed logins slow down the account and the address: 429 with Retry-After, the same for an unknown account")
    func loginThrottle() async throws {
        let harness = try await APIHarness.make()
        let app = try ClausesServer.application(
            services: harness.services, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            for email in ["facilitator@test.fr", "personne@test.fr"] {
                for _ in 0..<5 {
                    #expect(
                        try await Self.attemptLogin(client, email: email, password: "mauvais").0.status == .unauthorized
                    )
                }
                // Four more failures on the account from a robot elsewhere: the account's wait is then 16 s
                // (1 s after the fifth, doubling with each), so no slowness of the test machine outlasts it.
                for _ in 0..<4 { try await harness.services.loginFailures.record(email: email, address: "203.0.113.9") }
                // The next attempt, even with the right password, waits.
                let (throttled, _) = try await Self.attemptLogin(
                    client, email: email, password: "mot-de-passe-facilitator")
                #expect(throttled.status == .tooManyRequests, "\(email)")
                #expect(Int(throttled.headers[.retryAfter] ?? "") ?? 0 >= 1)
                #expect(String(buffer: throttled.body).contains("Trop de tentatives de connexion échouées"))
                #expect(
                    throttled.headers[values: .setCookie].allSatisfy { !$0.hasPrefix(SessionMiddleware.cookieName) })
            }
        }
        // Admins read the failures (account typed, address, time); nobody else.
        try await harness.run { api in
            let failures = try await api.call(.get, "/api/v1/login-failures", as: "admin")
            #expect(failures.items.count == 18)
            #expect(
                Set(failures.items.compactMap { $0["email"] as? String }) == [
                    "facilitator@test.fr", "personne@test.fr",
                ])
            #expect(failures.items.allSatisfy { $0["attemptedAt"] != nil })
            #expect(failures.items.filter { $0["address"] as? String == "inconnue" }.count == 10)
            #expect(try await api.call(.get, "/api/v1/login-failures", as: "facilitator").status == .forbidden)
        }
    }

    @Test("a login form token works once; a reused one is refused")
    func loginFormTokenOnce() async throws {
        let harness = try await APIHarness.make()
        let app = try ClausesServer.application(
            services: harness.services, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            let (first, token) = try await Self.attemptLogin(
                client, email: "facilitator@test.fr", password: "mot-de-passe-facilitator")
            #expect(first.status == .seeOther)
            let (again, _) = try await Self.attemptLogin(
                client, email: "facilitator@test.fr", password: "mot-de-passe-facilitator", token: token)
            #expect(again.status == .forbidden)
            #expect(String(buffer: again.body).contains("Le formulaire a expiré"))
        }
        await harness.services.shutdown()
    }

    @Test("bcrypt runs on its own threads: a burst of logins leaves the request threads free")
    func passwordsOffTheRequestThreads() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            // 16 password checks queued at once (bcrypt cost 4 in tests, one worker thread).
            let users = harness.services.users
            let checks = Task {
                try await withThrowingTaskGroup(of: User?.self) { group in
                    for _ in 0..<16 {
                        group.addTask {
                            try await users.authenticate(email: "facilitator@test.fr", password: "mauvais mot de passe")
                        }
                    }
                    return try await group.reduce(into: [User?]()) { $0.append($1) }
                }
            }
            let me = try await api.call(.get, "/api/v1/me", as: "buyer")
            #expect(me.status == .ok)
            let results = try await checks.value
            #expect(results.count == 16 && results.allSatisfy { $0 == nil })
        }
    }

    // MARK: Finding 5 — open redirect after login

    @Test("after login, only local paths: /\\evil.example and //evil.example go to the dashboard")
    func localRedirects() async throws {
        #expect(LocalPath.sanitized("/\\evil.example") == "/")
        #expect(LocalPath.sanitized("//evil.example") == "/")
        #expect(LocalPath.sanitized("https://evil.example") == "/")
        #expect(LocalPath.sanitized("/lots\r\nSet-Cookie: x") == "/")
        #expect(LocalPath.sanitized("/ /evil") == "/")
        #expect(LocalPath.sanitized(nil) == "/")
        #expect(LocalPath.sanitized("/lots?at=2026-01-01") == "/lots?at=2026-01-01")
        let harness = try await APIHarness.make()
        let app = try ClausesServer.application(
            services: harness.services, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            let page = try await client.execute(uri: "/connexion", method: .get) { $0 }
            let field = try #require(String(buffer: page.body).firstMatch(of: /name="_login_csrf" value="([^"]+)"/)?.1)
            let cookie = try #require(
                page.headers[values: .setCookie].first { $0.hasPrefix(PageRoutes.loginCookie) }?.split(separator: ";")
                    .first)
            let body =
                "_login_csrf=\(field)&email=facilitator%40test.fr&password=mot-de-passe-facilitator&suite=%2F%5Cevil.example"
            let response = try await client.execute(
                uri: "/connexion", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: String(cookie)],
                body: ByteBuffer(string: body)
            ) { $0 }
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/")
        }
        await harness.services.shutdown()
    }

    // MARK: Finding 6 — no security headers

    @Test("every answer carries the security headers; pages are never cached, static files are")
    func securityHeaders() async throws {
        #expect(
            SecurityHeadersMiddleware.framingAndReferrer.map { "\($0.0)" } == ["X-Frame-Options", "Referrer-Policy"])
        let harness = try await APIHarness.make()
        let app = try ClausesServer.application(
            services: harness.services, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            let cookie = try #require(
                try await PageTests.login(client, email: "facilitator@test.fr", password: "mot-de-passe-facilitator")
                    .cookie)
            for (path, headers) in [
                ("/connexion", [:]), ("/lots", [.cookie: cookie]), ("/api/v1/me", [:]), ("/page-inconnue", [:]),
            ] as [(String, HTTPFields)] {
                let response = try await client.execute(uri: path, method: .get, headers: headers) { $0 }
                let policy = response.headers[.contentSecurityPolicy] ?? ""
                #expect(
                    policy.contains("default-src 'self'") && policy.contains("frame-ancestors 'none'")
                        && policy.contains("script-src 'self'"), "\(path)")
                #expect(!policy.contains("unsafe-inline"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(path)")
                for (name, value) in SecurityHeadersMiddleware.framingAndReferrer {
                    #expect(response.headers[name] == value, "\(path)")
                }
                #expect(response.headers[.cacheControl] == "no-store", "\(path)")
                #expect(response.headers[.strictTransportSecurity] == nil, "no HSTS over plain HTTP")
            }
            let css = try await client.execute(uri: "/static/app.css", method: .get) { $0 }
            #expect(css.headers[.cacheControl]?.hasPrefix("public") == true)
            // No inline style is left for the policy to block: meters are SVG attributes.
            let lots = String(
                buffer: try await client.execute(uri: "/lots", method: .get, headers: [.cookie: cookie]) { $0 }.body)
            #expect(!lots.contains("style="))
        }
        var secure = Config()
        secure.server.secureCookies = true
        let router = try ClausesServer.router(
            services: AppServices(config: secure, pool: harness.db.pool, bcryptCost: 4))
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/connexion", method: .get) { $0 }
            #expect(response.headers[.strictTransportSecurity]?.hasPrefix("max-age=") == true)
        }
        await harness.services.shutdown()
    }

    // MARK: Finding 7 — a NUL byte truncated strings (passwords included); weak passwords were accepted

    @Test("control characters are refused in every text field; weak passwords are refused in French")
    func textAndPasswords() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let nul = try await api.call(
                .post, "/api/v1/users", as: "admin",
                json: [
                    "email": "nul@test.fr", "role": "facilitator",
                    "password": "a\u{0}bcdefghijklmnop",
                ])
            #expect(nul.status == .unprocessableContent)
            #expect(nul.errorCode == "invalid_character")
            #expect(nul.errorField == "password")
            for weak in ["          ", "aaaaaaaaaa", "0123456789", "012345678901", "aaaabbbbcccc"] {
                let refused = try await api.call(
                    .post, "/api/v1/users", as: "admin",
                    json: ["email": "faible@test.fr", "role": "facilitator", "password": weak])
                #expect(refused.status == .unprocessableContent, "« \(weak) »")
                #expect(refused.errorCode == "weak_password", "« \(weak) »")
            }
            let name = try await api.call(
                .post, "/api/v1/participants", as: "facilitator",
                json: ["reference": "N-1", "lastName": "Nul\u{0}", "firstName": "A"])
            #expect(name.status == .unprocessableContent)
            #expect(name.errorField == "lastName")
            let newline = try await api.call(
                .post, "/api/v1/participants", as: "facilitator",
                json: ["reference": "N-1", "lastName": "Deux\nLignes", "firstName": "A"])
            #expect(newline.status == .unprocessableContent)
            let query = try await api.call(.get, "/api/v1/participants?q=Du%00pont", as: "facilitator")
            #expect(query.status == .unprocessableContent)
            #expect(query.errorField == "q")
            #expect(try await harness.db.pool.query("SELECT count(*) FROM participants").scalar(Int.self) == 0)
        }
    }

    // MARK: Finding 8 — bad input answered 500, English or misleading messages, two rules for one field

    @Test("bad input is a 4xx in French: cursors, integers, enums, hours, birth dates, scope")
    func badInputIsFourHundred() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let cursor = Data("not-a-timestamp|3F2504E0-4F89-11D3-9A0C-0305E82C3301".utf8).base64EncodedString()
            let badCursor = try await api.call(.get, "/api/v1/buyers?cursor=\(cursor)", as: "facilitator")
            #expect(badCursor.status == .unprocessableContent)
            #expect(badCursor.errorField == "cursor")
            let shapedCursor = Data("2026-13-45 99:99:99+00|3F2504E0-4F89-11D3-9A0C-0305E82C3301".utf8)
                .base64EncodedString()
            #expect(
                try await api.call(.get, "/api/v1/buyers?cursor=\(shapedCursor)", as: "facilitator").status
                    == .unprocessableContent)

            let contract = try await api.call(
                .post, "/api/v1/public-contracts", as: "facilitator",
                json: [
                    "buyerId": harness.buyerA.uuidString, "reference": "INT-1", "object": "Travaux",
                ])
            let contractId = try #require(contract.object["id"] as? String)
            let number = try await api.call(
                .post, "/api/v1/lots", as: "facilitator",
                json: ["publicContractId": contractId, "number": 2_147_483_648, "label": "L"])
            #expect(number.status == .unprocessableContent)
            #expect(number.errorField == "number")
            #expect(number.errorMessage == "« number » doit être un entier entre 1 et 2147483647 (reçu 2147483648).")

            let id = try await Self.participant(api, reference: "B-1")
            let rule = try await api.call(
                .post, "/api/v1/pathways/\(id)/outcome-decisions", as: "facilitator",
                json: ["rule": "n'importe", "establishedOn": "2026-06-01", "decision": "accepted"])
            #expect(rule.status == .unprocessableContent)
            #expect(rule.errorField == "rule")
            #expect(rule.errorMessage?.contains("valeur « n'importe » inconnue (valeurs possibles : « ") == true)
            #expect(rule.errorMessage?.contains("Cannot") == false)

            let lotId = try await LedgerAPITests.lot(api, buyer: harness.buyerA, company: harness.companyX)
            let placement = try await api.call(
                .post, "/api/v1/placements", as: "facilitator",
                json: [
                    "participantId": id, "lotId": lotId, "companyId": harness.companyX.uuidString,
                    "executionMode": "directHire",
                    "contractType": "cdd", "startDate": "2026-02-01", "endDate": "2026-07-31", "weeklyHours": 35,
                ])
            let placementId = try #require(placement.object["id"] as? String)
            let hours = try await api.call(
                .post, "/api/v1/hour-reports", as: "facilitator",
                json: ["placementId": placementId, "month": "2026-03", "workedHours": "7.125"])
            #expect(hours.status == .unprocessableContent)
            #expect(hours.errorMessage == "« workedHours » : deux décimales au plus pour des heures (reçu 7,125).")

            let future = try await api.call(
                .patch, "/api/v1/participants/\(id)", as: "facilitator", json: ["birthDate": "2150-01-01"])
            #expect(future.status == .unprocessableContent)
            #expect(future.errorField == "birthDate")
            #expect(
                try await api.call(
                    .patch, "/api/v1/participants/\(id)", as: "facilitator", json: ["birthDate": "9999-01-01"]
                ).status == .unprocessableContent)

            // Outside a référent's scope, every participant route answers 404, pathways and episodes too.
            for path in ["pathways", "employment-episodes"] {
                let listed = try await api.call(.get, "/api/v1/participants/\(id)/\(path)", as: "referent")
                #expect(listed.status == .notFound, "\(path)")
            }
            #expect(try await api.call(.get, "/api/v1/participants/\(id)", as: "referent").status == .notFound)
        }
    }

    @Test("a birth date is judged against the service's clock, not the machine's")
    func birthDateAgainstTheClock() async throws {
        let harness = try await APIHarness.make(clock: FixedClock(try #require(LocalDate(iso: "2026-11-30"))))
        try await harness.run { api in
            let tomorrow = try await api.call(
                .post, "/api/v1/participants", as: "facilitator",
                json: ["reference": "C-1", "lastName": "Demain", "firstName": "Né", "birthDate": "2026-12-01"])
            #expect(tomorrow.status == .unprocessableContent)
            #expect(tomorrow.errorMessage == "« birthDate » : date de naissance dans le futur (01/12/2026).")
            let today = try await api.call(
                .post, "/api/v1/participants", as: "facilitator",
                json: ["reference": "C-1", "lastName": "Aujourd'hui", "firstName": "Née", "birthDate": "2026-11-30"])
            #expect(today.status == .created)
        }
    }

    // MARK: Finding 9 — the full query string was logged

    @Test("request logs carry the path without its query string")
    func logsWithoutQuery() async throws {
        let records = LogRecorder()
        let harness = try await APIHarness.make()
        try await harness.run(logger: records.logger()) { api in
            _ = try await api.call(.get, "/api/v1/participants?q=Dupont&limit=5", as: "facilitator")
        }
        let lines = records.lines
        #expect(lines.contains { $0.contains("path=/api/v1/participants") && $0.contains("status=200") })
        #expect(!lines.contains { $0.contains("Dupont") })
    }
}
