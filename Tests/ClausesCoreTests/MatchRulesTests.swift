import Foundation
import Testing

@testable import ClausesCore

private func day(_ text: String) -> LocalDate { LocalDate(iso: text)! }

/// Istres (13047) and Martigues (13056) centres as the communes file gives them, 19.6 km apart;
/// Aix-en-Provence (13001) 35 km from Istres.
private let istres = GeoPoint(latitude: 43.5455, longitude: 4.94763)
private let martigues = GeoPoint(latitude: 43.38391, longitude: 5.04508)
private let aix = GeoPoint(latitude: 43.53601, longitude: 5.38793)

@Suite("Matching: hard filters and the explained score (pure rules, DOMAIN §7)")
struct MatchRulesTests {
    let start = day("2027-01-04")
    let weights = MatchWeights()

    var need: NeedFacts {
        NeedFacts(
            romeCodes: ["F1703"], plannedStart: start, plannedEnd: day("2027-04-30"), weeklyHours: 35, worksite: istres)
    }

    /// An eligible person (open PLIE pathway since 2026-06-01) living in Istres, nothing else recorded.
    func person(_ reference: String = "P-1", _ change: (inout CandidateFacts) -> Void = { _ in }) -> CandidateFacts {
        var facts = CandidateFacts(
            participantId: UUID(), reference: reference,
            eligibility: EligibilityFacts(proofs: [], pathways: [PathwaySpan(entry: day("2026-06-01"))]),
            home: istres, openPathway: PathwayProgress(entry: day("2026-06-01")))
        change(&facts)
        return facts
    }

    func filters(_ facts: CandidateFacts, _ need: NeedFacts? = nil) -> [MatchExclusion.Filter] {
        MatchRules.exclusions(facts, need: need ?? self.need, on: start, validityMonths: 6).map(\.filter)
    }

    func part(_ kind: ScorePart.Kind, _ facts: CandidateFacts, _ need: NeedFacts? = nil) -> ScorePart {
        MatchRules.score(facts, need: need ?? self.need, on: start, weights: weights, validityMonths: 6).parts.first {
            $0.part == kind
        }!
    }

    @Test("the haversine distance between commune centres: Istres–Martigues ≈ 19.6 km, symmetric, 0 to itself")
    func haversine() {
        #expect(abs(istres.kilometres(to: martigues) - 19.6) < 0.1)
        #expect(istres.kilometres(to: martigues) == martigues.kilometres(to: istres))
        #expect(istres.kilometres(to: istres) == 0)
        #expect(MatchRules.kilometres(istres.kilometres(to: martigues)) == "19,6 km")
    }

    @Test("each filter excludes with its French reason; an eligible, free, near person passes")
    func everyFilter() {
        #expect(filters(person()).isEmpty)
        // Eligibility at the planned start: the pathway exited before it, no valid proof.
        let exited = person {
            $0.eligibility.pathways = [PathwaySpan(entry: day("2026-01-01"), exit: day("2026-12-31"))]
        }
        let reasons = MatchRules.exclusions(exited, need: need, on: start, validityMonths: 6)
        #expect(reasons.map(\.filter) == [.notEligible])
        #expect(reasons[0].reason.hasPrefix("Non éligible le 04/01/2027"))
        // Availability date not reached.
        #expect(filters(person { $0.availableFrom = day("2027-01-05") }) == [.notYetAvailable])
        #expect(filters(person { $0.availableFrom = start }).isEmpty)
        // A running full-time placement overlaps.
        let busy = person {
            $0.placements = [PlacementSpan(start: day("2026-10-01"), end: day("2027-02-28"), weeklyHours: 35)]
        }
        #expect(filters(busy) == [.overlappingPlacement])
        // Licence and vehicle, only when required.
        let noLicence = person { $0.drivingLicence = false }
        #expect(filters(noLicence).isEmpty)
        var driving = need
        driving.drivingLicenceRequired = true
        driving.vehicleRequired = true
        #expect(filters(noLicence, driving) == [.noDrivingLicence, .noVehicle])
        #expect(
            filters(
                person {
                    $0.drivingLicence = true
                    $0.vehicle = true
                }, driving
            ).isEmpty)
        // Already refused for this need.
        #expect(filters(person { $0.refusedForNeed = true }) == [.refused])
    }

    @Test(
        "part-time placements may overlap only when the need is part-time too; a need without weekly hours is full-time"
    )
    func partTimeOverlap() {
        let partTime = person { $0.placements = [PlacementSpan(start: day("2026-10-01"), end: nil, weeklyHours: 20)] }
        #expect(filters(partTime) == [.overlappingPlacement])
        var partTimeNeed = need
        partTimeNeed.weeklyHours = 17.5
        #expect(filters(partTime, partTimeNeed).isEmpty)
        partTimeNeed.weeklyHours = nil
        #expect(filters(partTime, partTimeNeed) == [.overlappingPlacement])
        // Ended before the need starts, or starting after it ends: no overlap.
        let before = person {
            $0.placements = [PlacementSpan(start: day("2026-01-01"), end: day("2027-01-03"), weeklyHours: 35)]
        }
        #expect(filters(before).isEmpty)
        let after = person { $0.placements = [PlacementSpan(start: day("2027-05-01"), end: nil, weeklyHours: 35)] }
        #expect(filters(after).isEmpty)
    }

    @Test("mobility: the unrounded distance against the stated range; unknown distance or range keeps the person")
    func mobility() {
        let km = istres.kilometres(to: martigues)
        #expect(
            filters(
                person {
                    $0.home = martigues
                    $0.maxTravelKm = 20
                }
            ).isEmpty)
        // 19.6 km rounds to 20 but is compared unrounded: a 19 km range excludes it.
        let far = MatchRules.exclusions(
            person {
                $0.home = martigues
                $0.maxTravelKm = 19
            }, need: need, on: start, validityMonths: 6)
        #expect(far.map(\.filter) == [.outOfRange])
        #expect(far[0].reason == "À 19,6 km du chantier, au-delà de sa mobilité (19 km)")
        #expect(km > 19 && km < 20)
        #expect(
            filters(
                person {
                    $0.home = aix
                    $0.maxTravelKm = nil
                }
            ).isEmpty)
        let unknownHome = person {
            $0.home = nil
            $0.maxTravelKm = 5
        }
        #expect(filters(unknownHome).isEmpty)
        let distance = part(.distance, unknownHome)
        #expect(distance.points == 0 && distance.detail.hasPrefix("Distance inconnue"))
        var noSite = need
        noSite.worksite = nil
        #expect(part(.distance, person(), noSite).detail.hasPrefix("Distance inconnue"))
    }

    @Test("trade fit: same code, same professional domain, same large domain, none")
    func trade() {
        #expect(part(.trade, person { $0.skills = ["F1703"] }).points == 30)
        #expect(part(.trade, person { $0.targetJobs = ["F1701"] }).points == 20)
        #expect(part(.trade, person { $0.skills = ["F1606"] }).points == 8)
        #expect(part(.trade, person { $0.skills = ["K2204"] }).points == 0)
        #expect(part(.trade, person()).detail == "Ni compétence ni métier visé enregistrés")
        // The best of several.
        let best = part(
            .trade,
            person {
                $0.skills = ["K2204", "F1606"]
                $0.targetJobs = ["F1703"]
            })
        #expect(best.points == 30 && best.detail.hasPrefix("Métier visé F1703"))
    }

    @Test("distance points fall linearly to none at the reference distance, rounded to 2 decimals")
    func distancePoints() {
        #expect(part(.distance, person()).points == 15)
        // 19.6 km of 30: 15 × (1 − 19.6…/30) ≈ 5.19.
        #expect(part(.distance, person { $0.home = martigues }).points == Decimal(string: "5.19"))
        #expect(part(.distance, person { $0.home = aix }).points == 0)
    }

    @Test("priority publics: PLIE pathway, RSA valid at the start, QPV only on ANRU operations")
    func priorityPublics() {
        #expect(part(.plie, person()).points == 20)
        let proofOnly = person {
            $0.eligibility = EligibilityFacts(proofs: [
                CriterionProof(code: .RSA, proofDate: day("2026-11-02"), validated: true)
            ])
        }
        #expect(part(.plie, proofOnly).points == 0)
        #expect(part(.rsa, proofOnly).points == 10)
        let oldRSA = person {
            $0.eligibility.proofs = [CriterionProof(code: .RSA, proofDate: day("2026-01-02"), validated: true)]
        }
        #expect(part(.rsa, oldRSA).points == 0)
        let resident = person { $0.priorityArea = .qpv }
        #expect(part(.qpv, resident).points == 0)
        #expect(part(.qpv, resident).detail.contains("hors ANRU"))
        var anru = need
        anru.anruOperation = true
        #expect(part(.qpv, resident, anru).points == 10)
        #expect(part(.qpv, person { $0.priorityArea = .tva }, anru).points == 0)
    }

    @Test("diversity goals count only when the buyer recorded them with a basis, which the part shows")
    func diversity() {
        let woman = person {
            $0.sex = "F"
            $0.eligibility.birthDate = day("1970-01-01")
        }
        #expect(part(.women, woman).points == 0)
        #expect(part(.seniors, woman).points == 0)
        var goals = need
        goals.diversityGoals = [.women, .seniors]
        #expect(part(.women, woman, goals).points == 0, "no basis, no points")
        goals.diversityBasis = "délibération du 14 mars 2026"
        #expect(part(.women, woman, goals).points == 5)
        #expect(part(.women, woman, goals).detail.contains("délibération du 14 mars 2026"))
        #expect(part(.seniors, woman, goals).points == 5)
        #expect(part(.women, person { $0.sex = "M" }, goals).points == 0)
        #expect(part(.seniors, person { $0.eligibility.birthDate = day("1980-01-01") }, goals).points == 0)
        #expect(part(.seniors, person(), goals).detail.hasPrefix("Âge inconnu"))
    }

    @Test("waiting since the last placement (or the pathway's entry), full at 12 months; none while placed")
    func waiting() {
        // Since the pathway's entry: 217 days of 365.
        let fresh = part(.waiting, person())
        #expect(fresh.points == French.round(Decimal(217) / 365 * 10, scale: 2))
        #expect(fresh.detail.hasPrefix("217 jours sans mise à l'emploi depuis l'entrée en parcours"))
        let ended = person {
            $0.placements = [PlacementSpan(start: day("2026-03-01"), end: day("2026-12-04"), weeklyHours: 35)]
        }
        #expect(part(.waiting, ended).points == French.round(Decimal(31) / 365 * 10, scale: 2))
        let longAgo = person {
            $0.placements = [PlacementSpan(start: day("2024-01-01"), end: day("2025-01-31"), weeklyHours: 35)]
        }
        #expect(part(.waiting, longAgo).points == 10)
        var partTimeNeed = need
        partTimeNeed.weeklyHours = 20
        let placed = person { $0.placements = [PlacementSpan(start: day("2026-10-01"), end: nil, weeklyHours: 15)] }
        #expect(part(.waiting, placed, partTimeNeed).points == 0)
    }

    @Test("pathway urgency grows over the last 6 months before the profile's length, full once reached")
    func urgency() {
        #expect(part(.urgency, person()).points == 0)
        let far = person { $0.openPathway?.lengthReachedOn = day("2027-12-01") }
        #expect(part(.urgency, far).points == 0)
        let reached = person { $0.openPathway?.lengthReachedOn = day("2027-01-01") }
        #expect(part(.urgency, reached).points == 10)
        // 2027-01-04 + 6 months = 2027-07-04: 181 days; 90 days left → 10 × (1 − 90/181).
        let near = person { $0.openPathway?.lengthReachedOn = day("2027-04-04") }
        #expect(part(.urgency, near).points == French.round(10 * (1 - Decimal(90) / 181), scale: 2))
    }

    @Test("the professional project validated by the référent, on or before the day judged")
    func project() {
        #expect(part(.project, person { $0.openPathway?.projectValidatedOn = day("2026-09-01") }).points == 5)
        #expect(part(.project, person { $0.openPathway?.projectValidatedOn = day("2027-02-01") }).points == 0)
        #expect(part(.project, person()).points == 0)
    }

    @Test("the parts, in a fixed order, each to 2 decimals, add up to the score")
    func partsAddUp() {
        let scored = MatchRules.score(
            person {
                $0.home = martigues
                $0.skills = ["F1701"]
            }, need: need, on: start, weights: weights,
            validityMonths: 6)
        #expect(scored.parts.map(\.part) == ScorePart.Kind.allCases)
        #expect(scored.parts.reduce(0) { $0 + $1.points } == scored.score)
        #expect(scored.parts.allSatisfy { French.round($0.points, scale: 2) == $0.points })
    }

    @Test("ranking: score, then distance (unknown last), then reference — the same order whatever the input order")
    func ranking() {
        func scored(_ reference: String, _ score: Decimal, _ km: Double?) -> ScoredCandidate {
            ScoredCandidate(participantId: UUID(), reference: reference, score: score, distanceKm: km)
        }
        let list = [
            scored("C", 50, nil), scored("A", 50, 3), scored("B", 50, 3), scored("D", 70, 20), scored("E", 50, 1),
        ]
        let expected = ["D", "E", "A", "B", "C"]
        #expect(MatchRules.ranked(list).map(\.reference) == expected)
        #expect(MatchRules.ranked(list.reversed()).map(\.reference) == expected)
    }

    @Test(
        "the bound, from the light facts alone, is never below the score: judging may stop once no bound reaches the list"
    )
    func boundAboveScore() {
        var generous = need
        generous.anruOperation = true
        generous.diversityGoals = [.women, .seniors]
        generous.diversityBasis = "délibération"
        let people = [
            person(),
            person {
                $0.skills = ["F1703"]
                $0.sex = "F"
                $0.priorityArea = .qpv
                $0.eligibility.birthDate = day("1960-02-01")
                $0.eligibility.proofs = [CriterionProof(code: .RSA, proofDate: day("2026-11-02"), validated: true)]
                $0.openPathway = PathwayProgress(
                    entry: day("2025-01-01"), lengthReachedOn: day("2026-12-31"), projectValidatedOn: day("2025-06-01"))
                $0.eligibility.pathways = [PathwaySpan(entry: day("2025-01-01"))]
            },
            person {
                $0.home = martigues
                $0.targetJobs = ["F1606"]
                $0.sex = "M"
            },
            person {
                $0.home = nil
                $0.skills = ["K2204"]
            },
        ]
        for need in [need, generous] {
            for full in people {
                // What the light pre-selection reads: no proofs, no placements; the open pathway.
                let light = CandidateFacts(
                    participantId: full.participantId, reference: full.reference,
                    eligibility: EligibilityFacts(
                        proofs: [], birthDate: full.eligibility.birthDate, pathways: full.eligibility.pathways),
                    sex: full.sex, home: full.home, skills: full.skills, targetJobs: full.targetJobs,
                    priorityArea: full.priorityArea, openPathway: full.openPathway)
                let score = MatchRules.score(full, need: need, on: start, weights: weights, validityMonths: 6).score
                let bound = MatchRules.bound(light, need: need, on: start, weights: .init(weights))
                #expect(bound >= NSDecimalNumber(decimal: score).doubleValue, "\(full.reference)")
                #expect(bound <= NSDecimalNumber(decimal: score).doubleValue + 31, "a bound, not a guess")
            }
        }
    }

    /// Code du travail L1132-1: the score reads nothing beyond these facts. Adding one (nationality, health,
    /// family…) must be a deliberate change of this list, reviewed against DOMAIN §7.
    @Test("fairness: the facts the filters and the score may read are exactly these")
    func pinnedInputs() {
        let labels = Mirror(reflecting: person()).children.compactMap(\.label)
        #expect(
            labels == [
                "participantId", "reference", "eligibility", "sex", "home", "maxTravelKm", "drivingLicence", "vehicle",
                "availableFrom", "skills", "targetJobs", "priorityArea", "placements", "openPathway", "refusedForNeed",
            ])
        #expect(
            Mirror(reflecting: EligibilityFacts(proofs: [])).children.compactMap(\.label) == [
                "proofs", "birthDate", "pathways",
            ])
        // Sex is read only under a recorded goal with its basis: two people who differ only by sex score the same
        // without one.
        let woman = MatchRules.score(
            person { $0.sex = "F" }, need: need, on: start, weights: weights, validityMonths: 6)
        let man = MatchRules.score(person { $0.sex = "M" }, need: need, on: start, weights: weights, validityMonths: 6)
        #expect(woman.score == man.score)
    }
}
