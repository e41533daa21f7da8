import Foundation
import PostgresClient

/// `limit` and an opaque `cursor` from the previous page's `next`.
public struct PageRequest: Sendable {
    public var limit: Int
    public var cursor: String?

    public init(limit: Int = 50, cursor: String? = nil) {
        self.limit = limit
        self.cursor = cursor
    }

    public static let maximumLimit = 500

    /// Reads `limit` and `cursor` query parameters, refusing bad ones in French.
    public init(limit: String?, cursor: String?) throws(DomainError) {
        var value = 50
        if let limit {
            guard let n = Int(limit), (1...Self.maximumLimit).contains(n) else {
                throw DomainError.invalid(
                    "limit", "« limit » doit être un entier entre 1 et \(Self.maximumLimit) (reçu « \(limit) »)")
            }
            value = n
        }
        self.init(limit: value, cursor: cursor)
    }
}

/// One page of a list: `{"items": [...], "next": "…" | null}`.
public struct Page<Item: Sendable & Encodable>: Sendable, Encodable {
    public var items: [Item]
    public var next: String?
}

/// Keyset pagination over `(created_at, id)`: stable under inserts, cheap at any depth.
enum Keyset {
    /// Adds `AND (alias.created_at, alias.id) > (…)` for a cursor, then the order and limit.
    static func apply(_ request: PageRequest, alias: String, to sql: inout SQL) throws(DomainError) {
        if let cursor = request.cursor {
            guard
                let data = Data(
                    base64Encoded: cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(
                        of: "_", with: "/") + String(repeating: "=", count: (4 - cursor.count % 4) % 4)),
                let text = String(data: data, encoding: .utf8),
                let bar = text.firstIndex(of: "|"),
                let id = UUID(uuidString: String(text[text.index(after: bar)...]))
            else {
                throw DomainError.invalid("cursor", "« cursor » n'est pas un curseur de pagination valide")
            }
            let at = String(text[..<bar])
            // The timestamp as PostgreSQL printed it (`2026-11-30 16:03:28.123456+01`): anything else is not ours.
            guard at.wholeMatch(of: /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?/) != nil else {
                throw DomainError.invalid("cursor", "« cursor » n'est pas un curseur de pagination valide")
            }
            sql.append("AND (\(alias).created_at, \(alias).id) > (\(sql.bind(at))::timestamptz, \(sql.bind(id)))")
        }
        sql.append("ORDER BY \(alias).created_at, \(alias).id LIMIT \(sql.bind(request.limit + 1))")
    }

    /// Cuts the extra row fetched to know whether a next page exists and builds its cursor.
    static func page<Item>(_ rows: PostgresRows, limit: Int, decode: (PostgresRow) throws -> Item) throws -> Page<Item>
    {
        var items: [Item] = []
        items.reserveCapacity(min(rows.count, limit))
        for row in rows.prefix(limit) { items.append(try decode(row)) }
        var next: String?
        if rows.count > limit, let last = rows.prefix(limit).last, let at = last["created_at"], let id = last["id"] {
            next = Data("\(at)|\(id)".utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
                    of: "=", with: "")
        }
        return Page(items: items, next: next)
    }
}
