import Foundation

/// The columns an import file may have. Header names are matched without regard to case, accents,
/// spaces, underscores, hyphens, apostrophes or punctuation ("Heures travaillées",
/// "heures_travaillees" and "HEURES-TRAVAILLEES" are the same column), and each column has aliases.
public struct ColumnSchema: Sendable {
    public struct Column: Sendable {
        /// Identifier used by code (`"heures travaillees"`).
        public let key: String
        /// Name shown to people and written in the documentation (`"heures travaillées"`).
        public let label: String
        public let aliases: [String]
        public let isRequired: Bool
        /// Whether a cell may hold line breaks and tabs (comments); other cells are single-line.
        public let isMultiLine: Bool

        public init(
            _ key: String, label: String? = nil, aliases: [String] = [], required: Bool = false, multiLine: Bool = false
        ) {
            self.key = key
            self.label = label ?? key
            self.aliases = aliases
            self.isRequired = required
            self.isMultiLine = multiLine
        }
    }

    public let columns: [Column]

    public init(_ columns: [Column]) {
        self.columns = columns
    }

    /// Lower-cased letters and digits only, accents removed: the form header names are compared in.
    public static func normalizedName(_ name: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in name.decomposedStringWithCanonicalMapping.unicodeScalars
        where CharacterSet.alphanumerics.contains(scalar) && scalar.properties.generalCategory != .nonspacingMark {
            out.append(contentsOf: String(scalar).lowercased().unicodeScalars)
        }
        return String(out)
    }

    func column(named header: String) -> Column? {
        let name = Self.normalizedName(header)
        guard !name.isEmpty else { return nil }
        return columns.first { ([$0.key] + $0.aliases).contains { Self.normalizedName($0) == name } }
    }

    /// Matches a file's header against the schema: every problem (missing required column, unknown
    /// column, duplicated column, unnamed column holding values) is reported on line 1.
    func bind(_ csv: CSVText) -> (ColumnBinding, [ValidationErrors.Problem]) {
        var indexes: [String: Int] = [:]
        var problems: [ValidationErrors.Problem] = []
        let expected = columns.map { "« \($0.label) »" }.joined(separator: ", ")
        for (index, name) in csv.header.enumerated() {
            if Self.normalizedName(name).isEmpty {
                if let record = csv.records.first(where: { !$0.fields[index].allSatisfy(\.isWhitespace) }) {
                    problems.append(
                        .init(
                            line: 1, column: nil,
                            message:
                                "la colonne n° \(index + 1) n'a pas de nom mais contient des valeurs (ligne \(record.line))"
                        ))
                }
                continue
            }
            guard let column = column(named: name) else {
                problems.append(
                    .init(
                        line: 1, column: name,
                        message:
                            "colonne inconnue « \(name) » ; colonnes attendues : \(expected)"))
                continue
            }
            if let first = indexes[column.key] {
                problems.append(
                    .init(
                        line: 1, column: name,
                        message:
                            "colonne « \(name) » en double (même colonne que « \(csv.header[first]) »)"))
                continue
            }
            indexes[column.key] = index
        }
        for column in columns where column.isRequired && indexes[column.key] == nil {
            problems.append(
                .init(
                    line: 1, column: column.label,
                    message:
                        "colonne obligatoire manquante : « \(column.label) »"))
        }
        return (ColumnBinding(schema: self, header: csv.header, indexes: indexes), problems)
    }
}

/// Where each schema column sits in a given file.
struct ColumnBinding: Sendable {
    let schema: ColumnSchema
    let header: [String]
    let indexes: [String: Int]

    /// The column's name as written in the file, or its documented label when absent.
    func displayName(_ key: String) -> String {
        if let index = indexes[key] { return header[index] }
        return schema.columns.first { $0.key == key }?.label ?? key
    }
}

// MARK: - Reading a whole file

/// What an import accepts beyond each column's own format: the file's size and shape, and the dates.
public struct ImportRules: Sendable, Equatable {
    public var limits: CSVLimits
    public var dates: DateWindow

    public init(limits: CSVLimits = CSVLimits(), dates: DateWindow = .standard) {
        self.limits = limits
        self.dates = dates
    }
}

enum CSVImport {
    /// Decodes `data`, matches its header and hands each record to `parseRow`, collecting every
    /// problem. Throws (sorted by line) when the file cannot be read, when its header is wrong (cell
    /// checks would only add noise), or when any record has a problem; `parseRow` returns nil for
    /// records it reported problems on.
    static func rows<Row>(
        _ data: Data, schema: ColumnSchema, rules: ImportRules,
        _ parseRow: (inout CellReader) -> Row?
    ) throws(ValidationErrors) -> [Row] {
        let (csv, structureProblems) = try CSVText.read(data, limits: rules.limits)
        let (binding, headerProblems) = schema.bind(csv)
        if !headerProblems.isEmpty {
            throw ValidationErrors(sortedByLine(headerProblems + structureProblems))
        }
        var problems = structureProblems
        var rows: [Row] = []
        for record in csv.records {
            var reader = CellReader(record: record, binding: binding, dates: rules.dates)
            reader.checkCharacters()
            let row = parseRow(&reader)
            // Within a line, problems follow the file's column order.
            problems += reader.problems.enumerated().sorted {
                (binding.header.firstIndex(of: $0.element.column ?? "") ?? Int.max, $0.offset)
                    < (binding.header.firstIndex(of: $1.element.column ?? "") ?? Int.max, $1.offset)
            }.map(\.element)
            if reader.problems.isEmpty, let row { rows.append(row) }
        }
        if !problems.isEmpty { throw ValidationErrors(sortedByLine(problems)) }
        return rows
    }

    /// Stable sort by line, file-level problems (no line) first.
    static func sortedByLine(_ problems: [ValidationErrors.Problem]) -> [ValidationErrors.Problem] {
        problems.enumerated()
            .sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
            .map(\.element)
    }
}

/// Remembers the first line where each key was seen, to report duplicates within a file.
struct FirstOccurrence<Key: Hashable> {
    private var lines: [Key: Int] = [:]

    /// The line of the earlier occurrence when `key` was already seen, else nil (and remembers it).
    mutating func earlierLine(of key: Key, line: Int) -> Int? {
        if let first = lines[key] { return first }
        lines[key] = line
        return nil
    }
}

// MARK: - Reading one record

/// The cells of one record, read through typed parsers that record a French problem (with line and
/// column) instead of throwing, so that a whole file is checked in one pass.
struct CellReader {
    let line: Int
    private let fields: [String]
    private let binding: ColumnBinding
    private let dates: DateWindow
    private(set) var problems: [ValidationErrors.Problem] = []

    init(record: CSVRecord, binding: ColumnBinding, dates: DateWindow) {
        self.line = record.line
        self.fields = record.fields
        self.binding = binding
        self.dates = dates
    }

    /// Reports control characters in any cell (line breaks and tabs only in multi-line columns).
    mutating func checkCharacters() {
        for column in binding.schema.columns {
            guard let index = binding.indexes[column.key],
                let problem = TextInput.problem(in: fields[index], multiLine: column.isMultiLine)
            else { continue }
            report(column.key, problem)
        }
    }

    /// The trimmed cell, or nil when empty or when the column is absent from the file.
    func text(_ key: String) -> String? {
        guard let index = binding.indexes[key] else { return nil }
        let field = fields[index]
        // Most cells need no trimming: they are returned as they are, sharing the file's storage.
        let untrimmed = field.first.map { !$0.isWhitespace } == true && field.last.map { !$0.isWhitespace } == true
        let value = untrimmed ? field : field.trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// A problem about this record's `key` cell (for warnings, which are not recorded as problems).
    func problem(_ key: String, _ message: String) -> ValidationErrors.Problem {
        .init(line: line, column: binding.displayName(key), message: message)
    }

    mutating func report(_ key: String, _ message: String) {
        problems.append(problem(key, message))
    }

    /// The trimmed cell; reports `message` (default « valeur obligatoire manquante ») when empty.
    mutating func required(_ key: String, _ message: String? = nil) -> String? {
        if let value = text(key) { return value }
        report(key, message ?? "valeur obligatoire manquante")
        return nil
    }

    /// Parses a non-empty cell; nil with a problem when invalid; when empty, nil, with the problem
    /// `missing` if given (a required value).
    mutating func parse<T>(_ key: String, missing: String? = nil, _ parser: (String) -> Result<T, CellProblem>) -> T? {
        guard let value = text(key) else {
            if let missing { report(key, missing) }
            return nil
        }
        switch parser(value) {
        case .success(let parsed): return parsed
        case .failure(let problem):
            report(key, problem.message)
            return nil
        }
    }

    mutating func hours(_ key: String, missing: String? = nil) -> Decimal? {
        parse(key, missing: missing, CellParsers.hours)
    }
    mutating func date(_ key: String) -> LocalDate? {
        let dates = dates
        return parse(key) { raw in
            CellParsers.date(raw).flatMap { date in
                dates.range.contains(date)
                    ? .success(date)
                    : .failure(CellProblem("date \(date.french) hors de la période acceptée (\(dates.frenchRange))"))
            }
        }
    }

    mutating func month(_ key: String, missing: String? = nil) -> YearMonth? {
        let dates = dates
        return parse(key, missing: missing) { raw in
            CellParsers.month(raw).flatMap { month in
                month >= dates.earliest.yearMonth && month <= dates.latest.yearMonth
                    ? .success(month)
                    : .failure(CellProblem("mois \(month) hors de la période acceptée (\(dates.frenchRange))"))
            }
        }
    }
    mutating func yesNo(_ key: String) -> Bool? { parse(key, CellParsers.yesNo) }
    mutating func communeCode(_ key: String) -> String? { parse(key, CellParsers.communeCode) }
    mutating func siret(_ key: String) -> String? { parse(key, CellParsers.siret) }
    mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        parse(key) { CellParsers.integer($0, in: range) }
    }
}

struct CellProblem: Error, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Parsers for the cell formats French spreadsheets produce. Messages are French and quote the value.
enum CellParsers {
    /// `7,5`, `7.5`, `151,67`, `1 234,5` (spaces, including non-breaking ones, group thousands).
    static func decimal(_ raw: String, noun: String = "un nombre") -> Result<Decimal, CellProblem> {
        var text = raw.filter { !$0.isWhitespace }
        var negative = false
        if let first = text.first, first == "-" || first == "\u{2212}" {
            negative = true
            text.removeFirst()
        }
        let parts = text.split(omittingEmptySubsequences: false) { $0 == "," || $0 == "." }
        let invalid = CellProblem("« \(raw) » n'est pas \(noun) (exemples : 7,5 ; 151,67 ; 1 234,5)")
        guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            parts.contains(where: { !$0.isEmpty })
        else { return .failure(invalid) }
        let integer = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard integer.count + fraction.count <= 18 else { return .failure(invalid) }
        // At most 18 digits fit an integer exactly; one Decimal is built at the end (Decimal arithmetic is slow).
        var significand: UInt64 = 0
        for digit in (integer + fraction).utf8 { significand = significand * 10 + UInt64(digit - UInt8(ascii: "0")) }
        let value = Decimal(
            sign: negative ? .minus : .plus, exponent: -fraction.count, significand: Decimal(significand))
        return .success(value)
    }

    /// A number of hours (`FieldRules.hoursProblem`: not negative, two decimals at most).
    static func hours(_ raw: String) -> Result<Decimal, CellProblem> {
        decimal(raw, noun: "un nombre d'heures").flatMap { value in
            FieldRules.hoursProblem(value).map { .failure(CellProblem("\($0) (« \(raw) »)")) } ?? .success(value)
        }
    }

    /// A two-digit year as spreadsheets read it: LibreOffice's default window (Outils › Options ›
    /// Général, « Année (deux chiffres) » 1930–2029), which Excel's 1930–2029 cut-off shares: 00–29 is
    /// 2000–2029, 30–99 is 1930–1999. Four digits pass unchanged.
    static func fullYear(_ digits: Substring) -> Int? {
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let value = Int(digits)
        else { return nil }
        if digits.count == 4 { return value }
        return value < 30 ? 2000 + value : 1900 + value
    }

    /// `31/01/2026`, `31/01/26` (LibreOffice's French short date: a two-digit year, see `fullYear`) or
    /// `2026-01-31`; a spreadsheet's midnight time (`31/01/2026 00:00`) is ignored.
    static func date(_ raw: String) -> Result<LocalDate, CellProblem> {
        var text = raw
        let pieces = raw.split(separator: " ")
        if pieces.count == 2, pieces[1] == "00:00" || pieces[1] == "00:00:00" { text = String(pieces[0]) }
        let formats = "formats acceptés : 31/01/2026, 31/01/26 ou 2026-01-31"
        var components: (year: Int, month: Int, day: Int)?
        let french = text.split(separator: "/", omittingEmptySubsequences: false)
        let iso = text.split(separator: "-", omittingEmptySubsequences: false)
        if french.count == 3 {
            if let d = number(french[0], digits: 1...2), let m = number(french[1], digits: 1...2),
                let y = fullYear(french[2])
            {
                components = (y, m, d)
            }
        } else if iso.count == 3 {
            if let y = number(iso[0], digits: 4...4), let m = number(iso[1], digits: 1...2),
                let d = number(iso[2], digits: 1...2)
            {
                components = (y, m, d)
            }
        }
        guard let components else { return .failure(CellProblem("« \(raw) » n'est pas une date (\(formats))")) }
        guard let date = LocalDate(year: components.year, month: components.month, day: components.day) else {
            return .failure(CellProblem("date impossible : « \(raw) »"))
        }
        return .success(date)
    }

    private static func number(_ part: Substring, digits: ClosedRange<Int>) -> Int? {
        guard digits.contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(part)
    }

    /// French month names as spreadsheets write them, full or abbreviated (Excel's `mmm`: janv., févr.,
    /// mars, avr., mai, juin, juil., août, sept., oct., nov., déc.), compared without accents or case.
    static let monthNames: [String: Int] = [
        "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "mar": 3, "avril": 4,
        "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "sep": 9,
        "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
    ]

    /// A month as people and spreadsheets write it: `2026-01`, `01/2026`, `01/26`, a date of the month
    /// (`31/01/2026`, `01/01/26`, `2026-01-31`), or its French name with the year: `janvier 2026`,
    /// `janv. 2026`, `janv.-26`, `janv-26` (Excel's `mmmm aaaa` and `mmm-aa` formats, LibreOffice's alike).
    static func month(_ raw: String) -> Result<YearMonth, CellProblem> {
        let formats =
            "formats acceptés : 2026-01, 01/2026, 01/26, janvier 2026, janv. 2026, janv.-26 ou une date du mois comme 31/01/2026"
        let text = raw.trimmingCharacters(in: .whitespaces)
        let french = text.split(separator: "/", omittingEmptySubsequences: false)
        let iso = text.split(separator: "-", omittingEmptySubsequences: false)
        var components: (year: Int, month: Int)?
        if let first = text.first, first.isLetter {
            components = namedMonth(text)
        } else if french.count == 2 {
            if let m = number(french[0], digits: 1...2), let y = fullYear(french[1]) { components = (y, m) }
        } else if iso.count == 2 {
            if let y = number(iso[0], digits: 4...4), let m = number(iso[1], digits: 1...2) { components = (y, m) }
        } else if french.count == 3 || iso.count == 3 {
            return date(text).map(\.yearMonth).mapError { problem in
                problem.message.hasPrefix("date impossible")
                    ? problem : CellProblem("« \(raw) » n'est pas un mois (\(formats))")
            }
        }
        guard let components else { return .failure(CellProblem("« \(raw) » n'est pas un mois (\(formats))")) }
        guard let month = YearMonth(year: components.year, month: components.month) else {
            return .failure(CellProblem("mois impossible : « \(raw) »"))
        }
        return .success(month)
    }

    /// `octobre 2026`, `oct. 2026`, `oct.-26`, `oct-26`: a month name, then a year after a space, a dash or
    /// a dot (any of them, once or together).
    private static func namedMonth(_ text: String) -> (year: Int, month: Int)? {
        let letters = text.prefix(while: \.isLetter)
        let rest = text.dropFirst(letters.count).drop(while: { $0 == "." || $0 == "-" || $0 == " " })
        guard !rest.isEmpty, let month = monthNames[ColumnSchema.normalizedName(String(letters))],
            let year = fullYear(rest)
        else { return nil }
        return (year, month)
    }

    /// `oui/non`, `o/n`, `1/0`, `true/false`, `vrai/faux`, `x` (ticked) — case and accents ignored.
    static func yesNo(_ raw: String) -> Result<Bool, CellProblem> {
        switch ColumnSchema.normalizedName(raw) {
        case "oui", "o", "yes", "y", "1", "true", "vrai", "x": return .success(true)
        case "non", "n", "no", "0", "false", "faux": return .success(false)
        default:
            return .failure(
                CellProblem("« \(raw) » : réponse attendue oui ou non (acceptés : oui/non, o/n, 1/0, x ou vide)"))
        }
    }

    /// An INSEE commune code: 5 digits, or `2A`/`2B` followed by 3 digits (Corsica). Not a postcode.
    static func communeCode(_ raw: String) -> Result<String, CellProblem> {
        let code = raw.uppercased()
        let chars = Array(code)
        let digits = { (slice: ArraySlice<Character>) in slice.allSatisfy { $0.isASCII && $0.isNumber } }
        if chars.count == 5,
            digits(chars[...]) || (chars[0] == "2" && (chars[1] == "A" || chars[1] == "B") && digits(chars[2...]))
        {
            return .success(code)
        }
        if chars.count == 4, digits(chars[...]) {
            return .failure(
                CellProblem(
                    "« \(raw) » : un code commune INSEE a 5 caractères ; le tableur a-t-il supprimé le zéro initial (ex. 0\(raw)) ?"
                ))
        }
        return .failure(
            CellProblem(
                "« \(raw) » n'est pas un code commune INSEE (5 chiffres, ou 2A/2B suivi de 3 chiffres pour la Corse)"))
    }

    /// 14 digits (spaces allowed) with a valid check digit; returns the digits only.
    static func siret(_ raw: String) -> Result<String, CellProblem> {
        guard let siret = SIRET.normalize(raw) else {
            return .failure(CellProblem("« \(raw) » n'est pas un SIRET (14 chiffres attendus)"))
        }
        guard SIRET.isValid(siret) else {
            return .failure(
                CellProblem("SIRET « \(raw) » invalide : la clé de contrôle ne correspond pas (erreur de saisie ?)"))
        }
        return .success(siret)
    }

    /// A whole number within `range` (spaces allowed as thousands separators).
    static func integer(_ raw: String, in range: ClosedRange<Int>) -> Result<Int, CellProblem> {
        var text = raw.filter { !$0.isWhitespace }
        var negative = false
        if text.hasPrefix("-") || text.hasPrefix("\u{2212}") {
            negative = true
            text.removeFirst()
        }
        guard (1...9).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }), let magnitude = Int(text)
        else {
            return .failure(CellProblem("« \(raw) » n'est pas un nombre entier"))
        }
        let value = negative ? -magnitude : magnitude
        guard range.contains(value) else {
            return .failure(CellProblem("« \(raw) » : entier entre \(range.lowerBound) et \(range.upperBound) attendu"))
        }
        return .success(value)
    }

    /// Splits a list cell on commas, semicolons, pipes and spaces, upper-cased, without repeats.
    static func codeList(_ raw: String) -> [String] {
        var seen = Set<String>()
        return raw.split { $0 == "," || $0 == ";" || $0 == "|" || $0.isWhitespace }
            .map { $0.uppercased() }
            .filter { seen.insert($0).inserted }
    }
}

extension ValidationErrors.Problem {
    /// `ligne 4, colonne « heures travaillées » : …`, for CLI output and plain-text reports.
    public var frenchDescription: String {
        switch (line, column) {
        case (let line?, let column?): return "ligne \(line), colonne « \(column) » : \(message)"
        case (let line?, nil): return "ligne \(line) : \(message)"
        case (nil, let column?): return "colonne « \(column) » : \(message)"
        case (nil, nil): return message
        }
    }
}
