import Foundation
import PostgresClient

/// Fast, exact parsing of `numeric` text (`151.67`, `-3`, `0.50`) without going through a locale.
enum NumericText {
    /// A decimal as `numeric` text for PostgreSQL (`151.67`, `-3`): straight from integer hundredths when
    /// the value has 2 decimals at most (imports send 100,000s of them), else Decimal's own text.
    static func text(_ value: Decimal) -> String {
        Hundredths.exact(value).map(Hundredths.plainText) ?? value.description
    }

    static func decimal(_ text: String) -> Decimal? { decimal(bytes: text.utf8) }

    /// `numeric` text with at most 2 decimals (`151.67`, `0.5`, `-3`) as an integer count of hundredths (`15167`);
    /// nil for more decimals or more than 16 integer digits.
    static func hundredths<Bytes: Collection>(text bytes: Bytes) -> Int64? where Bytes.Element == UInt8 {
        var value: Int64 = 0
        var negative = false
        var digits = 0
        var fraction = -1
        var first = true
        for byte in bytes {
            defer { first = false }
            switch byte {
            case UInt8(ascii: "-") where first: negative = true
            case UInt8(ascii: ".") where fraction < 0: fraction = 0
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if fraction >= 0 { fraction += 1 }
                digits += 1
                guard fraction <= 2, digits <= 16 else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            default: return nil
            }
        }
        guard digits > 0 else { return nil }
        for _ in max(fraction, 0)..<2 { value *= 10 }
        return negative ? -value : value
    }

    /// An integer (`15167`, `-3`) of at most 18 digits; nil for anything else (empty, signs, overflow).
    static func integer<Bytes: Collection>(_ bytes: Bytes) -> Int64? where Bytes.Element == UInt8 {
        var value: Int64 = 0
        var negative = false
        var digits = 0
        var first = true
        for byte in bytes {
            defer { first = false }
            if byte == UInt8(ascii: "-") && first {
                negative = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 18 else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            digits += 1
        }
        guard digits > 0 else { return nil }
        return negative ? -value : value
    }

    static func decimal<Bytes: Collection>(bytes: Bytes) -> Decimal? where Bytes.Element == UInt8 {
        var significand: UInt64 = 0
        var digits = 0
        var fraction = 0
        var negative = false
        var seenPoint = false
        var first = true
        func fallback() -> Decimal? {
            Decimal(string: String(decoding: bytes, as: UTF8.self), locale: Locale(identifier: "en_US_POSIX"))
        }
        for byte in bytes {
            defer { first = false }
            switch byte {
            case UInt8(ascii: "-") where first: negative = true
            case UInt8(ascii: "."):
                if seenPoint { return fallback() }
                seenPoint = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                if digits > 18 { return fallback() }
                significand = significand * 10 + UInt64(byte - UInt8(ascii: "0"))
                if seenPoint { fraction += 1 }
            default:
                return fallback()
            }
        }
        guard digits > 0 else { return nil }
        return Decimal(sign: negative ? .minus : .plus, exponent: -fraction, significand: Decimal(significand))
    }
}

extension PostgresRow {
    /// A `numeric` column by index, parsed exactly (nil for NULL).
    func numeric(_ column: Int) throws -> Decimal? {
        guard let text = try decode(column, as: String?.self) else { return nil }
        guard let value = NumericText.decimal(text) else {
            throw PostgresError(.decoding, "nombre illisible « \(text) »")
        }
        return value
    }

    func numeric0(_ column: Int) throws -> Decimal { try numeric(column) ?? 0 }
}

extension String {
    /// `2026-01-01` (a month's first day as SQL returns it) → `2026-01`.
    var yearMonthFromDate: YearMonth? { LocalDate(iso: self)?.yearMonth }
}
