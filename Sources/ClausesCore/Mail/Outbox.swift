import Foundation
import Mailer
import PostgresClient

/// What a message is, for the admin page and the metrics.
public enum MailKind: String, InputEnum {
    case test, alert, digest, report

    public var frenchLabel: String {
        switch self {
        case .test: "essai"
        case .alert: "alerte"
        case .digest: "résumé"
        case .report: "bilan"
        }
    }
}

/// A message to write into the outbox: the service adds the sender, the `Message-ID`, the date and the
/// French footer.
public struct OutgoingMail: Sendable, Equatable {
    public var kind: MailKind
    public var to: [String]
    public var subject: String
    public var text: String
    public var html: String?
    public var attachments: [MailAttachment]

    public init(
        kind: MailKind, to: [String], subject: String, text: String, html: String? = nil,
        attachments: [MailAttachment] = []
    ) {
        self.kind = kind
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.attachments = attachments
    }
}

public enum MailStatus: String, InputEnum {
    case pending, sending, sent, failed

    public var frenchLabel: String {
        switch self {
        case .pending: "en attente"
        case .sending: "en cours d'envoi"
        case .sent: "envoyé"
        case .failed: "en échec"
        }
    }
}

/// A message of the outbox as the admin page lists it (no body).
public struct OutboxEntry: Sendable, Codable, Equatable {
    public var id: UUID
    public var messageID: String
    public var kind: MailKind
    public var recipients: [String]
    public var subject: String
    public var status: MailStatus
    public var attempts: Int
    public var createdAt: Date
    public var nextAttemptAt: Date
    public var sentAt: Date?
    public var lastError: String?
    public var lastSMTPCode: Int?
}

/// The mail outbox: messages are written in the transaction of the change they announce, and the
/// `send-mail` job sends them (see `MailSender`).
public struct OutboxStore: Sendable {
    let pool: PostgresPool
    let from: String
    /// The host part of every `Message-ID` (the service's public host name).
    let messageIDDomain: String
    let baseURL: String

    init(pool: PostgresPool, mail: Config.Mail, baseURL: String) {
        self.pool = pool
        self.from = mail.from
        self.baseURL = baseURL
        messageIDDomain = URLComponents(string: baseURL)?.host.flatMap { $0.isEmpty ? nil : $0 } ?? "clauses"
    }

    /// Writes `mail` into the outbox inside the caller's transaction; it is sent once that commits.
    /// Refuses, in French, a message without recipient or with an address the transports would refuse.
    @discardableResult
    public func enqueue(_ mail: OutgoingMail, on connection: PostgresConnection, now: Date) async throws -> UUID {
        guard !mail.to.isEmpty else {
            throw DomainError.invalid("to", "le courriel n'a aucun destinataire")
        }
        for address in mail.to {
            if let problem = MailAddress.problem(address) { throw DomainError.invalid("to", problem) }
        }
        let id = UUID()
        let footer = MailFooter(baseURL: baseURL)
        try await connection.execute(
            """
            INSERT INTO mail_outbox (id, message_id, kind, recipients, subject, text_body, html_body, created_at,
                                     next_attempt_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
            """,
            [
                id, "<\(id.uuidString.lowercased())@\(messageIDDomain)>", mail.kind.rawValue,
                PostgresTextArray(mail.to), mail.subject, footer.text(after: mail.text),
                mail.html.map(footer.html(after:)), now,
            ])
        for (position, attachment) in mail.attachments.enumerated() {
            try await connection.execute(
                """
                INSERT INTO mail_attachments (message, position, filename, content_type, data)
                VALUES ($1, $2, $3, $4, decode($5, 'base64'))
                """,
                [id, position, attachment.filename, attachment.contentType, attachment.data.base64EncodedString()])
        }
        return id
    }

    /// Writes `mail` in a transaction of its own (a message that announces no other change).
    @discardableResult
    public func enqueue(_ mail: OutgoingMail, now: Date) async throws -> UUID {
        try await pool.withTransaction { try await enqueue(mail, on: $0, now: now) }
    }

    /// Gives back to the queue the messages a crashed sender left claimed. Only the sender calls it, under
    /// its job lock: no other sender can be running, so every claimed message is a leftover.
    func releaseClaimed() async throws -> Int {
        try await pool.query("UPDATE mail_outbox SET status = 'pending' WHERE status = 'sending' RETURNING 1").count
    }

    /// Claims up to `limit` due messages (status `sending`, one more attempt counted) and returns them
    /// ready to send; the claim commits before anything is sent.
    func claim(limit: Int, now: Date) async throws -> [ClaimedMail] {
        try await pool.withTransaction { connection in
            let rows = try await connection.query(
                """
                UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1
                WHERE id IN (SELECT id FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= $1
                             ORDER BY next_attempt_at, created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                RETURNING id, message_id, recipients, subject, text_body, html_body, attempts, created_at
                """, [now, limit])
            let ids = try rows.map { try $0.decode("id", as: UUID.self) }
            var attachments: [UUID: [MailAttachment]] = [:]
            if !ids.isEmpty {
                let files = try await connection.query(
                    """
                    SELECT message, filename, content_type, encode(data, 'base64') AS data FROM mail_attachments
                    WHERE message = ANY($1::uuid[]) ORDER BY message, position
                    """, [PostgresTextArray(ids.map(\.uuidString))])
                for file in files {
                    let data = Data(
                        base64Encoded: try file.decode("data", as: String.self), options: .ignoreUnknownCharacters)
                    attachments[try file.decode("message"), default: []].append(
                        MailAttachment(
                            filename: try file.decode("filename"), contentType: try file.decode("content_type"),
                            data: data ?? Data()))
                }
            }
            return try rows.map { row in
                let id: UUID = try row.decode("id")
                let createdAt: Date = try row.decode("created_at")
                let message = MailMessage(
                    from: from, to: try row.decode("recipients", as: PostgresTextArray.self).values,
                    subject: try row.decode("subject"), textBody: try row.decode("text_body"),
                    htmlBody: try row.decode("html_body"), attachments: attachments[id] ?? [],
                    messageID: try row.decode("message_id"), headers: ["Auto-Submitted": "auto-generated"],
                    date: createdAt)
                return ClaimedMail(id: id, attempts: try row.decode("attempts"), createdAt: createdAt, message: message)
            }
        }
    }

    func markSent(_ id: UUID, at instant: Date) async throws {
        try await pool.query(
            "UPDATE mail_outbox SET status = 'sent', sent_at = $2, last_error = NULL WHERE id = $1", [id, instant])
    }

    /// Records a failure: back to the queue until `retry`, or failed for good when `retry` is nil.
    func markFailure(_ id: UUID, error: MailError, retry: Date?) async throws {
        try await pool.query(
            """
            UPDATE mail_outbox SET status = CASE WHEN $2::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
                   next_attempt_at = coalesce($2, next_attempt_at), last_error = $3, last_smtp_code = $4
            WHERE id = $1
            """, [id, retry, error.message, error.smtpCode])
    }

    /// Gives claimed messages back to the queue as they were (the sender stopped before sending them).
    func unclaim(_ ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        try await pool.query(
            "UPDATE mail_outbox SET status = 'pending', attempts = attempts - 1 WHERE id = ANY($1::uuid[])",
            [PostgresTextArray(ids.map(\.uuidString))])
    }

    /// Removes sent messages older than `retentionDays` before `now` (the `prune` job).
    func pruneSent(before cutoff: Date) async throws -> Int {
        try await pool.query("DELETE FROM mail_outbox WHERE status = 'sent' AND sent_at < $1 RETURNING 1", [cutoff])
            .count
    }

    /// How many messages are in each status.
    public func counts() async throws -> [MailStatus: Int] {
        var counts = Dictionary(uniqueKeysWithValues: MailStatus.allCases.map { ($0, 0) })
        for row in try await pool.query("SELECT status, count(*) AS n FROM mail_outbox GROUP BY status") {
            counts[try row.decodeEnum("status", table: "mail_outbox", as: MailStatus.self)] = try row.decode("n")
        }
        return counts
    }

    /// The latest messages, failed ones first, without their bodies: for admins only (the addresses and
    /// subjects may name people).
    public func list(_ caller: Caller, status: MailStatus?, limit: Int) async throws -> [OutboxEntry] {
        guard caller.role == .admin else { throw DomainError.forbidden }
        return try await pool.query(
            """
            SELECT id, message_id, kind, recipients, subject, status, attempts, created_at, next_attempt_at, sent_at,
                   last_error, last_smtp_code
            FROM mail_outbox WHERE $1::text IS NULL OR status = $1
            ORDER BY status = 'failed' DESC, created_at DESC LIMIT $2
            """, [status?.rawValue, limit]
        ).map { row in
            OutboxEntry(
                id: try row.decode("id"), messageID: try row.decode("message_id"),
                kind: try row.decodeEnum("kind", table: "mail_outbox"),
                recipients: try row.decode("recipients", as: PostgresTextArray.self).values,
                subject: try row.decode("subject"),
                status: try row.decodeEnum("status", table: "mail_outbox"),
                attempts: try row.decode("attempts"), createdAt: try row.decode("created_at"),
                nextAttemptAt: try row.decode("next_attempt_at"), sentAt: try row.decode("sent_at"),
                lastError: try row.decode("last_error"), lastSMTPCode: try row.decode("last_smtp_code"))
        }
    }
}

/// A message the sender claimed: ready to send, with what the retry rule needs.
struct ClaimedMail: Sendable {
    let id: UUID
    /// Attempts so far, this one included.
    let attempts: Int
    let createdAt: Date
    let message: MailMessage
}

/// The French footer every message ends with.
public struct MailFooter: Sendable {
    let baseURL: String

    public init(baseURL: String) { self.baseURL = baseURL }

    public func text(after body: String) -> String {
        body + "\n\n-- \nMessage envoyé automatiquement par clauses (\(baseURL)). Merci de ne pas y répondre.\n"
    }

    public func html(after body: String) -> String {
        let link = HTMLText.escape(baseURL)
        return body
            + "<hr><p style=\"color:#555;font-size:small\">Message envoyé automatiquement par "
            + "<a href=\"\(link)\">clauses</a>. Merci de ne pas y répondre.</p>"
    }
}
