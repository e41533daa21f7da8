import Foundation
import Logging
import PostgresClient

/// One numbered SQL file of `sql/`, as embedded in the binary.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    /// `0001_referential.sql` → version 1.
    public init?(fileName: String, sql: String) {
        guard let prefix = fileName.split(separator: "_").first, let version = Int(prefix), fileName.hasSuffix(".sql")
        else { return nil }
        self.version = version
        self.name = fileName
        self.sql = sql
    }

    /// The migrations this binary was built with, in order.
    public static let embedded: [Migration] = EmbeddedMigrations.files.compactMap {
        Migration(fileName: $0.name, sql: $0.text)
    }
}

/// What the database holds compared with the binary's migrations.
public struct MigrationStatus: Sendable, Equatable {
    public var applied: [Int]
    public var pending: [Migration]
    /// Applied versions this binary does not know: the schema is ahead of the binary.
    public var unknown: [Int]
    /// Applied files whose text changed since they were applied.
    public var edited: [String]

    public var isCurrent: Bool { pending.isEmpty && unknown.isEmpty && edited.isEmpty }
}

/// Applies numbered migrations under an advisory lock, one transaction each, recording checksums.
public struct Migrator: Sendable {
    /// Key of the advisory lock that serialises migrations across instances.
    static let lockKey: Int64 = 0x636C_6175_7365_73  // "clauses"
    let pool: PostgresPool
    let migrations: [Migration]
    let logger: Logger
    /// Session settings a migration may read with `current_setting(name, true)`, set for each migration's
    /// transaction only (values the configuration holds for data migrations).
    let settings: [String: String]

    public init(
        pool: PostgresPool, migrations: [Migration] = Migration.embedded, logger: Logger,
        settings: [String: String] = [:]
    ) {
        self.pool = pool
        self.migrations = migrations
        self.logger = logger
        self.settings = settings
    }

    /// What the configuration tells the data migrations: 0004 gives the pathways recorded before PLIE
    /// records existed to a PLIE under `ledger.outcome_profile`.
    public static func settings(for config: Config) -> [String: String] {
        ["clauses.legacy_outcome_profile": config.ledger.outcomeProfile]
    }

    private static let createTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY,
            name text NOT NULL,
            checksum text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """

    /// Checksums are SHA-256 of the file text, computed by PostgreSQL (no crypto library needed here).
    private static let checksumSQL = "encode(sha256(convert_to($1, 'UTF8')), 'hex')"

    public func status() async throws -> MigrationStatus {
        try await pool.withConnection { connection in try await status(on: connection) }
    }

    private func status(on connection: PostgresConnection) async throws -> MigrationStatus {
        let exists =
            try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL").scalar(Bool.self) ?? false
        var applied: [Int: (name: String, checksum: String)] = [:]
        if exists {
            for row in try await connection.query(
                "SELECT version, name, checksum FROM schema_migrations ORDER BY version")
            {
                applied[try row.decode(0, as: Int.self)] = (try row.decode(1), try row.decode(2))
            }
        }
        var edited: [String] = []
        for migration in migrations {
            guard let record = applied[migration.version] else { continue }
            let checksum = try await connection.query("SELECT \(Self.checksumSQL)", [migration.sql]).scalar(String.self)
            if checksum != record.checksum { edited.append(migration.name) }
        }
        let known = Set(migrations.map(\.version))
        return MigrationStatus(
            applied: applied.keys.sorted(),
            pending: migrations.filter { applied[$0.version] == nil },
            unknown: applied.keys.filter { !known.contains($0) }.sorted(),
            edited: edited)
    }

    /// Applies every pending migration; refuses when the schema is ahead or an applied file was edited.
    /// Returns the names applied.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await pool.withConnection { connection in
            try await connection.execute("SELECT pg_advisory_lock($1)", [Self.lockKey])
            do {
                let names = try await migrateLocked(connection)
                try await connection.execute("SELECT pg_advisory_unlock($1)", [Self.lockKey])
                return names
            } catch {
                try? await connection.execute("SELECT pg_advisory_unlock($1)", [Self.lockKey])
                throw error
            }
        }
    }

    private func migrateLocked(_ connection: PostgresConnection) async throws -> [String] {
        try await connection.execute(Self.createTable)
        let status = try await status(on: connection)
        try Self.refuseUnsafe(status)
        var names: [String] = []
        for migration in status.pending {
            try await connection.execute("BEGIN")
            do {
                for (name, value) in settings.sorted(by: { $0.key < $1.key }) {
                    try await connection.execute("SELECT set_config($1, $2, true)", [name, value])
                }
                try await connection.executeScript(migration.sql)
                try await connection.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, \(Self.checksumSQL.replacingOccurrences(of: "$1", with: "$3")))",
                    [migration.version, migration.name, migration.sql])
                try await connection.execute("COMMIT")
            } catch {
                try? await connection.execute("ROLLBACK")
                throw DomainError(
                    .unprocessable, code: .migrationFailed,
                    message: "la migration \(migration.name) a échoué et a été annulée : \(error)")
            }
            logger.info("migration applied", metadata: ["migration": "\(migration.name)"])
            names.append(migration.name)
        }
        return names
    }

    /// Refuses a database this binary must not touch.
    public static func refuseUnsafe(_ status: MigrationStatus) throws(DomainError) {
        if !status.unknown.isEmpty {
            throw DomainError(
                .conflict, code: .schemaAhead,
                message:
                    "le schéma de la base est en avance sur ce binaire (migrations inconnues : \(status.unknown.map(String.init).joined(separator: ", "))) : installez une version plus récente de clauses"
            )
        }
        if !status.edited.isEmpty {
            throw DomainError(
                .conflict, code: .migrationEdited,
                message:
                    "des migrations déjà appliquées ont été modifiées depuis : \(status.edited.joined(separator: ", ")) ; créez une nouvelle migration au lieu de modifier l'ancienne"
            )
        }
    }
}
