import Logging
import NIOPosix

/// How the pool connects and how many connections it keeps.
public struct PostgresConfiguration: Sendable {
    /// A libpq connection string: URI (`postgresql://user@host/db?sslmode=…`) or keywords (`host=… dbname=…`).
    public var conninfo: String
    public var poolSize: Int
    public var acquireTimeout: Duration
    /// How many times a transaction is replayed after a serialization failure or deadlock.
    public var transactionRetries: Int
    /// Statements slower than this are logged (duration and statement text, never the bound values).
    public var slowQueryThreshold: Duration

    public init(
        conninfo: String, poolSize: Int = 8, acquireTimeout: Duration = .seconds(5), transactionRetries: Int = 3,
        slowQueryThreshold: Duration = .milliseconds(500)
    ) {
        self.conninfo = conninfo
        self.poolSize = max(1, poolSize)
        self.acquireTimeout = acquireTimeout
        self.transactionRetries = transactionRetries
        self.slowQueryThreshold = slowQueryThreshold
    }
}

/// The logger of the work under way (a request with its id, a command, later a job with its name): the
/// pool logs slow statements through it, so they carry the caller's metadata without every store method
/// passing a logger along. Set with `QueryLogging.$logger.withValue(logger) { … }`.
public enum QueryLogging {
    @TaskLocal public static var logger: Logger?
}

public struct PoolStatistics: Sendable, Equatable {
    public var size: Int
    public var open: Int
    public var inUse: Int
    public var idle: Int
    public var waiting: Int
    public var acquireTimeouts: Int
    public var replacedConnections: Int
}

public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

/// A pool of libpq connections whose blocking calls run on a dedicated thread pool sized to the pool.
public final class PostgresPool: Sendable {
    public let configuration: PostgresConfiguration
    let threads: NIOThreadPool
    private let state: PoolState
    let logger: Logger

    public init(configuration: PostgresConfiguration, logger: Logger = Logger(label: "clauses.postgres")) {
        self.configuration = configuration
        self.logger = logger
        self.threads = NIOThreadPool(numberOfThreads: configuration.poolSize)
        threads.start()
        self.state = PoolState(maxSize: configuration.poolSize)
    }

    /// Logs a statement slower than the threshold through the caller's logger: its duration and its first
    /// words (the text has no values: they are always bound parameters).
    func noteDuration(_ duration: Duration, of sql: String) {
        guard duration >= configuration.slowQueryThreshold else { return }
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        let statement = sql.split(whereSeparator: \.isWhitespace).prefix(12).joined(separator: " ")
        (QueryLogging.logger ?? logger).warning(
            "slow query", metadata: ["duration_ms": "\(milliseconds)", "statement": "\(statement)"])
    }

    /// Closes idle connections and stops the threads; later calls fail with `.poolClosed`.
    public func shutdown() async {
        // Dropping the idle connections closes them (PQfinish in deinit).
        _ = await state.close()
        try? await threads.shutdownGracefully()
    }

    public func statistics() async -> PoolStatistics { await state.statistics() }

    /// Runs blocking libpq work on the pool's threads.
    func blocking<T: Sendable>(_ work: @escaping @Sendable () throws(PostgresError) -> T) async throws(PostgresError)
        -> T
    {
        do {
            return try await threads.runIfActive { try work() }
        } catch let error as PostgresError {
            throw error
        } catch {
            throw PostgresError(.poolClosed, "le pool de connexions est arrêté")
        }
    }

    /// Lends a healthy connection to `body`; a connection left broken or mid-transaction is not reused.
    public func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let raw = try await acquire()
        let connection = PostgresConnection(raw: raw, pool: self)
        do {
            let value = try await body(connection)
            await release(raw)
            return value
        } catch {
            await release(raw)
            throw error
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws, replayed
    /// from the start after a serialization failure or deadlock.
    public func withTransaction<T>(
        isolation: IsolationLevel = .readCommitted,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await withConnection { connection in
                    try await connection.execute("BEGIN ISOLATION LEVEL \(isolation.rawValue)")
                    do {
                        let value = try await body(connection)
                        try await connection.execute("COMMIT")
                        return value
                    } catch {
                        // A cancelled task sends no ROLLBACK: the connection, left in its transaction, is
                        // closed instead of reused, which rolls the transaction back.
                        if !Task.isCancelled { try? await connection.execute("ROLLBACK") }
                        throw error
                    }
                }
            } catch let error as PostgresError
                where error.isRetryableTransactionFailure && attempt < configuration.transactionRetries
            {
                attempt += 1
                logger.debug(
                    "transaction replayed", metadata: ["sqlstate": "\(error.sqlState ?? "")", "attempt": "\(attempt)"])
                try? await Task.sleep(for: .milliseconds(10 * attempt * attempt))
            }
        }
    }

    /// One statement outside an explicit transaction.
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) async throws -> PostgresRows {
        try await withConnection { try await $0.query(sql, parameters) }
    }

    private func acquire() async throws(PostgresError) -> RawConnection {
        switch try await state.acquire(timeout: configuration.acquireTimeout) {
        case .reuse(let raw):
            if raw.checkIdle() { return raw }
            logger.info("replacing a broken database connection")
            await state.noteReplaced()
            return try await openOrGiveBack()
        case .create:
            return try await openOrGiveBack()
        }
    }

    /// Opens a connection; the first failure after a success is logged as a warning (the database became
    /// unreachable), the first success after failures as a notice (it is back).
    private func openOrGiveBack() async throws(PostgresError) -> RawConnection {
        let conninfo = configuration.conninfo
        do {
            let raw = try await blocking { () throws(PostgresError) in try RawConnection(conninfo: conninfo) }
            if await state.noteReachable(true) { logger.notice("database reachable again") }
            return raw
        } catch {
            await state.release(nil)
            if error.kind == .connection, await state.noteReachable(false) {
                logger.warning("database unreachable", metadata: ["error": "\(error.message)"])
            }
            throw error
        }
    }

    private func release(_ raw: RawConnection) async {
        if raw.isHealthy && !raw.inTransaction && !raw.wasCancelled {
            await state.release(raw)
        } else {
            await state.release(nil)
        }
    }
}

/// A connection lent by the pool; valid only inside `withConnection` or `withTransaction`.
public struct PostgresConnection: Sendable {
    let raw: RawConnection
    let pool: PostgresPool

    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) async throws(PostgresError)
        -> PostgresRows
    {
        let raw = raw
        let texts = parameters.map { $0?.postgresText }
        let clock = ContinuousClock()
        let start = clock.now
        // A cancelled task (a job stopped at shutdown) starts no statement and interrupts the running one.
        guard !Task.isCancelled else {
            raw.cancel()
            throw PostgresError.cancelled
        }
        let result = await withTaskCancellationHandler {
            do throws(PostgresError) {
                return Result<PostgresRows, PostgresError>.success(
                    try await pool.blocking { () throws(PostgresError) in
                        try raw.cancellable { () throws(PostgresError) in try raw.execute(sql, texts) }
                    })
            } catch {
                return .failure(error)
            }
        } onCancel: {
            raw.cancel()
        }
        let rows = try result.get()
        pool.noteDuration(clock.now - start, of: sql)
        return rows
    }

    public func execute(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) async throws(PostgresError) {
        try await query(sql, parameters)
    }

    /// Runs several statements separated by semicolons, with no parameters (migration files).
    public func executeScript(_ sql: String) async throws(PostgresError) {
        let raw = raw
        try await pool.blocking { () throws(PostgresError) in try raw.executeScript(sql) }
    }

    /// Bulk-loads rows with `COPY table (columns) FROM STDIN`; each row's values are text or nil for NULL.
    /// Returns the number of rows copied.
    @discardableResult
    public func copy(into table: String, columns: [String], rows: some Sequence<[String?]>) async throws(PostgresError)
        -> Int
    {
        let raw = raw
        let sql = "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"
        // Encoded here, row by row, so a lazy sequence never holds every row at once.
        let chunks = CopyEncoder.chunks(rows)
        return try await pool.blocking { () throws(PostgresError) in
            try raw.copyIn(sql, chunks: chunks)
        }
    }
}

/// Encodes rows in COPY's text format, in chunks of about 64 KiB.
enum CopyEncoder {
    static func chunks(_ rows: some Sequence<[String?]>) -> [String] {
        var chunks: [String] = []
        var current = ""
        current.reserveCapacity(70_000)
        for row in rows {
            for (i, value) in row.enumerated() {
                if i > 0 { current.append("\t") }
                if let value { append(escaped: value, to: &current) } else { current.append("\\N") }
            }
            current.append("\n")
            if current.utf8.count >= 65_536 {
                chunks.append(current)
                current = ""
                current.reserveCapacity(70_000)
            }
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    private static func append(escaped value: String, to out: inout String) {
        for ch in value.unicodeScalars {
            switch ch {
            case "\\": out.append("\\\\")
            case "\t": out.append("\\t")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            default: out.unicodeScalars.append(ch)
            }
        }
    }
}

/// The pool's bookkeeping: idle connections, how many are open, and who waits for one.
actor PoolState {
    enum Grant: Sendable {
        case reuse(RawConnection)
        case create
    }

    private let maxSize: Int
    private var idle: [RawConnection] = []
    private var open = 0
    private var closed = false
    private var nextWaiter: UInt64 = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Grant, any Error>)] = []
    private var acquireTimeouts = 0
    private var replaced = 0
    private var databaseReachable = true

    init(maxSize: Int) { self.maxSize = maxSize }

    func acquire(timeout: Duration) async throws(PostgresError) -> Grant {
        if closed { throw PostgresError(.poolClosed, "le pool de connexions est arrêté") }
        if let raw = idle.popLast() { return .reuse(raw) }
        if open < maxSize {
            open += 1
            return .create
        }
        let id = nextWaiter
        nextWaiter += 1
        do {
            return try await withCheckedThrowingContinuation { continuation in
                waiters.append((id, continuation))
                Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    await self?.expire(id)
                }
            }
        } catch let error as PostgresError {
            throw error
        } catch {
            throw PostgresError(.poolTimeout, "\(error)")
        }
    }

    private func expire(_ id: UInt64) {
        guard let i = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: i)
        acquireTimeouts += 1
        waiter.continuation.resume(
            throwing: PostgresError(.poolTimeout, "aucune connexion à la base de données disponible à temps"))
    }

    /// Gives a connection back, or nil when it was broken or could not be opened.
    func release(_ raw: RawConnection?) {
        if closed {
            if raw != nil || open > 0 { open -= 1 }
            return
        }
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            waiter.continuation.resume(returning: raw.map(Grant.reuse) ?? .create)
            return
        }
        if let raw {
            idle.append(raw)
        } else {
            open -= 1
        }
    }

    func noteReplaced() { replaced += 1 }

    /// Records whether the last connection attempt succeeded; true when that changes what was known.
    func noteReachable(_ reachable: Bool) -> Bool {
        defer { databaseReachable = reachable }
        return databaseReachable != reachable
    }

    func close() -> [RawConnection] {
        closed = true
        let dropped = idle
        open -= idle.count
        idle = []
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(.poolClosed, "le pool de connexions est arrêté"))
        }
        waiters = []
        return dropped
    }

    func statistics() -> PoolStatistics {
        PoolStatistics(
            size: maxSize, open: open, inUse: open - idle.count, idle: idle.count,
            waiting: waiters.count, acquireTimeouts: acquireTimeouts, replacedConnections: replaced)
    }
}
