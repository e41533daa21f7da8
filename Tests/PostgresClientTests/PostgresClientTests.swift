import ClausesTestSupport
import Foundation
import Logging
import PostgresClient
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("PostgresClient against a real PostgreSQL")
struct PostgresClientTests {
    @Test("decodes text results into Swift values, exactly")
    func decoding() async throws {
        let db = try await TestDatabase.create()
        let row = try await db.pool.query(
            """
            SELECT 'texte accentué é'::text, 42::int, 9000000000::bigint, true, 833.333333333333333333::numeric,
                   '2026-02-28'::date, '2026-11-23 12:49:06.25+01'::timestamptz, 'c3a2b1d0-0000-4000-8000-000000000001'::uuid,
                   NULL::int, ARRAY['a', 'b,c', 'd"e']::text[]
            """)[0]
        #expect(try row.decode(0, as: String.self) == "texte accentué é")
        #expect(try row.decode(1, as: Int.self) == 42)
        #expect(try row.decode(2, as: Int64.self) == 9_000_000_000)
        #expect(try row.decode(3, as: Bool.self))
        #expect(try row.decode(4, as: Decimal.self) == Decimal(string: "833.333333333333333333")!)
        #expect(try row.decode(5, as: LocalDate.self) == LocalDate(year: 2026, month: 2, day: 28))
        #expect(try row.decode(6, as: Date.self) == Date(timeIntervalSince1970: 1_795_434_546.25))
        #expect(try row.decode(7, as: UUID.self) == UUID(uuidString: "c3a2b1d0-0000-4000-8000-000000000001"))
        #expect(try row.decode(8, as: Int?.self) == nil)
        #expect(try row.decode(9, as: PostgresTextArray.self).values == ["a", "b,c", "d\"e"])
        #expect(throws: PostgresError.self) { try row.decode(8, as: Int.self) }
    }

    @Test("a slow statement is logged through the caller's logger with its duration, never its values")
    func slowQueriesAreLogged() async throws {
        let db = try await TestDatabase.create(poolSize: 1)
        defer { Task { await db.pool.shutdown() } }
        let records = LogRecorder()
        let pool = PostgresPool(
            configuration: PostgresConfiguration(conninfo: db.url, poolSize: 1, slowQueryThreshold: .milliseconds(300)),
            logger: Logger(label: "pool"))
        var request = records.logger(label: "request")
        request[metadataKey: "request_id"] = "r-42"
        try await QueryLogging.$logger.withValue(request) {
            _ = try await pool.query("SELECT 1 WHERE $1 <> ''", ["secret-value"])
            _ = try await pool.query("SELECT pg_sleep(0.6), $1::text", ["secret-value"])
        }
        // (The fast statement may be logged too on a loaded machine: only the slow one is certain.)
        let slow = records.lines.filter { $0.hasPrefix("warning slow query") && $0.contains("pg_sleep") }
        #expect(slow.count == 1)
        #expect(slow.first?.contains("request_id=r-42") == true)
        #expect(slow.first?.contains("statement=SELECT pg_sleep(0.6), $1::text") == true)
        let duration = slow.first?.split(separator: " ").first { $0.hasPrefix("duration_ms=") }?.dropFirst(12)
        #expect(duration.flatMap { Int($0) }.map { $0 >= 600 } == true)
        #expect(!records.lines.joined().contains("secret-value"))
        await pool.shutdown()
    }

    @Test("binds parameters, never interpolates them")
    func binding() async throws {
        let db = try await TestDatabase.create()
        let hostile = "'); DROP TABLE buyers; --"
        let echoed = try await db.pool.query(
            "SELECT $1::text, $2::numeric + 0.1, $3::date, $4::int IS NULL",
            [hostile, Decimal(string: "0.2")!, LocalDate(year: 2026, month: 1, day: 31), Int?.none])[0]
        #expect(try echoed.decode(0, as: String.self) == hostile)
        #expect(try echoed.decode(1, as: Decimal.self) == Decimal(string: "0.3")!)
        #expect(try echoed.decode(2, as: LocalDate.self) == LocalDate(year: 2026, month: 1, day: 31))
        #expect(try echoed.decode(3, as: Bool.self))
        #expect(try await db.pool.query("SELECT to_regclass('buyers') IS NOT NULL").scalar(Bool.self) == true)
    }

    @Test("errors carry SQLSTATE, message, detail and constraint")
    func errorFields() async throws {
        let db = try await TestDatabase.create()
        try await db.pool.query("INSERT INTO buyers (siret, name) VALUES ('73282932000074', 'Acheteur A')")
        let error = await #expect(throws: PostgresError.self) {
            try await db.pool.query("INSERT INTO buyers (siret, name) VALUES ('73282932000074', 'Acheteur B')")
        }
        #expect(error?.sqlState == "23505")
        #expect(error?.constraint == "buyers_siret_key")
        #expect(error?.detail?.contains("73282932000074") == true)
        #expect(error?.isUniqueViolation == true)
    }

    @Test("a transaction rolls back on throw and commits on return")
    func transactions() async throws {
        let db = try await TestDatabase.create()
        struct Abort: Error {}
        await #expect(throws: Abort.self) {
            try await db.pool.withTransaction { connection in
                try await connection.execute("INSERT INTO buyers (siret, name) VALUES ('73282932000074', 'Annulé')")
                throw Abort()
            }
        }
        #expect(try await db.pool.query("SELECT count(*) FROM buyers").scalar(Int.self) == 0)
        try await db.pool.withTransaction { connection in
            try await connection.execute("INSERT INTO buyers (siret, name) VALUES ('73282932000074', 'Gardé')")
        }
        #expect(try await db.pool.query("SELECT count(*) FROM buyers").scalar(Int.self) == 1)
    }

    @Test("cancelling the task cancels its running statement and rolls its transaction back")
    func cancellation() async throws {
        let db = try await TestDatabase.create(poolSize: 2)
        let started = ContinuousClock.now
        let task = Task {
            try await db.pool.withTransaction { connection in
                try await connection.execute("INSERT INTO buyers (siret, name) VALUES ('73282932000074', 'Annulé')")
                try await connection.execute("SELECT pg_sleep(30)")
            }
        }
        while try await db.pool.query(
            "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'"
        ).scalar(Int.self) == 0 {
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        let error = await #expect(throws: PostgresError.self) { try await task.value }
        #expect(error?.sqlState == "57014")
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(try await db.pool.query("SELECT count(*) FROM buyers").scalar(Int.self) == 0)
        // The cancelled connection was closed, not lent again: the pool goes on with fresh ones.
        #expect(try await db.pool.query("SELECT 1").scalar(Int.self) == 1)
        await db.pool.shutdown()
    }

    @Test("a serialization failure replays the transaction")
    func serializationRetry() async throws {
        let db = try await TestDatabase.create(poolSize: 4)
        try await db.pool.query("CREATE TABLE counter (n int NOT NULL)")
        try await db.pool.query("INSERT INTO counter VALUES (0)")
        await db.pool.shutdown()
        // Six writers on one row: under load a transaction may lose several times, so allow enough replays.
        let pool = PostgresPool(
            configuration: PostgresConfiguration(conninfo: db.url, poolSize: 4, transactionRetries: 30))
        // Concurrent read-modify-write under SERIALIZABLE: conflicts are detected and replayed, none is lost.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await pool.withTransaction(isolation: .serializable) { connection in
                        let n = try await connection.query("SELECT n FROM counter").scalar(Int.self)!
                        try await Task.sleep(for: .milliseconds(20))
                        try await connection.execute("UPDATE counter SET n = $1", [n + 1])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await pool.query("SELECT n FROM counter").scalar(Int.self) == 6)
        await pool.shutdown()
    }

    @Test("COPY FROM STDIN loads rows with special characters and NULLs")
    func copy() async throws {
        let db = try await TestDatabase.create()
        try await db.pool.query("CREATE TABLE t (a text, b numeric, c date)")
        let rows: [[String?]] = (0..<5000).map { i in
            ["ligne \(i)\ttab\\slash\nnewline", "\(i).5", i % 2 == 0 ? nil : "2026-01-31"]
        }
        let copied = try await db.pool.withConnection {
            try await $0.copy(into: "t", columns: ["a", "b", "c"], rows: rows)
        }
        #expect(copied == 5000)
        let check = try await db.pool.query("SELECT count(*), sum(b), count(c), max(a) FILTER (WHERE b = 42.5) FROM t")[
            0]
        #expect(try check.decode(0, as: Int.self) == 5000)
        #expect(try check.decode(1, as: Decimal.self) == Decimal(string: "12500000")!)
        #expect(try check.decode(2, as: Int.self) == 2500)
        #expect(try check.decode(3, as: String.self) == "ligne 42\ttab\\slash\nnewline")
    }

    @Test("acquiring times out when every connection is busy")
    func acquireTimeout() async throws {
        let db = try await TestDatabase.create(poolSize: 1, acquireTimeout: .milliseconds(200))
        // The holder says when it has the only connection (a fixed sleep raced it on a loaded machine).
        let (acquired, signal) = AsyncStream<Void>.makeStream()
        async let holder: Void = db.pool.withConnection { connection in
            signal.finish()
            // Long enough that a loaded machine still asks for the connection while it is held.
            try await connection.execute("SELECT pg_sleep(3)")
        }
        for await _ in acquired {}
        let error = await #expect(throws: PostgresError.self) { try await db.pool.query("SELECT 1") }
        #expect(error?.kind == .poolTimeout)
        try await holder
        #expect(try await db.pool.query("SELECT 1").scalar(Int.self) == 1)
        #expect(await db.pool.statistics().acquireTimeouts == 1)
    }

    @Test("accepts libpq keyword connection strings")
    func keywordConninfo() async throws {
        let url = try TestDatabase.adminURL()
        let components = try #require(URLComponents(string: url))
        let keywords =
            "host=\(components.host!) port=\(components.port ?? 5432) user=\(components.user ?? "postgres") dbname=postgres application_name=clauses-test"
        let pool = PostgresPool(configuration: PostgresConfiguration(conninfo: keywords, poolSize: 1))
        #expect(
            try await pool.query("SELECT current_setting('application_name')").scalar(String.self) == "clauses-test")
        await pool.shutdown()
    }

    @Test("an unreachable server gives a connection error")
    func unreachable() async throws {
        let pool = PostgresPool(
            configuration: PostgresConfiguration(
                conninfo: "postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=2", poolSize: 1))
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.kind == .connection)
        await pool.shutdown()
    }
}

/// Restarts the shared test cluster: runs alone so other tests are not disturbed.
@Suite("PostgresClient survives a server restart", .serialized)
struct PostgresRestartTests {
    @Test("broken connections are replaced after PostgreSQL restarts")
    func survivesRestart() async throws {
        guard let dir = ProcessInfo.processInfo.environment["CLAUSES_TEST_PG_DIR"] else {
            throw TestSetupError("CLAUSES_TEST_PG_DIR is not set: run the suite with `make test`")
        }
        let db = try await TestDatabase.create(poolSize: 3)
        // Open all three connections, then leave them idle in the pool.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { try await db.pool.query("SELECT pg_sleep(0.05)") } }
            try await group.waitForAll()
        }
        #expect(await db.pool.statistics().open == 3)

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../../scripts/pg.sh")
            .standardized.path
        // system(3) waits with waitpid: Foundation's Process misses the child's exit when the test
        // runner blocks SIGCHLD.
        let status = system("/bin/bash '\(script)' restart '\(dir)'")
        #expect(status == 0)

        // Every idle connection died with the restart: the pool notices and reconnects.
        for i in 0..<5 {
            #expect(try await db.pool.query("SELECT $1::int", [i]).scalar(Int.self) == i)
        }
        #expect(await db.pool.statistics().replacedConnections >= 1)
    }

    @Test("an outage is logged once as a warning when the database becomes unreachable, and once when it is back")
    func outageIsLogged() async throws {
        guard let dir = ProcessInfo.processInfo.environment["CLAUSES_TEST_PG_DIR"] else {
            throw TestSetupError("CLAUSES_TEST_PG_DIR is not set: run the suite with `make test`")
        }
        let db = try await TestDatabase.create(poolSize: 1)
        let records = LogRecorder()
        let pool = PostgresPool(
            configuration: PostgresConfiguration(conninfo: db.url, poolSize: 1), logger: records.logger())
        #expect(try await pool.query("SELECT 1").scalar(Int.self) == 1)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../../scripts/pg.sh")
            .standardized.path
        #expect(system("/bin/bash '\(script)' stop '\(dir)'") == 0)
        for _ in 0..<3 { _ = try? await pool.query("SELECT 1") }
        let port = URLComponents(string: db.url)?.port ?? 54329
        #expect(system("/bin/bash '\(script)' start '\(dir)' \(port) >/dev/null") == 0)
        #expect(try await pool.query("SELECT 1").scalar(Int.self) == 1)
        let lines = records.lines
        #expect(lines.filter { $0.hasPrefix("warning database unreachable") }.count == 1)
        #expect(lines.filter { $0.hasPrefix("notice database reachable again") }.count == 1)
        await pool.shutdown()
        await db.pool.shutdown()
    }
}
