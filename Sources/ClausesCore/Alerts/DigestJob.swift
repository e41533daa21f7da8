import Foundation
import PostgresClient

/// How often a person receives the digest (their account page).
public enum DigestFrequency: String, InputEnum {
    case daily, weekly, none

    public var frenchLabel: String {
        switch self {
        case .daily: "Chaque jour ouvré"
        case .weekly: "Une fois par semaine"
        case .none: "Jamais"
        }
    }
}

/// The `digest` job: each facilitator, référent and admin who follows alerts (and the team address)
/// gets one French email of the alerts that are new, worse, or still open since their last digest,
/// through the outbox. Never on a French public holiday; a weekly reader gets the first digest of each
/// week. Every digest considered is recorded in `digests`, sent or skipped with its reason, once per
/// recipient and day (a second run the same day sends nothing again).
struct DigestJob: JobBody {
    let pool: PostgresPool
    let settings: AlertSettings
    let mail: AlertMail
    let outbox: OutboxStore
    /// Wakes the mail sender once the digests are committed.
    let committed: @Sendable () -> Void

    struct Recipient {
        let email: String
        let userId: UUID?
        let frequency: DigestFrequency
    }

    func run(_ context: JobContext) async throws -> [String: Int] {
        let today = context.clock.today
        let now = context.clock.now
        var recipients = try await pool.query(
            """
            SELECT email, id, digest_frequency FROM users
            WHERE active AND role IN ('admin', 'facilitator', 'referent') AND digest_frequency <> 'none'
            ORDER BY email
            """
        ).map { row in
            Recipient(
                email: try row.decode(0), userId: try row.decode(1),
                frequency: try row.decodeEnum(2, table: "users", column: "digest_frequency"))
        }
        if !settings.teamAddress.isEmpty {
            recipients.append(Recipient(email: settings.teamAddress, userId: nil, frequency: .daily))
        }
        var counts = Dictionary(uniqueKeysWithValues: Outcome.allCases.map { ($0.rawValue, 0) })
        let holiday = FrenchHolidays.name(of: today)
        for recipient in recipients {
            let outcome = try await pool.withTransaction { connection in
                try await digest(for: recipient, today: today, now: now, holiday: holiday, on: connection)
            }
            counts[outcome.rawValue, default: 0] += 1
        }
        if counts[Outcome.sent.rawValue, default: 0] > 0 { committed() }
        return counts
    }

    /// What became of one recipient's digest (the run's counts).
    enum Outcome: String, CaseIterable {
        case sent, skipped, alreadyDone
    }

    private func digest(
        for recipient: Recipient, today: LocalDate, now: Date, holiday: String?, on connection: PostgresConnection
    ) async throws -> Outcome {
        // One digest per recipient and day, whichever instance or command runs the job.
        try await connection.execute(
            "SELECT pg_advisory_xact_lock(hashtext('clauses-digest:' || $1))", [recipient.email])
        guard
            try await connection.query(
                "SELECT 1 FROM digests WHERE recipient = $1 AND digest_on = $2", [recipient.email, today]
            ).isEmpty
        else { return .alreadyDone }
        func skip(_ reason: String, open: Int = 0) async throws -> Outcome {
            try await connection.execute(
                """
                INSERT INTO digests (recipient, user_id, digest_on, status, reason, open_count, created_at)
                VALUES ($1, $2, $3, 'skipped', $4, $5, $6)
                """, [recipient.email, recipient.userId, today, reason, open, now])
            return .skipped
        }
        if let holiday { return try await skip("jour férié (\(holiday))") }
        let last = try await connection.query(
            """
            SELECT created_at, digest_on FROM digests WHERE recipient = $1 AND status = 'sent' AND digest_on < $2
            ORDER BY created_at DESC LIMIT 1
            """, [recipient.email, today]
        ).first
        let lastAt: Date? = try last?.decode(0)
        let lastOn: LocalDate? = try last?.decode(1)
        if recipient.frequency == .weekly, let lastOn, lastOn >= today.weekStart {
            return try await skip("résumé hebdomadaire déjà envoyé le \(lastOn.french)")
        }
        var sql = SQL("SELECT \(AlertMail.itemColumns) FROM alerts a WHERE a.state <> 'closed'")
        if let user = recipient.userId { sql.append("AND \(sql.bind(user)) IN (\(AlertStore.followers("a")))") }
        sql.append(
            "ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, a.opened_on, a.id")
        var digest = Digest(
            recipient: recipient.email, date: today, since: lastOn, new: [], worsened: [], stillOpen: [],
            alertsURL: mail.url("/alertes"))
        for row in try await connection.query(sql) {
            let state: AlertState = try row.decodeEnum(10, table: "alerts", column: "state")
            if state == .snoozed {
                digest.snoozed += 1
                continue
            }
            let openedAt: Date = try row.decode(11)
            let worsenedAt: Date? = try row.decode(12)
            let item = try mail.item(row)
            if lastAt.map({ openedAt > $0 }) ?? true {
                add(item, to: &digest.new, more: &digest.newMore)
            } else if let worsenedAt, let lastAt, worsenedAt > lastAt {
                add(item, to: &digest.worsened, more: &digest.worsenedMore)
            } else {
                add(item, to: &digest.stillOpen, more: &digest.stillOpenMore)
            }
        }
        let fresh = digest.new.count + digest.newMore + digest.worsened.count + digest.worsenedMore
        let open = fresh + digest.stillOpen.count + digest.stillOpenMore
        if open == 0 { return try await skip("aucune alerte en cours parmi celles suivies") }
        if fresh == 0 && !settings.digestWhenNothingNew {
            return try await skip("rien de nouveau ni d'aggravé depuis le résumé précédent", open: open)
        }
        let message = try await outbox.enqueue(mail.render(digest), on: connection, now: now)
        try await connection.execute(
            """
            INSERT INTO digests (recipient, user_id, digest_on, status, new_count, worsened_count, open_count, message, created_at)
            VALUES ($1, $2, $3, 'sent', $4, $5, $6, $7, $8)
            """,
            [
                recipient.email, recipient.userId, today, digest.new.count + digest.newMore,
                digest.worsened.count + digest.worsenedMore, open, message, now,
            ])
        return .sent
    }

    private func add(_ item: DigestItem, to list: inout [DigestItem], more: inout Int) {
        if list.count < AlertMail.listLimit { list.append(item) } else { more += 1 }
    }
}

/// The `alerts` job: one scan on the clock's date.
struct AlertScanJob: JobBody {
    let scanner: AlertScanner
    let committed: @Sendable () -> Void

    func run(_ context: JobContext) async throws -> [String: Int] {
        let result = try await scanner.scan(at: context.clock.today, now: context.clock.now)
        if result.mailed > 0 { committed() }
        return result.counts
    }
}
