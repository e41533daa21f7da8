import Foundation
import Testing

@testable import ClausesCore

private func day(_ text: String) -> LocalDate { LocalDate(iso: text)! }
private func facts(_ proofs: [CriterionProof]) -> EligibilityFacts { EligibilityFacts(proofs: proofs) }

@Suite("Eligibility (DOMAIN §5)")
struct EligibilityTests {
    @Test func validatedRecentProofMakesEligible() {
        let verdict = eligibility(
            of: facts([CriterionProof(code: .RSA, proofDate: day("2026-03-01"), validated: true)]),
            at: day("2026-05-01"), validityMonths: 6)
        #expect(verdict.eligible)
        #expect(verdict.criteria == [.RSA])
        #expect(verdict.validUntil == day("2026-09-01"))
    }

    @Test func unvalidatedProofDoesNotCount() {
        let verdict = eligibility(
            of: facts([CriterionProof(code: .RSA, proofDate: day("2026-03-01"), validated: false)]),
            at: day("2026-05-01"), validityMonths: 6)
        #expect(!verdict.eligible)
        #expect(verdict.criteria.isEmpty)
        #expect(verdict.validUntil == nil)
    }

    @Test func noProofNotEligible() {
        let verdict = eligibility(
            of: facts([]), at: day("2026-05-01"), validityMonths: 6)
        #expect(verdict == EligibilityVerdict(eligible: false, criteria: [], validUntil: nil))
        #expect(verdict.frenchSummary.hasPrefix("Non éligible"))
    }

    @Test func proofExactlyValidityMonthsOldIsValidOneDayOlderIsNot() {
        let at = day("2026-07-15")
        #expect(
            eligibility(
                of: facts([CriterionProof(code: .DELD, proofDate: day("2026-01-15"), validated: true)]), at: at,
                validityMonths: 6
            ).eligible)
        #expect(
            !eligibility(
                of: facts([CriterionProof(code: .DELD, proofDate: day("2026-01-14"), validated: true)]), at: at,
                validityMonths: 6
            ).eligible)
    }

    @Test func proofDatedAfterTheDateDoesNotCount() {
        let verdict = eligibility(
            of: facts([CriterionProof(code: .RQTH, proofDate: day("2026-05-02"), validated: true)]),
            at: day("2026-05-01"), validityMonths: 6)
        #expect(!verdict.eligible)
    }

    @Test func proofOnTheDateCounts() {
        let verdict = eligibility(
            of: facts([CriterionProof(code: .RQTH, proofDate: day("2026-05-01"), validated: true)]),
            at: day("2026-05-01"), validityMonths: 0)
        #expect(verdict.eligible)
        #expect(
            !eligibility(
                of: facts([CriterionProof(code: .RQTH, proofDate: day("2026-04-30"), validated: true)]),
                at: day("2026-05-01"), validityMonths: 0
            ).eligible)
    }

    @Test func monthEndsClamp() {
        // 31 August minus 6 months is 28 February: a proof of 28 February is still valid, of the 27th not.
        let at = day("2026-08-31")
        #expect(
            eligibility(
                of: facts([CriterionProof(code: .AAH, proofDate: day("2026-02-28"), validated: true)]), at: at,
                validityMonths: 6
            ).eligible)
        #expect(
            !eligibility(
                of: facts([CriterionProof(code: .AAH, proofDate: day("2026-02-27"), validated: true)]), at: at,
                validityMonths: 6
            ).eligible)
        // So a proof of 28 February (non-leap year) is valid through 31 August.
        #expect(
            CriterionProof(code: .AAH, proofDate: day("2026-02-28"), validated: true).windowLastDay(validityMonths: 6)
                == day("2026-08-31"))
        #expect(
            CriterionProof(code: .AAH, proofDate: day("2026-02-27"), validated: true).windowLastDay(validityMonths: 6)
                == day("2026-08-27"))
    }

    @Test func criteriaSortedByCodeDeduplicatedAndOnlyValidOnes() {
        let at = day("2026-06-30")
        let proofs = [
            CriterionProof(code: .RSA, proofDate: day("2026-06-01"), validated: true),
            CriterionProof(code: .PLIE, proofDate: day("2026-05-01"), validated: true),
            CriterionProof(code: .DELD, proofDate: day("2026-04-01"), validated: true),
            CriterionProof(code: .RSA, proofDate: day("2025-01-01"), validated: true),
            CriterionProof(code: .SENIOR, proofDate: day("2025-01-01"), validated: true),
            CriterionProof(code: .YOUTH, proofDate: day("2026-06-01"), validated: false),
        ]
        // A PLIE proof is ignored: the criterion comes from an open pathway.
        let verdict = eligibility(of: facts(proofs), at: at, validityMonths: 6)
        #expect(verdict.criteria == [.DELD, .RSA])
        #expect(verdict.validUntil == day("2026-12-01"))
        #expect(verdict.frenchSummary == "Éligible : DELD, RSA")
        let withPathway = eligibility(
            of: EligibilityFacts(proofs: proofs, pathways: [PathwaySpan(entry: day("2025-01-10"))]), at: at,
            validityMonths: 6)
        #expect(withPathway.criteria == [.DELD, .PLIE, .RSA])
        // An open pathway has no foreseeable end.
        #expect(withPathway.validUntil == nil)
    }

    @Test func plieFromTheOpenPathwayWithoutProof() {
        let entry = day("2026-01-15")
        let open = EligibilityFacts(proofs: [], pathways: [PathwaySpan(entry: entry)])
        // Month 8 of an 18-month pathway: still eligible, no proof needed.
        #expect(eligibility(of: open, at: entry.adding(months: 8), validityMonths: 6).criteria == [.PLIE])
        #expect(!eligibility(of: open, at: day("2026-01-14"), validityMonths: 6).eligible)
        // An exited pathway counts through its exit date, not after.
        let exited = EligibilityFacts(proofs: [], pathways: [PathwaySpan(entry: entry, exit: day("2026-09-30"))])
        let last = eligibility(of: exited, at: day("2026-09-30"), validityMonths: 6)
        #expect(last.criteria == [.PLIE] && last.validUntil == day("2026-09-30"))
        #expect(!eligibility(of: exited, at: day("2026-10-01"), validityMonths: 6).eligible)
        // A re-entry opens it again.
        let reentered = EligibilityFacts(
            proofs: [],
            pathways: [PathwaySpan(entry: entry, exit: day("2026-09-30")), PathwaySpan(entry: day("2027-02-01"))])
        #expect(!eligibility(of: reentered, at: day("2026-12-01"), validityMonths: 6).eligible)
        #expect(eligibility(of: reentered, at: day("2027-02-01"), validityMonths: 6).eligible)
    }

    @Test func rqthAndPassIAEFollowTheirEndDate() {
        let rqth = CriterionProof(
            code: .RQTH, proofDate: day("2024-03-01"), validated: true, validUntil: day("2029-02-28"))
        let verdict = eligibility(of: facts([rqth]), at: day("2026-11-30"), validityMonths: 6)
        #expect(verdict.criteria == [.RQTH] && verdict.validUntil == day("2029-02-28"))
        #expect(!eligibility(of: facts([rqth]), at: day("2029-03-01"), validityMonths: 6).eligible)
        let pass = CriterionProof(
            code: .SIAE, proofDate: day("2026-01-10"), validated: true, validUntil: day("2028-01-09"))
        #expect(eligibility(of: facts([pass]), at: day("2027-12-31"), validityMonths: 6).criteria == [.SIAE])
        // Without an end date, the window applies.
        let bare = CriterionProof(code: .SIAE, proofDate: day("2026-01-10"), validated: true)
        #expect(!eligibility(of: facts([bare]), at: day("2027-12-31"), validityMonths: 6).eligible)
    }

    @Test func youthUntilTwentySixAndSeniorFromFifty() {
        let youth = CriterionProof(code: .YOUTH, proofDate: day("2025-01-10"), validated: true)
        let young = EligibilityFacts(proofs: [youth], birthDate: day("2001-05-20"))
        // Past the window, but under 26: still valid, until the day before the 26th birthday.
        let verdict = eligibility(of: young, at: day("2026-11-30"), validityMonths: 6)
        #expect(verdict.criteria == [.YOUTH] && verdict.validUntil == day("2027-05-19"))
        #expect(!eligibility(of: young, at: day("2027-05-20"), validityMonths: 6).eligible)
        // Unknown birth date: the window.
        #expect(!eligibility(of: facts([youth]), at: day("2026-11-30"), validityMonths: 6).eligible)
        let senior = CriterionProof(code: .SENIOR, proofDate: day("2026-10-01"), validated: true)
        #expect(
            !eligibility(
                of: EligibilityFacts(proofs: [senior], birthDate: day("1977-01-01")), at: day("2026-11-30"),
                validityMonths: 6
            )
            .eligible)
        #expect(
            eligibility(
                of: EligibilityFacts(proofs: [senior], birthDate: day("1976-11-30")), at: day("2026-11-30"),
                validityMonths: 6
            )
            .criteria == [.SENIOR])
    }

    @Test func criterionCodesAndLabels() {
        #expect(
            EligibilityCriterionCode.allCases.map(\.rawValue) == [
                "DELD", "DETLD", "RSA", "ASS", "AAH", "AI", "INVALIDITY", "RQTH", "YOUTH", "SENIOR", "SIAE",
                "E2C_EPIDE", "PLIE", "REASONED_OPINION",
            ])
        #expect(EligibilityCriterionCode.allCases.allSatisfy { !$0.frenchLabel.isEmpty })
        #expect(EligibilityCriterionCode(rawValue: "REASONED_OPINION") == .REASONED_OPINION)
    }
}
