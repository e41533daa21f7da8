import Foundation
import Mailer
import PostgresClient

/// Mails subscriptions' bilans through the outbox: what is due on a day, the message (a French summary in
/// the body, the bilan attached as HTML and/or CSV), and the record of each mailing, written in the same
/// transaction as the message so that a period is mailed once per subscription (`report_mailings_once`).
public struct ReportMailer: Sendable {
    let pool: PostgresPool
    let bilans: BilanService
    let outbox: OutboxStore
    let clock: any CivilClock

    /// A bilan to mail: its period and the code recorded for it.
    public struct Due: Sendable, Equatable {
        public let code: String
        public let period: ReportPeriod

        init(code: String, period: ReportPeriod) {
            self.code = code
            self.period = period
        }

        /// A whole period, recorded under its own code (`2026-11`, `2026-Q3`).
        init(_ period: ReportPeriod) { self.init(code: period.code, period: period) }
    }

    /// A scheduled mailing of the period already made (`report_mailings_once` keeps one).
    private static let alreadySentSQL =
        "SELECT 1 FROM report_mailings WHERE subscription_id = $1 AND period_code = $2 AND NOT manual"

    /// The periods due on `today`: the month or quarter just ended, or each lot of the scope ended since
    /// the subscription started (then the scope's bilan since the start, up to the lot's end). Never a
    /// period ended before the subscription started.
    public func due(_ subscription: ReportSubscription, today: LocalDate) async throws -> [Due] {
        switch subscription.frequency {
        case .monthly:
            let period = ReportPeriod.month(today.yearMonth.adding(months: -1))
            return period.to >= subscription.startsOn ? [Due(period)] : []
        case .quarterly:
            let period = ReportPeriod.quarter(containing: today.yearMonth.adding(months: -3))
            return period.to >= subscription.startsOn ? [Due(period)] : []
        case .lotEnd:
            let column =
                switch subscription.scope {
                case .contract: "pc.id"
                case .operation: "pc.operation_id"
                case .buyer: "pc.buyer_id"
                }
            return try await pool.query(
                """
                SELECT l.id, l.execution_end FROM lots l JOIN public_contracts pc ON pc.id = l.public_contract_id
                JOIN insertion_clauses ic ON ic.lot_id = l.id
                WHERE \(column) = $1 AND l.execution_end >= $2 AND l.execution_end < $3 ORDER BY l.execution_end, l.id
                """, [subscription.scopeId, subscription.startsOn, today]
            ).map { row in
                let lot: UUID = try row.decode(0)
                return Due(
                    code: "fin-lot-\(lot.uuidString.lowercased())", period: .sinceStart(through: try row.decode(1)))
            }
        }
    }

    /// The next mailing as a facilitator previews it: the latest period due or to come.
    public func next(_ subscription: ReportSubscription, today: LocalDate) -> (period: ReportPeriod, on: LocalDate)? {
        switch subscription.frequency {
        case .monthly:
            let month = today.yearMonth
            return (.month(month), month.adding(months: 1).firstDay)
        case .quarterly:
            let quarter = ReportPeriod.quarter(containing: today.yearMonth)
            return (quarter, quarter.to.adding(days: 1))
        case .lotEnd: return nil
        }
    }

    /// Builds and queues the bilan of `due` for `subscription`. A scheduled mailing already made for the
    /// period is not made again (false); a manual one always is.
    @discardableResult
    public func send(
        _ subscription: ReportSubscription, _ due: Due, manual: Bool, by caller: Caller, today: LocalDate
    ) async throws -> Bool {
        if !manual, try await alreadySent(subscription.id, due.code) { return false }
        let bilan = try await bilans.bilan(caller, scope: subscription.reportScope, period: due.period, today: today)
        let mail = Self.message(bilan, to: subscription.recipients, formats: subscription.formats)
        let sent = try await pool.withTransaction { connection -> Bool in
            try await connection.execute(
                "SELECT pg_advisory_xact_lock(hashtext('clauses-report:' || $1))", [subscription.id.uuidString])
            if !manual,
                try await !connection.query(Self.alreadySentSQL, [subscription.id, due.code]).isEmpty
            {
                return false
            }
            let mailId = try await outbox.enqueue(mail, on: connection, now: clock.now)
            try await connection.execute(
                """
                INSERT INTO report_mailings (subscription_id, period_code, manual, recipients, formats, mail_id, sent_by_label)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """,
                [
                    subscription.id, due.code, manual, PostgresTextArray(subscription.recipients),
                    PostgresTextArray(subscription.formats.map(\.rawValue)), mailId, caller.label,
                ])
            return true
        }
        return sent
    }

    /// A facilitator's mailing by hand: the period last due (the month or quarter just ended), else the
    /// bilan since the start; recorded as manual, so the scheduled mailing of the period still happens.
    @discardableResult
    public func sendNow(_ subscription: ReportSubscription, by caller: Caller) async throws -> ReportMailing {
        try caller.requireEditor()
        let today = clock.today
        let due =
            try await due(subscription, today: today).last
            ?? Due(.sinceStart(through: today))
        try await send(subscription, due, manual: true, by: caller, today: today)
        return ReportMailing(
            subscriptionId: subscription.id, periodCode: due.code, manual: true, recipients: subscription.recipients,
            sentBy: caller.label, sentAt: clock.now)
    }

    private func alreadySent(_ subscription: UUID, _ code: String) async throws -> Bool {
        try await !pool.query(Self.alreadySentSQL, [subscription, code]).isEmpty
    }

    /// The message: a French summary of the figures in the body, the bilan attached in each format.
    static func message(_ bilan: Bilan, to recipients: [String], formats: [ReportFormat]) -> OutgoingMail {
        let h = bilan.hours
        let lines: [(String, String)] = [
            ("Heures prescrites", French.hours(h.requiredHours, .text)),
            ("Heures valorisées", French.hours(h.creditedHours, .text)),
            ("Dont sur la période", French.hours(h.creditedInPeriod, .text)),
            ("Heures restantes", French.hours(h.remainingHours, .text)),
            ("Taux de réalisation", h.completionRate.map { French.percent($0, .text) } ?? "—"),
            ("Situation", h.status.frenchLabel),
            ("Personnes mises à l'emploi", bilan.people.total.french(.text)),
        ]
        let buyer = bilan.scopeLabel == bilan.buyerName ? "" : " (\(bilan.buyerName))"
        let intro =
            "Voici le bilan de la clause sociale d'insertion de « \(bilan.scopeLabel) »\(buyer), \(bilan.period.french), heures arrêtées au \(bilan.at.french)."
        let attached =
            "Le bilan complet est joint : \(formats.map { $0 == .html ? "HTML (à ouvrir dans un navigateur et à imprimer)" : "CSV (pour un tableur)" }.joined(separator: ", "))."
        let text =
            "Bonjour,\n\n\(intro)\n\n" + lines.map { "\($0.0) : \($0.1)" }.joined(separator: "\n")
            + "\n\n\(attached)\n\nL'équipe des clauses sociales"
        let html =
            "<p>Bonjour,</p><p>\(HTMLText.escape(intro))</p><table>"
            + lines.map { "<tr><th align=\"left\">\(HTMLText.escape($0.0))</th><td>\(HTMLText.escape($0.1))</td></tr>" }
            .joined() + "</table><p>\(HTMLText.escape(attached))</p><p>L'équipe des clauses sociales</p>"
        let name = "bilan-\(bilan.period.code)"
        let attachments = formats.map { format in
            MailAttachment(
                filename: "\(name).\(format.rawValue)", contentType: format.contentType,
                data: Data((format == .html ? bilan.html : bilan.csv).utf8))
        }
        return OutgoingMail(
            kind: .report, to: recipients,
            subject: "Bilan de la clause sociale d'insertion — \(bilan.scopeLabel) — \(bilan.period.french)",
            text: text, html: html, attachments: attachments)
    }
}

/// The `reports` job: each active subscription's bilans due today, queued once per period.
struct ReportMailingJob: JobBody {
    let subscriptions: ReportSubscriptionStore
    let mailer: ReportMailer
    let committed: @Sendable () -> Void

    func run(_ context: JobContext) async throws -> [String: Int] {
        let caller = Caller.system("tâche reports")
        let today = context.clock.today
        var counts = ["sent": 0, "alreadySent": 0, "failed": 0]
        for subscription in try await subscriptions.active() {
            // One subscription failing (its scope gone, a bilan refused) does not stop the others'; it is
            // logged, and tried again at the next run (its period is not recorded).
            do {
                for due in try await mailer.due(subscription, today: today) {
                    let sent = try await mailer.send(subscription, due, manual: false, by: caller, today: today)
                    counts[sent ? "sent" : "alreadySent", default: 0] += 1
                }
            } catch let error as CancellationError {
                throw error
            } catch {
                counts["failed", default: 0] += 1
                context.logger.error(
                    "bilan not mailed",
                    metadata: ErrorLogging.metadata(error).merging(["subscription": "\(subscription.id)"]) { $1 })
            }
        }
        if counts["sent", default: 0] > 0 { committed() }
        return counts
    }
}
