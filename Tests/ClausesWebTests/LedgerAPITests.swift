import ClausesTestSupport
import Foundation
import Hummingbird
import Testing

@testable import ClausesCore

@Suite("Hour ledger API")
struct LedgerAPITests {
    /// A marché with a 1,000 h lot (fixed clause) held by company X, created through the API.
    static func lot(_ api: APIHarness.Client, buyer: UUID, company: UUID) async throws -> String {
        let contract = try await api.call(
            .post, "/api/v1/public-contracts", as: "facilitator",
            json: [
                "buyerId": buyer.uuidString, "reference": "HOP-2026-100", "object": "Réhabilitation",
            ])
        let lot = try await api.call(
            .post, "/api/v1/lots", as: "facilitator",
            json: [
                "publicContractId": try #require(contract.object["id"] as? String), "number": 1, "label": "Gros œuvre",
                "executionStart": "2026-01-01", "executionEnd": "2026-12-31",
            ])
        let lotId = try #require(lot.object["id"] as? String)
        #expect(
            try await api.call(
                .put, "/api/v1/lots/\(lotId)/clause", as: "facilitator",
                json: ["calibration": ["mode": "fixed", "hours": "1000"]]
            ).status == .ok)
        #expect(
            try await api.call(
                .post, "/api/v1/lots/\(lotId)/companies", as: "facilitator",
                json: ["companyId": company.uuidString, "role": "contractor"]
            ).status == .created)
        return lotId
    }

    @Test("participant → placement → Windows-1252 import → the lot's balance moves")
    func importMovesBalance() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let lotId = try await Self.lot(api, buyer: harness.buyerA, company: harness.companyX)
            let participant = try await api.call(
                .post, "/api/v1/participants", as: "facilitator",
                json: [
                    "reference": "PLIE-0001", "lastName": "Durand", "firstName": "Inès", "sex": "F",
                ])
            #expect(participant.status == .created)
            let participantId = try #require(participant.object["id"] as? String)
            let withProof = try await api.call(
                .post, "/api/v1/participants/\(participantId)/criteria", as: "facilitator",
                json: ["code": "RSA", "proofDate": "2026-01-15", "proofKind": "attestation CAF"])
            #expect(withProof.status == .created)
            let criterion = try #require((withProof.object["criteria"] as? [[String: Any]])?.first?["id"] as? String)

            // Not validated yet: not eligible, the placement is refused with a French message.
            let placementBody: [String: Any] = [
                "participantId": participantId, "lotId": lotId, "companyId": harness.companyX.uuidString,
                "executionMode": "directHire", "contractType": "cdd", "startDate": "2026-02-01",
                "endDate": "2026-07-31", "weeklyHours": 35,
            ]
            let refused = try await api.call(.post, "/api/v1/placements", as: "facilitator", json: placementBody)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorMessage?.contains("éligible") == true)

            #expect(
                try await api.call(
                    .post, "/api/v1/participants/\(participantId)/criteria/\(criterion)/validate", as: "facilitator"
                ).status == .ok)
            let placement = try await api.call(.post, "/api/v1/placements", as: "facilitator", json: placementBody)
            #expect(placement.status == .created)
            let code = try #require(placement.object["code"] as? String)
            #expect(placement.object["eligibilityCriteria"] as? [String] == ["RSA"])

            let before = try await api.call(.get, "/api/v1/lots/\(lotId)/balance?at=2026-04-30", as: "facilitator")
            #expect(((before.object["balance"] as? [String: Any])?["creditedHours"] as? NSNumber)?.intValue == 0)

            // A spreadsheet export: Windows-1252, semicolons, French decimals and dates.
            let csv =
                "Placement;Mois;Heures travaillées;Heures de formation\r\n\(code);31/01/2026;0;0\r\n\(code);02/2026;151,5;0\r\n\(code);2026-03;140;7,5\r\n"
            let bytes = try #require(csv.data(using: .windowsCP1252))
            let imported = try await api.call(
                .post, "/api/v1/imports/hours?validate=true", as: "facilitator", body: bytes)
            #expect(imported.status == .unprocessableContent, "January is before the placement's start")
            #expect((imported.object["problems"] as? [[String: Any]])?.first?["line"] as? Int == 2)

            let fixed = try #require(
                csv.replacingOccurrences(of: "\(code);31/01/2026;0;0\r\n", with: "").data(using: .windowsCP1252))
            let written = try await api.call(
                .post, "/api/v1/imports/hours?validate=true", as: "facilitator", body: fixed)
            #expect(written.status == .ok)
            #expect(written.object["created"] as? Int == 2)
            let again = try await api.call(.post, "/api/v1/imports/hours?validate=true", as: "facilitator", body: fixed)
            #expect(again.object["unchanged"] as? Int == 2)
            #expect(again.object["created"] as? Int == 0)

            let after = try await api.call(.get, "/api/v1/lots/\(lotId)/balance?at=2026-04-30", as: "buyer")
            let balance = try #require(after.object["balance"] as? [String: Any])
            #expect((balance["workedHours"] as? NSNumber)?.description == "291.5")
            #expect((balance["creditedHours"] as? NSNumber)?.description == "291.5")
            #expect(balance["status"] as? String == "behind")
            let buyerBalance = try await api.call(
                .get, "/api/v1/buyers/\(harness.buyerA.uuidString)/balance?at=2026-04-30", as: "buyer")
            #expect(
                ((buyerBalance.object["aggregate"] as? [String: Any])?["creditedHours"] as? NSNumber)?.description
                    == "291.5")
        }
    }

    @Test("participants' personal data stays with staff: buyers and companies are refused")
    func personalDataScoping() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let created = try await api.call(
                .post, "/api/v1/participants", as: "facilitator",
                json: [
                    "reference": "PLIE-0002", "lastName": "Martin", "firstName": "Yanis",
                ])
            let id = try #require(created.object["id"] as? String)
            for role in ["buyer", "company"] {
                let list = try await api.call(.get, "/api/v1/participants", as: role)
                #expect(list.status == .forbidden || list.items.isEmpty, "role \(role)")
                #expect(!list.text.contains("Martin"), "role \(role)")
                let one = try await api.call(.get, "/api/v1/participants/\(id)", as: role)
                #expect(one.status == .forbidden || one.status == .notFound, "role \(role)")
            }
            // A referent sees only the participants they follow (none here).
            let referent = try await api.call(.get, "/api/v1/participants", as: "referent")
            #expect(!referent.text.contains("Martin"))
            #expect(try await api.call(.get, "/api/v1/outcomes/candidates", as: "buyer").status == .forbidden)
        }
    }

    @Test("bad hour declarations are refused in French; a correction keeps the history")
    func declarations() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let lotId = try await Self.lot(api, buyer: harness.buyerA, company: harness.companyX)
            let participant = try await api.call(
                .post, "/api/v1/participants", as: "facilitator",
                json: [
                    "reference": "PLIE-0003", "lastName": "Petit", "firstName": "Léa",
                ])
            let participantId = try #require(participant.object["id"] as? String)
            let placement = try await api.call(
                .post, "/api/v1/placements", as: "facilitator",
                json: [
                    "participantId": participantId, "lotId": lotId, "companyId": harness.companyX.uuidString,
                    "executionMode": "temporaryWork",
                    "contractType": "temporaryWork", "startDate": "2026-03-01", "endDate": "2026-06-30",
                    "weeklyHours": 35, "nonCounting": true,
                ])
            #expect(placement.status == .created)
            #expect(placement.object["counting"] as? Bool == false)
            let placementId = try #require(placement.object["id"] as? String)

            let negative = try await api.call(
                .post, "/api/v1/hour-reports", as: "company",
                json: ["placementId": placementId, "month": "2026-03", "workedHours": -4])
            #expect(negative.status == .unprocessableContent)
            let outside = try await api.call(
                .post, "/api/v1/hour-reports", as: "company",
                json: ["placementId": placementId, "month": "2026-09", "workedHours": 20])
            #expect(outside.status == .unprocessableContent)
            let tooMany = try await api.call(
                .post, "/api/v1/hour-reports", as: "company",
                json: ["placementId": placementId, "month": "2026-04", "workedHours": 230])
            #expect(tooMany.status == .unprocessableContent)
            let confirmed = try await api.call(
                .post, "/api/v1/hour-reports?confirm=true", as: "company",
                json: ["placementId": placementId, "month": "2026-04", "workedHours": 230])
            #expect(confirmed.status == .created)
            let conflict = try await api.call(
                .post, "/api/v1/hour-reports", as: "company",
                json: ["placementId": placementId, "month": "2026-04", "workedHours": 140])
            #expect(conflict.status == .conflict)
            let corrected = try await api.call(
                .post, "/api/v1/hour-reports?replace=true", as: "company",
                json: ["placementId": placementId, "month": "2026-04", "workedHours": 140])
            #expect(corrected.status == .created)
            let history = try await api.call(
                .get, "/api/v1/placements/\(placementId)/hour-reports?history=true", as: "facilitator")
            #expect(history.items.count == 2)
        }
    }
}

extension APIHarness.Client {
    /// Sends raw bytes (a CSV file) as the body.
    func call(_ method: HTTPRequest.Method, _ path: String, as role: String?, body: Data) async throws -> Reply {
        var headers: HTTPFields = [.contentType: "text/csv"]
        if let role { headers[.authorization] = "Bearer \(tokens[role] ?? role)" }
        return try await client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(bytes: body)) {
            response in
            let text = String(buffer: response.body)
            return Reply(
                status: response.status, json: try? JSONSerialization.jsonObject(with: Data(text.utf8)), text: text)
        }
    }
}
