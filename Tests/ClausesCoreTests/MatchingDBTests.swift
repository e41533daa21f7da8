import ClausesTestSupport
import Foundation
import PostgresClient
import Testing

@testable import ClausesCore

/// `<repo>/../shared/data/refdata/…`, read where it lies (never copied into the repository).
private func sharedRefdata(_ path: String, filePath: String = #filePath) throws -> (name: String, data: Data) {
    let url = URL(fileURLWithPath: filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data/refdata/\(path)")
    return (url.lastPathComponent, try Data(contentsOf: url))
}

@Suite("Matching against a real database: reference data, needs, shortlists, proposals")
struct MatchingDBTests {
    static let today = ldate("2026-12-01")

    /// The fixture with the demo's reference extract loaded, services on a fixed day, and the lot's work
    /// site in Istres.
    func fixture() async throws -> (LedgerFixture, MatchingServices) {
        let f = try await LedgerFixture.make(lotStart: "2026-01-01", lotEnd: "2027-12-31")
        let services = AppServices(config: f.config, pool: f.pool, clock: FixedClock(Self.today), bcryptCost: 4)
        try await DemoData.loadReferenceData(services.matching.referenceData)
        try await f.pool.query("UPDATE lots SET worksite_insee = '13047' WHERE id = $1", [f.lotId])
        return (f, services.matching)
    }

    func need(_ m: MatchingServices, _ f: LedgerFixture, _ input: StaffingNeed.Input? = nil) async throws
        -> StaffingNeed
    {
        try await m.needs.create(
            f.staff, lotId: f.lotId,
            input
                ?? .init(
                    romeCodes: ["F1703"], headcount: 1, weeklyHours: 35, plannedStart: ldate("2027-01-04"),
                    plannedEnd: ldate("2027-04-30"), contractType: .cddChantier))
    }

    /// A person with an open pathway, living in `commune`, with a range and a skill.
    func seeker(
        _ f: LedgerFixture, _ reference: String, commune: String = "13047", range: Int? = 30,
        skills: [String] = ["F1703"], referent: UUID? = nil
    ) async throws -> Participant {
        let p = try await f.participant(
            reference, last: "Nom\(reference)", referent: referent, pathwayEntry: "2026-06-01", criteria: [])
        return try await f.ledger.participants.update(
            f.staff, id: p.id, .init(communeInsee: commune, skills: skills, maxTravelKm: range))
    }

    @Test(
        "M1 the official ROME and communes files load whole; city centres from arrondissements; autocomplete folds accents"
    )
    func officialFiles() async throws {
        let (f, m) = try await fixture()
        defer { Task { await f.close() } }
        let rome = try await m.referenceData.importFiles(
            .rome,
            [
                try sharedRefdata("rome/unix_referentiel_code_rome_v460_utf8.csv"),
                try sharedRefdata("rome/unix_referentiel_appellation_v460_utf8.csv"),
            ])
        #expect(rome.romeCodes > 500 && rome.romeAppellations > 10_000)
        #expect(try await f.count("SELECT count(*) FROM rome_jobs") == rome.romeCodes)
        let communes = try await m.referenceData.importFiles(.communes, [try sharedRefdata("communes/communes.csv")])
        #expect(communes.communes > 34_000)
        // One row per commune (the file has one per postcode); Paris, Marseille, Lyon from their arrondissements.
        let cities = try await f.pool.query(
            """
            SELECT c.insee, c.name, abs(c.latitude - avg(a.latitude)) < 0.000006 AND abs(c.longitude - avg(a.longitude)) < 0.000006,
                   count(a.*)
            FROM communes c JOIN communes a ON a.insee LIKE CASE c.insee WHEN '75056' THEN '751%' WHEN '13055' THEN '132%'
                                                                      ELSE '6938%' END
            WHERE c.insee IN ('75056', '13055', '69123') GROUP BY c.insee, c.name ORDER BY c.insee
            """
        ).map {
            [
                try $0.decode(0, as: String.self), try $0.decode(1, as: String.self),
                "\(try $0.decode(2, as: Bool.self))", "\(try $0.decode(3, as: Int.self))",
            ]
        }
        #expect(
            cities == [
                ["13055", "Marseille", "true", "16"], ["69123", "Lyon", "true", "9"], ["75056", "Paris", "true", "20"],
            ])
        // Accents and case aside, every word must appear.
        let masons = try await m.referenceData.searchTrades("MACONNE")
        #expect(masons.contains { $0.code == "F1703" && $0.label.contains("Maçonne") })
        #expect(
            try await m.referenceData.searchTrades("aide maçon").allSatisfy { $0.label.lowercased().contains("aide") })
        #expect(try await m.referenceData.searchTrades("f1703").first?.code == "F1703")
        #expect(try await m.referenceData.searchTrades("   ").isEmpty)
    }

    @Test("M2 a file in the wrong layout or encoding is refused in French and nothing is half-loaded")
    func badFiles() async throws {
        let (f, m) = try await fixture()
        defer { Task { await f.close() } }
        let before = try await f.count("SELECT count(*) FROM communes")
        let layout = await ledgerError {
            _ = try await m.referenceData.importFiles(.communes, [("x.csv", Data("code,nom\n13047,Istres\n".utf8))])
        }
        #expect(layout?.message.contains("n'a pas la disposition d'un référentiel connu") == true)
        var bytes = Data("insee_com,insee_dep,commune,commune_type,insee_parente,lat,lng\n13047,13,Istr".utf8)
        bytes.append(0xE8)
        bytes.append(contentsOf: Data("s,COM,,43.5,4.9\n".utf8))
        let encoding = await ledgerError { _ = try await m.referenceData.importFiles(.communes, [("c.csv", bytes)]) }
        #expect(encoding?.message.contains("n'est pas en UTF-8") == true)
        // One bad line among good ones: the line is named, and the communes already loaded stay.
        let badLine = Data(
            "insee_com,insee_dep,commune,commune_type,insee_parente,lat,lng\n13047,13,Istres,COM,,43.5,4.9\n1304,13,Nulle,COM,,x,y\n"
                .utf8)
        let line = await ledgerError { _ = try await m.referenceData.importFiles(.communes, [("c.csv", badLine)]) }
        #expect(line?.message.contains("ligne 3") == true)
        #expect(try await f.count("SELECT count(*) FROM communes") == before)
        // A ROME file given as communes, and appellations whose code is not loaded.
        let wrongKind = await ledgerError {
            _ = try await m.referenceData.importFiles(
                .communes, [("rome.csv", Data("\"code_rome\",\"libelle_rome\"\n\"F1703\",\"Maçon\"\n".utf8))])
        }
        #expect(wrongKind?.message == "« rome.csv » n'est pas un fichier de communes.")
        let orphan = await ledgerError {
            _ = try await m.referenceData.importFiles(
                .rome,
                [
                    (
                        "a.csv",
                        Data(
                            "\"code_ogr\",\"libelle_appellation_long\",\"code_rome\"\n\"1\",\"Dompteur\",\"L1299\"\n"
                                .utf8)
                    )
                ])
        }
        #expect(orphan?.message.contains("absent du référentiel") == true)
        #expect(try await f.count("SELECT count(*) FROM rome_appellations") > 0)
    }

    @Test(
        "M3 needs refused in French: unknown ROME code, start in the past, end before start, no hours; a buyer cannot read them"
    )
    func needRefusals() async throws {
        let (f, m) = try await fixture()
        defer { Task { await f.close() } }
        func refusal(_ input: StaffingNeed.Input) async -> DomainError? {
            await ledgerError { _ = try await m.needs.create(f.staff, lotId: f.lotId, input) }
        }
        let base = StaffingNeed.Input(
            romeCodes: ["F1703"], weeklyHours: 35, plannedStart: ldate("2027-01-04"), contractType: .cdd)
        var unknown = base
        unknown.romeCodes = ["F1799"]
        #expect(await refusal(unknown)?.message.contains("Code ROME inconnu « F1799 »") == true)
        var past = base
        past.plannedStart = ldate("2026-11-30")
        #expect(await refusal(past)?.field == "plannedStart")
        var backwards = base
        backwards.plannedEnd = ldate("2027-01-01")
        #expect(await refusal(backwards)?.field == "plannedEnd")
        var noHours = base
        noHours.weeklyHours = nil
        #expect(await refusal(noHours)?.message == "Indiquez le nombre d'heures ou la durée hebdomadaire du besoin.")
        let created = try await need(m, f)
        #expect(created.trades == ["F1703 Maçon / Maçonne"] && created.worksiteName == "Istres")
        #expect(await ledgerError { _ = try await m.needs.list(f.buyer, lotId: f.lotId) }?.kind == .forbidden)
        #expect(try await m.needs.list(f.company, lotId: f.lotId).count == 1)
        #expect(try await m.needs.list(f.otherCompany, lotId: f.lotId).isEmpty)
        #expect(
            await ledgerError { _ = try await m.needs.create(f.referent, lotId: f.lotId, base) }?.kind == .forbidden)
    }

    @Test("M4 the shortlist: ranked with parts, the excluded with reasons, the same with or without the pre-selection")
    func shortlist() async throws {
        let (f, m) = try await fixture()
        defer { Task { await f.close() } }
        let need = try await need(m, f)
        let near = try await seeker(f, "S-1")  // Istres, mason: kept, first
        _ = try await seeker(f, "S-2", commune: "13056", skills: ["F1701"])  // Martigues, same domain: kept
        _ = try await seeker(f, "S-3", commune: "13001", range: 20)  // Aix, 35 km > 20: excluded
        _ = try await seeker(f, "S-4", commune: "13001", range: nil)  // Aix, no range: kept
        // Not in the extract: distance unknown, kept.
        let unknown = try await seeker(f, "S-5", commune: "97101", range: 5)
        let busy = try await seeker(f, "S-6")
        _ = try await f.placement(busy, start: "2026-10-01", end: "2027-03-31")
        _ = try await f.participant("S-7", last: "SansParcours", criteria: [])  // not eligible
        let list = try await m.shortlists.shortlist(f.staff, needId: need.id, excluded: true)
        #expect(list.judgedOn == ldate("2027-01-04") && list.worksite.located)
        #expect(list.candidates.first?.participantId == near.id)
        #expect(Set(list.candidates.map(\.reference)) == ["S-1", "S-2", "S-4", "S-5"])
        for candidate in list.candidates {
            #expect(candidate.parts.reduce(0) { $0 + $1.points } == candidate.score)
        }
        let excluded = Dictionary(uniqueKeysWithValues: (list.excluded ?? []).map { ($0.reference, $0) })
        #expect(excluded["S-3"]?.filters == [.outOfRange])
        #expect(excluded["S-6"]?.filters == [.overlappingPlacement])
        #expect(excluded["S-7"]?.filters == [.notEligible])
        let unplaced = try #require(list.candidates.first { $0.participantId == unknown.id })
        #expect(unplaced.distanceKm == nil)
        #expect(unplaced.parts.first { $0.part == .distance }?.detail.hasPrefix("Distance inconnue") == true)
        // The pre-selection and the bounds read fewer people but give the same list, in the same order, at
        // any length; judging stops early only when the list is short.
        for limit in [1, 2, 3, 500] {
            let fast = try await m.shortlists.shortlist(f.staff, needId: need.id, limit: limit)
            #expect(fast.candidates.map(\.participantId) == list.candidates.prefix(limit).map(\.participantId))
            #expect(fast.candidates.map(\.score) == list.candidates.prefix(limit).map(\.score))
            #expect(fast.excluded == nil)
            if limit == 500 { #expect(fast.kept == 4) }
        }
        // One person at a time: judging stops as soon as no bound left reaches the last place.
        let stepwise = ShortlistService(
            pool: f.pool, clock: FixedClock(Self.today), validityMonths: 6, weights: MatchWeights(),
            profiles: f.config.profiles, batchSize: 1)
        let top = try await stepwise.shortlist(f.staff, needId: need.id, limit: 1)
        #expect(top.candidates.map(\.participantId) == [near.id])
        #expect(top.kept == nil, "S-4 in Aix, far and without the trade, could not beat the first")
        // A référent sees only their own participants; a company none.
        let own = try await seeker(f, "S-8", referent: f.referentId)
        let theirs = try await m.shortlists.shortlist(f.referent, needId: need.id)
        #expect(theirs.candidates.map(\.participantId) == [own.id])
        #expect(
            await ledgerError { _ = try await m.shortlists.shortlist(f.company, needId: need.id) }?.kind == .forbidden)
    }

    @Test("M5 an unknown work-site commune: every distance unknown and shown so, never 0; nobody excluded for range")
    func unknownWorksite() async throws {
        let (f, m) = try await fixture()
        defer { Task { await f.close() } }
        try await f.pool.query("UPDATE lots SET worksite_insee = '97101' WHERE id = $1", [f.lotId])
        let need = try await need(m, f)
        _ = try await seeker(f, "S-1", range: 1)
        let list = try await m.shortlists.shortlist(f.staff, needId: need.id)
        #expect(!list.worksite.located && list.worksite.insee == "97101")
        let distance = try #require(list.candidates.first?.parts.first { $0.part == .distance })
        #expect(list.candidates.first?.distanceKm == nil)
        #expect(distance.points == 0 && distance.detail.hasPrefix("Distance inconnue"))
    }

    @Test(
        "M6 propose, refuse with a reason, hire: the hire is a placement on the lot with frozen eligibility; the company sees the consented contact only"
    )
    func proposalsAndHire() async throws {
        let (f, m) = try await fixture()
        defer { Task { await f.close() } }
        let need = try await need(
            m, f,
            .init(
                romeCodes: ["F1703"], headcount: 1, weeklyHours: 35, plannedStart: ldate("2027-01-04"),
                plannedEnd: ldate("2027-04-30"), contractType: .cddChantier))
        let first = try await seeker(f, "S-1")
        _ = try await f.ledger.participants.update(
            f.staff, id: first.id, .init(phone: "06 11 22 33 44", email: "s1@example.org", contactSharing: .phone))
        let second = try await seeker(f, "S-2")
        let proposed = try await m.proposals.propose(f.staff, needId: need.id, participantId: first.id)
        #expect(proposed.status == .proposed && proposed.parts.count == ScorePart.Kind.allCases.count)
        #expect(proposed.score == proposed.parts.reduce(0) { $0 + $1.points })
        let again = await ledgerError {
            _ = try await m.proposals.propose(f.staff, needId: need.id, participantId: first.id)
        }
        #expect(again?.kind == .conflict)
        let refused = try await m.proposals.propose(f.staff, needId: need.id, participantId: second.id)
        let noReason = await ledgerError {
            _ = try await m.proposals.decide(f.staff, id: refused.id, .init(status: .refused))
        }
        #expect(noReason?.field == "reason")
        _ = try await m.proposals.decide(
            f.staff, id: refused.id, .init(status: .refused, reason: "Profil trop éloigné"))
        // Refused for this need: the shortlist now excludes them, with the reason.
        let list = try await m.shortlists.shortlist(f.staff, needId: need.id, excluded: true)
        #expect(list.excluded?.first { $0.participantId == second.id }?.filters == [.refused])
        #expect(list.candidates.first { $0.participantId == first.id }?.proposal?.status == .proposed)
        // The company sees its candidates: names and the shared phone, never the e-mail it was not given.
        let seen = try await m.proposals.proposedToCompany(f.company)
        let shown = try #require(seen.first { $0.proposalId == proposed.id })
        #expect(shown.lastName == "NomS-1" && shown.phone == "06 11 22 33 44" && shown.email == nil)
        #expect(seen.first { $0.proposalId == refused.id }?.phone == nil)
        #expect(try await m.proposals.proposedToCompany(f.otherCompany).isEmpty)
        #expect(await ledgerError { _ = try await m.proposals.proposedToCompany(f.staff) }?.kind == .forbidden)
        // The hire: one step, a placement on the need's lot with the need's terms; the need is filled.
        let hired = try await m.proposals.decide(f.staff, id: proposed.id, .init(status: .hired))
        let placement = try await f.ledger.placements.get(f.staff, id: try #require(hired.placementId))
        #expect(placement.lotId == f.lotId && placement.companyId == f.companyId)
        #expect(placement.startDate == ldate("2027-01-04") && placement.contractType == .cddChantier)
        #expect(placement.eligibilityCriteria == [.PLIE] && placement.counting)
        #expect(try await m.needs.get(f.staff, id: need.id).status == .filled)
        #expect(try await m.needs.get(f.staff, id: need.id).hired == 1)
        let final = await ledgerError {
            _ = try await m.proposals.decide(f.staff, id: proposed.id, .init(status: .withdrawn, reason: "x"))
        }
        #expect(final?.kind == .conflict)
        // Proposing on a filled need is refused.
        let third = try await seeker(f, "S-3")
        let closed = await ledgerError {
            _ = try await m.proposals.propose(f.staff, needId: need.id, participantId: third.id)
        }
        #expect(closed?.kind == .conflict)
        #expect(try await m.proposals.list(f.staff, needId: need.id).map(\.status) == [.hired, .refused])
    }

    @Test("M7 a hire that the placement rules refuse leaves the proposal as it was")
    func hireRefusedLeavesNothing() async throws {
        let (f, m) = try await fixture()
        defer { Task { await f.close() } }
        let need = try await need(m, f)
        let person = try await seeker(f, "S-1")
        let proposal = try await m.proposals.propose(f.staff, needId: need.id, participantId: person.id)
        // Placed full-time elsewhere meanwhile: the hire overlaps.
        _ = try await f.placement(person, start: "2026-12-15", end: "2027-06-30")
        let refused = await ledgerError {
            _ = try await m.proposals.decide(f.staff, id: proposal.id, .init(status: .hired))
        }
        #expect(refused?.code == .overlappingPlacement)
        #expect(try await m.proposals.list(f.staff, needId: need.id).first?.status == .proposed)
        #expect(try await f.count("SELECT count(*) FROM placements WHERE participant_id = $1", [person.id]) == 1)
    }
}
