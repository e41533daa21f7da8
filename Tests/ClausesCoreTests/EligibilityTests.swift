import Foundation
import Testing

@testable import ClausesCore

private func day(_ text: String) -> LocalDate { LocalDate(iso: text)! }

@Suite("Eligibility (DOMAIN §5)")
struct EligibilityTests {
    @Test func validatedRecentProofMakesEligible() {
        let verdict = eligibility(
            of: [CriterionProof(code: .RSA, proofDate: day("2026-03-01"), validated: true)],
            at: day("2026-05-01"), validityMonths: 6)
        #expect(verdict.eligible)
        #expect(verdict.criteria == [.RSA])
        #expect(verdict.validUntil == day("2026-09-01"))
    }

    @Test func unvalidatedProofDoesNotCount() {
        let verdict = eligibility(
            of: [CriterionProof(code: .RSA, proofDate: day("2026-03-01"), validated: false)],
            at: day("2026-05-01"), validityMonths: 6)
        #expect(!verdict.eligible)
        #expect(verdict.criteria.isEmpty)
        #expect(verdict.validUntil == nil)
    }

    @Test func noProofNotEligible() {
        let verdict = eligibility(of: [], at: day("2026-05-01"), validityMonths: 6)
        #expect(verdict == EligibilityVerdict(eligible: false, criteria: [], validUntil: nil))
        #expect(verdict.frenchSummary.hasPrefix("Non éligible"))
    }

    @Test func proofExactlyValidityMonthsOldIsValidOneDayOlderIsNot() {
        let at = day("2026-07-15")
        #expect(
            eligibility(
                of: [CriterionProof(code: .DELD, proofDate: day("2026-01-15"), validated: true)], at: at,
                validityMonths: 6
            ).eligible)
        #expect(
            !eligibility(
                of: [CriterionProof(code: .DELD, proofDate: day("2026-01-14"), validated: true)], at: at,
                validityMonths: 6
            ).eligible)
    }

    @Test func proofDatedAfterTheDateDoesNotCount() {
        let verdict = eligibility(
            of: [CriterionProof(code: .RQTH, proofDate: day("2026-05-02"), validated: true)],
            at: day("2026-05-01"), validityMonths: 6)
        #expect(!verdict.eligible)
    }

    @Test func proofOnTheDateCounts() {
        let verdict = eligibility(
            of: [CriterionProof(code: .RQTH, proofDate: day("2026-05-01"), validated: true)],
            at: day("2026-05-01"), validityMonths: 0)
        #expect(verdict.eligible)
        #expect(
            !eligibility(
                of: [CriterionProof(code: .RQTH, proofDate: day("2026-04-30"), validated: true)],
                at: day("2026-05-01"), validityMonths: 0
            ).eligible)
    }

    @Test func monthEndsClamp() {
        // 31 August minus 6 months is 28 February: a proof of 28 February is still valid, of the 27th not.
        let at = day("2026-08-31")
        #expect(
            eligibility(
                of: [CriterionProof(code: .AAH, proofDate: day("2026-02-28"), validated: true)], at: at,
                validityMonths: 6
            ).eligible)
        #expect(
            !eligibility(
                of: [CriterionProof(code: .AAH, proofDate: day("2026-02-27"), validated: true)], at: at,
                validityMonths: 6
            ).eligible)
        // So a proof of 28 February (non-leap year) is valid through 31 August.
        #expect(
            CriterionProof(code: .AAH, proofDate: day("2026-02-28"), validated: true).lastValidDay(validityMonths: 6)
                == day("2026-08-31"))
        #expect(
            CriterionProof(code: .AAH, proofDate: day("2026-02-27"), validated: true).lastValidDay(validityMonths: 6)
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
        let verdict = eligibility(of: proofs, at: at, validityMonths: 6)
        #expect(verdict.criteria == [.DELD, .PLIE, .RSA])
        #expect(verdict.validUntil == day("2026-12-01"))
        #expect(verdict.frenchSummary == "Éligible : DELD, PLIE, RSA")
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
