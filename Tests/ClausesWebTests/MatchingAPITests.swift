import ClausesTestSupport
import Foundation
import Testing

@testable import ClausesCore
@testable import ClausesWeb

@Suite("Matching over HTTP: needs, shortlist, proposals, the company's candidates")
struct MatchingAPITests {
    @Test("a need created and shortlisted as the CLI's JSON; a hire in one call; roles and French refusals")
    func matchingAPI() async throws {
        let harness = try await APIHarness.make(clock: FixedClock(LocalDate(iso: "2026-12-01")!))
        let system = Caller.system("test")
        let services = harness.services
        try await DemoData.loadReferenceData(services.matching.referenceData)
        let contract = try await services.publicContracts.create(
            system, .init(buyerId: harness.buyerA, reference: "API-MATCH-1", object: "Gros œuvre"))
        let lot = try await services.lots.create(
            system,
            .init(
                publicContractId: contract.id, number: 1, label: "Maçonnerie",
                executionStart: LocalDate(iso: "2026-06-01"),
                executionEnd: LocalDate(iso: "2027-12-31"), worksiteInsee: "13047"))
        _ = try await services.lotCompanies.assign(
            system, lotId: lot.id, .init(companyId: harness.companyX, role: .contractor))
        let plie = try await services.ledger.plie.create(
            system, .init(name: "PLIE API (démo)", profile: "istres-ouest-provence-2020"))
        let person = try await services.ledger.participants.create(
            system,
            .init(
                reference: "API-M-1", lastName: "Durand", firstName: "Alice", communeInsee: "13056",
                pathway: .init(plieId: plie.id, entryDate: LocalDate(iso: "2026-09-01")), skills: ["F1703"],
                maxTravelKm: 25, contactSharing: .email))
        let lotPath = "/api/v1/lots/\(lot.id.slug)/needs"
        try await harness.run { api in
            let unknown = try await api.call(
                .post, lotPath, as: "facilitator",
                json: ["romeCodes": ["Z9999"], "weeklyHours": 35, "plannedStart": "2027-01-04", "contractType": "cdd"])
            #expect(unknown.status == .unprocessableContent && unknown.errorField == "romeCodes")
            let past = try await api.call(
                .post, lotPath, as: "facilitator",
                json: ["romeCodes": ["F1703"], "weeklyHours": 35, "plannedStart": "2026-11-02", "contractType": "cdd"])
            #expect(past.status == .unprocessableContent && past.errorField == "plannedStart")
            #expect(
                try await api.call(
                    .post, lotPath, as: "referent",
                    json: [
                        "romeCodes": ["F1703"], "weeklyHours": 35, "plannedStart": "2027-01-04", "contractType": "cdd",
                    ]
                ).status == .forbidden)
            let created = try await api.call(
                .post, lotPath, as: "facilitator",
                json: [
                    "romeCodes": ["F1703"], "headcount": 1, "weeklyHours": "35", "plannedStart": "2027-01-04",
                    "plannedEnd": "2027-03-31", "contractType": "cddChantier", "notes": "Façades\nnord et sud",
                ])
            #expect(created.status == .created && created.object["worksiteName"] as? String == "Istres")
            let need = try #require(created.object["id"] as? String)
            #expect(try await api.call(.get, lotPath, as: "company").items.count == 1)
            #expect(try await api.call(.get, lotPath, as: "buyer").status == .forbidden)

            let shortlist = try await api.call(.get, "/api/v1/needs/\(need)/shortlist?excluded=true", as: "facilitator")
            #expect(shortlist.status == .ok)
            let candidate = try #require((shortlist.object["candidates"] as? [[String: Any]])?.first)
            #expect(candidate["participantId"] as? String == person.id.slug)
            let parts = try #require(candidate["parts"] as? [[String: Any]])
            #expect(parts.map { $0["part"] as? String } == ScorePart.Kind.allCases.map(\.rawValue))
            #expect(parts.allSatisfy { $0["points"] is NSNumber && $0["detail"] is String })
            #expect(shortlist.object["excluded"] is [Any])
            #expect(try await api.call(.get, "/api/v1/needs/\(need)/shortlist", as: "company").status == .forbidden)
            #expect(
                try await api.call(.get, "/api/v1/needs/\(need)/shortlist?limit=0", as: "admin").errorField == "limit")

            let proposal = try await api.call(
                .post, "/api/v1/needs/\(need)/proposals", as: "facilitator", json: ["participantId": person.id.slug])
            #expect(proposal.status == .created && proposal.object["status"] as? String == "proposed")
            let id = try #require(proposal.object["id"] as? String)
            let twice = try await api.call(
                .post, "/api/v1/needs/\(need)/proposals", as: "facilitator", json: ["participantId": person.id.slug])
            #expect(twice.status == .conflict)
            // The company sees the name and the e-mail the person agreed to share; nothing of the score.
            let seen = try await api.call(.get, "/api/v1/proposed-candidates", as: "company")
            #expect(seen.items.count == 1 && seen.items.first?["lastName"] as? String == "Durand")
            #expect(seen.items.first?["score"] == nil && seen.items.first?["parts"] == nil)
            #expect(try await api.call(.get, "/api/v1/proposed-candidates", as: "facilitator").status == .forbidden)
            let refused = try await api.call(
                .patch, "/api/v1/proposals/\(id)", as: "facilitator", json: ["status": "refused"])
            #expect(refused.status == .unprocessableContent && refused.errorField == "reason")
            let hired = try await api.call(
                .patch, "/api/v1/proposals/\(id)", as: "facilitator", json: ["status": "hired"])
            #expect(hired.status == .ok && hired.object["placementCode"] as? String != nil)
            let filled = try await api.call(.get, "/api/v1/needs/\(need)", as: "facilitator")
            #expect(filled.object["status"] as? String == "filled" && filled.object["hired"] as? Int == 1)
            let reopened = try await api.call(
                .patch, "/api/v1/needs/\(need)", as: "facilitator", json: ["status": "open"])
            #expect(reopened.object["status"] as? String == "open")
            let trades = try await api.call(.get, "/api/v1/trades?q=ma%C3%A7on", as: "referent")
            #expect(trades.items.contains { $0["code"] as? String == "F1703" })
        }
    }
}
