import ClausesTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import ClausesCore
@testable import ClausesWeb

/// A signed-in person filling the workbench's forms as a browser does: the form page first (its tokens
/// and the record's version), then the post.
struct FormSession {
    let client: any TestClientProtocol
    let cookie: String

    static func signIn(_ client: any TestClientProtocol, _ role: String) async throws -> FormSession {
        let cookie = try #require(
            try await PageTests.login(client, email: "\(role)@test.fr", password: "mot-de-passe-\(role)").cookie)
        return FormSession(client: client, cookie: cookie)
    }

    func get(_ uri: String) async throws -> (status: HTTPResponse.Status, html: String) {
        let (status, html) = try await DailyLoopPageTests.get(client, uri, cookie: cookie)
        return (status, Self.readable(html))
    }

    /// The page's text as a person reads it: apostrophes unescaped, French thousands spaces as plain ones.
    static func readable(_ html: String) -> String {
        html.replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "\u{202F}", with: " ")
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    /// Opens `uri`, then posts its form with `fields` (`f[name]`), the page's tokens and version kept.
    @discardableResult
    func submit(_ uri: String, _ fields: [String: String], intent: String = "save", page: String? = nil)
        async throws -> (status: HTTPResponse.Status, html: String, location: String?)
    {
        let form: String
        if let page { form = page } else { form = try await get(uri).html }
        let version = form.firstMatch(of: /name="version" value="([^"]*)"/).map { String($0.1) } ?? ""
        var body = try DailyLoopPageTests.tokens(form) + "&version=\(version)&intent=\(intent)"
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body += "&f%5B\(Self.encoded(name))%5D=\(Self.encoded(value))"
        }
        let response = try await DailyLoopPageTests.post(client, uri, cookie: cookie, body)
        return (response.status, Self.readable(String(buffer: response.body)), response.headers[.location])
    }
}

@Suite("The workbench's forms")
struct WorkbenchFormTests {
    static func app(_ harness: APIHarness) throws -> some ApplicationProtocol {
        try ClausesServer.application(
            services: harness.services, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
    }

    static func id(_ location: String?, after prefix: String) throws -> UUID {
        let path = try #require(location)
        let rest = try #require(path.range(of: prefix)).upperBound
        return try #require(UUID(uuidString: String(path[rest...].prefix(36))))
    }

    @Test(
        "a buyer, a marché and a lot set up from forms: bad values refused next to their field and kept, a double submit does nothing twice, a stale form is refused"
    )
    func referential() async throws {
        let harness = try await APIHarness.make()
        let system = Caller.system("t")
        try await Self.app(harness).test(.router) { client in
            let s = try await FormSession.signIn(client, "facilitator")
            // An invalid SIRET: 422, the message beside the field, what was typed kept.
            let refused = try await s.submit("/acheteurs/nouveau", ["name": "Ville de Miramas", "siret": "123"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("SIRET invalide « 123 »"))
            #expect(refused.html.contains("value=\"Ville de Miramas\""))
            #expect(refused.html.contains("aria-invalid=\"true\" aria-describedby=\"f-siret-hint f-siret-error\""))
            // Accepted, then the same form sent twice: one buyer only.
            let (_, form) = try await s.get("/acheteurs/nouveau")
            let created = try await s.submit(
                "/acheteurs/nouveau", ["name": "Ville de Miramas", "siret": "213 100 631 00018"], page: form)
            #expect(created.status == .seeOther)
            let buyerId = try Self.id(created.location, after: "/acheteurs/")
            let again = try await s.submit(
                "/acheteurs/nouveau", ["name": "Ville de Miramas", "siret": "21310063100018"], page: form)
            #expect(again.status == .conflict)
            #expect(again.html.contains("déjà été envoyé"))
            #expect(try await harness.services.buyers.slice(system, query: ListQuery(search: "Miramas")).total == 1)

            // A stale edit: the buyer changed since the form was opened.
            let (_, edit) = try await s.get("/acheteurs/\(buyerId.slug)/modifier")
            _ = try await harness.services.buyers.update(system, id: buyerId, .init(name: "Commune de Miramas"))
            let stale = try await s.submit(
                "/acheteurs/\(buyerId.slug)/modifier", ["name": "Miramas", "siret": "21310063100018"], page: edit)
            #expect(stale.status == .conflict)
            #expect(stale.html.contains("modifié par quelqu'un d'autre"))
            #expect(try await harness.services.buyers.get(system, id: buyerId).name == "Commune de Miramas")
            // A form refused for a typo keeps the version it was opened on: sent again, it is still stale.
            let (_, older) = try await s.get("/acheteurs/\(buyerId.slug)/modifier")
            _ = try await harness.services.buyers.update(system, id: buyerId, .init(name: "Ville de Miramas"))
            let typo = try await s.submit(
                "/acheteurs/\(buyerId.slug)/modifier", ["name": "", "siret": "21310063100018"], page: older)
            #expect(typo.status == .unprocessableContent)
            let resent = try await s.submit(
                "/acheteurs/\(buyerId.slug)/modifier", ["name": "Miramas", "siret": "21310063100018"], page: typo.html)
            #expect(resent.status == .conflict)
            #expect(try await harness.services.buyers.get(system, id: buyerId).name == "Ville de Miramas")
            // A diversity goal needs its written basis (positive action, DOMAIN §7).
            let (_, goals) = try await s.get("/acheteurs/\(buyerId.slug)/modifier")
            let noBasis = try await s.submit(
                "/acheteurs/\(buyerId.slug)/modifier",
                ["name": "Ville de Miramas", "siret": "21310063100018", "women": "on"], page: goals)
            #expect(noBasis.status == .unprocessableContent && noBasis.html.contains("fondement écrit"))
            let (_, goals2) = try await s.get("/acheteurs/\(buyerId.slug)/modifier")
            let withBasis = try await s.submit(
                "/acheteurs/\(buyerId.slug)/modifier",
                [
                    "name": "Ville de Miramas", "siret": "21310063100018", "women": "on",
                    "diversityBasis": "délibération du 3 mars 2026",
                ], page: goals2)
            #expect(withBasis.status == .seeOther)
            let goalsSaved = try await harness.services.buyers.get(system, id: buyerId)
            #expect(goalsSaved.diversityGoals == [.women] && goalsSaved.diversityBasis == "délibération du 3 mars 2026")

            // A marché of this buyer, then a lot ending before it starts: refused, nothing written.
            let contract = try await s.submit(
                "/acheteurs/\(buyerId.slug)/marches/nouveau",
                ["reference": "2026-VOIRIE", "object": "Voirie", "social0": "on", "notificationDate": "15/01/2026"])
            #expect(contract.status == .seeOther)
            let contractId = try Self.id(contract.location, after: "/marches/")
            let stored = try await harness.services.publicContracts.get(system, id: contractId)
            #expect(stored.socialConsiderations == ["Clause sociale"])
            #expect(stored.notificationDate == LocalDate(iso: "2026-01-15"))
            let badLot = try await s.submit(
                "/marches/\(contractId.slug)/lots/nouveau",
                [
                    "number": "1", "label": "Terrassement", "executionStart": "2026-06-01",
                    "executionEnd": "2026-03-01",
                ])
            #expect(badLot.status == .unprocessableContent)
            #expect(badLot.html.contains("précède le début"))
            #expect(badLot.html.contains("value=\"Terrassement\""))
            let lot = try await s.submit(
                "/marches/\(contractId.slug)/lots/nouveau",
                [
                    "number": "1", "label": "Terrassement", "amountExclVat": "1 000 000",
                    "executionStart": "2026-03-01",
                    "executionEnd": "2026-12-31",
                ])
            #expect(lot.status == .seeOther)
            let lotId = try Self.id(lot.location, after: "/lots/")
            #expect(lot.location?.hasSuffix("/clause?fait=cree") == true)

            // The calculator: « Calculer » shows the formula and the result and saves nothing.
            let clause = "/lots/\(lotId.slug)/clause"
            let standard = [
                "mode": "standard", "standard.amount": "1 000 000", "standard.labourShare": "40",
                "standard.rate": "5", "standard.hourlyCost": "25",
            ]
            let preview = try await s.submit(clause, standard, intent: "preview")
            #expect(preview.status == .ok)
            #expect(preview.html.contains("Heures d'insertion prescrites : 800 h"))
            #expect(preview.html.contains("1 000 000 € × 40 % × 5 % ÷ 25 €/h"))
            #expect(try await harness.services.lots.get(system, id: lotId).clause == nil)
            // A labour share above 100 %: refused beside its field.
            var tooMuch = standard
            tooMuch["standard.labourShare"] = "150"
            let share = try await s.submit(clause, tooMuch)
            #expect(share.status == .unprocessableContent)
            #expect(share.html.contains("f-standard-labourShare-error"))
            #expect(try await harness.services.lots.get(system, id: lotId).clause == nil)
            let saved = try await s.submit(clause, standard)
            #expect(saved.status == .seeOther)
            #expect(try await harness.services.lots.get(system, id: lotId).clause?.requiredHours == 800)
            let (_, lotPage) = try await s.get("/lots/\(lotId.slug)")
            #expect(lotPage.contains("800 h prescrites"))
            // Emptying an optional field empties it (the amount), it is not silently kept.
            let emptied = try await s.submit(
                "/lots/\(lotId.slug)/modifier",
                ["number": "1", "label": "Terrassement", "executionStart": "2026-03-01", "executionEnd": "2026-12-31"])
            #expect(emptied.status == .seeOther)
            #expect(try await harness.services.lots.get(system, id: lotId).amountExclVat == nil)

            // A company with a valid SIRET, then its role on the lot.
            let company = try await s.submit(
                "/entreprises/nouvelle", ["name": "BTP Sud", "siret": "44306184100047", "kind": "ordinary"])
            #expect(company.status == .seeOther)
            let companyId = try Self.id(company.location, after: "/entreprises/")
            let role = try await s.submit(
                "/lots/\(lotId.slug)/entreprises", ["companyId": companyId.slug, "role": "contractor"])
            #expect(role.status == .seeOther)
            #expect(
                try await harness.services.lotCompanies.list(system, lotId: lotId).map(\.companyName) == ["BTP Sud"])

            // A PLIE with its profile: a malformed commune code refused beside the field.
            let badPLIE = try await s.submit(
                "/plie/nouveau", ["name": "PLIE du Pays d'Aix", "profile": "pays-d-aix", "communes": "13001 ABC"])
            #expect(badPLIE.status == .unprocessableContent)
            #expect(badPLIE.html.contains("Code commune INSEE invalide « ABC »"))
            #expect(
                try await s.submit(
                    "/plie/nouveau", ["name": "PLIE du Pays d'Aix", "profile": "pays-d-aix", "communes": "13001 13100"]
                ).status == .seeOther)
            let (_, plies) = try await s.get("/plie")
            #expect(plies.contains("PLIE du Pays d'Aix"))
            #expect(plies.contains("13001, 13100"))
        }
    }

    @Test("a référent, a buyer and a company cannot use the referential forms; a référent sees only their participants")
    func roles() async throws {
        let harness = try await APIHarness.make()
        let system = Caller.system("t")
        let plie = try await harness.services.ledger.plie.create(
            system, .init(name: "PLIE test", profile: "istres-ouest-provence-2020"))
        let other = try await harness.services.ledger.participants.create(
            system,
            .init(
                reference: "P-OTHER", lastName: "Autre", firstName: "Personne",
                pathway: .init(plieId: plie.id, entryDate: LocalDate(iso: "2026-01-05"))))
        try await Self.app(harness).test(.router) { client in
            let referent = try await FormSession.signIn(client, "referent")
            #expect(try await referent.get("/acheteurs/nouveau").status == .forbidden)
            #expect(try await referent.get("/participants/\(other.id.slug)").status == .notFound)
            let (_, list) = try await referent.get("/participants")
            #expect(!list.contains("P-OTHER"))
            for role in ["buyer", "company"] {
                let session = try await FormSession.signIn(client, role)
                for path in [
                    "/participants", "/participants/\(other.id.slug)", "/mises-a-l-emploi/nouvelle", "/admin/comptes",
                ] {
                    #expect(try await session.get(path).status == .forbidden, "\(role) \(path)")
                }
            }
        }
    }

    @Test(
        "a participant registered, searched, opened (the opening audited), given a validated proof and a pathway, then placed after the eligibility check"
    )
    func participantToPlacement() async throws {
        let harness = try await APIHarness.make(clock: FixedClock(try #require(LocalDate(iso: "2026-11-30"))))
        let system = Caller.system("t")
        let s = harness.services
        let plie = try await s.ledger.plie.create(
            system, .init(name: "PLIE Ouest", profile: "istres-ouest-provence-2020"))
        let referent = try #require(try await s.users.find(email: "referent@test.fr"))
        let contract = try await s.publicContracts.create(
            system, .init(buyerId: harness.buyerA, reference: "M-PLACER", object: "Travaux"))
        let lot = try await s.lots.create(
            system,
            .init(
                publicContractId: contract.id, number: 2, label: "Peinture",
                executionStart: LocalDate(iso: "2026-01-01"),
                executionEnd: LocalDate(iso: "2027-06-30")))
        _ = try await s.clauses.put(system, lotId: lot.id, .init(calibration: .fixed(hours: 500)))
        _ = try await s.lotCompanies.assign(
            system, lotId: lot.id, .init(companyId: harness.companyX, role: .contractor))
        _ = try await s.ledger.participants.create(
            system, .init(reference: "P-NONE", lastName: "Sans", firstName: "Preuve"))
        try await Self.app(harness).test(.router) { client in
            let f = try await FormSession.signIn(client, "facilitator")
            let created = try await f.submit(
                "/participants/nouveau",
                [
                    "reference": "P-100", "lastName": "Benali", "firstName": "Éloïse", "birthDate": "02/04/1990",
                    "sex": "F", "communeInsee": "13047", "plieId": plie.id.slug, "entryDate": "2026-09-01",
                    "referentUserId": referent.id.slug,
                ])
            #expect(created.status == .seeOther)
            let personId = try Self.id(created.location, after: "/participants/")
            // Searched without accents or case; filtered by criterion and commune.
            for query in ["q=eloise", "critere=PLIE", "commune=13047&q=benali"] {
                let (_, list) = try await f.get("/participants?\(query)")
                #expect(list.contains("Éloïse BENALI"), "\(query)")
                #expect(!list.contains("P-NONE"), "\(query)")
            }
            let (_, none) = try await f.get("/participants?critere=RSA")
            #expect(!none.contains("BENALI"))

            // Each opening of the record is audited; only admins read who opened it.
            let (status, record) = try await f.get("/participants/\(personId.slug)")
            #expect(status == .ok)
            #expect(record.contains("Éligible aujourd'hui : Participant"))
            #expect(!record.contains("Consultations de cette fiche"))
            let admin = try await FormSession.signIn(client, "admin")
            let (_, adminView) = try await admin.get("/participants/\(personId.slug)")
            #expect(adminView.contains("Consultations de cette fiche"))
            #expect(adminView.contains("facilitator@test.fr"))
            let openings = try await harness.db.pool.query(
                "SELECT count(*)::int FROM audit_log WHERE action = 'read' AND entity = 'participant' AND entity_id = $1",
                [personId.uuidString.lowercased()]
            ).one().decode(0, as: Int.self)
            #expect(openings == 2)

            // A proof dated in the future is refused; a proof checked and validated in one step counts.
            let proofs = "/participants/\(personId.slug)/justificatifs"
            let future = try await f.submit(proofs, ["code": "DELD", "proofDate": "2026-12-15"])
            #expect(future.status == .unprocessableContent)
            #expect(future.html.contains("dans le futur"))
            #expect(future.html.contains("value=\"2026-12-15\""))
            #expect(
                try await f.submit(proofs, ["code": "DELD", "proofDate": "2026-10-01", "validate": "on"]).status
                    == .seeOther)
            #expect(try await f.submit(proofs, ["code": "RSA", "proofDate": "2026-10-02"]).status == .seeOther)
            var person = try await s.ledger.participants.get(system, id: personId)
            #expect(person.criteria.first { $0.code == .DELD }?.validated == true)
            let rsa = try #require(person.criteria.first { $0.code == .RSA })
            #expect(!rsa.validated)
            let (_, withProofs) = try await f.get("/participants/\(personId.slug)")
            #expect(withProofs.contains("Valide aujourd'hui, jusqu'au"))
            #expect(withProofs.contains("Non valide aujourd'hui : RSA (justificatif du 02/10/2026 non validé)"))
            let validate = try await DailyLoopPageTests.post(
                client, "/participants/\(personId.slug)/justificatifs/\(rsa.id.slug)/valider", cookie: f.cookie,
                try DailyLoopPageTests.tokens(withProofs))
            #expect(validate.status == .seeOther)
            person = try await s.ledger.participants.get(system, id: personId)
            #expect(person.criteria.allSatisfy { $0.validated })

            // The pathway: an exit before the entry is refused; a point d'étape, an extension request and the
            // committee's decision with the référent's quota shown.
            let pathway = try #require(person.pathways.first)
            let exit = try await f.submit(
                "/parcours/\(pathway.id.slug)/sortie", ["exitDate": "2026-08-01", "exitKind": "dropped_out"])
            #expect(exit.status == .unprocessableContent)
            #expect(exit.html.contains("précède l'entrée dans le parcours (01/09/2026)"))
            #expect(
                try await f.submit(
                    "/parcours/\(pathway.id.slug)/points-d-etape", ["reviewDate": "2026-11-02", "note": "Motivée"]
                ).status == .seeOther)
            #expect(
                try await f.submit(
                    "/parcours/\(pathway.id.slug)/prolongations", ["months": "6", "reason": "Formation en cours"]
                ).status == .seeOther)
            let requested = try #require(try await s.ledger.pathways.get(system, id: pathway.id).extensions.first)
            let decisionPath = "/parcours/\(pathway.id.slug)/prolongations/\(requested.id.slug)"
            let (_, decisionForm) = try await f.get(decisionPath)
            // One open pathway × 15 %: a quota of 0, so only an admin may accept, with a reason.
            #expect(decisionForm.contains("Quota du référent aujourd'hui : 0 parcours prolongé(s) sur un quota de 0"))
            let beyond = try await f.submit(decisionPath, ["decision": "accepted"], page: decisionForm)
            #expect(beyond.status == .conflict)
            #expect(beyond.html.contains("Quota de prolongations atteint"))
            #expect(
                try await admin.submit(
                    decisionPath, ["decision": "accepted", "overrideReason": "Formation qualifiante à terminer"]
                ).status == .seeOther)
            #expect(try await s.ledger.pathways.get(system, id: pathway.id).extensions.first?.status == .accepted)

            // Placing: the check shows the criteria valid at the start, or why none is; nothing is saved until asked.
            let newPlacement = "/mises-a-l-emploi/nouvelle?lot=\(lot.id.slug)"
            let typed = [
                "reference": "P-100", "companyId": harness.companyX.slug, "executionMode": "directHire",
                "contractType": "cdd", "startDate": "2026-12-01", "endDate": "2027-03-31", "weeklyHours": "35",
            ]
            let check = try await f.submit(newPlacement, typed, intent: "preview")
            #expect(check.status == .ok)
            #expect(check.html.contains("Éloïse BENALI est éligible le 01/12/2026"))
            #expect(check.html.contains("DELD — Demandeur d'emploi de longue durée"))
            var nobody = typed
            nobody["reference"] = "P-NONE"
            let refusedCheck = try await f.submit(newPlacement, nobody, intent: "preview")
            #expect(refusedCheck.html.contains("Preuve SANS n'est pas éligible le 01/12/2026"))
            #expect(try await s.ledger.placements.all(system, filter: .init(lotId: lot.id)).isEmpty)
            let placed = try await f.submit(newPlacement, typed)
            #expect(placed.status == .seeOther)
            #expect(placed.location?.contains("/lots/\(lot.id.slug)") == true)
            let placement = try #require(try await s.ledger.placements.all(system, filter: .init(lotId: lot.id)).first)
            #expect(placement.eligibilityCriteria == [.DELD, .PLIE, .RSA])
            let notEligible = try await f.submit(newPlacement, nobody)
            #expect(notEligible.status == .unprocessableContent)

            // Ending the placement: before its start refused, then its last day saved.
            let edit = "/mises-a-l-emploi/\(placement.id.slug)/modifier"
            let early = try await f.submit(
                edit, ["endDate": "2026-11-01", "weeklyHours": "35", "contractType": "cdd", "onClauseOperation": "on"])
            #expect(early.status == .unprocessableContent)
            #expect(early.html.contains("précède la date de début"))
            #expect(
                try await f.submit(
                    edit,
                    ["endDate": "2027-01-31", "weeklyHours": "35", "contractType": "cdd", "onClauseOperation": "on"]
                ).status == .seeOther)
            #expect(try await s.ledger.placements.get(system, id: placement.id).endDate == LocalDate(iso: "2027-01-31"))

            // Employment outside clauses.
            let episode = try await f.submit(
                "/participants/\(personId.slug)/emplois",
                ["employerName": "Boulangerie Martin", "contractType": "cdi", "startDate": "2026-06-01"])
            #expect(episode.status == .seeOther)
            // A birth date emptied from the record's form is erased.
            let (_, editForm) = try await f.get("/participants/\(personId.slug)/modifier")
            #expect(editForm.contains("value=\"1990-04-02\""))
            let erased = try await f.submit(
                "/participants/\(personId.slug)/modifier",
                [
                    "reference": "P-100", "lastName": "Benali", "firstName": "Éloïse", "sex": "F",
                    "communeInsee": "13047",
                ],
                page: editForm)
            #expect(erased.status == .seeOther)
            #expect(try await s.ledger.participants.get(system, id: personId).birthDate == nil)

            // A closed pathway's référent changes without reopening it.
            let closing = try await s.ledger.pathways.exit(
                system, id: pathway.id, .init(exitDate: LocalDate(iso: "2026-11-20"), exitKind: .movedAway))
            #expect(closing.status == .exited)
            let facilitator = try #require(try await s.users.find(email: "facilitator@test.fr"))
            let handed = try await f.submit(
                "/parcours/\(pathway.id.slug)/modifier",
                ["entryDate": "2026-09-01", "referentUserId": facilitator.id.slug, "status": "exited"])
            #expect(handed.status == .seeOther)
            let after = try await s.ledger.pathways.get(system, id: pathway.id)
            #expect(after.status == .exited)
            #expect(after.referentUserId == facilitator.id)

            let (_, finalRecord) = try await f.get("/participants/\(personId.slug)")
            #expect(finalRecord.contains("Boulangerie Martin"))
            #expect(finalRecord.contains(placement.code))
            #expect(finalRecord.contains("Motivée"))
        }
    }

    @Test(
        "a committee decision is confirmed with a note, listed, then corrected with its reason, the first decision kept"
    )
    func committeeDecision() async throws {
        let harness = try await APIHarness.make(clock: FixedClock(try #require(LocalDate(iso: "2026-07-15"))))
        let system = Caller.system("t")
        let f = try await DailyLoopPageTests.fixture(harness, inPLIE: true)
        for month in 1...6 {
            _ = try await harness.services.ledger.hours.saveGrid(
                system, lotId: f.lotId, month: YearMonth(year: 2026, month: month)!,
                entries: [.init(placementId: f.placementId, worked: 104, training: 0, seen: nil)],
                confirmPlausible: false, validate: true)
        }
        try await Self.app(harness).test(.router) { client in
            let s = try await FormSession.signIn(client, "facilitator")
            let (_, outcomes) = try await s.get("/sorties-positives")
            let link = try #require(outcomes.firstMatch(of: /href="(\/sorties-positives\/decision\?[^"]+)"/)?.1)
            let uri = String(link).replacingOccurrences(of: "&amp;", with: "&")
            let (_, confirm) = try await s.get(uri)
            #expect(confirm.contains("Décision du comité — Jade MOREAU"))
            #expect(confirm.contains("624"))
            let missing = try await s.submit(uri, ["note": "Vu en comité"], page: confirm)
            #expect(missing.status == .unprocessableContent)
            #expect(missing.html.contains("Vu en comité"))
            let decided = try await s.submit(uri, ["decision": "accepted", "note": "Vu en comité du 10 juillet"])
            #expect(decided.status == .seeOther)
            let (_, list) = try await s.get("/comite/decisions")
            #expect(list.contains("Sortie positive validée"))
            #expect(list.contains("Vu en comité du 10 juillet"))
            let correct = try #require(list.firstMatch(of: /href="(\/comite\/decisions\/[^"]+\/corriger)"/)?.1)
            let noReason = try await s.submit(String(correct), ["decision": "refused"])
            #expect(noReason.status == .unprocessableContent)
            #expect(
                try await s.submit(String(correct), ["decision": "refused", "reason": "Erreur de saisie"]).status
                    == .seeOther)
            let (_, corrected) = try await s.get("/comite/decisions")
            #expect(corrected.contains("Sortie positive refusée"))
            #expect(corrected.contains("(d'abord « Sortie positive validée ») : Erreur de saisie"))
        }
    }

    @Test(
        "one's password changed ends one's other sessions; API tokens made and revoked from « Mon compte »; an admin creates and deactivates an account"
    )
    func account() async throws {
        let harness = try await APIHarness.make()
        try await Self.app(harness).test(.router) { client in
            let first = try await FormSession.signIn(client, "facilitator")
            let second = try await FormSession.signIn(client, "facilitator")
            let wrong = try await first.submit(
                "/compte/mot-de-passe",
                ["current": "pas-le-bon", "new": "un nouveau secret 42", "confirm": "un nouveau secret 42"],
                page: try await first.get("/compte").html)
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.html.contains("Le mot de passe actuel n'est pas le bon"))
            // A wrong current password counts as a failed login of the account (the login form's throttle).
            #expect(
                try await harness.db.pool.query(
                    "SELECT count(*)::int FROM login_failures WHERE email = 'facilitator@test.fr'"
                ).one().decode(0, as: Int.self) == 1)
            #expect(!wrong.html.contains("un nouveau secret 42"))
            let mismatch = try await first.submit(
                "/compte/mot-de-passe",
                ["current": "mot-de-passe-facilitator", "new": "un nouveau secret 42", "confirm": "autre chose 42"],
                page: try await first.get("/compte").html)
            #expect(mismatch.html.contains("Les deux saisies du nouveau mot de passe diffèrent"))
            let changed = try await first.submit(
                "/compte/mot-de-passe",
                [
                    "current": "mot-de-passe-facilitator", "new": "un nouveau secret 42",
                    "confirm": "un nouveau secret 42",
                ], page: try await first.get("/compte").html)
            #expect(changed.status == .seeOther)
            #expect(try await first.get("/compte").status == .ok)
            // The other session is closed: its next page is the login form.
            #expect(try await second.get("/compte").status == .seeOther)
            #expect(
                try await PageTests.login(client, email: "facilitator@test.fr", password: "un nouveau secret 42").cookie
                    != nil)

            // A token shown once, usable on the API, then revoked.
            let issued = try await first.submit(
                "/compte/jetons", ["name": "tableur"], page: try await first.get("/compte").html)
            #expect(issued.status == .ok)
            let token = String(try #require(issued.html.firstMatch(of: /(clk_[A-Za-z0-9_-]+)/)?.1))
            let me = { () async throws -> HTTPResponse.Status in
                try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer \(token)"])
                {
                    $0.status
                }
            }
            #expect(try await me() == .ok)
            let (_, accountPage) = try await first.get("/compte")
            #expect(!accountPage.contains(token))
            let revoke = try #require(accountPage.firstMatch(of: /action="(\/compte\/jetons\/[^"]+\/revoquer)"/)?.1)
            let revoked = try await DailyLoopPageTests.post(
                client, String(revoke), cookie: first.cookie, try DailyLoopPageTests.tokens(accountPage))
            #expect(revoked.status == .seeOther)
            #expect(try await me() == .unauthorized)

            // Admin: an account created, then deactivated (its sessions end); a failed login is on record.
            let admin = try await FormSession.signIn(client, "admin")
            #expect(try await first.get("/admin/comptes").status == .forbidden)
            let weak = try await admin.submit(
                "/admin/comptes/nouveau", ["email": "nouvelle@test.fr", "role": "referent", "password": "court"])
            #expect(weak.status == .unprocessableContent)
            #expect(weak.html.contains("au moins 12 caractères"))
            let created = try await admin.submit(
                "/admin/comptes/nouveau",
                ["email": "nouvelle@test.fr", "role": "referent", "password": "une phrase assez longue"])
            #expect(created.status == .seeOther)
            #expect(
                try await PageTests.login(client, email: "nouvelle@test.fr", password: "une phrase assez longue").cookie
                    != nil)
            let user = try #require(try await harness.services.users.find(email: "nouvelle@test.fr"))
            let deactivated = try await admin.submit("/admin/comptes/\(user.id.slug)/modifier", ["role": "referent"])
            #expect(deactivated.status == .seeOther)
            #expect(try await harness.services.users.find(email: "nouvelle@test.fr")?.active == false)
            #expect(
                try await PageTests.login(client, email: "nouvelle@test.fr", password: "une phrase assez longue").cookie
                    == nil)
            let (_, failures) = try await admin.get("/admin/connexions-refusees")
            #expect(failures.contains("nouvelle@test.fr"))

            // Admin: the outbox, failed messages first with the server's answer, and the jobs.
            try await harness.db.pool.query(
                """
                INSERT INTO mail_outbox (message_id, kind, recipients, subject, text_body, status, attempts, created_at,
                                         next_attempt_at, last_error, last_smtp_code)
                VALUES ('<f@t>', 'alert', '{equipe@example.test}', 'Lot en retard', 'x', 'failed', 1, now(), now(),
                        'Échec de l''envoi : refus définitif du serveur (code SMTP 550)', 550)
                """)
            #expect(try await first.get("/admin/courriels").status == .forbidden)
            let (mailStatus, mail) = try await admin.get("/admin/courriels")
            #expect(mailStatus == .ok)
            #expect(mail.contains("en échec : <strong>1</strong>"))
            #expect(mail.contains("refus définitif du serveur (code SMTP 550)"))
            #expect(mail.contains("<code>send-mail</code>"))
            #expect(mail.contains("<code>17 * * * *</code>"))
        }
    }

    @Test("an update empties the optional fields its `clear` names, and refuses a name it cannot empty")
    func clearThroughTheAPI() async throws {
        let harness = try await APIHarness.make()
        let system = Caller.system("t")
        let contract = try await harness.services.publicContracts.create(
            system, .init(buyerId: harness.buyerA, reference: "CLEAR-1", object: "Travaux", durationMonths: 12))
        let lot = try await harness.services.lots.create(
            system,
            .init(
                publicContractId: contract.id, number: 1, label: "Voirie", amountExclVat: 1000,
                executionStart: LocalDate(iso: "2026-01-01")))
        try await harness.run { api in
            let cleared = try await api.call(
                .patch, "/api/v1/lots/\(lot.id.slug)", as: "facilitator", json: ["clear": ["amountExclVat"]])
            #expect(cleared.status == .ok)
            #expect(cleared.object["amountExclVat"] == nil)
            #expect(cleared.object["executionStart"] as? String == "2026-01-01")
            let refused = try await api.call(
                .patch, "/api/v1/lots/\(lot.id.slug)", as: "facilitator", json: ["clear": ["label"]])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorField == "clear")
            #expect(refused.errorMessage?.contains("« label » ne peut pas être vidé") == true)
            let contractCleared = try await api.call(
                .patch, "/api/v1/public-contracts/\(contract.id.slug)", as: "facilitator",
                json: ["clear": ["durationMonths"]])
            #expect(contractCleared.status == .ok)
            #expect(contractCleared.object["durationMonths"] == nil)
        }
    }
}
