import CLibPQ

/// The rows of one statement's result. Owns the libpq result; values are read lazily as text.
public final class PostgresRows: @unchecked Sendable, RandomAccessCollection {
    // Immutable after init; a PGresult is independent of its connection and safe to read from any thread.
    private let result: OpaquePointer
    public let columnNames: [String]
    private let columnIndex: [String: Int]
    public let count: Int
    /// Rows affected by INSERT/UPDATE/DELETE (0 for other statements).
    public let affectedRows: Int

    init(result: OpaquePointer) {
        self.result = result
        let n = Int(PQnfields(result))
        var names: [String] = []
        names.reserveCapacity(n)
        for i in 0..<n { names.append(String(cString: PQfname(result, Int32(i)))) }
        columnNames = names
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() where index[name] == nil { index[name] = i }
        columnIndex = index
        count = Int(PQntuples(result))
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    deinit { PQclear(result) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(position: Int) -> PostgresRow { PostgresRow(rows: self, index: position) }

    func text(row: Int, column: Int) -> String? {
        if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
        return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
    }

    func column(named name: String) throws(PostgresError) -> Int {
        guard let i = columnIndex[name] else { throw PostgresError(.decoding, "colonne inconnue : \(name)") }
        return i
    }
}

/// One row of a result.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    let index: Int

    public func decode<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws(PostgresError) -> T {
        do {
            return try T.decode(postgresText: rows.text(row: index, column: column))
        } catch {
            throw PostgresError(.decoding, "\(rows.columnNames[column]) : \(error.message)")
        }
    }

    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws(PostgresError) -> T {
        try decode(rows.column(named: column), as: type)
    }

    public subscript(_ column: String) -> String? {
        guard let i = try? rows.column(named: column) else { return nil }
        return rows.text(row: index, column: i)
    }
}

extension PostgresRows {
    /// The first row's first column, decoded; nil when there is no row.
    public func scalar<T: PostgresDecodable>(_ type: T.Type = T.self) throws(PostgresError) -> T? {
        guard count > 0 else { return nil }
        return try self[0].decode(0, as: type)
    }
}

extension PostgresRows {
    /// The first row of a statement that always returns one (`INSERT … RETURNING`, an aggregate).
    public func one() throws(PostgresError) -> PostgresRow {
        guard count > 0 else { throw PostgresError(.decoding, "aucune ligne renvoyée là où une ligne était attendue") }
        return self[0]
    }
}
