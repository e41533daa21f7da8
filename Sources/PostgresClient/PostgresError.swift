import CLibPQ

/// An error from PostgreSQL or libpq, carrying what the server said.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Could not connect, or the connection broke: the pool replaces it.
        case connection
        /// The server refused the statement (see `sqlState`).
        case query
        /// No connection became free within the acquire timeout.
        case poolTimeout
        /// The pool was shut down.
        case poolClosed
        /// A value could not be decoded into the requested Swift type.
        case decoding
    }

    public let kind: Kind
    public let message: String
    public var sqlState: String?
    public var detail: String?
    public var constraint: String?
    public var column: String?

    public init(
        _ kind: Kind, _ message: String, sqlState: String? = nil, detail: String? = nil,
        constraint: String? = nil, column: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.constraint = constraint
        self.column = column
    }

    init(result: OpaquePointer, fallback: String) {
        func field(_ code: CChar) -> String? {
            guard let p = PQresultErrorField(result, Int32(code)) else { return nil }
            return String(cString: p)
        }
        let primary = field(CChar(UInt8(ascii: "M")))
        self.init(
            .query, primary ?? fallback,
            sqlState: field(CChar(UInt8(ascii: "C"))),
            detail: field(CChar(UInt8(ascii: "D"))),
            constraint: field(CChar(UInt8(ascii: "n"))),
            column: field(CChar(UInt8(ascii: "c"))))
    }

    public var description: String {
        var text = "PostgreSQL"
        if let sqlState { text += " \(sqlState)" }
        text += ": \(message)"
        if let detail { text += " (\(detail))" }
        return text
    }

    /// What a statement of a cancelled task gives: PostgreSQL's own code for a cancelled statement.
    static let cancelled = PostgresError(.query, "requête annulée : la tâche a été arrêtée", sqlState: "57014")

    public var isUniqueViolation: Bool { sqlState == "23505" }
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    public var isCheckViolation: Bool { sqlState == "23514" }
    public var isExclusionViolation: Bool { sqlState == "23P01" }
    /// Serialization failure or deadlock: the whole transaction may be retried.
    public var isRetryableTransactionFailure: Bool { sqlState == "40001" || sqlState == "40P01" }
    /// Class 08 (connection exception) and 57P (operator intervention: shutdown, crash).
    public var isConnectionFailure: Bool {
        kind == .connection || (sqlState.map { $0.hasPrefix("08") || $0.hasPrefix("57P") } ?? false)
    }
}
