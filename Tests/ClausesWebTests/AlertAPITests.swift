import ClausesTestSupport
import Foundation
import Hummingbird
import Logging
import Testing

@testable import ClausesCore
@testable import ClausesWeb

@Suite("Alerts over HTTP")
struct AlertAPITests {
    @Test("a lot created by a facilitator is in their charge unless another is named; clear leaves it to no one")
    func facilitatorInCharge() async throws {
        let harness = try await APIHarness.make()
        let system = Caller.system("test")
        let contract = try await harness.services.publicContracts.create(
            system, .init(buyerId: harness.buyerA, reference: "API-FAC-1", object: "Voirie"))
        let admin = try #require(try await harness.services.users.list(system).first { $0.role == .admin })
        let facilitator = try #require(try await harness.services.users.list(system).first { $0.role == .facilitator })
        try await harness.run { api in
            let created = try await api.call(
                .post, "/api/v1/lots", as: "facilitator",
                json: ["publicContractId": contract.id.uuidString, "number": 1, "label": "Chaussées"])
            #expect(created.status == .created)
            #expect(created.object["facilitatorUserId"] as? String == facilitator.id.uuidString.lowercased())
            let named = try await api.call(
                .post, "/api/v1/lots", as: "facilitator",
                json: [
                    "publicContractId": contract.id.uuidString, "number": 2, "label": "Trottoirs",
                    "facilitatorUserId": admin.id.uuidString,
                ])
            #expect(named.object["facilitatorUserId"] as? String == admin.id.uuidString.lowercased())
            let id = try #require(named.object["id"] as? String)
            let cleared = try await api.call(
                .patch, "/api/v1/lots/\(id)", as: "admin", json: ["clear": ["facilitatorUserId"]])
            #expect(cleared.status == .ok && cleared.object["facilitatorUserId"] == nil)
            let unknown = try await api.call(
                .patch, "/api/v1/lots/\(id)", as: "admin", json: ["facilitatorUserId": UUID().uuidString])
            #expect(unknown.status == .unprocessableContent && unknown.errorField == "facilitatorUserId")
        }
    }

    @Test("list with filters, acknowledge, snooze; refusals in French naming the field; roles scoped")
    func alertsThroughTheAPI() async throws {
        let day = LocalDate(iso: "2026-02-02")!
        let harness = try await APIHarness.make(clock: FixedClock(day))
        let system = Caller.system("test")
        let contract = try await harness.services.publicContracts.create(
            system,
            .init(
                buyerId: harness.buyerA, reference: "API-ALERT-1", object: "Voirie",
                socialConsiderations: ["Clause sociale"]
            ))
        let lot = try await harness.services.lots.create(
            system,
            .init(
                publicContractId: contract.id, number: 1, label: "Chaussées",
                executionStart: LocalDate(iso: "2026-01-01"),
                executionEnd: LocalDate(iso: "2026-12-31"))
        ).id
        _ = try await harness.services.clauses.put(system, lotId: lot, .init(calibration: .fixed(hours: 700)))
        _ = try await harness.services.alertScanner.scan(at: day, now: FixedClock(day).now)
        try await harness.run { api in
            let all = try await api.call(.get, "/api/v1/alerts", as: "facilitator")
            #expect(all.status == .ok)
            let rules = Set(all.items.compactMap { $0["rule"] as? String })
            #expect(rules == ["lot_behind", "lot_without_placement"])
            let behind = try #require(all.items.first { $0["rule"] as? String == "lot_behind" })
            #expect((behind["subject"] as? [String: Any])?["kind"] as? String == "lot")
            #expect((behind["subject"] as? [String: Any])?["id"] as? String == lot.uuidString.lowercased())
            #expect(behind["state"] as? String == "open" && behind["closedOn"] is NSNull)
            #expect((behind["data"] as? [String: String])?["creditedHours"] == "0.00")
            let id = try #require(behind["id"] as? Int)

            let filtered = try await api.call(
                .get, "/api/v1/alerts?rule=lot_without_placement&severity=warning", as: "admin")
            #expect(filtered.items.count == 1)
            let bad = try await api.call(.get, "/api/v1/alerts?severity=urgent", as: "admin")
            #expect(bad.status == .unprocessableContent && bad.errorField == "severity")
            #expect(
                bad.errorMessage?.contains("valeur inconnue « urgent » (valeurs : info, warning, critical)") == true)
            #expect(try await api.call(.get, "/api/v1/alerts", as: "buyer").status == .forbidden)
            #expect(try await api.call(.get, "/api/v1/alerts", as: "company").status == .forbidden)
            // A référent who follows no one sees none, and cannot act on one.
            #expect(try await api.call(.get, "/api/v1/alerts", as: "referent").items.isEmpty)
            let hidden = try await api.call(.post, "/api/v1/alerts/\(id)/acknowledge", as: "referent", json: [:])
            #expect(hidden.status == .notFound)

            let past = try await api.call(
                .post, "/api/v1/alerts/\(id)/snooze", as: "facilitator", json: ["until": "2026-02-02"])
            #expect(past.status == .unprocessableContent && past.errorField == "until")
            #expect(
                past.errorMessage
                    == "La mise en sommeil doit finir après aujourd'hui (02/02/2026) ; reçu le 02/02/2026.")
            let missing = try await api.call(.post, "/api/v1/alerts/\(id)/snooze", as: "facilitator", json: [:])
            #expect(missing.status == .unprocessableContent && missing.errorField == "until")
            let snoozed = try await api.call(
                .post, "/api/v1/alerts/\(id)/snooze", as: "facilitator",
                json: ["until": "2026-03-01", "comment": "Relance de l'entreprise"])
            #expect(snoozed.status == .ok && snoozed.object["state"] as? String == "snoozed")
            #expect(snoozed.object["snoozedUntil"] as? String == "2026-03-01")
            let acknowledged = try await api.call(
                .post, "/api/v1/alerts/\(id)/acknowledge", as: "facilitator", json: ["comment": "Vu"])
            #expect(acknowledged.object["state"] as? String == "acknowledged")
            #expect(acknowledged.object["actedByLabel"] as? String == "facilitator@test.fr")
            #expect(
                try await api.call(.post, "/api/v1/alerts/999999/acknowledge", as: "admin", json: [:]).status
                    == .notFound)
            #expect(try await api.call(.post, "/api/v1/alerts/abc/snooze", as: "admin", json: [:]).status == .notFound)
        }
    }
}
