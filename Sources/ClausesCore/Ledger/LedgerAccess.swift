import Foundation
import PostgresClient

/// Who may see which ledger rows, as SQL predicates (DESIGN: scoped in SQL, never filtered afterwards).
///
/// - admin, facilitator: every participant, placement and report;
/// - referent: only the participants whose `referent_user_id` is theirs, and those participants'
///   placements and reports;
/// - company: no participant records at all; the placements it employs (and their reports), with the
///   person shown as first name + initial of the last name (`Samira B.`), computed in SQL so the full
///   last name never leaves the database;
/// - buyer: no participant, placement or report row (aggregated balances only): `DomainError.forbidden`.
enum LedgerAccess {
    /// Predicate over a participants alias, or nil for everything. Throws for roles that see no participant.
    static func participants(_ caller: Caller, alias p: String, _ sql: inout SQL) throws(DomainError) -> String? {
        switch caller.role {
        case .admin, .facilitator: return nil
        case .referent:
            guard let user = caller.userId else { return "false" }
            return "\(p).referent_user_id = \(sql.bind(user))"
        case .buyer, .company: throw DomainError.forbidden
        }
    }

    /// Predicate over placements (`pl`) joined with their participant (`pa`), or nil for everything.
    static func placements(_ caller: Caller, placement pl: String, participant pa: String, _ sql: inout SQL)
        throws(DomainError) -> String?
    {
        switch caller.role {
        case .admin, .facilitator: return nil
        case .referent:
            guard let user = caller.userId else { return "false" }
            return "\(pa).referent_user_id = \(sql.bind(user))"
        case .company:
            guard let company = caller.companyId else { return "false" }
            return "\(pl).company_id = \(sql.bind(company))"
        case .buyer: throw DomainError.forbidden
        }
    }

    /// The SQL expression naming the person of a placement for this caller.
    static func personName(_ caller: Caller, participant pa: String) -> String {
        caller.role == .company
            ? "(\(pa).first_name || ' ' || left(\(pa).last_name, 1) || '.')"
            : "(\(pa).first_name || ' ' || upper(\(pa).last_name))"
    }

    /// Hours may be declared by staff and by the employing company (its own placements).
    static func requireDeclarer(_ caller: Caller) throws(DomainError) {
        switch caller.role {
        case .admin, .facilitator, .company: return
        case .referent, .buyer: throw DomainError.forbidden
        }
    }
}

/// Fast, exact parsing of `numeric` text (`151.67`, `-3`, `0.50`) without going through a locale.
enum NumericText {
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
