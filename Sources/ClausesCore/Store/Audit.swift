import Foundation
import PostgresClient

/// Records every change (who, when, what) in the same transaction as the change itself.
enum Audit {
    enum Action: String { case create, update, delete }

    static func record(
        _ action: Action, entity: String, id: String, changes: [String: Any], by caller: Caller,
        on connection: PostgresConnection
    ) async throws {
        let json = try JSONSerialization.data(withJSONObject: changes, options: [.sortedKeys])
        try await connection.execute(
            "INSERT INTO audit_log (user_id, actor, action, entity, entity_id, changes) VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
            [caller.userId, caller.label, action.rawValue, entity, id, String(decoding: json, as: UTF8.self)])
    }

    /// `{"field": {"from": old, "to": new}}` for the fields that differ between two encodings.
    static func diff<T: Encodable>(from old: T, to new: T) throws -> [String: Any] {
        let before = try object(old)
        let after = try object(new)
        var changes: [String: Any] = [:]
        for key in Set(before.keys).union(after.keys) where key != "updatedAt" {
            let a = before[key] ?? NSNull()
            let b = after[key] ?? NSNull()
            if try canonical(a) != canonical(b) { changes[key] = ["from": a, "to": b] }
        }
        return changes
    }

    private static func canonical(_ value: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    }

    static func object<T: Encodable>(_ value: T) throws -> [String: Any] {
        let data = try JSONCoding.encoder.encode(value)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}

/// One JSON style everywhere: camelCase keys, ISO dates, sorted keys for stable output.
public enum JSONCoding {
    public static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    public static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()
}
