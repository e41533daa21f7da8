import Foundation
import Logging
import PostgresClient

/// A referential row type the generic store can list, read, create and update, with role scoping in SQL
/// and an audit record for every change.
public protocol StoredEntity: Codable, Sendable {
    associatedtype Input: Decodable & Sendable
    /// Table and the alias its columns are selected through.
    static var table: String { get }
    static var alias: String { get }
    /// Name in the audit log.
    static var entityName: String { get }
    /// French noun phrase for messages ("le donneur d'ordre").
    static var frenchName: String { get }
    /// Columns selected (qualified by `alias`); must include `created_at` and `id`.
    static var selectColumns: String { get }
    /// `FROM` clause (the table with its alias, plus any joins the columns need).
    static var fromClause: String { get }
    /// French messages for unique and foreign-key constraints: constraint name → (field, message).
    static var constraintMessages: [String: (field: String, message: String)] { get }
    /// SQL predicate restricting rows to what `caller` may see, or nil for everything.
    static func scope(for caller: Caller, _ sql: inout SQL) -> String?
    /// The typed filters a list of this entity accepts (`NoFilter` when none).
    associatedtype Filter: ListFilter = NoFilter
    /// Validated column values for an insert (existing nil) or an update merged over `existing`.
    static func columns(from input: Input, existing: Self?) throws(DomainError) -> [(String, (any PostgresEncodable)?)]
    init(row: PostgresRow) throws
    var id: UUID { get }
    var updatedAt: Date { get }
    /// Columns a page may sort a list by: key (from the page) → SQL expression over the selected tables.
    static var sortColumns: [String: String] { get }
    /// Text expressions a page's search matches (accent- and case-insensitively, every word).
    static var searchColumns: [String] { get }
    /// The insert's columns with what a new record takes from who creates it.
    static func defaultingOnCreate(_ columns: [(String, (any PostgresEncodable)?)], caller: Caller)
        -> [(String, (any PostgresEncodable)?)]
}

extension StoredEntity {
    public static var sortColumns: [String: String] { [:] }
    public static var searchColumns: [String] { [] }
    public static func defaultingOnCreate(_ columns: [(String, (any PostgresEncodable)?)], caller: Caller)
        -> [(String, (any PostgresEncodable)?)]
    { columns }
}

/// A page of a list as the web pages show it: rows from an offset, with the total that matched.
public struct ListSlice<Item: Sendable>: Sendable {
    public let items: [Item]
    public let total: Int
    public let offset: Int

    public init(items: [Item], total: Int, offset: Int) {
        self.items = items
        self.total = total
        self.offset = offset
    }
}

/// How a page asks for a list: search words, a sort key of the entity's `sortColumns`, a window.
public struct ListQuery: Sendable {
    public var search: String?
    public var sort: String?
    public var descending: Bool
    public var limit: Int
    public var offset: Int

    public init(search: String? = nil, sort: String? = nil, descending: Bool = false, limit: Int = 50, offset: Int = 0)
    {
        self.search = search
        self.sort = sort
        self.descending = descending
        self.limit = limit
        self.offset = offset
    }
}

/// Generic list / get / create / update over a `StoredEntity`.
public struct EntityStore<Entity: StoredEntity>: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    private func select(_ caller: Caller, extra: [String] = []) -> SQL {
        var sql = SQL("SELECT \(Entity.selectColumns) FROM \(Entity.fromClause) WHERE true")
        if let predicate = Entity.scope(for: caller, &sql) { sql.append("AND \(predicate)") }
        for condition in extra { sql.append("AND \(condition)") }
        return sql
    }

    public func list(_ caller: Caller, page: PageRequest, filter: Entity.Filter = .init()) async throws -> Page<Entity>
    {
        var sql = select(caller)
        for condition in filter.conditions(&sql) { sql.append("AND \(condition)") }
        try Keyset.apply(page, alias: Entity.alias, to: &sql)
        let rows = try await pool.query(sql)
        return try Keyset.page(rows, limit: page.limit) { try Entity(row: $0) }
    }

    /// The rows matching `filter` and the search words, sorted by a known key (then by id), `limit` rows from
    /// `offset`, with the number that matched: a list that says how long it is and never stops silently.
    public func slice(_ caller: Caller, filter: Entity.Filter = .init(), query: ListQuery) async throws
        -> ListSlice<Entity>
    {
        var sql = select(caller)
        for condition in filter.conditions(&sql) { sql.append("AND \(condition)") }
        let words = (query.search ?? "").split(whereSeparator: \.isWhitespace).prefix(8)
        if !Entity.searchColumns.isEmpty {
            let haystack = "search_fold(concat_ws(' ', \(Entity.searchColumns.joined(separator: ", "))))"
            for word in words {
                sql.append("AND strpos(\(haystack), search_fold(\(sql.bind(String(word))))) > 0")
            }
        }
        let total = try await pool.query(sql.counting).one().decode(0, as: Int.self)
        let order = query.sort.flatMap { Entity.sortColumns[$0] } ?? "\(Entity.alias).created_at"
        sql.append("ORDER BY \(order) \(query.descending ? "DESC" : "ASC") NULLS LAST, \(Entity.alias).id")
        sql.append("LIMIT \(sql.bind(query.limit)) OFFSET \(sql.bind(query.offset))")
        let items = try await pool.query(sql).map { try Entity(row: $0) }
        return ListSlice(items: items, total: total, offset: query.offset)
    }

    /// The rows with these ids that the caller may see (a page naming the buyers of its marchés).
    public func get(_ caller: Caller, ids: [UUID]) async throws -> [Entity] {
        guard !ids.isEmpty else { return [] }
        var sql = select(caller)
        let list = ids.map { $0.uuidString.lowercased() }.joined(separator: ",")
        sql.append("AND \(Entity.alias).id = ANY(string_to_array(\(sql.bind(list)), ',')::uuid[])")
        return try await pool.query(sql).map { try Entity(row: $0) }
    }

    public func get(_ caller: Caller, id: UUID) async throws -> Entity {
        try await pool.withConnection { try await get(caller, id: id, on: $0) }
    }

    func get(_ caller: Caller, id: UUID, on connection: PostgresConnection, lock: Bool = false) async throws -> Entity {
        var sql = select(caller)
        sql.append("AND \(Entity.alias).id = \(sql.bind(id))")
        if lock { sql.append("FOR UPDATE OF \(Entity.alias)") }
        guard let row = try await connection.query(sql).first else {
            throw DomainError.notFound(
                "\(Entity.frenchName.prefix(1).uppercased())\(Entity.frenchName.dropFirst()) \(id.uuidString.lowercased()) n'existe pas ou ne vous est pas accessible."
            )
        }
        return try Entity(row: row)
    }

    public func create(_ caller: Caller, _ input: Entity.Input) async throws -> Entity {
        try caller.requireEditor()
        let columns = Entity.defaultingOnCreate(try Entity.columns(from: input, existing: nil), caller: caller)
        return try await translatingConstraints {
            try await pool.withTransaction { connection in
                let sql = SQL.insert(into: Entity.table, columns)
                let id = try await connection.query(sql).one().decode(0, as: UUID.self)
                let created = try await get(caller, id: id, on: connection)
                try await Audit.created(created, entity: Entity.entityName, id: id, by: caller, on: connection)
                return created
            }
        }
    }

    /// `expected`: the version a form was opened on; the save is refused when the row changed since.
    public func update(_ caller: Caller, id: UUID, _ input: Entity.Input, expected: RecordVersion? = nil)
        async throws -> Entity
    {
        try caller.requireEditor()
        return try await translatingConstraints {
            try await pool.withTransaction { connection in
                let existing = try await get(caller, id: id, on: connection, lock: true)
                try RecordVersion.check(expected, current: existing.updatedAt, noun: Entity.frenchName)
                let columns = try Entity.columns(from: input, existing: existing)
                let sql = SQL.update(Entity.table, columns, id: id)
                try await connection.query(sql)
                let updated = try await get(caller, id: id, on: connection)
                try await Audit.updated(
                    from: existing, to: updated, entity: Entity.entityName, id: id, by: caller, on: connection)
                return updated
            }
        }
    }

    /// Turns constraint violations into French messages naming the field.
    func translatingConstraints<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError {
            throw ConstraintMessages.translate(error, unique: Entity.constraintMessages)
        }
    }
}

public enum ConstraintMessages {
    /// Runs `body`, its constraint violations translated with `messages` (`translate`).
    static func translating<T>(
        _ messages: [String: (field: String, message: String)], _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError {
            throw translate(error, unique: messages)
        }
    }

    /// Maps a PostgreSQL error to a DomainError where it is the caller's fault; other errors pass through.
    public static func translate(_ error: PostgresError, unique: [String: (field: String, message: String)] = [:])
        -> any Error
    {
        if error.isUniqueViolation, let constraint = error.constraint {
            if let known = unique[constraint] {
                return DomainError.conflict(known.message, field: known.field, code: .duplicate)
            }
            return DomainError.conflict("Cet enregistrement existe déjà (\(constraint)).", code: .duplicate)
        }
        if error.isForeignKeyViolation {
            if let constraint = error.constraint, let known = unique[constraint] {
                return DomainError.invalid(known.field, known.message, code: .unknownReference)
            }
            return DomainError.invalid(
                error.constraint ?? "", "Une référence ne désigne aucun enregistrement existant.",
                code: .unknownReference)
        }
        if error.isCheckViolation {
            return DomainError.invalid(
                error.constraint ?? "",
                "Valeur refusée par une règle de la base de données (\(error.constraint ?? "contrôle")).",
                code: .invalidValue)
        }
        // Data exceptions (SQLSTATE class 22): a value the checks before the query should have refused. Never
        // echo the server's message: it is in English and may quote the value.
        if error.sqlState?.hasPrefix("22") == true {
            return DomainError.invalid(
                error.column ?? "", "Valeur refusée par la base de données : hors des limites ou mal formée.",
                code: .invalidValue)
        }
        if error.isConnectionFailure || error.kind == .poolTimeout || error.kind == .poolClosed {
            return DomainError(
                .unavailable, code: .databaseUnavailable,
                message: "La base de données est momentanément indisponible. Réessayez dans un instant.")
        }
        return error
    }
}
