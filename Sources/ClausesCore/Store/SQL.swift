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

extension PostgresConnection {
    @discardableResult
    func query(_ sql: SQL) async throws -> PostgresRows { try await query(sql.text, sql.parameters) }
}

extension PostgresPool {
    @discardableResult
    func query(_ sql: SQL) async throws -> PostgresRows { try await query(sql.text, sql.parameters) }
}
