import ClausesTestSupport
import Foundation
import Logging
import Testing

@testable import ClausesCore

extension LedgerFixture {
    var admin: Caller { Caller(userId: nil, role: .admin, label: "admin@test") }
    var facilitator: Caller { Caller(userId: nil, role: .facilitator, label: "facilitatrice@test") }

    /// Another PLIE under `profile`.
    func plie(_ name: String, profile: String) async throws -> UUID {
        try await ledger.plie.create(staff, .init(name: name, profile: profile)).id
    }

    func firstPathway(_ participant: Participant) async throws -> Pathway {
        try #require(try await ledger.pathways.list(staff, participantId: participant.id).first)
    }

    /// Temp work with `hours` validated in each month from `firstMonth`.
    func tempWork(_ participant: Participant, start: String, end: String, months: [String], hours: Decimal)
        async throws -> Placement
    {
        let placement = try await self.placement(
            participant, mode: .temporaryWork, contract: .temporaryWork, start: start, end: end, weekly: 24)
        for month in months { _ = try await declare(placement, month, worked: hours, validate: true) }
        return placement
    }
}

private let firstHalf = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]

@Suite("Pathways, outcomes and committee decisions (DOMAIN §6)")
struct PathwayDBTests {
    @Test("a PLIE participant in month 8 of their pathway is placed on the open pathway alone, no proof needed")
    func monthEight() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let p = try await f.participant("M-8", pathwayEntry: "2025-07-01", criteria: [])
        let placement = try await f.placement(p, start: "2026-03-01")
        #expect(placement.counting)
        #expect(placement.eligibilityCriteria == [.PLIE])
        // A PLIE proof is refused: the pathway is the criterion.
        let error = await ledgerError {
            _ = try await f.ledger.participants.addCriterion(
                f.staff, participantId: p.id, .init(code: .PLIE, proofDate: ldate("2026-01-10")),
                today: ldate("2026-11-23"))
        }
        #expect(error?.field == "code")
        // Before the entry the person was not eligible.
        let before = await ledgerError { _ = try await f.placement(p, start: "2025-06-01", end: "2025-06-30") }
        #expect(before?.code == .notEligible)
        #expect(before?.message.contains("PLIE (parcours ouvert le 01/07/2025, après le début)") == true)
    }

    @Test("the priority area and criteria are frozen on the placement at its start")
    func frozenPriorityArea() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        var p = try await f.participant("Q-1")
        p = try await f.ledger.participants.update(f.staff, id: p.id, .init(priorityArea: .qpv))
        let placement = try await f.placement(p)
        _ = try await f.ledger.participants.update(f.staff, id: p.id, .init(priorityArea: PriorityArea.none))
        #expect(try await f.ledger.placements.get(f.staff, id: placement.id).priorityArea == .qpv)
    }

    @Test("bad pathway input is refused in French and leaves nothing written")
    func badInput() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let p = try await f.participant("B-1", pathwayEntry: "2025-03-01", criteria: [])
        let pathway = try await f.firstPathway(p)
        // A second open pathway in the same PLIE.
        let twice = await ledgerError {
            _ = try await f.ledger.pathways.open(
                f.staff, participantId: p.id, .init(plieId: f.plieId, entryDate: ldate("2026-01-01")))
        }
        #expect(twice?.kind == .conflict && twice?.code == .pathwayOpen)
        // An exit before the entry, an exit without a kind.
        let early = await ledgerError {
            _ = try await f.ledger.pathways.exit(
                f.staff, id: pathway.id, .init(exitDate: ldate("2025-02-28"), exitKind: .movedAway))
        }
        #expect(early?.field == "exitDate" && early?.message.contains("précède l'entrée") == true)
        let noKind = await ledgerError {
            _ = try await f.ledger.pathways.exit(f.staff, id: pathway.id, .init(exitDate: ldate("2026-02-28")))
        }
        #expect(noKind?.field == "exitKind" && noKind?.code == .missingField)
        // The employment subtype is reporting's business: "unspecified" is only for migrated exits.
        let vague = await ledgerError {
            _ = try await f.ledger.pathways.exit(
                f.staff, id: pathway.id, .init(exitDate: ldate("2026-02-28"), exitKind: .employmentUnspecified))
        }
        #expect(vague?.field == "exitKind")
        #expect(try await f.ledger.pathways.get(f.staff, id: pathway.id).status == .active)
        // A re-entry must follow the previous exit.
        _ = try await f.ledger.pathways.exit(
            f.staff, id: pathway.id, .init(exitDate: ldate("2026-02-28"), exitKind: .droppedOut))
        let overlapping = await ledgerError {
            _ = try await f.ledger.pathways.open(
                f.staff, participantId: p.id, .init(plieId: f.plieId, entryDate: ldate("2026-02-28")))
        }
        #expect(overlapping?.field == "entryDate")
        // A PLIE with an unknown profile; an unknown PLIE.
        let profile = await ledgerError {
            _ = try await f.ledger.plie.create(f.staff, .init(name: "Ailleurs", profile: "ailleurs"))
        }
        #expect(profile?.field == "profile" && profile?.message.contains("nord-ouest-91") == true)
        let unknown = await ledgerError {
            _ = try await f.ledger.pathways.open(
                f.staff, participantId: p.id, .init(plieId: UUID(), entryDate: ldate("2026-04-01")))
        }
        #expect(unknown?.code == .unknownReference)
        // An episode ending before it starts.
        let episode = await ledgerError {
            _ = try await f.ledger.episodes.create(
                f.staff, participantId: p.id,
                .init(
                    employerName: "Boulangerie (démo)", contractType: .cdd, startDate: ldate("2026-05-01"),
                    endDate: ldate("2026-04-30"), weeklyHours: 35))
        }
        #expect(episode?.field == "endDate")
        #expect(try await f.pool.query("SELECT count(*) FROM employment_episodes").scalar(Int.self) == 0)
        #expect(try await f.pool.query("SELECT count(*) FROM pathways").scalar(Int.self) == 1)
        // A référent creating a participant must give the pathway that makes them theirs.
        let orphan = await ledgerError {
            _ = try await f.ledger.participants.create(
                f.referent, .init(reference: "B-2", lastName: "Roux", firstName: "Ana"))
        }
        #expect(orphan?.field == "pathway")
        #expect(try await f.pool.query("SELECT count(*) FROM participants").scalar(Int.self) == 1)
    }

    @Test("a référent sees the people of whom they hold an open pathway or the latest one")
    func referentScope() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let p = try await f.participant("S-1", referent: f.referentId, pathwayEntry: "2024-01-01", criteria: [])
        let first = try await f.firstPathway(p)
        _ = try await f.ledger.pathways.exit(
            f.referent, id: first.id, .init(exitDate: ldate("2025-06-30"), exitKind: .health))
        // Exited, but still their latest pathway.
        #expect(try await f.ledger.participants.get(f.referent, id: p.id).id == p.id)
        // Re-entry with another référent: the person moves to them.
        _ = try await f.ledger.pathways.open(
            f.staff, participantId: p.id,
            .init(plieId: f.plieId, entryDate: ldate("2026-01-05"), referentUserId: f.otherReferentId))
        #expect(await ledgerError { _ = try await f.ledger.participants.get(f.referent, id: p.id) }?.kind == .notFound)
        let seen = try await f.ledger.participants.get(f.otherReferent, id: p.id)
        #expect(seen.pathways.count == 2)
        // Only the latest pathway of a PLIE may be reopened.
        let reopen = await ledgerError {
            _ = try await f.ledger.pathways.update(f.staff, id: first.id, .init(status: .active))
        }
        #expect(reopen?.code == .pathwayOpen)
        // A référent cannot write a pathway they do not hold.
        #expect(
            await ledgerError {
                _ = try await f.ledger.pathways.addReview(
                    f.referent, id: first.id, .init(reviewDate: ldate("2025-03-01")))
            }?.kind == .notFound)
        // Nor open one for someone they do not follow.
        let stranger = try await f.participant("S-2", first: "Léo", last: "Martin", criteria: [])
        #expect(
            await ledgerError {
                _ = try await f.ledger.pathways.open(
                    f.referent, participantId: stranger.id, .init(plieId: f.plieId, entryDate: ldate("2026-02-01")))
            }?.kind == .notFound)
    }

    @Test("Istres extensions: ⌊15 % of the file active⌋, refused beyond unless an admin overrides with a reason")
    func extensionQuota() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        // Seven open pathways: quota ⌊0.15 × 7⌋ = 1.
        var pathways: [Pathway] = []
        for i in 1...7 {
            let p = try await f.participant(
                "E-\(i)", first: "Personne\(i)", referent: f.referentId, pathwayEntry: "2024-09-01", criteria: [])
            pathways.append(try await f.firstPathway(p))
        }
        var first = try await f.ledger.pathways.requestExtension(
            f.referent, id: pathways[0].id, .init(months: 6, reason: "Formation qualifiante en cours"))
        #expect(first.milestones?.lengthReachedOn == ldate("2026-03-01"))
        // A référent proposes; the decision is the committee's, recorded by a facilitator.
        #expect(
            await ledgerError {
                _ = try await f.ledger.pathways.decideExtension(
                    f.referent, id: pathways[0].id, extensionId: first.extensions[0].id, .init(decision: .accepted))
            }?.kind == .forbidden)
        first = try await f.ledger.pathways.decideExtension(
            f.facilitator, id: pathways[0].id, extensionId: first.extensions[0].id, .init(decision: .accepted))
        #expect(first.extensions[0].status == .accepted)
        #expect(first.extensions[0].quota == ExtensionQuota(fileActive: 7, share: ldec("0.15"), extended: 0))
        #expect(first.milestones?.lengthReachedOn == ldate("2026-09-01"))

        let second = try await f.ledger.pathways.requestExtension(
            f.referent, id: pathways[1].id, .init(months: 3, reason: "Attente d'une embauche"))
        let refused = await ledgerError {
            _ = try await f.ledger.pathways.decideExtension(
                f.facilitator, id: pathways[1].id, extensionId: second.extensions[0].id, .init(decision: .accepted))
        }
        #expect(refused?.code == .extensionQuota)
        #expect(refused?.message.contains("1 parcours prolongé(s) sur un quota de 1") == true)
        // An admin without a reason is refused too; with one, it is recorded.
        #expect(
            await ledgerError {
                _ = try await f.ledger.pathways.decideExtension(
                    f.admin, id: pathways[1].id, extensionId: second.extensions[0].id, .init(decision: .accepted))
            }?.code == .extensionQuota)
        let overridden = try await f.ledger.pathways.decideExtension(
            f.admin, id: pathways[1].id, extensionId: second.extensions[0].id,
            .init(decision: .accepted, overrideReason: "Situation exceptionnelle validée en comité"))
        #expect(overridden.extensions[0].overrideReason == "Situation exceptionnelle validée en comité")
        #expect(overridden.extensions[0].quota?.extended == 1)
        // Refusing is always possible.
        let third = try await f.ledger.pathways.requestExtension(
            f.referent, id: pathways[2].id, .init(months: 3, reason: "Santé"))
        let done = try await f.ledger.pathways.decideExtension(
            f.facilitator, id: pathways[2].id, extensionId: third.extensions[0].id, .init(decision: .refused))
        #expect(done.extensions[0].status == .refused)
    }

    @Test("Nord-Ouest 91: reviews every 6 months from entry, clamped to month ends, and the 36-month step")
    func reviews() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let plie = try await f.plie("Atout PLIE test", profile: "nord-ouest-91")
        let p = try await f.ledger.participants.create(
            f.staff,
            .init(
                reference: "N-1", lastName: "Roux", firstName: "Ana",
                pathway: .init(plieId: plie, entryDate: ldate("2025-08-31"))))
        var pathway = try await f.firstPathway(p)
        #expect(pathway.milestones?.nextReviewDue == ldate("2026-02-28"))
        #expect(pathway.milestones?.lengthReachedOn == nil)
        #expect(pathway.milestones?.reorientationFrom == ldate("2028-08-31"))
        pathway = try await f.ledger.pathways.addReview(
            f.staff, id: pathway.id, .init(reviewDate: ldate("2026-02-10"), note: "Projet validé"))
        #expect(pathway.milestones?.nextReviewDue == ldate("2026-08-31"))
    }

    @Test("detection runs per pathway; decisions are kept per pathway and facts; a re-entry is proposed again")
    func decisionsPerPathway() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let secondHalf = ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]
        let yes = try await f.participant("O-1", referent: f.referentId, pathwayEntry: "2025-06-01", criteria: [])
        let no = try await f.participant("O-2", first: "Léo", last: "Martin", pathwayEntry: "2025-06-01", criteria: [])
        let a = try await f.tempWork(yes, start: "2025-07-01", end: "2025-12-31", months: secondHalf, hours: 104)
        _ = try await f.tempWork(no, start: "2025-07-01", end: "2025-12-31", months: secondHalf, hours: ldec("103.9"))
        let asOf = ldate("2026-01-05")
        let established = ldate("2025-12-31")
        let candidates = try await f.ledger.outcomes.candidates(f.staff, asOf: asOf)
        #expect(candidates.map(\.reference) == ["O-1"])
        let candidate = try #require(candidates.first)
        #expect(candidate.candidate.rule == .sustainedActivity && candidate.candidate.hours == 624)
        #expect(candidate.candidate.establishedOn == established)
        #expect(candidate.candidate.workIds == [a.code])
        #expect(candidate.profile == "istres-ouest-provence-2020")
        #expect(try await f.ledger.outcomes.candidates(f.otherReferent, asOf: asOf).isEmpty)
        let pathway = candidate.pathwayId
        // The référent proposes; only a facilitator or an admin records the committee's decision.
        #expect(
            await ledgerError {
                _ = try await f.ledger.outcomes.record(
                    f.referent, pathwayId: pathway, rule: .sustainedActivity, establishedOn: established,
                    decision: .accepted, asOf: asOf)
            }?.kind == .forbidden)
        _ = try await f.ledger.outcomes.record(
            f.referent, pathwayId: pathway, rule: .sustainedActivity, establishedOn: established,
            decision: .proposed, asOf: asOf)
        #expect(try await f.ledger.outcomes.candidates(f.staff, asOf: asOf).first?.proposedBy == "referente@test")
        let decision = try await f.ledger.outcomes.record(
            f.facilitator, pathwayId: pathway, rule: .sustainedActivity, establishedOn: established,
            decision: .refused, note: "Comité du 10/01", asOf: asOf)
        #expect(decision.facts == candidate.candidate.facts && decision.evidence == candidate.candidate.evidence)
        #expect(try await f.ledger.outcomes.candidates(f.staff, asOf: asOf).isEmpty)
        // The same facts cannot be decided twice.
        #expect(
            await ledgerError {
                _ = try await f.ledger.outcomes.record(
                    f.facilitator, pathwayId: pathway, rule: .sustainedActivity, establishedOn: established,
                    decision: .accepted, asOf: asOf)
            }?.kind == .conflict)
        // New facts (corrected hours) are proposed again.
        _ = try await f.declare(a, "2025-12", worked: 120, replace: true, validate: true)
        #expect(try await f.ledger.outcomes.candidates(f.staff, asOf: asOf).first?.candidate.hours == 640)
        // A re-entry: the earlier pathway's decisions do not hide the new one's candidate.
        let first = try await f.firstPathway(yes)
        _ = try await f.ledger.pathways.exit(
            f.staff, id: first.id, .init(exitDate: ldate("2026-01-10"), exitKind: .employmentTempWork))
        // After the exit, the committee may still decide the facts established before it (3 months).
        let afterExit = try await f.ledger.outcomes.candidates(f.staff, asOf: ldate("2026-02-01"))
        #expect(afterExit.map(\.pathwayId) == [pathway] && afterExit.first?.candidate.hours == 640)
        _ = try await f.ledger.outcomes.record(
            f.facilitator, pathwayId: pathway, rule: .sustainedActivity, establishedOn: established,
            decision: .accepted, asOf: ldate("2026-02-01"))
        _ = try await f.ledger.pathways.open(
            f.staff, participantId: yes.id,
            .init(plieId: f.plieId, entryDate: ldate("2026-02-01"), referentUserId: f.referentId))
        let later = try await f.tempWork(
            yes, start: "2026-02-02", end: "2026-07-31",
            months: [
                "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07",
            ], hours: 110)
        let again = try await f.ledger.outcomes.candidates(f.staff, asOf: ldate("2026-08-10"))
        #expect(again.map(\.reference) == ["O-1"])
        #expect(again.first?.candidate.workIds == [later.code])
        #expect(again.first?.pathwayId != pathway)
        #expect(
            try await f.ledger.outcomes.decisions(f.referent, pathwayId: pathway).map(\.decision) == [
                .proposed, .refused, .accepted,
            ])
    }

    @Test("a référent proposes only on the pathways they hold, even for a person they follow elsewhere")
    func proposalsOnOwnPathways() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let other = try await f.plie("PLIE voisin test", profile: "istres-ouest-provence-2020")
        let p = try await f.participant(
            "P-1", referent: f.otherReferentId, pathwayEntry: "2025-06-01", criteria: [])
        _ = try await f.ledger.pathways.open(
            f.staff, participantId: p.id,
            .init(plieId: other, entryDate: ldate("2025-06-01"), referentUserId: f.referentId))
        _ = try await f.tempWork(
            p, start: "2025-07-01", end: "2025-12-31",
            months: ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"], hours: 104)
        let candidates = try await f.ledger.outcomes.candidates(f.referent, asOf: ldate("2026-01-05"))
        #expect(candidates.count == 2)
        let theirs = try #require(candidates.first { $0.referentUserId == f.otherReferentId })
        let mine = try #require(candidates.first { $0.referentUserId == f.referentId })
        #expect(
            await ledgerError {
                _ = try await f.ledger.outcomes.record(
                    f.referent, pathwayId: theirs.pathwayId, rule: .sustainedActivity,
                    establishedOn: ldate("2025-12-31"), decision: .proposed, asOf: ldate("2026-01-05"))
            }?.kind == .forbidden)
        _ = try await f.ledger.outcomes.record(
            f.referent, pathwayId: mine.pathwayId, rule: .sustainedActivity, establishedOn: ldate("2025-12-31"),
            decision: .proposed, asOf: ldate("2026-01-05"))
    }

    @Test("employment episodes outside clauses feed detection, with their monthly hours")
    func episodesFeedDetection() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let p = try await f.participant("W-1", pathwayEntry: "2025-12-01", criteria: [])
        _ = try await f.ledger.episodes.create(
            f.staff, participantId: p.id,
            .init(
                employerName: "Intérim Provence (démo)", contractType: .temporaryWork, startDate: ldate("2026-01-05"),
                endDate: ldate("2026-03-31"), weeklyHours: 35, source: "la personne",
                monthlyHours: firstHalf.prefix(3).map { .init(month: lmonth($0), hours: 104) }))
        _ = try await f.tempWork(
            p, start: "2026-04-01", end: "2026-06-30", months: Array(firstHalf.suffix(3)), hours: 104)
        let found = try await f.ledger.outcomes.candidates(f.staff, asOf: ldate("2026-07-01"))
        #expect(found.first?.candidate.hours == 624)
        #expect(found.first?.candidate.workIds.count == 2)
        // Aix counts temp work only, continuously: a CDD episode breaks nothing but adds nothing.
        let aix = try await f.plie("PLIE Aix test", profile: "pays-d-aix")
        let q = try await f.ledger.participants.create(
            f.staff,
            .init(
                reference: "W-2", lastName: "Noir", firstName: "Lina",
                pathway: .init(plieId: aix, entryDate: ldate("2025-12-01"))))
        _ = try await f.ledger.episodes.create(
            f.staff, participantId: q.id,
            .init(
                employerName: "Commerce (démo)", contractType: .cdd, startDate: ldate("2026-01-01"),
                endDate: ldate("2026-03-31"), weeklyHours: 35,
                monthlyHours: firstHalf.prefix(3).map { .init(month: lmonth($0), hours: 150) }))
        _ = try await f.tempWork(
            q, start: "2026-04-01", end: "2026-06-30", months: Array(firstHalf.suffix(3)), hours: 150)
        #expect(
            try await f.ledger.outcomes.candidates(f.staff, selection: .init(plieId: aix), asOf: ldate("2026-07-01"))
                .isEmpty)
        let unknown = await ledgerError {
            _ = try await f.ledger.episodes.create(
                f.staff, participantId: q.id,
                .init(
                    employerName: "Commerce (démo)", contractType: .cdd, startDate: ldate("2026-01-01"),
                    endDate: ldate("2026-03-31"), monthlyHours: [.init(month: lmonth("2026-05"), hours: 10)]))
        }
        #expect(unknown?.field == "monthlyHours")
    }

    @Test("the committee's monthly list: entries, pending extensions with the quota, exits, outcome candidates")
    func committeeList() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let entered = try await f.participant("C-1", referent: f.referentId, pathwayEntry: "2026-06-03", criteria: [])
        let leaving = try await f.participant(
            "C-2", first: "Léo", last: "Martin", referent: f.referentId, pathwayEntry: "2024-01-10", criteria: [])
        let leavingPathway = try await f.firstPathway(leaving)
        _ = try await f.ledger.pathways.requestExtension(
            f.referent, id: leavingPathway.id, .init(months: 6, reason: "Formation"))
        let worker = try await f.participant(
            "C-3", first: "Ana", last: "Roux", pathwayEntry: "2025-12-01", criteria: [])
        _ = try await f.tempWork(worker, start: "2026-01-05", end: "2026-06-30", months: firstHalf, hours: 104)
        let quitter = try await f.participant(
            "C-4", first: "Lou", last: "Vidal", pathwayEntry: "2025-01-01", criteria: [])
        _ = try await f.ledger.pathways.exit(
            f.staff, id: try await f.firstPathway(quitter).id,
            .init(exitDate: ldate("2026-06-20"), exitKind: .movedAway, exitReason: "Départ en Bretagne"))
        let list = try await f.ledger.committee.list(f.staff, plieId: f.plieId, month: lmonth("2026-06"))
        #expect(list.entries.map(\.person.reference) == ["C-1"])
        #expect(list.extensions.map(\.person.reference) == ["C-2"])
        #expect(list.extensions.first?.quota?.fileActive == 2)
        #expect(list.extensions.first?.lengthReachedOn == ldate("2025-07-10"))
        #expect(list.exits.map(\.person.reference) == ["C-4"])
        #expect(list.exits.first?.exitKind == .movedAway)
        #expect(list.candidates.map(\.reference) == ["C-3"])
        #expect(list.committee == "commission d'intégration et de suivi des parcours")
        let csv = list.csv
        #expect(csv.hasPrefix("\u{FEFF}rubrique;référence;personne;référent;date;détail\r\n"))
        #expect(csv.contains("sortie;C-4;Lou VIDAL;;20/06/2026;Déménagement : Départ en Bretagne\r\n"))
        // The référent's own list shows only the people they follow.
        let mine = try await f.ledger.committee.list(f.referent, plieId: f.plieId, month: lmonth("2026-06"))
        #expect(mine.entries.map(\.person.reference) == ["C-1"] && mine.exits.isEmpty && mine.candidates.isEmpty)
        _ = entered
        #expect(
            await ledgerError {
                _ = try await f.ledger.committee.list(f.buyer, plieId: f.plieId, month: lmonth("2026-06"))
            }?.kind == .forbidden)
    }
}

@Suite("Indicators against targets (DOMAIN §6)")
struct IndicatorDBTests {
    @Test("a year of a small PLIE: every figure traced to its facts, Aix's training cap, people behind a figure")
    func figures() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let aix = try await f.plie("PLIE Aix test", profile: "pays-d-aix")
        func person(
            _ ref: String, sex: String, birth: String, area: PriorityArea?, entry: String,
            exit: (String, ExitKind)? = nil,
            rsa: String? = nil
        ) async throws -> Participant {
            var p = try await f.ledger.participants.create(
                f.staff,
                .init(
                    reference: ref, lastName: "Nom\(ref)", firstName: "Prénom", birthDate: ldate(birth), sex: sex,
                    priorityArea: area,
                    pathway: .init(plieId: aix, entryDate: ldate(entry), referentUserId: f.referentId)))
            if let rsa {
                p = try await f.ledger.participants.addCriterion(
                    f.staff, participantId: p.id, .init(code: .RSA, proofDate: ldate(rsa)), today: ldate("2026-11-23"))
                p = try await f.ledger.participants.validateCriterion(
                    f.staff, participantId: p.id, criterionId: p.criteria[0].id)
            }
            if let (date, kind) = exit {
                _ = try await f.ledger.pathways.exit(
                    f.staff, id: try await f.firstPathway(p).id, .init(exitDate: ldate(date), exitKind: kind))
            }
            return p
        }
        // Accompanied in 2026: A–H (I left in 2025, J enters in 2027).
        _ = try await person(
            "A", sex: "F", birth: "1990-01-01", area: .qpv, entry: "2025-03-01", exit: ("2026-02-10", .employmentCDI),
            rsa: "2025-01-15")
        _ = try await person(
            "B", sex: "M", birth: "1970-05-01", area: .tva, entry: "2025-06-01",
            exit: ("2026-04-10", .employmentTempWork))
        _ = try await person(
            "C", sex: "F", birth: "1985-01-01", area: PriorityArea.none, entry: "2025-09-01",
            exit: ("2026-05-10", .qualifyingTraining), rsa: "2026-03-01")
        _ = try await person(
            "D", sex: "F", birth: "1980-01-01", area: .qpv, entry: "2026-01-15",
            exit: ("2026-09-30", .qualifyingTraining))
        _ = try await person(
            "E", sex: "M", birth: "1995-01-01", area: nil, entry: "2026-02-01", exit: ("2026-10-31", .droppedOut))
        _ = try await person("F", sex: "F", birth: "1976-06-01", area: .qpv, entry: "2026-03-01", rsa: "2025-10-01")
        let g = try await person(
            "G", sex: "M", birth: "2000-01-01", area: PriorityArea.none, entry: "2026-06-01", rsa: "2025-01-01")
        _ = try await person("H", sex: "F", birth: "1960-01-01", area: .qpv, entry: "2024-01-01")
        _ = try await person(
            "I", sex: "F", birth: "1990-01-01", area: .qpv, entry: "2024-01-01", exit: ("2025-12-31", .employmentCDI))
        _ = try await person("J", sex: "F", birth: "1990-01-01", area: .qpv, entry: "2027-01-04")
        // G: a subsidised-contract episode (an emploi de parcours) and validated clause hours.
        _ = try await f.ledger.episodes.create(
            f.staff, participantId: g.id,
            .init(
                employerName: "Mairie (démo)", contractType: .subsidised, startDate: ldate("2026-07-01"),
                weeklyHours: 20))
        let placement = try await f.placement(g, start: "2026-06-02", end: "2026-08-31")
        _ = try await f.declare(placement, "2026-06", worked: ldec("100.5"), validate: true)
        _ = try await f.declare(placement, "2026-07", worked: 60)

        let report = try await f.ledger.indicators.report(f.staff, profile: "pays-d-aix", period: .year(2026))
        func item(_ kind: IndicatorKind) -> Indicator? { report.items.first { $0.indicator == .kind(kind) } }
        #expect(item(.accompanied)?.numerator == 8)
        #expect(item(.entries)?.numerator == 4)
        #expect(item(.exits)?.numerator == 5)
        // E = 2, T = 2: counted training exits = min(2, ⌊0.08 × 4⌋) = 0.
        #expect(item(.positiveExitRate)?.numerator == 2 && item(.positiveExitRate)?.denominator == 5)
        #expect(item(.positiveExitRate)?.value == ldec("0.4") && item(.positiveExitRate)?.status == .notMet)
        #expect(item(.positiveExitRate)?.note?.contains("min(2 ; ⌊8 % × (2 + 2)⌋) = 0") == true)
        #expect(item(.positiveExitRateTraining)?.numerator == 0)
        // RSA at entry or during the pathway: A (valid at entry), C (during), F (valid at entry); not G
        // (proof older than 6 months at entry).
        #expect(item(.rsaShare)?.numerator == 3 && item(.rsaShare)?.value == ldec("0.375"))
        #expect(item(.rsaShare)?.target == ldec("0.6") && item(.rsaShare)?.status == .notMet)
        #expect(item(.qpvOrTVAShare)?.numerator == 5)
        #expect(item(.esfQPVShare)?.numerator == 4 && item(.esfQPVShare)?.status == .met)
        #expect(item(.womenShare)?.numerator == 5)
        // Seniors at 50 (Aix): B (55 at entry), H (64 at entry); F is 50 only after her entry.
        #expect(item(.seniorShare)?.numerator == 2)
        #expect(item(.pathwayJobs)?.numerator == 2)
        #expect(item(.caseloadPerReferent)?.value == 8)
        #expect(item(.clauseHours)?.numerator == ldec("100.5"))
        // A count target over the protocol is not judged over a year.
        #expect(item(.accompanied)?.target == nil && item(.accompanied)?.status == .noTarget)
        #expect(report.items.contains { $0.indicator == .exits(.droppedOut) && $0.numerator == 1 })
        // The people behind a figure.
        let rsa = try await f.ledger.indicators.people(
            f.staff, indicator: .kind(.rsaShare), profile: "pays-d-aix", period: .year(2026))
        #expect(rsa.map(\.reference) == ["A", "C", "F"])
        let exits = try await f.ledger.indicators.people(
            f.staff, indicator: .exits(.qualifyingTraining), profile: "pays-d-aix", period: .year(2026))
        #expect(exits.map(\.reference) == ["C", "D"])
        #expect(
            try await f.ledger.indicators.people(
                f.otherReferent, indicator: .kind(.accompanied), profile: "pays-d-aix", period: .year(2026)
            ).isEmpty)
        // CSV for spreadsheets.
        #expect(
            report.csv.contains(
                "\r\nrsa_share;Allocataires du RSA (à l'entrée ou pendant le parcours);3;8;0,375;0,6;protocole;Objectif non atteint\r\n"
            ))
        // Bad input.
        let period = await ledgerError {
            _ = try IndicatorPeriod.resolve(
                year: nil, from: ldate("2026-06-01"), to: ldate("2026-05-31"), today: ldate("2026-11-30"))
        }
        #expect(period?.field == "to")
        let profile = await ledgerError {
            _ = try await f.ledger.indicators.report(f.staff, profile: "ailleurs", period: .year(2026))
        }
        #expect(profile?.field == "profile")
        #expect(
            await ledgerError {
                _ = try await f.ledger.indicators.report(f.company, profile: "pays-d-aix", period: .year(2026))
            }?.kind == .forbidden)
    }
}

@Suite("Migration 0004: pathways out of participants")
struct PathwayMigrationTests {
    @Test("participants' pathway fields become pathways without loss; free text becomes codes")
    func migratesLegacyRows() async throws {
        let db = try await TestDatabase.createEmpty()
        defer { Task { await db.pool.shutdown() } }
        let logger = Logger(label: "test")
        _ = try await Migrator(pool: db.pool, migrations: Array(Migration.embedded.prefix(3)), logger: logger).migrate()
        let referent = try #require(
            try await db.pool.query(
                "INSERT INTO users (email, role, password_hash) VALUES ('ref@test.fr', 'referent', 'x') RETURNING id"
            ).scalar(UUID.self))
        _ = try await db.pool.query(
            """
            INSERT INTO participants (reference, last_name, first_name, qpv_resident, prescriber, qualification_level,
                                      referent_user_id, plie_entry_date, pathway_status, exit_date, exit_kind)
            VALUES ('L-1', 'Un', 'A', true, 'Pôle emploi', 'CAP', $1, '2024-02-01', 'exited', '2025-06-30', 'positive_employment'),
                   ('L-2', 'Deux', 'B', false, 'Mission Locale', 'Bac+2', NULL, '2025-01-10', 'active', NULL, NULL),
                   ('L-3', 'Trois', 'C', NULL, 'Association du quartier', 'inconnu', NULL, NULL, 'active', NULL, NULL),
                   ('L-4', 'Quatre', 'D', NULL, NULL, NULL, NULL, NULL, 'exited', '2025-03-31', 'moved_away')
            """, [referent])
        // L-4: a PLIE proof dated after the exit; L-1: a committee decision.
        _ = try await db.pool.query(
            """
            INSERT INTO eligibility_criteria (participant_id, code, proof_date)
            SELECT id, 'PLIE', '2025-06-01' FROM participants WHERE reference = 'L-4'
            """)
        _ = try await db.pool.query(
            """
            INSERT INTO outcome_decisions (participant_id, rule, established_on, decision, decided_by_label)
            SELECT id, 'qualifying_contract', '2025-01-31', 'accepted', 'comité' FROM participants WHERE reference = 'L-1'
            """)
        _ = try await Migrator(pool: db.pool, logger: logger).migrate()
        let rows = try await db.pool.query(
            """
            SELECT p.reference, p.priority_area, p.prescriber, p.qualification_level, pw.entry_date::text, pw.status,
                   pw.exit_kind, pw.referent_user_id, pl.profile
            FROM participants p LEFT JOIN pathways pw ON pw.participant_id = p.id LEFT JOIN plie pl ON pl.id = pw.plie_id
            ORDER BY p.reference
            """)
        #expect(rows.count == 4)
        #expect(
            try rows[0].decode(1, as: String?.self) == "qpv" && rows[0].decode(2, as: String?.self) == "france_travail")
        #expect(try rows[0].decode(3, as: String?.self) == "3" && rows[0].decode(4, as: String?.self) == "2024-02-01")
        #expect(try rows[0].decode(5, as: String?.self) == "exited")
        #expect(try rows[0].decode(6, as: String?.self) == "employment_unspecified")
        #expect(try rows[0].decode(7, as: UUID?.self) == referent)
        #expect(try rows[0].decode(8, as: String?.self) == "istres-ouest-provence-2020")
        #expect(
            try rows[1].decode(1, as: String?.self) == "none" && rows[1].decode(2, as: String?.self) == "mission_locale"
        )
        #expect(try rows[1].decode(3, as: String?.self) == "5" && rows[1].decode(5, as: String?.self) == "active")
        // Nothing said L-3 was in a pathway: none is invented; an unknown prescriber is "other".
        #expect(try rows[2].decode(4, as: String?.self) == nil && rows[2].decode(2, as: String?.self) == "other")
        #expect(try rows[2].decode(3, as: String?.self) == nil)
        // An entry is never after the exit.
        #expect(
            try rows[3].decode(4, as: String?.self) == "2025-03-31"
                && rows[3].decode(6, as: String?.self) == "moved_away")
        // The decision follows the person's pathway, with unrecorded facts.
        let decision = try await db.pool.query(
            """
            SELECT d.facts IS NULL, pw.participant_id = d.participant_id FROM outcome_decisions d JOIN pathways pw ON pw.id = d.pathway_id
            """)
        #expect(decision.count == 1)
        #expect(try decision[0].decode(0, as: Bool.self) && decision[0].decode(1, as: Bool.self))
    }
}
