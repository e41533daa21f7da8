import Foundation
import PostgresClient

/// How long a login must wait after failed attempts, counted per account and per client address over
/// a sliding window (`[login]` in config.toml). Each failure beyond the free ones doubles the wait, up to
/// a ceiling: the account's ceiling is short, so a stranger who knows an address can slow its owner down
/// but never lock them out; the client address's ceiling is long, which is what stops a guessing robot.
public struct LoginThrottle: Sendable, Equatable {
    /// Failures older than this are forgotten.
    public var windowSeconds: Int
    public var freeFailuresPerAccount: Int
    public var freeFailuresPerAddress: Int
    public var maxAccountDelaySeconds: Int
    public var maxAddressDelaySeconds: Int

    public init(
        windowSeconds: Int = 900, freeFailuresPerAccount: Int = 5, freeFailuresPerAddress: Int = 10,
        maxAccountDelaySeconds: Int = 60, maxAddressDelaySeconds: Int = 900
    ) {
        self.windowSeconds = windowSeconds
        self.freeFailuresPerAccount = freeFailuresPerAccount
        self.freeFailuresPerAddress = freeFailuresPerAddress
        self.maxAccountDelaySeconds = maxAccountDelaySeconds
        self.maxAddressDelaySeconds = maxAddressDelaySeconds
    }

    /// Failures in the window for one key (an account or an address), and how long ago the last one was.
    public struct Failures: Sendable, Equatable {
        public var count: Int
        public var secondsSinceLast: Int
        public init(count: Int, secondsSinceLast: Int) {
            self.count = count
            self.secondsSinceLast = secondsSinceLast
        }
        public static let none = Failures(count: 0, secondsSinceLast: 0)
    }

    /// The wait after `count` failures: 0 while free, then 1 s, 2 s, 4 s… up to `ceiling`.
    static func delay(count: Int, free: Int, ceiling: Int) -> Int {
        guard count >= free else { return 0 }
        let doublings = min(count - free, 30)
        return min(1 << doublings, ceiling)
    }

    /// Seconds the next attempt must still wait (0: it may go ahead).
    public func wait(account: Failures, address: Failures) -> Int {
        let accountWait =
            Self.delay(count: account.count, free: freeFailuresPerAccount, ceiling: maxAccountDelaySeconds)
            - account.secondsSinceLast
        let addressWait =
            Self.delay(count: address.count, free: freeFailuresPerAddress, ceiling: maxAddressDelaySeconds)
            - address.secondsSinceLast
        return max(0, accountWait, addressWait)
    }

    /// The 429 answered while a wait runs: the same whether the account exists or not.
    public static func refusal(wait: Int) -> DomainError {
        DomainError(
            .tooManyRequests, code: .loginThrottled,
            message: "Trop de tentatives de connexion échouées : réessayez dans \(wait) seconde\(wait > 1 ? "s" : "").",
            retryAfterSeconds: wait)
    }
}

/// A failed login as admins see it: the address typed, the client address, when.
public struct LoginFailure: Codable, Sendable, Equatable {
    public let email: String
    public let address: String
    public let attemptedAt: Date
}

/// Failed logins, kept for the throttle and for admins (`GET /api/v1/login-failures`).
public struct LoginFailureStore: Sendable {
    let pool: PostgresPool
    let throttle: LoginThrottle

    public init(pool: PostgresPool, throttle: LoginThrottle) {
        self.pool = pool
        self.throttle = throttle
    }

    /// Seconds a login for `email` from `address` must still wait (0: it may go ahead).
    public func wait(email: String, address: String) async throws -> Int {
        let row = try await pool.query(
            """
            SELECT count(*) FILTER (WHERE email = $1),
                   coalesce(floor(extract(epoch FROM now() - max(attempted_at) FILTER (WHERE email = $1)))::bigint, 0),
                   count(*) FILTER (WHERE address = $2),
                   coalesce(floor(extract(epoch FROM now() - max(attempted_at) FILTER (WHERE address = $2)))::bigint, 0)
            FROM login_failures
            WHERE attempted_at > now() - make_interval(secs => $3) AND (email = $1 OR address = $2)
            """, [Self.normalized(email), address, throttle.windowSeconds]
        ).first
        guard let row else { return 0 }
        let account = LoginThrottle.Failures(count: try row.decode(0), secondsSinceLast: try row.decode(1))
        let client = LoginThrottle.Failures(count: try row.decode(2), secondsSinceLast: try row.decode(3))
        return throttle.wait(account: account, address: client)
    }

    public func record(email: String, address: String) async throws {
        try await pool.query(
            "INSERT INTO login_failures (email, address) VALUES ($1, $2)", [Self.normalized(email), address])
    }

    /// The most recent failures, newest first (admins only).
    public func recent(_ caller: Caller, limit: Int) async throws -> [LoginFailure] {
        guard caller.role == .admin else { throw DomainError.forbidden }
        return try await pool.query(
            "SELECT email, address, attempted_at FROM login_failures ORDER BY attempted_at DESC LIMIT $1", [limit]
        ).map {
            LoginFailure(email: try $0.decode(0), address: try $0.decode(1), attemptedAt: try $0.decode(2))
        }
    }

    /// The account as typed, bounded and comparable (what `UserStore.authenticate` looks up).
    static func normalized(_ email: String) -> String {
        String(email.trimmingCharacters(in: .whitespaces).lowercased().prefix(254))
    }
}
