import ClausesTestSupport
import Foundation
import Testing

@testable import ClausesCore

private func day(_ text: String) -> LocalDate { LocalDate(iso: text)! }
private func dec(_ text: String) -> Decimal { Decimal(string: text)! }

/// A 600 h lot executed 2026-03-01 → 2026-08-31 (184 days), tolerance 10 %.
private func balance(credited: Decimal, at: String, required: Decimal = 600, end: String = "2026-08-31") -> Balance {
    computeBalance(
        BalanceInput(
            requiredHours: required, workedHours: credited, trainingHours: 0, creditedHours: credited,
            executionStart: day("2026-03-01"), executionEnd: day(end), at: day(at), tolerance: dec("0.10")))
}

private func settings(_ rule: AlertRule) -> AlertRuleSettings { rule.defaultSettings }

/// Each rule on its boundaries (DOMAIN §9, `acceptance/alerts.md`).
@Suite("Alert rules")
struct AlertRulesTests {
    @Test func lotBehindComparesWithTheUnroundedThreshold() {
        // 2026-06-01: expected 303.24, threshold 272.916 (unrounded).
        let below = balance(credited: dec("272.91"), at: "2026-06-01")
        let finding = AlertRules.lotBehind(below, tolerance: dec("0.10"), settings(.lotBehind))
        #expect(finding?.figures.first { $0.name == "thresholdHours" }?.value == "272.92")
        #expect(finding?.figures.first { $0.name == "shortfallHours" }?.value == "30.33")
        // 272.92 is above 272.916: on track, although the rounded threshold shows 272.92.
        #expect(
            AlertRules.lotBehind(
                balance(credited: dec("272.92"), at: "2026-06-01"), tolerance: dec("0.10"), settings(.lotBehind)) == nil
        )
    }

    @Test func lotBehindExactlyAtTheToleranceIsOnTrack() {
        // 2026-05-31: expected 300.00, threshold exactly 270.00.
        #expect(
            AlertRules.lotBehind(balance(credited: 270, at: "2026-05-31"), tolerance: dec("0.10"), settings(.lotBehind))
                == nil)
        #expect(
            AlertRules.lotBehind(
                balance(credited: dec("269.99"), at: "2026-05-31"), tolerance: dec("0.10"), settings(.lotBehind)) != nil
        )
    }

    @Test func lotBehindEscalatesAtItsShortfallShare() {
        // Expected 300: a shortfall of 75 (25 %) is critical, 74.99 a warning.
        let rule = settings(.lotBehind)
        #expect(
            AlertRules.lotBehind(balance(credited: 225, at: "2026-05-31"), tolerance: dec("0.10"), rule)?.severity
                == .critical)
        #expect(
            AlertRules.lotBehind(balance(credited: dec("225.01"), at: "2026-05-31"), tolerance: dec("0.10"), rule)?
                .severity == .warning)
    }

    @Test func lotBehindStopsTheDayAfterTheEndWhereNonComplianceTakesOver() {
        let lastDay = balance(credited: 100, at: "2026-08-31")
        #expect(AlertRules.lotBehind(lastDay, tolerance: dec("0.10"), settings(.lotBehind)) != nil)
        #expect(AlertRules.lotNonCompliant(lastDay, penaltyPerMissingHour: nil, settings(.lotNonCompliant)) == nil)
        let after = balance(credited: 100, at: "2026-09-01")
        #expect(AlertRules.lotBehind(after, tolerance: dec("0.10"), settings(.lotBehind)) == nil)
        let ended = AlertRules.lotNonCompliant(after, penaltyPerMissingHour: nil, settings(.lotNonCompliant))
        #expect(ended?.figures.map(\.name) == ["executionEnd", "requiredHours", "creditedHours", "missingHours"])
        #expect(ended?.summary == "Exécution terminée le 31/08/2026 : 500 h manquantes sur 600 h.")
    }

    @Test func lotEndingSoonCountsDaysInclusively() {
        let rule = settings(.lotEndingSoon)
        #expect(AlertRules.lotEndingSoon(balance(credited: 550, at: "2026-07-31"), at: day("2026-07-31"), rule) == nil)
        let thirty = AlertRules.lotEndingSoon(balance(credited: 550, at: "2026-08-01"), at: day("2026-08-01"), rule)
        #expect(thirty?.figures.first { $0.name == "daysLeft" }?.value == "30")
        #expect(thirty?.severity == .warning)
        // Seven days left: escalated; the last day still counts (0 days left).
        #expect(
            AlertRules.lotEndingSoon(balance(credited: 550, at: "2026-08-24"), at: day("2026-08-24"), rule)?.severity
                == .critical)
        #expect(AlertRules.lotEndingSoon(balance(credited: 550, at: "2026-08-31"), at: day("2026-08-31"), rule) != nil)
        #expect(AlertRules.lotEndingSoon(balance(credited: 600, at: "2026-08-31"), at: day("2026-08-31"), rule) == nil)
    }

    @Test func nonCompliancePenaltyIsMissingHoursTimesTheRate() {
        let ended = AlertRules.lotNonCompliant(
            balance(credited: dec("579.5"), at: "2026-09-01"), penaltyPerMissingHour: dec("40"),
            settings(.lotNonCompliant))
        #expect(ended?.figures.first { $0.name == "penalty" }?.value == "820.00")
        #expect(ended?.severity == .critical)
    }

    @Test func lotWithoutPlacementAfterNDays() {
        let rule = settings(.lotWithoutPlacement)
        let check = { (at: String, placements: Int) in
            AlertRules.lotWithoutPlacement(
                start: day("2026-03-01"), end: day("2026-08-31"), placements: placements, at: day(at), rule)
        }
        #expect(check("2026-03-30", 0) == nil)
        #expect(check("2026-03-31", 0)?.severity == .warning)
        #expect(check("2026-05-30", 0)?.severity == .critical)
        #expect(check("2026-03-31", 1) == nil)
        #expect(check("2026-09-01", 0) == nil)
    }

    @Test func missingReportDayDAndDPlusOne() {
        let rule = settings(.missingHourReport)
        let check = { (at: String) in
            AlertRules.missingHourReports(
                start: day("2026-03-01"), end: day("2026-03-31"), reported: [], at: day(at), rule)
        }
        #expect(check("2026-04-10").isEmpty)
        #expect(check("2026-04-11").map(\.month) == [YearMonth(year: 2026, month: 3)!])
        #expect(check("2026-04-11").first?.finding.figures.first { $0.name == "dueOn" }?.value == "2026-04-10")
        // Three months later it escalates; beyond the look-back it is no longer looked for.
        #expect(check("2026-06-11").first?.finding.severity == .critical)
        #expect(check("2026-10-01").isEmpty)
        // A reported month is not missing; an open-ended placement is followed up to the last month due.
        #expect(
            AlertRules.missingHourReports(
                start: day("2026-03-15"), end: nil, reported: [YearMonth(year: 2026, month: 3)!], at: day("2026-06-11"),
                rule
            ).map(\.month.description) == ["2026-04", "2026-05"])
    }

    @Test func eligibilityExpiringOnItsLastDayAndNotAfter() {
        let rule = settings(.proofExpiring)
        let verdict = EligibilityVerdict(eligible: true, criteria: [.RSA], validUntil: day("2026-07-10"))
        let check = { (at: String, start: String) in
            AlertRules.proofExpiring(
                verdict, placementCode: "MEP-2026-00001", placementStart: day(start), at: day(at), rule)
        }
        #expect(check("2026-06-09", "2026-08-01") == nil)
        #expect(check("2026-06-10", "2026-08-01")?.severity == .warning)
        #expect(check("2026-07-03", "2026-08-01")?.severity == .critical)
        #expect(check("2026-07-10", "2026-08-01") != nil)
        #expect(check("2026-07-11", "2026-08-01") == nil)
        // A placement starting on or before the last valid day is covered.
        #expect(check("2026-07-01", "2026-07-10") == nil)
    }

    @Test func pathwayMilestones() {
        let istres = PLIEProfile.istresOuestProvence2020
        let length = PathwayMilestones.of(
            profile: istres, entry: day("2025-01-01"), extensionMonths: 0, reviews: [], exited: false)
        let rule = settings(.pathwayLengthReached)
        #expect(AlertRules.pathwayLengthReached(length, extensionPending: false, at: day("2026-05-31"), rule) == nil)
        #expect(
            AlertRules.pathwayLengthReached(length, extensionPending: false, at: day("2026-06-01"), rule)?.severity
                == .warning)
        #expect(
            AlertRules.pathwayLengthReached(length, extensionPending: false, at: day("2026-07-01"), rule)?.severity
                == .critical)
        #expect(AlertRules.pathwayLengthReached(length, extensionPending: true, at: day("2026-07-01"), rule) == nil)

        let nordOuest = PLIEProfile.nordOuest91
        let reviews = PathwayMilestones.of(
            profile: nordOuest, entry: day("2023-01-01"), extensionMonths: 0, reviews: [], exited: false)
        // First review due 2023-07-01: 15 days ahead is information, overdue a warning.
        #expect(AlertRules.pathwayReviewDue(reviews, at: day("2023-06-15"), settings(.pathwayReviewDue)) == nil)
        #expect(
            AlertRules.pathwayReviewDue(reviews, at: day("2023-06-16"), settings(.pathwayReviewDue))?.severity == .info)
        #expect(
            AlertRules.pathwayReviewDue(reviews, at: day("2023-07-02"), settings(.pathwayReviewDue))?.severity
                == .warning)
        // 36 months: 2026-01-01.
        #expect(
            AlertRules.pathwayReorientation(reviews, months: 36, at: day("2025-12-31"), settings(.pathwayReorientation))
                == nil)
        #expect(
            AlertRules.pathwayReorientation(reviews, months: 36, at: day("2026-01-01"), settings(.pathwayReorientation))
                != nil)
    }

    @Test func quotaAboveNotAt() {
        let rule = settings(.extensionQuotaExceeded)
        // 15 % of 40 = 6.
        #expect(
            AlertRules.extensionQuotaExceeded(ExtensionQuota(fileActive: 40, share: dec("0.15"), extended: 6), rule)
                == nil)
        let above = AlertRules.extensionQuotaExceeded(
            ExtensionQuota(fileActive: 40, share: dec("0.15"), extended: 7), rule)
        #expect(above?.figures.first { $0.name == "quota" }?.value == "6")
    }

    @Test func frenchPublicHolidays() {
        #expect(FrenchHolidays.easterSunday(year: 2026) == day("2026-04-05"))
        #expect(FrenchHolidays.easterSunday(year: 2027) == day("2027-03-28"))
        #expect(FrenchHolidays.easterSunday(year: 2019) == day("2019-04-21"))
        #expect(FrenchHolidays.name(of: day("2026-07-14")) == "fête nationale")
        #expect(FrenchHolidays.name(of: day("2026-04-06")) == "lundi de Pâques")
        #expect(FrenchHolidays.name(of: day("2026-05-14")) == "Ascension")
        #expect(FrenchHolidays.name(of: day("2026-05-25")) == "lundi de Pentecôte")
        #expect(FrenchHolidays.name(of: day("2026-07-13")) == nil)
        let year2026 = (0..<365).map { day("2026-01-01").adding(days: $0) }.filter {
            FrenchHolidays.name(of: $0) != nil
        }
        #expect(year2026.count == 11)
        #expect(day("2026-12-01").isoWeekday == 2)
        #expect(day("2026-12-06").weekStart == day("2026-11-30"))
    }

    @Test func digestRendersAsTheGoldenFile() throws {
        let mail = AlertMail(baseURL: "https://clauses.example.fr/", teamAddress: "")
        let item = { (severity: AlertSeverity, rule: AlertRule, label: String, summary: String, path: String) in
            DigestItem(
                severity: severity, rule: rule, subjectLabel: label, summary: summary, openedOn: day("2026-11-27"),
                url: mail.url(path), acknowledged: false)
        }
        var digest = Digest(
            recipient: "claire.martin@plie.example.fr", date: day("2026-11-30"), since: day("2026-11-27"),
            new: [
                item(
                    .critical, .lotNonCompliant, "MET-2025-014 · lot 2 — Gros œuvre",
                    "Exécution terminée le 31/10/2026 : 120 h manquantes sur 1 400 h. Pénalité prévue : 4 800,00 € (40,00 € par heure manquante).",
                    "/lots/1"),
                item(
                    .warning, .missingHourReport, "MEP-2026-00012 — octobre 2026",
                    "Aucun relevé d'heures pour octobre 2026 (attendu au plus tard le 10/11/2026).",
                    "/lots/2/heures?mois=2026-10"),
            ],
            worsened: [
                item(
                    .critical, .lotBehind, "MET-2026-003 · lot 1 — Voirie <& réseaux>",
                    "250 h valorisées pour 400 h attendues (50 % de la période écoulée, seuil 360 h) : 150 h de retard.",
                    "/lots/3")
            ],
            stillOpen: [], alertsURL: mail.url("/alertes"))
        digest.stillOpen = [
            item(
                .info, .pathwayReviewDue, "Parcours de P-0042 (PLIE Nord-Ouest)",
                "Point d'étape à faire d'ici le 10/12/2026.", "/participants/4")
        ]
        digest.stillOpen[0].acknowledged = true
        digest.snoozed = 2
        let rendered = mail.render(digest)
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        // CLAUSES_UPDATE_GOLDEN=1 rewrites the files (then read the diff before committing it).
        if ProcessInfo.processInfo.environment["CLAUSES_UPDATE_GOLDEN"] == "1" {
            try "Subject: \(rendered.subject)\n\n\(rendered.text)\n".write(
                to: fixtures.appendingPathComponent("digest.txt"), atomically: true, encoding: .utf8)
            try ((rendered.html ?? "") + "\n").write(
                to: fixtures.appendingPathComponent("digest.html"), atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: fixtures.appendingPathComponent("digest.txt"), encoding: .utf8)
        let html = try String(contentsOf: fixtures.appendingPathComponent("digest.html"), encoding: .utf8)
        #expect("Subject: \(rendered.subject)\n\n\(rendered.text)\n" == golden)
        #expect((rendered.html ?? "") + "\n" == html)
        #expect(rendered.kind == .digest && rendered.to == ["claire.martin@plie.example.fr"])
    }
}
