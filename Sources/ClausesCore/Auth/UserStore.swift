import Foundation
import PostgresClient

/// A person who signs in. The password hash never leaves the store.
public struct User: Codable, Sendable, Equatable {
    public let id: UUID
    public let email: String
    public let displayName: String
    public let role: Role
    public let buyerId: UUID?
    public let companyId: UUID?
    public let active: Bool

    /// The name pages show: the display name, else the address.
    public var label: String { displayName.isEmpty ? email : displayName }

    public var caller: Caller {
        Caller(userId: id, role: role, buyerId: buyerId, companyId: companyId, label: email)
    }

    static let columns = "u.id, u.email, u.display_name, u.role, u.buyer_id, u.company_id, u.active"

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        email = try row.decode("email")
        displayName = try row.decode("display_name")
        role = try row.decodeEnum("role", table: "users")
        buyerId = try row.decode("buyer_id")
        companyId = try row.decode("company_id")
        active = try row.decode("active")
    }
}

/// Random secrets: session cookies, API tokens, CSRF tokens, generated passwords.
public enum Secrets {
    /// `bytes` random bytes from the system's CSPRNG, base64url without padding.
    public static func random(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
                of: "=", with: "")
    }

    /// SHA-256 of a secret, computed by PostgreSQL where it is compared: only hashes are stored.
    static let hashSQL = "sha256(convert_to($1, 'UTF8'))"
}

/// Users, passwords, web sessions and API tokens.
public struct UserStore: Sendable {
    let pool: PostgresPool
    let passwords: PasswordHasher

    public init(pool: PostgresPool, passwords: PasswordHasher) {
        self.pool = pool
        self.passwords = passwords
    }

    public struct NewUser: Codable, Sendable {
        public var email: String?
        public var displayName: String?
        public var role: Role?
        public var password: String?
        public var buyerId: UUID?
        public var companyId: UUID?
        public init(
            email: String?, displayName: String? = nil, role: Role?, password: String?, buyerId: UUID? = nil,
            companyId: UUID? = nil
        ) {
            self.email = email
            self.displayName = displayName
            self.role = role
            self.password = password
            self.buyerId = buyerId
            self.companyId = companyId
        }
    }

    public func create(_ caller: Caller, _ input: NewUser) async throws -> User {
        guard caller.role == .admin else { throw DomainError.forbidden }
        let email = try Validate.text(input.email, existing: nil, field: "email", maxLength: 254).lowercased()
        guard email.range(of: #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#, options: .regularExpression) != nil else {
            throw DomainError.invalid("email", "Adresse électronique invalide « \(email) ».")
        }
        let role = try Validate.required(input.role, existing: nil, field: "role")
        let displayName =
            try Validate.optionalText(input.displayName, existing: nil, field: "displayName", maxLength: 200) ?? ""
        let password = try PasswordPolicy.check(input.password)
        if role == .buyer && input.buyerId == nil {
            throw DomainError.invalid(
                "buyerId", "Un compte « donneur d'ordre » doit être rattaché à un donneur d'ordre (buyerId).")
        }
        if role == .company && input.companyId == nil {
            throw DomainError.invalid(
                "companyId", "Un compte « entreprise » doit être rattaché à une entreprise (companyId).")
        }
        let hash = try await passwords.hash(password)
        do {
            return try await pool.withTransaction { connection in
                let row = try await connection.query(
                    """
                    INSERT INTO users AS u (email, display_name, role, password_hash, buyer_id, company_id)
                    VALUES ($1, $2, $3, $4, $5, $6) RETURNING \(User.columns)
                    """,
                    [
                        email, displayName, role.rawValue, hash,
                        role == .buyer ? input.buyerId : nil, role == .company ? input.companyId : nil,
                    ])
                let user = try User(row: try row.one())
                try await Audit.record(
                    .create, entity: "user", id: user.id.uuidString.lowercased(),
                    changes: ["email": email, "role": role.rawValue], by: caller, on: connection)
                return user
            }
        } catch let error as PostgresError {
            throw ConstraintMessages.translate(
                error,
                unique: [
                    "users_email_unique": ("email", "Un compte existe déjà avec cette adresse."),
                    "users_buyer_id_fkey": ("buyerId", "« buyerId » ne désigne aucun donneur d'ordre existant."),
                    "users_company_id_fkey": ("companyId", "« companyId » ne désigne aucune entreprise existante."),
                ])
        }
    }

    public func list(_ caller: Caller) async throws -> [User] {
        guard caller.role == .admin else { throw DomainError.forbidden }
        return try await pool.query("SELECT \(User.columns) FROM users u ORDER BY u.email").map(User.init(row:))
    }

    public func find(email: String) async throws -> User? {
        try await pool.query("SELECT \(User.columns) FROM users u WHERE u.email = $1", [email.lowercased()]).first.map(
            User.init(row:))
    }

    /// The active user with this email and password, or nil (same answer whether the email or the password is wrong).
    public func authenticate(email: String, password: String) async throws -> User? {
        // A password with a control character was never accepted: refused without a database round trip.
        guard TextInput.problem(in: password, multiLine: false) == nil,
            TextInput.problem(in: email, multiLine: false) == nil
        else {
            try await passwords.verifyNothing(password)
            return nil
        }
        let rows = try await pool.query(
            "SELECT \(User.columns), u.password_hash FROM users u WHERE u.email = $1 AND u.active",
            [LoginFailureStore.normalized(email)])
        guard let row = rows.first else {
            // Spend the same time as a real check so response times do not reveal which emails exist.
            try await passwords.verifyNothing(password)
            return nil
        }
        let hash: String = try row.decode("password_hash")
        return try await passwords.verify(password, hash: hash) ? try User(row: row) : nil
    }

    // MARK: Sessions

    public struct Session: Sendable {
        public let user: User
        public let csrfToken: String
    }

    /// Opens a web session; returns the cookie value (only its hash is stored).
    public func openSession(for user: User, lifetimeHours: Int) async throws -> (cookie: String, csrfToken: String) {
        let cookie = Secrets.random()
        let csrf = Secrets.random(bytes: 24)
        try await pool.query(
            """
            INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)
            VALUES (\(Secrets.hashSQL), $2, $3, now() + make_interval(hours => $4))
            """, [cookie, user.id, csrf, lifetimeHours])
        return (cookie, csrf)
    }

    /// A token for one login form, accepted once by `consumeLoginFormToken` within `lifetimeMinutes`.
    public func issueLoginFormToken(lifetimeMinutes: Int) async throws -> String {
        let token = Secrets.random(bytes: 24)
        try await pool.query(
            "INSERT INTO login_form_tokens (token_hash, expires_at) VALUES (\(Secrets.hashSQL), now() + make_interval(mins => $2))",
            [token, lifetimeMinutes])
        return token
    }

    /// Whether the token was issued, has not expired and was not used before (it cannot be used again).
    public func consumeLoginFormToken(_ token: String) async throws -> Bool {
        try await pool.query(
            "DELETE FROM login_form_tokens WHERE token_hash = \(Secrets.hashSQL) AND expires_at > now() RETURNING 1",
            [token]
        ).count > 0
    }

    /// Removes sessions and login-form tokens expired at `now`, and failed logins older than
    /// `failureRetentionDays` (the `prune` job); returns how many of each.
    func pruneExpired(now: Date, failureRetentionDays: Int) async throws -> [String: Int] {
        [
            "sessions": try await pool.query("DELETE FROM sessions WHERE expires_at < $1 RETURNING 1", [now]).count,
            "loginForms": try await pool.query(
                "DELETE FROM login_form_tokens WHERE expires_at < $1 RETURNING 1", [now]
            ).count,
            "loginFailures": try await pool.query(
                "DELETE FROM login_failures WHERE attempted_at < $1::timestamptz - make_interval(days => $2) RETURNING 1",
                [now, failureRetentionDays]
            ).count,
        ]
    }

    public func session(cookie: String) async throws -> Session? {
        let rows = try await pool.query(
            """
            SELECT \(User.columns), s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = \(Secrets.hashSQL) AND s.expires_at > now() AND u.active
            """, [cookie])
        guard let row = rows.first else { return nil }
        return Session(user: try User(row: row), csrfToken: try row.decode("csrf_token"))
    }

    public func closeSession(cookie: String) async throws {
        try await pool.query("DELETE FROM sessions WHERE token_hash = \(Secrets.hashSQL)", [cookie])
    }

    // MARK: API tokens

    public struct IssuedToken: Sendable, Codable {
        public let id: UUID
        /// Shown once; only its hash is kept.
        public let token: String
    }

    public func createToken(for user: User, name: String, by caller: Caller) async throws -> IssuedToken {
        let token = "clk_" + Secrets.random()
        return try await pool.withTransaction { connection in
            let id = try await connection.query(
                """
                INSERT INTO api_tokens (user_id, name, token_hash, prefix) VALUES ($2, $3, \(Secrets.hashSQL), $4) RETURNING id
                """, [token, user.id, name, String(token.prefix(10))]
            ).one().decode(0, as: UUID.self)
            try await Audit.record(
                .create, entity: "api_token", id: id.uuidString.lowercased(),
                changes: ["user": user.email, "name": name], by: caller, on: connection)
            return IssuedToken(id: id, token: token)
        }
    }

    /// The user behind a bearer token, if the token exists, is not revoked and its user is active.
    public func user(forToken token: String) async throws -> User? {
        // `last_used_at` is refreshed at most once a minute: most API calls then write nothing.
        let rows = try await pool.query(
            """
            WITH found AS (
                SELECT t.id AS token_id, t.last_used_at, \(User.columns)
                FROM api_tokens t JOIN users u ON u.id = t.user_id
                WHERE t.token_hash = \(Secrets.hashSQL) AND t.revoked_at IS NULL AND u.active
            ), touched AS (
                UPDATE api_tokens SET last_used_at = now() FROM found
                WHERE api_tokens.id = found.token_id AND (found.last_used_at IS NULL OR found.last_used_at < now() - interval '1 minute')
            )
            SELECT * FROM found
            """, [token])
        return try rows.first.map(User.init(row:))
    }

    /// Revokes a token by its id or by the token itself; returns whether one was revoked.
    public func revokeToken(_ idOrToken: String, by caller: Caller) async throws -> Bool {
        try await pool.withTransaction { connection in
            let id = UUID(uuidString: idOrToken)
            let rows = try await connection.query(
                """
                UPDATE api_tokens SET revoked_at = now()
                WHERE revoked_at IS NULL AND (id = $1 OR token_hash = sha256(convert_to($2, 'UTF8'))) RETURNING id
                """, [id, idOrToken])
            guard let revoked = try rows.scalar(UUID.self) else { return false }
            try await Audit.record(
                .update, entity: "api_token", id: revoked.uuidString.lowercased(),
                changes: ["revoked": true], by: caller, on: connection)
            return true
        }
    }
}
