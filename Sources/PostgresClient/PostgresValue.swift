import Foundation

/// A Swift value bound as a query parameter, sent in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    /// The text form, or nil for SQL NULL.
    var postgresText: String? { get }
}

/// A Swift value decoded from a column in PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// `text` is nil for SQL NULL.
    static func decode(postgresText text: String?) throws(PostgresError) -> Self
}

public typealias PostgresCodable = PostgresEncodable & PostgresDecodable

private func requireText<T>(_ text: String?, _ type: T.Type) throws(PostgresError) -> String {
    guard let text else { throw PostgresError(.decoding, "NULL inattendu pour \(T.self)") }
    return text
}

private func bad<T>(_ text: String, _ type: T.Type) -> PostgresError {
    PostgresError(.decoding, "valeur « \(text) » illisible comme \(T.self)")
}

extension String: PostgresCodable {
    public var postgresText: String? { self }
    public static func decode(postgresText text: String?) throws(PostgresError) -> String {
        try requireText(text, String.self)
    }
}

extension Int: PostgresCodable {
    public var postgresText: String? { String(self) }
    public static func decode(postgresText text: String?) throws(PostgresError) -> Int {
        let t = try requireText(text, Int.self)
        guard let v = Int(t) else { throw bad(t, Int.self) }
        return v
    }
}

extension Int64: PostgresCodable {
    public var postgresText: String? { String(self) }
    public static func decode(postgresText text: String?) throws(PostgresError) -> Int64 {
        let t = try requireText(text, Int64.self)
        guard let v = Int64(t) else { throw bad(t, Int64.self) }
        return v
    }
}

/// `float8`, for geometry (commune centres, distances); never for money or hours, which are `Decimal`.
extension Double: PostgresCodable {
    public var postgresText: String? { String(self) }
    public static func decode(postgresText text: String?) throws(PostgresError) -> Double {
        let t = try requireText(text, Double.self)
        guard let v = Double(t) else { throw bad(t, Double.self) }
        return v
    }
}

extension Bool: PostgresCodable {
    public var postgresText: String? { self ? "t" : "f" }
    public static func decode(postgresText text: String?) throws(PostgresError) -> Bool {
        switch try requireText(text, Bool.self) {
        case "t", "true": return true
        case "f", "false": return false
        case let t: throw bad(t, Bool.self)
        }
    }
}

extension Decimal: PostgresCodable {
    private static let posix = Locale(identifier: "en_US_POSIX")
    public var postgresText: String? { NSDecimalNumber(decimal: self).description(withLocale: Decimal.posix) }
    /// `numeric` text is parsed exactly: no floating point on the way.
    public static func decode(postgresText text: String?) throws(PostgresError) -> Decimal {
        let t = try requireText(text, Decimal.self)
        guard let v = Decimal(string: t, locale: posix) else { throw bad(t, Decimal.self) }
        return v
    }
}

extension UUID: PostgresCodable {
    public var postgresText: String? { uuidString.lowercased() }
    public static func decode(postgresText text: String?) throws(PostgresError) -> UUID {
        let t = try requireText(text, UUID.self)
        guard let v = UUID(uuidString: t) else { throw bad(t, UUID.self) }
        return v
    }
}

extension LocalDate: PostgresCodable {
    public var postgresText: String? { description }
    public static func decode(postgresText text: String?) throws(PostgresError) -> LocalDate {
        let t = try requireText(text, LocalDate.self)
        guard let v = LocalDate(iso: t) else { throw bad(t, LocalDate.self) }
        return v
    }
}

extension Date: PostgresCodable {
    /// Instants travel as ISO 8601 with an explicit offset, so the session time zone never matters.
    public var postgresText: String? {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)
        return self.formatted(style)
    }

    /// Parses `timestamptz` in the ISO output style: `2026-11-23 12:49:06.123456+01` (offset may carry minutes).
    public static func decode(postgresText text: String?) throws(PostgresError) -> Date {
        let t = try requireText(text, Date.self)
        guard let v = parseTimestamp(t) else { throw bad(t, Date.self) }
        return v
    }

    static func parseTimestamp(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19 else { return nil }
        func int(_ range: Range<Int>) -> Int? {
            var v = 0
            for i in range {
                guard i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 else { return nil }
                v = v * 10 + Int(bytes[i] - 48)
            }
            return v
        }
        guard let y = int(0..<4), let mo = int(5..<7), let d = int(8..<10),
            let h = int(11..<13), let mi = int(14..<16), let s = int(17..<19),
            let date = LocalDate(year: y, month: mo, day: d)
        else { return nil }
        var i = 19
        var fraction = 0.0
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                fraction += Double(bytes[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        var offsetSeconds = 0
        if i < bytes.count {
            let sign = bytes[i] == UInt8(ascii: "-") ? -1 : 1
            guard bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-"), let oh = int((i + 1)..<(i + 3)) else {
                return nil
            }
            var om = 0
            if i + 3 < bytes.count, bytes[i + 3] == UInt8(ascii: ":"), let m = int((i + 4)..<(i + 6)) { om = m }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        }
        let seconds = Double(date.dayNumber * 86_400 + h * 3600 + mi * 60 + s - offsetSeconds) + fraction
        return Date(timeIntervalSince1970: seconds)
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? { self?.postgresText }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(postgresText text: String?) throws(PostgresError) -> Wrapped? {
        guard let text else { return nil }
        return try Wrapped.decode(postgresText: text)
    }
}

/// A `text[]` parameter (for `= ANY($1)`), written in PostgreSQL's array literal syntax.
public struct PostgresTextArray: PostgresEncodable {
    public let values: [String]
    public init(_ values: [String]) { self.values = values }
    /// `{"a","b\"c"}`: every element quoted, `"` and `\` escaped; built byte by byte (large arrays carry
    /// a scan's batches, and Foundation's string replacement is slow on Linux).
    public var postgresText: String? {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(values.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension PostgresTextArray: PostgresDecodable {
    /// Decodes a one-dimensional `text[]` (elements may be quoted; NULL elements are dropped).
    public static func decode(postgresText text: String?) throws(PostgresError) -> PostgresTextArray {
        let t = try requireText(text, PostgresTextArray.self)
        guard t.hasPrefix("{"), t.hasSuffix("}") else { throw bad(t, PostgresTextArray.self) }
        var items: [String] = []
        var current = ""
        var quoted = false
        var inQuotes = false
        var escape = false
        for ch in t.dropFirst().dropLast() {
            if escape {
                current.append(ch)
                escape = false
                continue
            }
            switch ch {
            case "\\" where inQuotes: escape = true
            case "\"":
                inQuotes.toggle()
                quoted = true
            case "," where !inQuotes:
                if quoted || current != "NULL" { items.append(current) }
                current = ""
                quoted = false
            default: current.append(ch)
            }
        }
        if !t.dropFirst().dropLast().isEmpty, quoted || current != "NULL" { items.append(current) }
        return PostgresTextArray(items)
    }
}
