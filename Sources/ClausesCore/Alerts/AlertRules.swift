import Foundation

/// The alert rules of DOMAIN §9 as pure functions over facts: each says whether its condition holds on
/// the scan's date, with which severity, figures and French sentence. A rule that returns nil has cleared
/// (its open alert closes). Dates are inclusive: "within N days" of `at` means `at ≤ date ≤ at + N`.
public enum AlertRules {
    /// **Lot behind schedule** (DOMAIN §4, §9): the balance's own status, so the comparison is the
    /// balances' (credited < expected × (1 − tolerance), unrounded; exactly at the threshold is on track).
    /// Only a lot under execution can be behind: once it ends, `lotNonCompliant` takes over.
    /// Escalates when the shortfall reaches `escalate_shortfall_share` of the expected hours.
    public static func lotBehind(_ balance: Balance, tolerance: Decimal, _ settings: AlertRuleSettings)
        -> AlertFinding?
    {
        guard balance.status == .behind, let expected = balance.expectedHours, let progress = balance.progress
        else { return nil }
        let threshold = expected * (1 - tolerance)
        let share = expected > 0 ? balance.shortfallHours / expected : 0
        let escalated = share >= settings.decimal(.escalateShortfallShare)
        return AlertFinding(
            rule: .lotBehind, severity: settings.severity(escalated: escalated),
            figures: [
                .decimal("progress", progress, scale: 4), .decimal("requiredHours", balance.requiredHours),
                .decimal("expectedHours", expected), .decimal("thresholdHours", threshold),
                .decimal("creditedHours", balance.creditedHours), .decimal("shortfallHours", balance.shortfallHours),
            ],
            summary:
                "\(French.hours(balance.creditedHours, .text)) valorisées pour \(French.hours(expected, .text)) attendues (\(French.percent(progress, .text)) de la période écoulée, seuil \(French.hours(French.round(threshold, scale: 2), .text))) : \(French.hours(balance.shortfallHours, .text)) de retard."
        )
    }

    /// **Lot ending soon with hours remaining**: the execution end `e` satisfies `at ≤ e ≤ at + days` and
    /// credited < required. Escalates when `e − at ≤ escalate_days`.
    public static func lotEndingSoon(_ balance: Balance, at: LocalDate, _ settings: AlertRuleSettings)
        -> AlertFinding?
    {
        guard let end = balance.executionEnd, at <= end, end <= at.adding(days: settings.int(.days)),
            balance.remainingHours > 0
        else { return nil }
        let daysLeft = at.days(until: end)
        return AlertFinding(
            rule: .lotEndingSoon, severity: settings.severity(escalated: daysLeft <= settings.int(.escalateDays)),
            figures: [
                .date("executionEnd", end), .integer("daysLeft", daysLeft),
                .decimal("requiredHours", balance.requiredHours), .decimal("creditedHours", balance.creditedHours),
                .decimal("remainingHours", balance.remainingHours),
            ],
            summary:
                "Fin d'exécution le \(end.french) (dans \(French.count(daysLeft, "jour", "jours", .text))) : \(French.hours(balance.remainingHours, .text)) restent à réaliser sur \(French.hours(balance.requiredHours, .text))."
        )
    }

    /// **Lot ended non-compliant**: the balance's status after the execution end, with the penalty when
    /// the clause sets one per missing hour (missing hours × penalty, 2 decimals).
    public static func lotNonCompliant(
        _ balance: Balance, penaltyPerMissingHour: Decimal?, _ settings: AlertRuleSettings
    ) -> AlertFinding? {
        guard balance.status == .nonCompliant, let end = balance.executionEnd else { return nil }
        let missing = balance.remainingHours
        var figures: [AlertFigure] = [
            .date("executionEnd", end), .decimal("requiredHours", balance.requiredHours),
            .decimal("creditedHours", balance.creditedHours), .decimal("missingHours", missing),
        ]
        var summary =
            "Exécution terminée le \(end.french) : \(French.hours(missing, .text)) manquantes sur \(French.hours(balance.requiredHours, .text))."
        if let rate = penaltyPerMissingHour, rate > 0 {
            let penalty = French.round(missing * rate, scale: 2)
            figures += [.decimal("penaltyPerMissingHour", rate), .decimal("penalty", penalty)]
            summary +=
                " Pénalité prévue : \(French.euros(penalty, .text, cents: true)) (\(French.euros(rate, .text, cents: true)) par heure manquante)."
        }
        return AlertFinding(rule: .lotNonCompliant, severity: settings.severity, figures: figures, summary: summary)
    }

    /// **Lot without any placement** `days` days after its execution start, while it is under execution.
    /// Escalates `escalate_days` days after the start.
    public static func lotWithoutPlacement(
        start: LocalDate?, end: LocalDate?, placements: Int, at: LocalDate, _ settings: AlertRuleSettings
    ) -> AlertFinding? {
        guard placements == 0, let start, end.map({ at <= $0 }) ?? true else { return nil }
        let elapsed = start.days(until: at)
        guard elapsed >= settings.int(.days) else { return nil }
        return AlertFinding(
            rule: .lotWithoutPlacement, severity: settings.severity(escalated: elapsed >= settings.int(.escalateDays)),
            figures: [.date("executionStart", start), .integer("daysSinceStart", elapsed)],
            summary:
                "Aucune mise à l'emploi \(French.count(elapsed, "jour", "jours", .text)) après le début d'exécution (\(start.french))."
        )
    }

    /// **Missing monthly hour reports** of a placement: each month `m` the placement overlaps, within
    /// the last `lookback_months` months, whose report was due by day `report_day` of the next month and
    /// is still missing on `at` (`at` after that day). A current report that is declared or validated
    /// clears it (validation is the review queue's work); a rejected one does not. Escalates when `m` is at
    /// least `escalate_months` before the month of `at`. One finding per month, the month as its key.
    public static func missingHourReports(
        start: LocalDate, end: LocalDate?, reported: Set<YearMonth>, at: LocalDate, _ settings: AlertRuleSettings
    ) -> [(month: YearMonth, finding: AlertFinding)] {
        guard let window = reportWindow(at: at, settings) else { return [] }
        let current = at.yearMonth
        let first = max(start.yearMonth, window.first)
        let last = min(end?.yearMonth ?? window.last, window.last)
        return first.through(last).compactMap { month in
            guard !reported.contains(month) else { return nil }
            let deadline = month.adding(months: 1).firstDay.adding(days: settings.int(.reportDay) - 1)
            let late = month.adding(months: settings.int(.escalateMonths)) <= current
            return (
                month,
                AlertFinding(
                    rule: .missingHourReport, severity: settings.severity(escalated: late),
                    figures: [.init("month", month.description), .date("dueOn", deadline)],
                    summary:
                        "Aucun relevé d'heures pour \(French.month(month)) (attendu au plus tard le \(deadline.french))."
                )
            )
        }
    }

    /// The months whose reports the scan looks for on `at`: from `lookback_months` before the month of
    /// `at` to the latest month whose deadline (day `report_day` of the next month) has passed; nil when
    /// none has.
    public static func reportWindow(at: LocalDate, _ settings: AlertRuleSettings) -> (
        first: YearMonth, last: YearMonth
    )? {
        let current = at.yearMonth
        let last = at.day > settings.int(.reportDay) ? current.adding(months: -1) : current.adding(months: -2)
        let first = current.adding(months: -settings.int(.lookbackMonths))
        return first <= last ? (first, last) : nil
    }

    /// **Eligibility expiring** within `days` days while the person has a placement planned to start after
    /// it: the last day any of their criteria is valid (`EligibilityVerdict.validUntil`, judged on `at`)
    /// satisfies `at ≤ validUntil ≤ at + days`, and the placement starts after it. Escalates when
    /// `escalate_days` or fewer are left.
    public static func proofExpiring(
        _ verdict: EligibilityVerdict, placementCode: String, placementStart: LocalDate, at: LocalDate,
        _ settings: AlertRuleSettings
    ) -> AlertFinding? {
        guard verdict.eligible, let validUntil = verdict.validUntil, at <= validUntil,
            validUntil <= at.adding(days: settings.int(.days)), placementStart > validUntil
        else { return nil }
        let criteria = verdict.criteria.map(\.rawValue).joined(separator: ", ")
        let daysLeft = at.days(until: validUntil)
        return AlertFinding(
            rule: .proofExpiring, severity: settings.severity(escalated: daysLeft <= settings.int(.escalateDays)),
            figures: [
                .init("criteria", criteria), .date("validUntil", validUntil), .integer("daysLeft", daysLeft),
                .init("placementCode", placementCode), .date("placementStart", placementStart),
            ],
            summary:
                "Éligibilité (\(criteria)) valable jusqu'au \(validUntil.french) (dans \(French.count(daysLeft, "jour", "jours", .text))), avant le début de la mise à l'emploi \(placementCode) le \(placementStart.french)."
        )
    }

    /// **Point d'étape due** (profiles with scheduled reviews): the next review is due within `days` days
    /// or overdue; escalates once overdue.
    public static func pathwayReviewDue(_ milestones: PathwayMilestones, at: LocalDate, _ settings: AlertRuleSettings)
        -> AlertFinding?
    {
        guard let due = milestones.nextReviewDue, due <= at.adding(days: settings.int(.days)) else { return nil }
        let overdue = due < at
        return AlertFinding(
            rule: .pathwayReviewDue, severity: settings.severity(escalated: overdue),
            figures: [.date("dueOn", due), .integer("daysLeft", at.days(until: due))],
            summary: overdue
                ? "Point d'étape en retard : prévu le \(due.french)." : "Point d'étape à faire d'ici le \(due.french).")
    }

    /// **Planned length reached** (entry + the profile's length + accepted extensions) within `days` days
    /// or passed, while the pathway is open and no extension request awaits the committee; escalates once
    /// reached.
    public static func pathwayLengthReached(
        _ milestones: PathwayMilestones, extensionPending: Bool, at: LocalDate, _ settings: AlertRuleSettings
    ) -> AlertFinding? {
        guard let reached = milestones.lengthReachedOn, !extensionPending,
            reached <= at.adding(days: settings.int(.days))
        else { return nil }
        let passed = reached <= at
        return AlertFinding(
            rule: .pathwayLengthReached, severity: settings.severity(escalated: passed),
            figures: [.date("lengthReachedOn", reached), .integer("daysLeft", at.days(until: reached))],
            summary: passed
                ? "Durée prévue du parcours atteinte le \(reached.french), sans prolongation demandée ni sortie."
                : "Durée prévue du parcours atteinte le \(reached.french) : prolongation à demander ou sortie à préparer."
        )
    }

    /// **Reorientation step reached** (Nord-Ouest 91: 36 months in the pathway).
    public static func pathwayReorientation(
        _ milestones: PathwayMilestones, months: Int, at: LocalDate, _ settings: AlertRuleSettings
    ) -> AlertFinding? {
        guard let from = milestones.reorientationFrom, from <= at else { return nil }
        return AlertFinding(
            rule: .pathwayReorientation, severity: settings.severity,
            figures: [.date("reachedOn", from), .integer("months", months)],
            summary: "\(months) mois de parcours atteints le \(from.french) : une réorientation peut être proposée.")
    }

    /// **A référent above the extension quota** (Istres): more open pathways extended than ⌊share × file
    /// active⌋.
    public static func extensionQuotaExceeded(_ quota: ExtensionQuota, _ settings: AlertRuleSettings) -> AlertFinding? {
        guard quota.extended > quota.quota else { return nil }
        return AlertFinding(
            rule: .extensionQuotaExceeded, severity: settings.severity,
            figures: [
                .integer("fileActive", quota.fileActive), .decimal("share", quota.share, scale: 4),
                .integer("quota", quota.quota), .integer("extended", quota.extended),
            ],
            summary: "Quota dépassé : \(quota.french).")
    }

    /// **A positive outcome proposed to the committee** and not decided yet; escalates after
    /// `escalate_days` days of waiting.
    public static func outcomeAwaitingCommittee(
        rule: OutcomeRule, establishedOn: LocalDate, proposedOn: LocalDate, at: LocalDate,
        _ settings: AlertRuleSettings
    ) -> AlertFinding {
        let waiting = max(proposedOn.days(until: at), 0)
        return AlertFinding(
            rule: .outcomeAwaitingCommittee,
            severity: settings.severity(escalated: waiting >= settings.int(.escalateDays)),
            figures: [
                .init("outcomeRule", rule.rawValue), .date("establishedOn", establishedOn),
                .date("proposedOn", proposedOn), .integer("daysWaiting", waiting),
            ],
            summary:
                "\(rule.frenchLabel) établie le \(establishedOn.french), proposée le \(proposedOn.french) : décision du comité attendue depuis \(French.count(waiting, "jour", "jours", .text))."
        )
    }
}
