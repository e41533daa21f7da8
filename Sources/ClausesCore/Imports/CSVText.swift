import Foundation
import SwiftCSV

/// The size and shape an import file may have (`[imports]` in config.toml), checked on the raw bytes
/// before anything is decoded: a header of a million columns or a line of megabytes is refused at once
/// instead of being split into millions of cells.
public struct CSVLimits: Sendable, Equatable {
    /// Data lines (the header not included).
    public var maxLines = 200_000
    public var maxLineBytes = 4096
    public var maxColumns = 50

    public init() {}

    /// Every limit at once, for callers that have none of their own (tests, small fixtures).
    public static let unlimited: CSVLimits = {
        var limits = CSVLimits()
        limits.maxLines = .max
        limits.maxLineBytes = .max
        limits.maxColumns = .max
        return limits
    }()

    /// Refuses a file whose header has too many columns, a line that is too long or too many lines.
    func check(_ data: Data) throws(ValidationErrors) {
        var line = 1
        var lineBytes = 0
        var lineBreaks = 0
        var separators: [UInt8: Int] = [UInt8(ascii: ";"): 0, UInt8(ascii: ","): 0, UInt8(ascii: "\t"): 0]
        for byte in data {
            if byte == UInt8(ascii: "\n") {
                lineBreaks += 1
                line += 1
                lineBytes = 0
                if lineBreaks - 1 > maxLines { break }
                continue
            }
            lineBytes += 1
            if lineBytes > maxLineBytes {
                throw ValidationErrors([
                    .init(
                        line: line,
                        message:
                            "ligne trop longue : plus de \(maxLineBytes) octets (limite de l'import) ; vérifiez qu'il s'agit bien du fichier attendu"
                    )
                ])
            }
            if line == 1, let count = separators[byte] {
                separators[byte] = count + 1
                if count + 2 > maxColumns {
                    throw ValidationErrors([
                        .init(
                            line: 1,
                            message:
                                "la ligne des en-têtes compte plus de \(maxColumns) colonnes (limite de l'import) : le fichier n'a pas la forme attendue"
                        )
                    ])
                }
            }
        }
        let trailing = data.last == UInt8(ascii: "\n") ? 0 : 1
        if lineBreaks + trailing - 1 > maxLines {
            throw ValidationErrors([
                .init(
                    message:
                        "le fichier compte plus de \(maxLines) lignes de données (limite de l'import) : découpez-le en plusieurs fichiers"
                )
            ])
        }
    }
}

/// One data record of a CSV file: the physical line where it starts (the header is line 1; a quoted
/// field spanning several lines makes the next record start further down) and its fields.
public struct CSVRecord: Sendable, Equatable {
    public let line: Int
    public let fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// A CSV file as companies and SIAE actually send it, decoded and split into records.
///
/// Accepted: UTF-8 (with or without BOM) or Windows-1252 (what Excel writes for "CSV (séparateur :
/// point-virgule)"), `;`, `,` or tab separators (detected from the header line), CRLF or LF line
/// ends, quoted fields containing the separator, doubled quotes or line breaks. Field splitting is
/// done by SwiftCSV; a light scan mirroring its quote rules gives each record's physical line.
public struct CSVText: Sendable, Equatable {
    public let header: [String]
    public let records: [CSVRecord]
    public let separator: Character
    /// `"UTF-8"` or `"Windows-1252"`.
    public let encoding: String

    public init(header: [String], records: [CSVRecord], separator: Character, encoding: String) {
        self.header = header
        self.records = records
        self.separator = separator
        self.encoding = encoding
    }

    /// Decodes and splits a file; throws every structural problem at once (blank lines in the middle,
    /// records with the wrong number of fields, undefined Windows-1252 bytes, unclosed quotes…).
    public static func decode(_ data: Data, limits: CSVLimits = .unlimited) throws(ValidationErrors) -> CSVText {
        let (text, problems) = try read(data, limits: limits)
        if !problems.isEmpty { throw ValidationErrors(problems) }
        return text
    }

    /// Like `decode`, but returns the problems of individual records (those records are left out)
    /// so that an import can add its own cell problems and report everything together. Throws only
    /// when nothing sensible can be read (encoding, quotes, empty file).
    static func read(_ data: Data, limits: CSVLimits) throws(ValidationErrors) -> (CSVText, [ValidationErrors.Problem])
    {
        try limits.check(data)
        let (string, encoding) = try decodeText(data)
        var text = string
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        if text.allSatisfy({ $0.isWhitespace }) {
            throw ValidationErrors([.init(line: nil, column: nil, message: "le fichier est vide")])
        }
        // SwiftCSV drops a final empty field when the text does not end with a line break.
        if let last = text.last, !last.isNewline { text.append("\n") }

        let separator = detectSeparator(text)
        let starts = try recordStartLines(text, separator: separator)

        func isBlank(_ fields: [String]) -> Bool {
            fields.allSatisfy { $0.allSatisfy(\.isWhitespace) }
        }

        // Records are checked as SwiftCSV splits them, so the file is held once as fields, not twice.
        // Blank records are held back: between rows they are problems, at the very end they are what
        // spreadsheets export after the last row and are ignored.
        var header: [String]?
        var records: [CSVRecord] = []
        var problems: [ValidationErrors.Problem] = []
        var blankLines: [Int] = []
        var index = 0
        var headerBlank = false
        let sep = separator == "\t" ? "tabulation" : "« \(separator) »"
        do {
            let csv = try CSV<Enumerated>(
                string: text, delimiter: CSVDelimiter(unicodeScalarLiteral: separator),
                loadColumns: false, rowLimit: 0)
            try csv.enumerateAsArray(startAt: 0, rowLimit: nil) { raw in
                defer { index += 1 }
                guard index < starts.count else { return }
                guard let columns = header else {
                    // Trailing separators after the last column name are common; data rows may have them or not.
                    var names = raw.map { $0.trimmingCharacters(in: .whitespaces) }
                    while names.last?.isEmpty == true { names.removeLast() }
                    headerBlank = isBlank(raw)
                    header = names
                    return
                }
                let line = starts[index]
                if isBlank(raw) {
                    blankLines.append(line)
                    return
                }
                problems += blankLines.map { .init(line: $0, message: "ligne vide") }
                blankLines = []
                var fields = raw
                // Extra fields that are empty (a trailing separator) lose nothing: tolerate them.
                while fields.count > columns.count, fields.last?.allSatisfy(\.isWhitespace) == true {
                    fields.removeLast()
                }
                if fields.count != columns.count {
                    problems.append(
                        .init(
                            line: line,
                            message:
                                "\(fields.count) champ\(fields.count > 1 ? "s" : "") au lieu de \(columns.count) (vérifiez le séparateur \(sep) et les guillemets)"
                        ))
                    return
                }
                records.append(CSVRecord(line: line, fields: fields))
            }
        } catch {
            // The scan above reports quote problems with their line; this is a safety net.
            throw ValidationErrors([.init(message: "structure CSV illisible (guillemets mal placés ?)")])
        }
        guard index == starts.count, let header else {
            throw ValidationErrors([.init(message: "structure CSV illisible (guillemets mal placés ?)")])
        }
        if headerBlank {
            throw ValidationErrors([
                .init(line: 1, message: "la ligne 1 doit contenir les noms des colonnes, elle est vide")
            ])
        }
        if records.isEmpty && problems.isEmpty {
            throw ValidationErrors([
                .init(line: nil, message: "le fichier ne contient que la ligne des en-têtes : aucune donnée à importer")
            ])
        }
        return (CSVText(header: header, records: records, separator: separator, encoding: encoding), problems)
    }

    // MARK: - Encoding

    private static func decodeText(_ data: Data) throws(ValidationErrors) -> (String, String) {
        var bytes = data[...]
        if bytes.isEmpty { throw ValidationErrors([.init(message: "le fichier est vide")]) }
        let advice = "enregistrez le fichier en UTF-8 ou Windows-1252 (CSV point-virgule)"
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw ValidationErrors([.init(message: "ce fichier est un classeur Excel, pas un CSV : \(advice)")])
        }
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) || bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) {
            throw ValidationErrors([.init(message: "encodage non pris en charge : UTF-32 ; \(advice)")])
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) || bytes.contains(0) {
            throw ValidationErrors([.init(message: "encodage non pris en charge : UTF-16 ; \(advice)")])
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let utf8 = String(decoding: bytes, as: UTF8.self)
        if utf8.utf8.elementsEqual(bytes) { return (utf8, "UTF-8") }

        var scalars = String.UnicodeScalarView()
        var undefinedLines: [Int] = []
        var line = 1
        for byte in bytes {
            if byte == 0x0A { line += 1 }
            if byte < 0x80 || byte >= 0xA0 {
                scalars.append(Unicode.Scalar(byte))
            } else if let scalar = cp1252[Int(byte - 0x80)] {
                scalars.append(scalar)
            } else {
                if undefinedLines.last != line { undefinedLines.append(line) }
            }
        }
        if !undefinedLines.isEmpty {
            throw ValidationErrors(
                undefinedLines.map {
                    .init(
                        line: $0,
                        message: "caractère illisible : le fichier n'est ni en UTF-8 ni en Windows-1252 ; \(advice)")
                })
        }
        return (String(scalars), "Windows-1252")
    }

    /// Windows-1252 bytes 0x80–0x9F; nil where the code page defines nothing.
    private static let cp1252: [Unicode.Scalar?] = [
        "\u{20AC}", nil, "\u{201A}", "\u{0192}", "\u{201E}", "\u{2026}", "\u{2020}", "\u{2021}",
        "\u{02C6}", "\u{2030}", "\u{0160}", "\u{2039}", "\u{0152}", nil, "\u{017D}", nil,
        nil, "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{2022}", "\u{2013}", "\u{2014}",
        "\u{02DC}", "\u{2122}", "\u{0161}", "\u{203A}", "\u{0153}", nil, "\u{017E}", "\u{0178}",
    ]

    // MARK: - Structure

    /// The separator that appears most often outside quotes on the header line (`;` wins ties).
    private static func detectSeparator(_ text: String) -> Character {
        var counts: [Character: Int] = [";": 0, ",": 0, "\t": 0]
        var inQuotes = false
        for char in text {
            if char == "\"" {
                inQuotes.toggle()
            } else if !inQuotes, char.isNewline {
                break
            } else if !inQuotes, let count = counts[char] {
                counts[char] = count + 1
            }
        }
        var best: Character = ";"
        for candidate: Character in [",", "\t"] where counts[candidate, default: 0] > counts[best, default: 0] {
            best = candidate
        }
        return best
    }

    /// The physical line where each record starts, following the same quote rules as SwiftCSV's parser
    /// (so both agree on where records end), and reporting quote errors with their line.
    private static func recordStartLines(_ text: String, separator: Character) throws(ValidationErrors) -> [Int] {
        enum State { case fieldStart, unquoted, unquotedQuote, quoted, quotedQuote }
        var state = State.fieldStart
        var line = 1
        var quoteLine = 1
        var starts = [1]
        for char in text {
            switch state {
            case .fieldStart:
                if char == "\"" {
                    state = .quoted
                    quoteLine = line
                } else if char == separator || (char.isWhitespace && !char.isNewline) {
                } else if !char.isNewline {
                    state = .unquoted
                }
            case .unquoted:
                if char == "\"" {
                    state = .unquotedQuote
                } else if char == separator || char.isNewline {
                    state = .fieldStart
                }
            case .unquotedQuote:
                guard char == "\"" else {
                    throw ValidationErrors([
                        .init(
                            line: line,
                            message:
                                "guillemet isolé au milieu d'un champ : entourez le champ de guillemets et doublez ceux qu'il contient (\"\")"
                        )
                    ])
                }
                state = .unquoted
            case .quoted:
                if char == "\"" { state = .quotedQuote }
            case .quotedQuote:
                if char == "\"" {
                    state = .quoted
                } else if char == separator || char.isNewline {
                    state = .fieldStart
                } else if !char.isWhitespace {
                    throw ValidationErrors([
                        .init(
                            line: line,
                            message:
                                "texte après le guillemet fermant d'un champ : doublez les guillemets à l'intérieur d'un champ (\"\")"
                        )
                    ])
                }
            }
            if char.isNewline {
                line += 1
                if state == .fieldStart { starts.append(line) }
            }
        }
        if state == .quoted {
            throw ValidationErrors([.init(line: quoteLine, message: "guillemet ouvert jamais fermé")])
        }
        // The text ends with a line break, so the last start is past the last record.
        starts.removeLast()
        return starts
    }
}
