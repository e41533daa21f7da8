import Foundation
import PostgresClient

/// A statement being built with bound parameters: values never enter the SQL text.
public struct SQL: Sendable {
    public var text: String
    public var parameters: [(any PostgresEncodable)?] = []

    public init(_ text: String = "") { self.text = text }

    /// Binds a value and returns its placeholder (`$3`).
    public mutating func bind(_ value: (any PostgresEncodable)?) -> String {
        parameters.append(value)
        return "$\(parameters.count)"
    }

    public mutating func append(_ fragment: String) { text += " " + fragment }
}

extension SQL {
    /// How many rows this statement selects, with the same parameters (a list's total beside its page).
    var counting: SQL {
        var count = SQL("SELECT count(*) FROM (\(text)) counted")
        count.parameters = parameters
        return count
    }

    /// `INSERT INTO table (columns) VALUES ($1, …) RETURNING id`.
    static func insert(into table: String, _ columns: [(String, (any PostgresEncodable)?)]) -> SQL {
        var sql = SQL()
        let placeholders = columns.map { sql.bind($0.1) }
        sql.text =
            "INSERT INTO \(table) (\(columns.map(\.0).joined(separator: ", "))) VALUES (\(placeholders.joined(separator: ", "))) RETURNING id"
        return sql
    }

    /// `UPDATE table SET column = $1, …, updated_at = now() WHERE id = $n`.
    static func update(_ table: String, _ columns: [(String, (any PostgresEncodable)?)], id: UUID) -> SQL {
        var sql = SQL()
        let assignments = columns.map { "\($0.0) = \(sql.bind($0.1))" }
        sql.text =
            "UPDATE \(table) SET \(assignments.joined(separator: ", ")), updated_at = now() WHERE id = \(sql.bind(id))"
        return sql
    }
}

extension PostgresConnection {
    @discardableResult
    func query(_ sql: SQL) async throws -> PostgresRows { try await query(sql.text, sql.parameters) }
}

extension PostgresPool {
    @discardableResult
    func query(_ sql: SQL) async throws -> PostgresRows { try await query(sql.text, sql.parameters) }
}
