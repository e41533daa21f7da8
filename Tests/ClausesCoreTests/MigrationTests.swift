import ClausesTestSupport
import Logging
import Testing

@testable import ClausesCore

@Suite("Migrations")
struct MigrationTests {
    let logger = Logger(label: "test")

    @Test("pending migrations are listed, applied once each, and recorded with checksums")
    func applyPending() async throws {
        let db = try await TestDatabase.createEmpty()
        let migrator = Migrator(pool: db.pool, logger: logger)
        let before = try await migrator.status()
        #expect(before.applied.isEmpty)
        #expect(before.pending.map(\.name) == Migration.embedded.map(\.name))
        #expect(!before.isCurrent)

        let applied = try await migrator.migrate()
        #expect(applied == Migration.embedded.map(\.name))
        #expect(try await migrator.status().isCurrent)
        #expect(try await migrator.migrate().isEmpty)
        let checksums = try await db.pool.query("SELECT checksum FROM schema_migrations ORDER BY version").map {
            try $0.decode(0, as: String.self)
        }
        #expect(checksums.count == Migration.embedded.count)
        #expect(checksums.allSatisfy { $0.count == 64 })
    }

    @Test("concurrent migrators apply each file once (advisory lock)")
    func concurrent() async throws {
        let db = try await TestDatabase.createEmpty()
        try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<2 { group.addTask { try await Migrator(pool: db.pool, logger: logger).migrate() } }
            var total: [String] = []
            for try await names in group { total += names }
            #expect(total.sorted() == Migration.embedded.map(\.name).sorted())
        }
    }

    @Test("an edited applied migration is refused")
    func editedRefused() async throws {
        let db = try await TestDatabase.create()
        let first = try #require(Migration.embedded.first)
        let edited = try #require(Migration(fileName: first.name, sql: first.sql + "\n-- edited"))
        let migrator = Migrator(pool: db.pool, migrations: [edited] + Migration.embedded.dropFirst(), logger: logger)
        let status = try await migrator.status()
        #expect(status.edited == [first.name])
        let error = await #expect(throws: DomainError.self) { try await migrator.migrate() }
        #expect(error?.code == .migrationEdited)
    }

    @Test("a schema ahead of the binary is refused")
    func aheadRefused() async throws {
        let db = try await TestDatabase.create()
        let migrator = Migrator(pool: db.pool, migrations: Array(Migration.embedded.dropLast()), logger: logger)
        let status = try await migrator.status()
        #expect(status.unknown == [Migration.embedded.last!.version])
        let error = await #expect(throws: DomainError.self) { try await migrator.migrate() }
        #expect(error?.code == .schemaAhead)
    }

    @Test("a failing migration leaves nothing half-applied")
    func failingRollsBack() async throws {
        let db = try await TestDatabase.createEmpty()
        let broken = try #require(
            Migration(fileName: "0001_broken.sql", sql: "CREATE TABLE half (id int); SELECT 1/0;"))
        let error = await #expect(throws: DomainError.self) {
            try await Migrator(pool: db.pool, migrations: [broken], logger: logger).migrate()
        }
        #expect(error?.code == .migrationFailed)
        #expect(try await db.pool.query("SELECT to_regclass('half') IS NULL").scalar(Bool.self) == true)
        #expect(try await db.pool.query("SELECT count(*) FROM schema_migrations").scalar(Int.self) == 0)
    }

    @Test("file names give versions; other files are ignored")
    func fileNames() {
        #expect(Migration(fileName: "0002_ledger.sql", sql: "")?.version == 2)
        #expect(Migration(fileName: "README.md", sql: "") == nil)
        #expect(Migration.embedded.map(\.version) == Migration.embedded.map(\.version).sorted())
    }
}
