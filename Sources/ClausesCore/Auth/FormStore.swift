import Foundation
import PostgresClient

/// What the web pages' forms keep between two requests: one-time form tokens, and checked import files
/// waiting for « Importer pour de bon ». Both are bound to the person they were given to and expire.
public struct FormStore: Sendable {
    let pool: PostgresPool
    /// How long a page's form stays good, and a checked file is kept.
    static let lifetimeMinutes = 120

    public init(pool: PostgresPool) { self.pool = pool }

    /// A new one-time token for the forms of a page shown to `userId`.
    public func issueToken(for userId: UUID) async throws -> String {
        let token = Secrets.random(bytes: 24)
        try await pool.query(
            "INSERT INTO form_tokens (token_hash, user_id, expires_at) VALUES (\(Secrets.hashSQL), $2, now() + make_interval(mins => $3))",
            [token, userId, Self.lifetimeMinutes])
        return token
    }

    /// Whether the token was given to `userId`, has not expired and was not used before (it cannot be used
    /// again): a form sent twice is refused the second time.
    public func consumeToken(_ token: String, userId: UUID) async throws -> Bool {
        try await pool.query(
            "DELETE FROM form_tokens WHERE token_hash = \(Secrets.hashSQL) AND user_id = $2 AND expires_at > now() RETURNING 1",
            [token, userId]
        ).count > 0
    }

    /// A checked import file and its options, kept until it is imported for good or expires.
    public struct ImportDraft: Sendable, Equatable {
        public let kind: ImportKind
        public let replace: Bool
        public let confirm: Bool
        public let validate: Bool
        public let content: Data

        public init(kind: ImportKind, replace: Bool, confirm: Bool, validate: Bool, content: Data) {
            self.kind = kind
            self.replace = replace
            self.confirm = confirm
            self.validate = validate
            self.content = content
        }
    }

    public func keepDraft(_ draft: ImportDraft, for userId: UUID) async throws -> UUID {
        try await pool.query(
            """
            INSERT INTO import_drafts (user_id, kind, replace, confirm, validate, content, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(mins => $7)) RETURNING id
            """,
            [
                userId, draft.kind.rawValue, draft.replace, draft.confirm, draft.validate,
                draft.content.base64EncodedString(),
                Self.lifetimeMinutes,
            ]
        ).one().decode(0, as: UUID.self)
    }

    /// The draft; nil when unknown, expired or another's. It stays until imported (`discardDraft`), so a
    /// refused or busy import can be sent again.
    public func draft(_ id: UUID, userId: UUID) async throws -> ImportDraft? {
        guard
            let row = try await pool.query(
                """
                SELECT kind, replace, confirm, validate, content FROM import_drafts
                WHERE id = $1 AND user_id = $2 AND expires_at > now()
                """, [id, userId]
            ).first
        else { return nil }
        guard let content = Data(base64Encoded: try row.decode(4, as: String.self)) else {
            throw DomainError(.internalError, code: .internalError, message: "Fichier vérifié illisible : renvoyez-le.")
        }
        return ImportDraft(
            kind: try row.decodeEnum(0, table: "import_drafts", column: "kind"), replace: try row.decode(1),
            confirm: try row.decode(2), validate: try row.decode(3), content: content)
    }

    /// Forgets a draft once imported.
    public func discardDraft(_ id: UUID) async throws {
        try await pool.query("DELETE FROM import_drafts WHERE id = $1", [id])
    }

    /// Removes tokens and drafts expired at `now` (the `prune` job); returns how many of each.
    func pruneExpired(now: Date) async throws -> [String: Int] {
        [
            "formTokens": try await pool.query("DELETE FROM form_tokens WHERE expires_at < $1 RETURNING 1", [now])
                .count,
            "importDrafts": try await pool.query(
                "DELETE FROM import_drafts WHERE expires_at < $1 RETURNING 1", [now]
            ).count,
        ]
    }
}

/// The two kinds of CSV file the service imports.
public enum ImportKind: String, InputEnum {
    case hours, participants

    public var frenchLabel: String {
        switch self {
        case .hours: "Relevés d'heures mensuels"
        case .participants: "Participants et justificatifs"
        }
    }
}
