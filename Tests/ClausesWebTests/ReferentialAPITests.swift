import ClausesTestSupport
import Foundation
import Hummingbird
import Testing

@testable import ClausesCore

@Suite("Referential API")
struct ReferentialAPITests {
    @Test("every API route needs a valid bearer token (401 in JSON)")
    func unauthenticated() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let none = try await api.call(.get, "/api/v1/buyers", as: nil)
            #expect(none.status == .unauthorized)
            #expect(none.errorCode == "unauthenticated")
            let bad = try await api.call(.get, "/api/v1/buyers", as: "clk_inconnu")
            #expect(bad.status == .unauthorized)
            #expect(bad.errorCode == "invalid_token")
            #expect(try await api.call(.get, "/api/v1/openapi", as: nil).status == .ok)
        }
    }

    @Test("a revoked token stops working")
    func revokedToken() async throws {
        let harness = try await APIHarness.make()
        let token = try #require(harness.tokens["facilitator"])
        let revoked = try await harness.services.users.revokeToken(token, by: .system("test"))
        #expect(revoked)
        try await harness.run { api in
            let reply = try await api.call(.get, "/api/v1/buyers", as: "facilitator")
            #expect(reply.status == .unauthorized)
        }
    }

    @Test("buyers: create, read, update, list with pagination, audit")
    func buyersCRUD() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let created = try await api.call(
                .post, "/api/v1/buyers", as: "facilitator",
                json: ["siret": "356 000 000 00048", "name": "  La Poste (test)  "])
            #expect(created.status == .created)
            #expect(created.object["siret"] as? String == "35600000000048")
            #expect(created.object["name"] as? String == "La Poste (test)")
            let id = try #require(created.object["id"] as? String)

            let patched = try await api.call(
                .patch, "/api/v1/buyers/\(id)", as: "facilitator", json: ["name": "Acheteur renommé"])
            #expect(patched.status == .ok)
            #expect(patched.object["name"] as? String == "Acheteur renommé")
            #expect(
                try await api.call(.get, "/api/v1/buyers/\(id)", as: "referent").object["name"] as? String
                    == "Acheteur renommé")

            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await api.call(
                    .get, "/api/v1/buyers?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), as: "admin")
                #expect(page.status == .ok)
                #expect(page.items.count <= 2)
                seen += page.items.compactMap { $0["id"] as? String }
                cursor = page.object["next"] as? String
            } while cursor != nil
            #expect(seen.count == 3)
            #expect(Set(seen).count == 3)
            let audit = try await harness.db.pool.query(
                "SELECT action, changes::text FROM audit_log WHERE entity = 'buyer' AND actor = 'facilitator@test.fr' ORDER BY id"
            )
            #expect(audit.map { $0["action"] } == ["create", "update"])
            #expect(audit[1]["changes"]?.contains("Acheteur renommé") == true)
        }
    }

    @Test("invalid input is refused with 422, a French message and the field")
    func validation() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let badSiret = try await api.call(
                .post, "/api/v1/buyers", as: "facilitator", json: ["siret": "12345678901234", "name": "X"])
            #expect(badSiret.status == .unprocessableContent)
            #expect(badSiret.errorField == "siret")
            #expect(badSiret.errorMessage?.contains("SIRET invalide") == true)

            let missing = try await api.call(
                .post, "/api/v1/buyers", as: "facilitator", json: ["siret": APIHarness.sirets.companyY])
            #expect(missing.status == .unprocessableContent)
            #expect(missing.errorField == "name")

            let wrongType = try await api.call(.post, "/api/v1/lots", as: "facilitator", json: ["number": "un"])
            #expect(wrongType.status == .unprocessableContent)
            #expect(wrongType.errorField == "number")

            let notJSON = try await api.call(.post, "/api/v1/buyers", as: "facilitator", rawBody: "{pas du json")
            #expect(notJSON.status == .badRequest)
            #expect(notJSON.errorCode == "invalid_json")

            let contract = try await api.call(
                .post, "/api/v1/public-contracts", as: "facilitator",
                json: [
                    "buyerId": harness.buyerA.uuidString, "reference": "M-1", "object": "Travaux",
                ])
            #expect(contract.status == .created)
            let contractId = try #require(contract.object["id"] as? String)
            let reversed = try await api.call(
                .post, "/api/v1/lots", as: "facilitator",
                json: [
                    "publicContractId": contractId, "number": 1, "label": "Gros œuvre",
                    "executionStart": "2026-06-01", "executionEnd": "2026-01-31",
                ])
            #expect(reversed.status == .unprocessableContent)
            #expect(reversed.errorField == "executionEnd")
            #expect(reversed.errorMessage?.contains("précède") == true)

            let negative = try await api.call(
                .post, "/api/v1/lots", as: "facilitator",
                json: [
                    "publicContractId": contractId, "number": 1, "label": "Lot", "amountExclVat": -5,
                ])
            #expect(negative.errorField == "amountExclVat")
            let badRome = try await api.call(
                .post, "/api/v1/lots", as: "facilitator",
                json: [
                    "publicContractId": contractId, "number": 1, "label": "Lot", "romeCodes": ["Z9999"],
                ])
            #expect(badRome.errorField == "romeCodes")
            let lot = try await api.call(
                .post, "/api/v1/lots", as: "facilitator",
                json: [
                    "publicContractId": contractId, "number": 1, "label": "Lot", "amountExclVat": "1 000 000,50",
                ])
            #expect(lot.status == .created)
            #expect((lot.object["amountExclVat"] as? NSNumber)?.description == "1000000.5")

            let unknownMode = try await api.call(
                .put, "/api/v1/lots/\(try #require(lot.object["id"] as? String))/clause", as: "facilitator",
                json: ["calibration": ["mode": "magique"]])
            #expect(unknownMode.status == .unprocessableContent)
            #expect(unknownMode.errorField == "calibration.mode")
            let share = try await api.call(
                .put, "/api/v1/lots/\(try #require(lot.object["id"] as? String))/clause", as: "facilitator",
                json: [
                    "calibration": [
                        "mode": "standard", "amount": "1000000", "labourShare": "1,5", "rate": "0.05",
                        "hourlyCost": "30",
                    ]
                ])
            #expect(share.status == .unprocessableContent)
            #expect(try await harness.db.pool.query("SELECT count(*) FROM lots").scalar(Int.self) == 1)
        }
    }

    @Test("duplicates are 409 conflicts naming the field")
    func conflicts() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let dupSiret = try await api.call(
                .post, "/api/v1/buyers", as: "facilitator",
                json: ["siret": APIHarness.sirets.buyerA, "name": "Doublon"])
            #expect(dupSiret.status == .conflict)
            #expect(dupSiret.errorField == "siret")
            let body: [String: Any] = [
                "buyerId": harness.buyerA.uuidString, "reference": "M-2026-01", "object": "Objet",
            ]
            #expect(
                try await api.call(.post, "/api/v1/public-contracts", as: "facilitator", json: body).status == .created)
            let dup = try await api.call(.post, "/api/v1/public-contracts", as: "facilitator", json: body)
            #expect(dup.status == .conflict)
            #expect(dup.errorField == "reference")
            #expect(dup.errorMessage == "Ce donneur d'ordre a déjà un marché avec cette référence.")
            // The same reference under another buyer is fine.
            var other = body
            other["buyerId"] = harness.buyerB.uuidString
            #expect(
                try await api.call(.post, "/api/v1/public-contracts", as: "facilitator", json: other).status == .created
            )
        }
    }

    @Test("read-only roles get 403 on writes; unknown ids 404")
    func forbiddenAndNotFound() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            for role in ["referent", "buyer", "company"] {
                let reply = try await api.call(
                    .post, "/api/v1/buyers", as: role, json: ["siret": APIHarness.sirets.companyY, "name": "X"])
                #expect(reply.status == .forbidden, "role \(role)")
                #expect(reply.errorCode == "forbidden")
            }
            #expect(try await api.call(.get, "/api/v1/users", as: "facilitator").status == .forbidden)
            #expect(try await api.call(.get, "/api/v1/users", as: "admin").status == .ok)
            #expect(try await api.call(.get, "/api/v1/buyers/\(UUID().uuidString)", as: "admin").status == .notFound)
            #expect(try await api.call(.get, "/api/v1/buyers/pas-un-uuid", as: "admin").status == .notFound)
            #expect(
                try await api.call(.patch, "/api/v1/lots/\(UUID().uuidString)", as: "admin", json: ["label": "x"])
                    .status == .notFound)
        }
    }

    @Test("a buyer account sees only its buyer; a company account only its lots")
    func roleScoping() async throws {
        let harness = try await APIHarness.make()
        let system = Caller.system("test")
        let s = harness.services
        let contractA = try await s.publicContracts.create(
            system, .init(buyerId: harness.buyerA, reference: "A-1", object: "Marché A"))
        let contractB = try await s.publicContracts.create(
            system, .init(buyerId: harness.buyerB, reference: "B-1", object: "Marché B"))
        let lotA = try await s.lots.create(system, .init(publicContractId: contractA.id, number: 1, label: "Lot A"))
        let lotB = try await s.lots.create(system, .init(publicContractId: contractB.id, number: 1, label: "Lot B"))
        _ = try await s.lotCompanies.assign(
            system, lotId: lotB.id, .init(companyId: harness.companyX, role: .contractor))
        try await harness.run { api in
            let buyers = try await api.call(.get, "/api/v1/buyers", as: "buyer")
            #expect(buyers.items.map { $0["name"] as? String } == ["Acheteur A"])
            #expect(
                try await api.call(.get, "/api/v1/buyers/\(harness.buyerB.uuidString)", as: "buyer").status == .notFound
            )
            #expect(
                try await api.call(.get, "/api/v1/lots", as: "buyer").items.map { $0["label"] as? String } == ["Lot A"])
            #expect(try await api.call(.get, "/api/v1/lots/\(lotB.id.uuidString)", as: "buyer").status == .notFound)
            #expect(
                try await api.call(.get, "/api/v1/lots/\(lotB.id.uuidString)/clause", as: "buyer").status == .notFound)

            #expect(
                try await api.call(.get, "/api/v1/lots", as: "company").items.map { $0["label"] as? String } == [
                    "Lot B"
                ])
            #expect(
                try await api.call(.get, "/api/v1/public-contracts", as: "company").items.map {
                    $0["reference"] as? String
                } == ["B-1"])
            #expect(
                try await api.call(.get, "/api/v1/buyers", as: "company").items.map { $0["name"] as? String } == [
                    "Acheteur B"
                ])
            #expect(try await api.call(.get, "/api/v1/lots/\(lotA.id.uuidString)", as: "company").status == .notFound)
            #expect(try await api.call(.get, "/api/v1/companies", as: "company").items.count == 1)

            #expect(try await api.call(.get, "/api/v1/lots", as: "referent").items.count == 2)
        }
    }

    @Test("a clause is calibrated on the server and its hours stored with the unrounded value")
    func clause() async throws {
        let harness = try await APIHarness.make()
        let system = Caller.system("test")
        let contract = try await harness.services.publicContracts.create(
            system, .init(buyerId: harness.buyerA, reference: "C-1", object: "Travaux"))
        let lot = try await harness.services.lots.create(
            system, .init(publicContractId: contract.id, number: 1, label: "Gros œuvre"))
        try await harness.run { api in
            let put = try await api.call(
                .put, "/api/v1/lots/\(lot.id.uuidString)/clause", as: "facilitator",
                json: [
                    "calibration": [
                        "mode": "standard", "amount": "1 000 000", "labourShare": "50 %", "rate": "0,05",
                        "hourlyCost": 30,
                    ]
                ])
            #expect(put.status == .ok)
            #expect((put.object["requiredHours"] as? NSNumber)?.intValue == 833)
            #expect((put.object["unroundedHours"] as? NSNumber)?.description == "833.333333")
            #expect((put.object["explanation"] as? String)?.contains("833") == true)
            let pact = try await api.call(
                .put, "/api/v1/lots/\(lot.id.uuidString)/clause", as: "facilitator",
                json: [
                    "calibration": [
                        "mode": "cleaningPACT", "turnover": "50000", "months": 12, "rate": "0.05",
                        "transferredMonthlyHours": "0",
                    ], "rounding": "down",
                ])
            #expect((pact.object["requiredHours"] as? NSNumber)?.intValue == 100)
            #expect((pact.object["warnings"] as? [String])?.first?.contains("150 h") == true)
            let read = try await api.call(.get, "/api/v1/lots/\(lot.id.uuidString)", as: "buyer")
            #expect(((read.object["clause"] as? [String: Any])?["requiredHours"] as? NSNumber)?.intValue == 100)
            let calc = try await api.call(
                .post, "/api/v1/calibrate", as: "referent",
                json: [
                    "calibration": ["mode": "perInvoicedAmount", "per": "2000", "invoiced": "3999"]
                ])
            #expect((calc.object["requiredHours"] as? NSNumber)?.intValue == 1)
            let history = try await harness.db.pool.query(
                "SELECT action FROM audit_log WHERE entity = 'insertion_clause' ORDER BY id")
            #expect(history.map { $0["action"] } == ["create", "update"])
        }
    }

    @Test("one contractor per lot; a company has one role per lot")
    func lotCompanies() async throws {
        let harness = try await APIHarness.make()
        let system = Caller.system("test")
        let s = harness.services
        let contract = try await s.publicContracts.create(
            system, .init(buyerId: harness.buyerA, reference: "L-1", object: "Travaux"))
        let lot = try await s.lots.create(system, .init(publicContractId: contract.id, number: 1, label: "Lot"))
        let other = try await s.companies.create(
            system, .init(siret: APIHarness.sirets.companyY, name: "ETTI Y", kind: .ETTI))
        try await harness.run { api in
            let path = "/api/v1/lots/\(lot.id.uuidString)/companies"
            #expect(
                try await api.call(
                    .post, path, as: "facilitator",
                    json: ["companyId": harness.companyX.uuidString, "role": "contractor"]
                ).status == .created)
            let second = try await api.call(
                .post, path, as: "facilitator", json: ["companyId": other.id.uuidString, "role": "contractor"])
            #expect(second.status == .conflict)
            #expect(second.errorField == "role")
            let sub = try await api.call(
                .post, path, as: "facilitator", json: ["companyId": other.id.uuidString, "role": "subcontractor"])
            #expect(sub.items.count == 2)
            let badRole = try await api.call(
                .post, path, as: "facilitator", json: ["companyId": other.id.uuidString, "role": "patron"])
            #expect(badRole.status == .unprocessableContent)
        }
    }

    @Test("health, readiness and metrics")
    func health() async throws {
        let harness = try await APIHarness.make()
        try await harness.db.pool.query(
            """
            INSERT INTO mail_outbox (message_id, kind, recipients, subject, text_body, status, created_at, next_attempt_at)
            VALUES ('<a@t>', 'alert', '{a@example.test}', 'x', 'x', 'failed', now(), now()),
                   ('<b@t>', 'alert', '{b@example.test}', 'x', 'x', 'pending', now(), now())
            """)
        try await harness.run { api in
            #expect(try await api.call(.get, "/healthz", as: nil).status == .ok)
            let ready = try await api.call(.get, "/readyz", as: nil)
            #expect(ready.status == .ok)
            #expect(ready.object["status"] as? String == "ready")
            _ = try await api.call(.get, "/api/v1/buyers", as: "admin")
            let metrics = try await api.call(.get, "/metrics", as: nil)
            #expect(metrics.text.contains("clauses_db_pool_size"))
            #expect(metrics.text.contains("hb_requests"))
            #expect(metrics.text.contains("clauses_mail_outbox_messages{status=\"failed\"} 1"))
            #expect(metrics.text.contains("clauses_mail_outbox_messages{status=\"pending\"} 1"))
            #expect(metrics.text.contains("clauses_mail_outbox_messages{status=\"sent\"} 0"))
        }
    }
}
