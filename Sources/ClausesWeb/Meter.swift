import ClausesCore
import Foundation

/// A progress bar drawn in SVG with attributes only (the content-security policy forbids `style=`):
/// the completed share, and a mark at the expected share when there is one. It is an image with a
/// French label for screen readers.
enum Meter {
    static func svg(completion: Decimal?, expected: Decimal? = nil, label: String, small: Bool = false) -> String {
        var parts = [
            "<svg class=\"meter\(small ? " small" : "")\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"\(escape(label))\">",
            "<title>\(escape(label))</title>",
            "<rect class=\"meter-track\" width=\"100\" height=\"10\"/>",
            "<rect class=\"meter-fill\" width=\"\(percent(completion))\" height=\"10\"/>",
        ]
        if let expected {
            // The mark is 1 unit wide: at 100 % it sits at 99 so it stays inside the bar.
            parts.append(
                "<rect class=\"meter-expected\" x=\"\(percent(min(max(expected, 0), 1) * 99 / 100))\" width=\"1\" height=\"10\"/>"
            )
        }
        parts.append("</svg>")
        return parts.joined()
    }

    /// A share clamped to 0–1, as a number of hundredths of the bar's width.
    private static func percent(_ share: Decimal?) -> String {
        FrenchNumber.format(min(max(share ?? 0, 0), 1) * 100, maxFractionDigits: 1)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
