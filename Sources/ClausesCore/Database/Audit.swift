import Foundation
import PostgresClient

/// Records every change (who, when, what) in the same transaction as the change itself.
enum Audit {
    /// `read`: a participant's record was opened (who and when only).
    enum Action: String { case create, update, delete, read }

    static func record(
        _ action: Action, entity: String, id: String, changes: [String: Any], by caller: Caller,
        on connection: PostgresConnection
    ) async throws {
        let json = try JSONSerialization.data(withJSONObject: changes, options: [.sortedKeys])
        try await connection.execute(
            "INSERT INTO audit_log (user_id, actor, action, entity, entity_id, changes) VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
            [caller.userId, caller.label, action.rawValue, entity, id, String(decoding: json, as: UTF8.self)])
    }

    /// The audit half of every create: the record as written, `omitting` keys left out (derived fields,
    /// a person's name already in the participant's own record).
    static func created<T: Encodable>(
        _ record: T, entity: String, id: UUID, omitting: Set<String> = [], by caller: Caller,
        on connection: PostgresConnection
    ) async throws {
        var changes = try object(record)
        for key in omitting { changes.removeValue(forKey: key) }
        try await Audit.record(
            .create, entity: entity, id: id.uuidString.lowercased(), changes: changes, by: caller, on: connection)
    }

    /// The audit half of every update: what changed, nothing when nothing did.
    static func updated<T: Encodable>(
        from old: T, to new: T, entity: String, id: UUID, omitting: Set<String> = [], by caller: Caller,
        on connection: PostgresConnection
    ) async throws {
        let changes = try diff(from: old, to: new, omitting: omitting)
        guard !changes.isEmpty else { return }
        try await Audit.record(
            .update, entity: entity, id: id.uuidString.lowercased(), changes: changes, by: caller, on: connection)
    }

    /// `{"field": {"from": old, "to": new}}` for the fields that differ between two encodings.
    static func diff<T: Encodable>(from old: T, to new: T, omitting: Set<String> = []) throws -> [String: Any] {
        let before = try object(old)
        let after = try object(new)
        var changes: [String: Any] = [:]
        for key in Set(before.keys).union(after.keys) where key != "updatedAt" && !omitting.contains(key) {
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
        let data = try JSONCoding.encode(value)
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

    /// JSON with the project's one style. Identifiers come out lower-case, as paths and pages write them:
    /// Foundation encodes a `UUID` upper-case, so every JSON string that is exactly an upper-case UUID is
    /// lower-cased (one pass over the bytes; a UUID compares equal whatever its case).
    public static func encode(_ value: some Encodable) throws -> Data {
        var data = try encoder.encode(value)
        lowercaseUUIDs(&data)
        return data
    }

    /// `encode(items)`, in parallel chunks (one per processor) for answers of thousands of items: the
    /// encoder is the costly part of a large group balance.
    public static func encodeArray<T: Encodable & Sendable>(_ items: [T], minimumChunk: Int = 200) async throws -> Data
    {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, items.count / minimumChunk))
        if workers == 1 { return try encode(items) }
        let size = (items.count + workers - 1) / workers
        let parts = try await withThrowingTaskGroup(of: (Int, Data).self) { group in
            for start in stride(from: 0, to: items.count, by: size) {
                let chunk = Array(items[start..<min(start + size, items.count)])
                group.addTask { (start, try encode(chunk)) }
            }
            var parts: [(Int, Data)] = []
            for try await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.map(\.1)
        }
        // Each part is `[…]`: keep what is inside the brackets, joined by commas.
        var out = Data("[".utf8)
        for (index, part) in parts.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(part.dropFirst().dropLast())
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    static func lowercaseUUIDs(_ data: inout Data) {
        let quote = UInt8(ascii: "\"")
        let dash = UInt8(ascii: "-")
        let count = data.count
        guard count >= 38 else { return }
        data.withUnsafeMutableBytes { (bytes: UnsafeMutableRawBufferPointer) in
            var i = 0
            while i + 37 < count {
                // An escaped quote (`\"`) is inside a string, not the start of one.
                guard bytes[i] == quote, bytes[i + 37] == quote, i == 0 || bytes[i - 1] != UInt8(ascii: "\\") else {
                    i += 1
                    continue
                }
                var isUUID = true
                var hasUpper = false
                for k in 1...36 {
                    let b = bytes[i + k]
                    switch k {
                    case 9, 14, 19, 24: isUUID = b == dash
                    default:
                        if b >= UInt8(ascii: "A") && b <= UInt8(ascii: "F") {
                            hasUpper = true
                        } else {
                            isUUID = b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
                        }
                    }
                    if !isUUID { break }
                }
                if isUUID && hasUpper {
                    for k in 1...36 where bytes[i + k] >= UInt8(ascii: "A") { bytes[i + k] |= 0x20 }
                }
                i += isUUID ? 38 : 1
            }
        }
    }

    public static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()
}
