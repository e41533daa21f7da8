import ClausesTestSupport
import Foundation
import Hummingbird
import Logging
import Testing

@testable import ClausesCore
@testable import ClausesWeb

@Suite("PLIE, pathways and indicators over HTTP")
struct PathwayAPITests {
    @Test("a pathway's life through the API: entry, episode, exit, indicators in JSON and CSV, committee list")
    func lifecycle() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            let badProfile = try await api.call(
                .post, "/api/v1/plie", as: "facilitator", json: ["name": "PLIE X", "profile": "ailleurs"])
            #expect(badProfile.status == .unprocessableContent && badProfile.errorField == "profile")
            let plie = try await api.call(
                .post, "/api/v1/plie", as: "facilitator",
                json: ["name": "PLIE du Pays d'Aix (test)", "profile": "pays-d-aix", "communes": ["13001"]])
            #expect(plie.status == .created)
            let plieId = try #require(plie.object["id"] as? String)
            #expect(try await api.call(.get, "/api/v1/plie", as: "buyer").status == .ok)
            #expect(try await api.call(.get, "/api/v1/plie", as: "buyer").items.isEmpty)
            #expect(
                try await api.call(.post, "/api/v1/plie", as: "referent", json: ["name": "Y", "profile": "pays-d-aix"])
                    .status == .forbidden)

            // A référent creates a participant with the pathway that makes them theirs.
            let person = try await api.call(
                .post, "/api/v1/participants", as: "referent",
                json: [
                    "reference": "AIX-1", "lastName": "Roux", "firstName": "Ana", "sex": "F", "priorityArea": "qpv",
                    "prescriber": "mission_locale", "qualificationLevel": "3",
                    "pathway": ["plieId": plieId, "entryDate": "2026-01-12"],
                ])
            #expect(person.status == .created)
            let personId = try #require(person.object["id"] as? String)
            let pathways = try #require(person.object["pathways"] as? [[String: Any]])
            #expect(pathways.count == 1)
            let pathwayId = try #require(pathways.first?["id"] as? String)
            #expect(pathways.first?["profile"] as? String == "pays-d-aix")
            #expect((pathways.first?["milestones"] as? [String: Any])?["lengthReachedOn"] as? String == "2027-07-12")
            let eligibility = try await api.call(
                .get, "/api/v1/participants/\(personId)/eligibility?at=2026-09-01", as: "referent")
            #expect(eligibility.object["criteria"] as? [String] == ["PLIE"])

            let twice = try await api.call(
                .post, "/api/v1/participants/\(personId)/pathways", as: "facilitator",
                json: ["plieId": plieId, "entryDate": "2026-03-01"])
            #expect(twice.status == .conflict && twice.errorCode == "pathway_open")

            let episode = try await api.call(
                .post, "/api/v1/participants/\(personId)/employment-episodes", as: "referent",
                json: [
                    "employerName": "Mairie (démo)", "contractType": "subsidised", "startDate": "2026-02-02",
                    "endDate": "2026-05-29", "weeklyHours": "20",
                    "monthlyHours": [["month": "2026-02", "hours": "86,67"]],
                ])
            #expect(episode.status == .created)
            #expect((episode.object["monthlyHours"] as? [[String: Any]])?.first?["hours"] as? Double == 86.67)

            let noKind = try await api.call(
                .post, "/api/v1/pathways/\(pathwayId)/exit", as: "referent", json: ["exitDate": "2026-06-30"])
            #expect(noKind.status == .unprocessableContent && noKind.errorField == "exitKind")
            let exited = try await api.call(
                .post, "/api/v1/pathways/\(pathwayId)/exit", as: "referent",
                json: ["exitDate": "2026-06-30", "exitKind": "employment_cdi", "exitReason": "Embauche en CDI"])
            #expect(exited.status == .ok && exited.object["status"] as? String == "exited")

            let report = try await api.call(.get, "/api/v1/indicators?profile=pays-d-aix&year=2026", as: "facilitator")
            #expect(report.status == .ok)
            let items = try #require(report.object["items"] as? [[String: Any]])
            let rate = try #require(items.first { $0["indicator"] as? String == "positive_exit_rate" })
            #expect(rate["numerator"] as? Int == 1 && rate["denominator"] as? Int == 1 && rate["value"] as? Int == 1)
            #expect(rate["target"] as? Double == 0.5 && rate["status"] as? String == "met")
            #expect(items.contains { $0["indicator"] as? String == "exits.employment_cdi" })
            let csv = try await api.call(
                .get, "/api/v1/indicators?profile=pays-d-aix&year=2026&format=csv", as: "facilitator")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.text.hasPrefix("\u{FEFF}indicateur;libellé;numérateur"))
            #expect(csv.text.contains("\r\npathway_jobs;Emplois de parcours;1;;1;;;Sans objectif\r\n"))
            let people = try await api.call(
                .get, "/api/v1/indicators/esf_qpv_share/people?profile=pays-d-aix&year=2026", as: "referent")
            #expect(people.items.map { $0["reference"] as? String } == ["AIX-1"])
            let backwards = try await api.call(
                .get, "/api/v1/indicators?profile=pays-d-aix&from=2026-06-01&to=2026-05-31", as: "facilitator")
            #expect(backwards.status == .unprocessableContent && backwards.errorField == "to")
            #expect(try await api.call(.get, "/api/v1/indicators?year=2026", as: "facilitator").errorField == "profile")
            #expect(try await api.call(.get, "/api/v1/indicators?profile=pays-d-aix", as: "buyer").status == .forbidden)

            let committee = try await api.call(
                .get, "/api/v1/plie/\(plieId)/committee?month=2026-06&format=csv", as: "facilitator")
            #expect(committee.text.contains("sortie;AIX-1;Ana ROUX;"))
            #expect(
                try await api.call(.get, "/api/v1/plie/\(plieId)/committee?month=juin", as: "facilitator").errorField
                    == "month")
        }
    }

    @Test("the indicators and committee pages show the demo PLIE's figures against their targets")
    func pages() async throws {
        let db = try await TestDatabase.create()
        let services = AppServices(config: Config(), pool: db.pool, bcryptCost: 4)
        try await DemoData.load(services)
        let app = try ClausesServer.application(
            services: services, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            let cookie = try #require(
                try await PageTests.login(client, email: DemoData.facilitatorEmail, password: DemoData.password).cookie)
            func page(_ uri: String) async throws -> (HTTPResponse.Status, String) {
                try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) {
                    ($0.status, String(buffer: $0.body))
                }
            }
            // The demo's pathways are dated in 2026.
            let year = 2026
            let (status, html) = try await page("/indicateurs?profil=istres-ouest-provence-2020&annee=\(year)")
            #expect(status == .ok)
            #expect(html.contains("Taux de sorties positives"))
            #expect(html.contains("Objectif non atteint") || html.contains("Objectif atteint"))
            #expect(html.contains("role=\"img\" aria-label=\""))
            #expect(html.contains("/indicateurs.csv?profil=istres-ouest-provence-2020&amp;annee=\(year)"))
            let (peopleStatus, people) = try await page(
                "/indicateurs/personnes?indicateur=exits&profil=istres-ouest-provence-2020&annee=\(year)")
            #expect(peopleStatus == .ok && people.contains("DEMO-007"))
            let (committeeStatus, committee) = try await page("/comite?mois=2026-03")
            #expect(committeeStatus == .ok)
            #expect(committee.contains("Prolongations demandées") && committee.contains("DEMO-004"))
            #expect(committee.contains("DEMO-007") && committee.contains("Emploi : CDI"))
            let (badStatus, bad) = try await page("/indicateurs?profil=ailleurs")
            #expect(badStatus == .unprocessableContent && bad.contains("profil PLIE inconnu"))
        }
        await services.shutdown()
        await db.pool.shutdown()
    }
}
