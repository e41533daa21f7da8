import Foundation

/// Text typed by people or read from files. Control characters (NUL, escape, DEL, C1…) are refused
/// everywhere: PostgreSQL cannot store NUL and libpq would silently cut the text there (a password
/// "a\u{0}bcd…" once logged in with "a"). Line breaks and tabs are allowed only in multi-line fields
/// (notes, comments, reasons).
public enum TextInput {
    /// Field names (JSON keys, form fields, CSV columns) whose values may span several lines.
    public static let multiLineFields: Set<String> = [
        "note", "notes", "comment", "reason", "rejectionReason", "commentaire", "exitReason", "overrideReason",
    ]

    /// A French description of the first forbidden character, or nil when the text is acceptable.
    public static func problem(in text: String, multiLine: Bool) -> String? {
        for scalar in text.unicodeScalars where scalar.properties.generalCategory == .control {
            if multiLine && (scalar == "\n" || scalar == "\r" || scalar == "\t") { continue }
            let code = String(scalar.value, radix: 16, uppercase: true)
            let name: String
            switch scalar {
            case "\n", "\r": name = "saut de ligne"
            case "\t": name = "tabulation"
            case "\0": name = "caractère nul"
            default: name = "caractère de contrôle"
            }
            return "\(name) (U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code)) interdit"
                + (multiLine ? "" : " dans ce champ d'une ligne")
        }
        return nil
    }

    /// Refuses a forbidden character in French, naming `field`.
    public static func check(_ text: String, field: String, multiLine: Bool? = nil) throws(DomainError) {
        if let problem = problem(in: text, multiLine: multiLine ?? multiLineFields.contains(field)) {
            throw DomainError.invalid(field, "« \(field) » : \(problem).", code: .invalidCharacter)
        }
    }

    /// Checks every string (and key) of a decoded JSON document, naming the field by its path.
    public static func checkJSON(_ value: Any, path: String = "") throws(DomainError) {
        switch value {
        case let text as String:
            let key = path.split(separator: ".").last.map { String($0.prefix { $0 != "[" }) } ?? path
            if let problem = problem(in: text, multiLine: multiLineFields.contains(key)) {
                throw DomainError.invalid(path, "« \(path) » : \(problem).", code: .invalidCharacter)
            }
        case let object as [String: Any]:
            for (key, child) in object {
                try check(key, field: path.isEmpty ? key : "\(path).\(key)", multiLine: false)
                try checkJSON(child, path: path.isEmpty ? key : "\(path).\(key)")
            }
        case let array as [Any]:
            for (index, child) in array.enumerated() { try checkJSON(child, path: "\(path)[\(index)]") }
        default:
            return
        }
    }
}
