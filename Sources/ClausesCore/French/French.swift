import Foundation

/// Where a French figure is printed; each place has its own separators.
public enum FrenchStyle: Sendable {
    /// Pages and mail: comma decimal, narrow no-break space (U+202F) between thousands.
    case page
    /// Plain text (the command line, JSON `text` fields, messages): comma decimal, space between thousands.
    case text
    /// CSV for French spreadsheets: comma decimal, no grouping (the cell stays a number).
    case csv
    /// JSON and machine text: dot decimal, no grouping.
    case json

    var groupSeparator: String? {
        switch self {
        case .page: "\u{202F}"
        case .text: " "
        case .csv, .json: nil
        }
    }

    var decimalSeparator: String { self == .json ? "." : "," }
}

/// The one French formatting module: every hour, amount, rate, date and month a person reads goes
/// through it. Numbers are exact `Decimal`s, rounded half away from zero.
public enum French {
    /// Rounds half away from zero ("half-up" on positive values) to `scale` decimals.
    public static func round(_ value: Decimal, scale: Int, mode: NSDecimalNumber.RoundingMode = .plain) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, scale, mode)
        return result
    }

    /// `1 250,5`: at most `maxFraction` decimals, trailing zeros dropped; with `fixedFraction`, exactly that
    /// many decimals (`12,50`).
    public static func number(
        _ value: Decimal, _ style: FrenchStyle = .page, maxFraction: Int = 2, fixedFraction: Int? = nil
    ) -> String {
        let scale = max(0, fixedFraction ?? maxFraction)
        // Stored figures have 2 decimals: their text comes straight from integer hundredths (pages and
        // answers print thousands of them; Decimal's rounding and text are slow on Linux).
        var text =
            scale >= 2
            ? Hundredths.exact(value).map(Hundredths.plainText) ?? round(value, scale: scale).description
            : round(value, scale: scale).description
        var negative = false
        if text.hasPrefix("-") {
            negative = true
            text.removeFirst()
        }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integer = Array(parts[0])
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        if fixedFraction == nil {
            while fraction.hasSuffix("0") { fraction.removeLast() }
        } else if fraction.count < scale {
            fraction += String(repeating: "0", count: scale - fraction.count)
        }
        var out = ""
        for (index, digit) in integer.enumerated() {
            if index > 0, (integer.count - index) % 3 == 0, let separator = style.groupSeparator {
                out += separator
            }
            out.append(digit)
        }
        if !fraction.isEmpty { out += style.decimalSeparator + fraction }
        if negative, out.contains(where: { $0 != "0" && $0.isNumber }) { out = "-" + out }
        return out
    }

    /// `1 250,5 h`.
    public static func hours(_ value: Decimal, _ style: FrenchStyle = .page) -> String {
        number(value, style) + " h"
    }

    /// `1 500 €`, or `1 500,00 €` with `cents`.
    public static func euros(_ value: Decimal, _ style: FrenchStyle = .page, cents: Bool = false) -> String {
        number(value, style, fixedFraction: cents ? 2 : nil) + " €"
    }

    /// A share (0.3) as a percentage (`30 %`), at most `maxFraction` decimals.
    public static func percent(_ share: Decimal, _ style: FrenchStyle = .page, maxFraction: Int = 2) -> String {
        number(share * 100, style, maxFraction: maxFraction) + " %"
    }

    /// A count with its noun, plural when more than one: `3 mises à l'emploi`.
    public static func count(_ value: Int, _ singular: String, _ plural: String, _ style: FrenchStyle = .page)
        -> String
    {
        number(Decimal(value), style) + " " + (value > 1 ? plural : singular)
    }

    /// `31/01/2026`.
    public static func date(_ value: LocalDate) -> String { value.french }

    public static let monthNames = [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
        "décembre",
    ]

    /// `30/11/2026 à 14 h 05`, in Europe/Paris.
    public static func dateTime(_ instant: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = SystemCivilClock.paris
        let c = calendar.dateComponents([.hour, .minute], from: instant)
        let minutes = String(c.minute ?? 0).count == 1 ? "0\(c.minute ?? 0)" : String(c.minute ?? 0)
        return "\(SystemCivilClock.parisDate(of: instant).french) à \(c.hour ?? 0) h \(minutes)"
    }

    /// `janvier 2026`.
    public static func month(_ value: YearMonth) -> String { "\(monthNames[value.month - 1]) \(value.year)" }

    /// `de janvier 2026`, `d'octobre 2026`: the month after « de », elided before a vowel.
    public static func ofMonth(_ value: YearMonth) -> String {
        let name = month(value)
        return "aeiouâ".contains(name.prefix(1)) ? "d'\(name)" : "de \(name)"
    }
}
