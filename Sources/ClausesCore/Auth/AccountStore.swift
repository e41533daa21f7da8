import Foundation
import PostgresClient

/// One API token as its owner sees it: never the token itself, which is shown once when created.
public struct APITokenSummary: Sendable, Equatable {
    public let id: UUID
    public let name: String
    public let prefix: String
    public let createdAt: Date
    public let lastUsedAt: Date?
    public let revokedAt: Date?
}

/// A person's own account (password, API tokens) and the admins' changes to accounts (role, active).
extension UserStore {
    /// Changes one's own password after checking the current one; every other session of the account ends
    /// (a stolen session does not survive the change), the one in use (`keeping`) stays open. Called
    /// through `AppServices.changePassword`, which throttles wrong current passwords.
    func changePassword(_ user: User, current: String, new: String, keeping cookie: String) async throws {
        let hash =
            try await pool.query("SELECT password_hash FROM users WHERE id = $1 AND active", [user.id])
            .scalar(String.self)
        guard let hash, try await passwords.verify(current, hash: hash) else {
            throw DomainError.invalid("current", "Le mot de passe actuel n'est pas le bon.")
        }
        let password = try PasswordPolicy.check(new, field: "new")
        guard password != current else {
            throw DomainError.invalid("new", "Le nouveau mot de passe doit être différent de l'actuel.")
        }
        let newHash = try await passwords.hash(password)
        try await pool.withTransaction { connection in
            try await connection.execute(
                "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1", [user.id, newHash])
            try await connection.execute(
                "DELETE FROM sessions WHERE user_id = $2 AND token_hash <> \(Secrets.hashSQL)", [cookie, user.id])
            try await Audit.record(
                .update, entity: "user", id: user.id.uuidString.lowercased(), changes: ["password": "changed"],
                by: user.caller, on: connection)
        }
    }

    /// How often the account receives the alerts' digest.
    public func digestFrequency(of user: User) async throws -> DigestFrequency {
        try await pool.query("SELECT digest_frequency FROM users WHERE id = $1", [user.id]).one()
            .decodeEnum(0, table: "users", column: "digest_frequency")
    }

    /// Staff choose how often they receive the alerts' digest (buyer and company accounts receive none).
    public func setDigestFrequency(of user: User, _ frequency: DigestFrequency) async throws {
        try user.caller.requireStaff()
        try await pool.withTransaction { connection in
            try await connection.execute(
                "UPDATE users SET digest_frequency = $2, updated_at = now() WHERE id = $1",
                [user.id, frequency.rawValue])
            try await Audit.record(
                .update, entity: "user", id: user.id.uuidString.lowercased(),
                changes: ["digestFrequency": frequency.rawValue], by: user.caller, on: connection)
        }
    }

    /// The account's API tokens, latest first (revoked ones included, marked).
    public func tokens(of user: User) async throws -> [APITokenSummary] {
        try await pool.query(
            """
            SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1
            ORDER BY revoked_at IS NOT NULL, created_at DESC
            """, [user.id]
        ).map { row in
            APITokenSummary(
                id: try row.decode(0), name: try row.decode(1), prefix: try row.decode(2), createdAt: try row.decode(3),
                lastUsedAt: try row.decode(4), revokedAt: try row.decode(5))
        }
    }

    /// A new API token for one's own account, named so its owner tells it apart.
    public func createOwnToken(_ user: User, name: String?) async throws -> IssuedToken {
        let name = try Validate.text(name, existing: nil, field: "name", maxLength: 100)
        return try await createToken(for: user, name: name, by: user.caller)
    }

    /// Revokes one of one's own tokens; another account's token is unknown here.
    public func revokeOwnToken(_ user: User, tokenId: UUID) async throws {
        try await pool.withTransaction { connection in
            let rows = try await connection.query(
                "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id",
                [tokenId, user.id])
            guard !rows.isEmpty else {
                throw DomainError.notFound("Ce jeton n'existe pas, n'est pas à vous ou est déjà révoqué.")
            }
            try await Audit.record(
                .update, entity: "api_token", id: tokenId.uuidString.lowercased(), changes: ["revoked": true],
                by: user.caller, on: connection)
        }
    }

    /// An admin changes an account's role (with the buyer or company a buyer or company account is tied to)
    /// or deactivates it (its sessions end at once; its tokens stop working). An admin does not demote or
    /// deactivate their own account, so the service always keeps one.
    public func update(
        _ caller: Caller, id: UUID, role: Role, buyerId: UUID?, companyId: UUID?, active: Bool,
        expected: RecordVersion? = nil
    ) async throws -> User {
        guard caller.role == .admin else { throw DomainError.forbidden }
        if id == caller.userId, role != .admin || !active {
            throw DomainError.invalid(
                "role", "Vous ne pouvez ni retirer votre propre rôle d'administrateur ni désactiver votre compte.")
        }
        if role == .buyer && buyerId == nil {
            throw DomainError.invalid(
                "buyerId", "Un compte « donneur d'ordre » doit être rattaché à un donneur d'ordre.")
        }
        if role == .company && companyId == nil {
            throw DomainError.invalid("companyId", "Un compte « entreprise » doit être rattaché à une entreprise.")
        }
        return try await ConstraintMessages.translating([
            "users_buyer_id_fkey": ("buyerId", "Ce donneur d'ordre n'existe pas."),
            "users_company_id_fkey": ("companyId", "Cette entreprise n'existe pas."),
        ]) {
            try await pool.withTransaction { connection in
                guard
                    let row = try await connection.query(
                        "SELECT \(User.columns), u.updated_at FROM users u WHERE u.id = $1 FOR UPDATE", [id]
                    ).first
                else { throw DomainError.notFound("Compte \(id.uuidString.lowercased()) inconnu.") }
                let existing = try User(row: row)
                try RecordVersion.check(expected, current: try row.decode("updated_at"), noun: "le compte")
                let updated = try User(
                    row: try await connection.query(
                        """
                        UPDATE users u SET role = $2, buyer_id = $3, company_id = $4, active = $5, updated_at = now()
                        WHERE u.id = $1 RETURNING \(User.columns)
                        """,
                        [
                            id, role.rawValue, role == .buyer ? buyerId : nil, role == .company ? companyId : nil,
                            active,
                        ]
                    ).one())
                if !active { try await connection.execute("DELETE FROM sessions WHERE user_id = $1", [id]) }
                try await Audit.updated(
                    from: existing, to: updated, entity: "user", id: id, by: caller, on: connection)
                return updated
            }
        }
    }

    /// The active staff a pathway may be given to as référent (admins, facilitators, référents), by name.
    public func staff(_ caller: Caller) async throws -> [User] {
        try caller.requireStaff()
        return try await pool.query(
            """
            SELECT \(User.columns) FROM users u WHERE u.active AND u.role IN ('admin', 'facilitator', 'referent')
            ORDER BY coalesce(nullif(u.display_name, ''), u.email)
            """
        ).map(User.init(row:))
    }

    /// Whom `caller` may name as a pathway's référent: any active staff member, or, for a référent,
    /// themself only (the store refuses any other).
    public func referentChoices(_ caller: Caller) async throws -> [User] {
        let staff = try await staff(caller)
        return caller.role == .referent ? staff.filter { $0.id == caller.userId } : staff
    }

    /// One account with its version (admins), for the account form.
    public func get(_ caller: Caller, id: UUID) async throws -> (user: User, version: RecordVersion) {
        guard caller.role == .admin else { throw DomainError.forbidden }
        guard
            let row = try await pool.query(
                "SELECT \(User.columns), u.updated_at FROM users u WHERE u.id = $1", [id]
            ).first
        else { throw DomainError.notFound("Compte \(id.uuidString.lowercased()) inconnu.") }
        return (try User(row: row), RecordVersion(try row.decode("updated_at")))
    }
}
