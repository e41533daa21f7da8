import CLibPQ
import Foundation
import NIOConcurrencyHelpers

/// One libpq connection. Every method blocks: the pool calls them on its own thread pool, one caller at
/// a time, never on an event loop.
final class RawConnection: @unchecked Sendable {
    // Only ever used by the single task holding the lease from the pool.
    private let conn: OpaquePointer
    /// PQcancel's handle, made once: PQcancel is safe from any thread, PQgetCancel is not.
    private let cancelHandle: OpaquePointer?
    /// Whether a statement is running, and whether a cancellation was asked for: a cancelled connection
    /// runs no further statement and is closed rather than reused, so a cancel request that reaches the
    /// server late can never interrupt another task's statement.
    private let state = NIOLockedValueBox((running: false, cancelled: false))

    /// Connects with a libpq URI (`postgresql://…`) or keyword string (`host=… dbname=…`).
    init(conninfo: String) throws(PostgresError) {
        guard let conn = PQconnectdb(conninfo) else {
            throw PostgresError(.connection, "libpq n'a pas pu allouer de connexion")
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(conn)
            throw PostgresError(.connection, message)
        }
        self.conn = conn
        cancelHandle = PQgetCancel(conn)
        // Server notices (e.g. "relation already exists, skipping") would go to stderr otherwise.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        // Instants are exchanged with explicit offsets; civil dates and months follow Europe/Paris.
        _ = try? execute(
            "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'Europe/Paris'; SET IntervalStyle = 'iso_8601'", [])
    }

    deinit {
        if let cancelHandle { PQfreeCancel(cancelHandle) }
        PQfinish(conn)
    }

    /// Runs `statement` (which blocks), marked as running so that `cancel()` may interrupt it.
    func cancellable<T>(_ statement: () throws(PostgresError) -> T) throws(PostgresError) -> T {
        let cancelled = state.withLockedValue { state in
            state.running = !state.cancelled
            return state.cancelled
        }
        if cancelled { throw PostgresError.cancelled }
        defer { state.withLockedValue { $0.running = false } }
        return try statement()
    }

    /// Marks the connection cancelled and, when a statement runs, asks the server to cancel it (SQLSTATE
    /// 57014). Callable from any thread; the request itself (a network round trip) goes out on a thread
    /// of its own, never the caller's.
    func cancel() {
        let running = state.withLockedValue { state in
            state.cancelled = true
            return state.running
        }
        guard running, cancelHandle != nil else { return }
        // The closure holds `self`, so the handle stays valid until the request is sent.
        DispatchQueue.global().async { self.sendCancelRequest() }
    }

    private func sendCancelRequest() {
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancelHandle, &buffer, Int32(buffer.count))
    }

    /// Whether a cancellation was asked for: the pool closes the connection instead of reusing it.
    var wasCancelled: Bool { state.withLockedValue { $0.cancelled } }

    var isHealthy: Bool { PQstatus(conn) == CONNECTION_OK }

    /// Reads whatever the server sent while the connection sat idle (a shutdown notice, EOF) without
    /// blocking, so a connection killed by a server restart is noticed before it is handed out.
    func checkIdle() -> Bool {
        guard PQstatus(conn) == CONNECTION_OK else { return false }
        // A shutting-down server first sends a FATAL message, then closes: the first read takes the
        // message (parsed by PQisBusy), the second meets the end of the stream.
        for _ in 0..<2 {
            guard PQconsumeInput(conn) == 1 else { return false }
            _ = PQisBusy(conn)
        }
        return PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE
    }

    var inTransaction: Bool {
        let s = PQtransactionStatus(conn)
        return s == PQTRANS_INTRANS || s == PQTRANS_INERROR
    }

    func execute(_ sql: String, _ parameters: [String?]) throws(PostgresError) -> PostgresRows {
        // libpq takes C strings: a NUL would silently cut the value. PostgreSQL's own answer to a NUL in text.
        if parameters.contains(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError(
                .query, "caractère nul (0x00) dans un paramètre : refusé plutôt que tronqué", sqlState: "22021")
        }
        let result: OpaquePointer? = withCStrings(parameters) { pointers in
            PQexecParams(conn, sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
        }
        return try check(result)
    }

    /// Runs a script of several statements with no parameters (migrations).
    func executeScript(_ sql: String) throws(PostgresError) {
        _ = try check(PQexec(conn, sql))
    }

    /// `COPY … FROM STDIN` in text format: `lines` are already-encoded rows ending in "\n".
    func copyIn(_ sql: String, chunks: some Sequence<String>) throws(PostgresError) -> Int {
        guard let start = PQexec(conn, sql) else { throw connectionError() }
        let status = PQresultStatus(start)
        if status != PGRES_COPY_IN {
            defer { PQclear(start) }
            throw PostgresError(result: start, fallback: "COPY refusé")
        }
        PQclear(start)
        var failure: PostgresError?
        for chunk in chunks {
            var chunk = chunk
            let ok = chunk.withUTF8 { buffer in
                buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(conn, $0.baseAddress, Int32($0.count)) }
            }
            if ok != 1 {
                failure = connectionError()
                break
            }
        }
        if PQputCopyEnd(conn, failure == nil ? nil : "abandon") != 1 { failure = failure ?? connectionError() }
        var copied = 0
        while let result = PQgetResult(conn) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                copied = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if failure == nil {
                failure = PostgresError(result: result, fallback: "COPY échoué")
            }
            PQclear(result)
        }
        if let failure { throw failure }
        return copied
    }

    private func check(_ result: OpaquePointer?) throws(PostgresError) -> PostgresRows {
        guard let result else { throw connectionError() }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(result: result)
        default:
            var error = PostgresError(result: result, fallback: lastErrorMessage)
            PQclear(result)
            if PQstatus(conn) != CONNECTION_OK && error.sqlState == nil {
                error = PostgresError(.connection, error.message)
            }
            throw error
        }
    }

    private var lastErrorMessage: String {
        String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func connectionError() -> PostgresError {
        PostgresError(.connection, lastErrorMessage.isEmpty ? "connexion perdue" : lastErrorMessage)
    }
}

/// Calls `body` with a C array of NUL-terminated strings (NULL entries for SQL NULL).
private func withCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    var storage: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0) } }
    defer { for p in storage { free(p) } }
    return storage.withUnsafeMutableBufferPointer { buffer in
        body(buffer.map { $0.map { UnsafePointer($0) } })
    }
}
