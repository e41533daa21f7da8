import ClausesCore
import Foundation
import Logging
import PostgresClient

/// A database of its own for one test, cloned from a migrated template so tests are isolated and can
/// run in parallel. `make test` starts a throw-away cluster and exports `CLAUSES_TEST_DATABASE_URL`
/// (a URI to its `postgres` database).
public struct TestDatabase: Sendable {
    public let name: String
    public let url: String
    public let pool: PostgresPool

    /// The cluster's maintenance URL; tests fail with this message when it is missing.
    public static func adminURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["CLAUSES_TEST_DATABASE_URL"], !url.isEmpty else {
            throw TestSetupError(
                "CLAUSES_TEST_DATABASE_URL is not set: run the suite with `make test`, which starts a throw-away PostgreSQL cluster"
            )
        }
        return url
    }

    /// The URL of another database on the same cluster.
    public static func url(forDatabase name: String) throws -> String {
        let admin = try adminURL()
        guard var components = URLComponents(string: admin) else {
            throw TestSetupError("CLAUSES_TEST_DATABASE_URL must be a postgresql:// URI")
        }
        components.path = "/\(name)"
        return components.string!
    }

    /// A fresh migrated database (the template is migrated once per process and schema version).
    public static func create(poolSize: Int = 4, acquireTimeout: Duration = .seconds(5)) async throws -> TestDatabase {
        let template = try await Template.shared.name()
        let name = "t_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20))"
        _ = try await withAdminPool { admin in
            try await admin.query("CREATE DATABASE \(name) TEMPLATE \(template)")
        }
        let url = try url(forDatabase: name)
        let pool = PostgresPool(
            configuration: PostgresConfiguration(conninfo: url, poolSize: poolSize, acquireTimeout: acquireTimeout),
            logger: Logger(label: "test"))
        return TestDatabase(name: name, url: url, pool: pool)
    }

    /// An empty database with no schema at all (migration tests).
    public static func createEmpty() async throws -> TestDatabase {
        let name = "e_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20))"
        _ = try await withAdminPool { admin in try await admin.query("CREATE DATABASE \(name)") }
        let url = try url(forDatabase: name)
        return TestDatabase(
            name: name, url: url,
            pool: PostgresPool(
                configuration: PostgresConfiguration(conninfo: url, poolSize: 2), logger: Logger(label: "test")))
    }

    static func withAdminPool<T>(_ body: (PostgresPool) async throws -> T) async throws -> T {
        let pool = PostgresPool(
            configuration: PostgresConfiguration(conninfo: try adminURL(), poolSize: 1), logger: Logger(label: "test"))
        do {
            let value = try await body(pool)
            await pool.shutdown()
            return value
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Creates, once, the migrated template database named after the migrations' contents.
actor Template {
    static let shared = Template()
    private var created: String?

    func name() async throws -> String {
        if let created { return created }
        // FNV-1a over the embedded migrations: a schema change gets a new template.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Migration.embedded.map(\.sql).joined().utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let name = "clauses_template_\(String(hash, radix: 16))"
        try await TestDatabase.withAdminPool { admin in
            try await admin.withConnection { connection in
                // Serialise template creation across test processes; closing the admin pool releases the lock on failure.
                try await connection.execute("SELECT pg_advisory_lock(4242)")
                let exists =
                    try await connection.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).count > 0
                if !exists {
                    // Migrate under a scratch name, then rename: a run killed half-way never leaves a broken template.
                    let scratch = "\(name)_wip"
                    try await connection.execute("DROP DATABASE IF EXISTS \(scratch)")
                    try await connection.execute("CREATE DATABASE \(scratch)")
                    let pool = PostgresPool(
                        configuration: PostgresConfiguration(
                            conninfo: try TestDatabase.url(forDatabase: scratch), poolSize: 1),
                        logger: Logger(label: "test"))
                    do {
                        try await Migrator(pool: pool, logger: Logger(label: "test")).migrate()
                        await pool.shutdown()
                    } catch {
                        await pool.shutdown()
                        throw error
                    }
                    try await connection.execute("ALTER DATABASE \(scratch) RENAME TO \(name)")
                }
                try await connection.execute("SELECT pg_advisory_unlock(4242)")
            }
        }
        created = name
        return name
    }
}
