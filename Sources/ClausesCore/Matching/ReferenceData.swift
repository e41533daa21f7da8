import Foundation
import PostgresClient

/// The reference files `clauses refdata import` reads, recognised by their header: the official open-data
/// layouts (`../shared/data/refdata/`).
public enum ReferenceFile: Equatable, Sendable {
    /// France Travail's `unix_referentiel_code_rome_*.csv`: one row per ROME code.
    case romeCodes([RomeJob])
    /// France Travail's `unix_referentiel_appellation_*.csv`: job titles under their ROME code.
    case romeAppellations([RomeAppellation])
    /// INSEE communes (`communes.csv`): one row per commune and postcode.
    case communes([Commune])

    public struct RomeJob: Equatable, Sendable {
        public var code: String
        public var label: String
    }

    public struct RomeAppellation: Equatable, Sendable {
        public var id: Int
        public var romeCode: String
        public var label: String
    }

    public struct Commune: Equatable, Sendable {
        public var insee: String
        public var name: String
        public var departement: String
        public var latitude: Decimal?
        public var longitude: Decimal?
    }

    static let romeCodeColumns = ["code_rome", "libelle_rome"]
    static let appellationColumns = ["code_ogr", "libelle_appellation_long", "code_rome"]
    static let communeColumns = ["insee_com", "insee_dep", "commune", "commune_type", "insee_parente", "lat", "lng"]

    /// Paris, Marseille and Lyon: listed only by arrondissement, their own code gets the arrondissements'
    /// mean centre.
    static let citiesByArrondissement = ["75056": "Paris", "13055": "Marseille", "69123": "Lyon"]

    /// Reads one file: UTF-8 only (the official files are), its layout known by its header; every problem
    /// is reported with its line, in French, and nothing is returned unless the whole file is right.
    public static func read(_ data: Data, named name: String) throws(ValidationErrors) -> ReferenceFile {
        let csv = try CSVText.decode(data)
        guard csv.encoding == "UTF-8" else {
            throw ValidationErrors([
                .init(
                    message:
                        "« \(name) » n'est pas en UTF-8 (lu en \(csv.encoding)) : prenez le fichier officiel, en UTF-8")
            ])
        }
        let header = csv.header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ name: String) -> Int { header.firstIndex(of: name) ?? -1 }
        func has(_ columns: [String]) -> Bool { columns.allSatisfy(header.contains) }
        var problems: [ValidationErrors.Problem] = []
        func problem(_ record: CSVRecord, _ column: String, _ message: String) {
            problems.append(.init(line: record.line, column: column, message: message))
        }
        func field(_ record: CSVRecord, _ name: String) -> String {
            let index = column(name)
            return index < record.fields.count ? record.fields[index].trimmingCharacters(in: .whitespaces) : ""
        }
        let result: ReferenceFile
        if has(appellationColumns) {
            var rows: [RomeAppellation] = []
            for record in csv.records {
                let code = field(record, "code_rome")
                let label = field(record, "libelle_appellation_long")
                guard let id = Int(field(record, "code_ogr")) else {
                    problem(record, "code_ogr", "code OGR « \(field(record, "code_ogr")) » : un nombre est attendu")
                    continue
                }
                if !isRomeCode(code) { problem(record, "code_rome", "code ROME invalide « \(code) »") }
                if label.isEmpty { problem(record, "libelle_appellation_long", "libellé vide") }
                rows.append(RomeAppellation(id: id, romeCode: code, label: label))
            }
            result = .romeAppellations(rows)
        } else if has(romeCodeColumns) {
            var rows: [String: RomeJob] = [:]
            for record in csv.records {
                let code = field(record, "code_rome")
                let label = field(record, "libelle_rome")
                if !isRomeCode(code) { problem(record, "code_rome", "code ROME invalide « \(code) »") }
                if label.isEmpty { problem(record, "libelle_rome", "libellé vide") }
                if let known = rows[code], known.label != label {
                    problem(record, "code_rome", "code ROME « \(code) » déjà lu avec un autre libellé")
                }
                rows[code] = RomeJob(code: code, label: label)
            }
            result = .romeCodes(rows.values.sorted { $0.code < $1.code })
        } else if has(communeColumns) {
            result = .communes(try communes(csv, field: field, problems: &problems))
        } else {
            throw ValidationErrors([
                .init(
                    line: 1,
                    message:
                        "« \(name) » n'a pas la disposition d'un référentiel connu : il faut les colonnes \(romeCodeColumns.joined(separator: ", ")) (codes ROME), \(appellationColumns.joined(separator: ", ")) (appellations ROME) ou \(communeColumns.joined(separator: ", ")) (communes)"
                )
            ])
        }
        if !problems.isEmpty { throw ValidationErrors(Array(problems.prefix(50))) }
        return result
    }

    /// Communes deduplicated on their code (one row per postcode in the source); Paris, Marseille and Lyon
    /// added with their arrondissements' mean centre.
    private static func communes(
        _ csv: CSVText, field: (CSVRecord, String) -> String, problems: inout [ValidationErrors.Problem]
    ) throws(ValidationErrors) -> [Commune] {
        var byCode: [String: Commune] = [:]
        var arrondissements: [String: [Commune]] = [:]
        for record in csv.records {
            let insee = field(record, "insee_com").uppercased()
            guard insee.range(of: #"^([0-9]{2}|2A|2B)[0-9]{3}$"#, options: .regularExpression) != nil else {
                problems.append(
                    .init(line: record.line, column: "insee_com", message: "code INSEE invalide « \(insee) »"))
                continue
            }
            if byCode[insee] != nil { continue }
            let (lat, lng) = (field(record, "lat"), field(record, "lng"))
            var commune = Commune(
                insee: insee, name: field(record, "commune"), departement: field(record, "insee_dep"),
                latitude: nil, longitude: nil)
            if !lat.isEmpty || !lng.isEmpty {
                guard let latitude = NumericText.decimal(lat), let longitude = NumericText.decimal(lng),
                    abs(latitude) <= 90, abs(longitude) <= 180
                else {
                    problems.append(
                        .init(
                            line: record.line, column: "lat", message: "coordonnées illisibles « \(lat) », « \(lng) »"))
                    continue
                }
                commune.latitude = French.round(latitude, scale: 5)
                commune.longitude = French.round(longitude, scale: 5)
            }
            if commune.name.isEmpty {
                problems.append(.init(line: record.line, column: "commune", message: "nom de commune vide"))
            }
            byCode[insee] = commune
            let parent = field(record, "insee_parente")
            if field(record, "commune_type") == "ARM", citiesByArrondissement[parent] != nil {
                arrondissements[parent, default: []].append(commune)
            }
        }
        for (code, name) in citiesByArrondissement where byCode[code] == nil {
            let located = arrondissements[code, default: []].filter { $0.latitude != nil }
            guard !located.isEmpty else { continue }
            let count = Decimal(located.count)
            byCode[code] = Commune(
                insee: code, name: name, departement: String(code.prefix(2)),
                latitude: French.round(located.reduce(0) { $0 + ($1.latitude ?? 0) } / count, scale: 5),
                longitude: French.round(located.reduce(0) { $0 + ($1.longitude ?? 0) } / count, scale: 5))
        }
        return byCode.values.sorted { $0.insee < $1.insee }
    }

    static func isRomeCode(_ code: String) -> Bool {
        code.range(of: #"^[A-N][0-9]{4}$"#, options: .regularExpression) != nil
    }
}

/// What an import changed.
public struct ReferenceImportResult: Sendable, Equatable, Encodable {
    public var romeCodes = 0
    public var romeAppellations = 0
    public var communes = 0
}

/// Loads the reference data (admin, or the command line): each kind replaced whole, in one transaction.
public struct ReferenceDataStore: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    public enum Kind: String, InputEnum {
        case rome, communes
        public var frenchLabel: String { self == .rome ? "référentiel ROME" : "communes" }
    }

    /// Reads every file, checks each is of `kind`, then replaces that reference data in one transaction:
    /// a ROME codes file replaces the codes and appellations (with the appellations file when given);
    /// an appellations file alone replaces the appellations under the codes already loaded.
    public func importFiles(_ kind: Kind, _ files: [(name: String, data: Data)]) async throws
        -> ReferenceImportResult
    {
        var codes: [ReferenceFile.RomeJob]?
        var appellations: [ReferenceFile.RomeAppellation]?
        var communes: [ReferenceFile.Commune]?
        for file in files {
            let read: ReferenceFile
            do {
                read = try ReferenceFile.read(file.data, named: file.name)
            } catch {
                throw DomainError.invalid(
                    "file",
                    "« \(file.name) » refusé, rien n'est chargé : "
                        + error.problems.map(\.frenchDescription).joined(separator: " ; "))
            }
            switch (kind, read) {
            case (.rome, .romeCodes(let rows)): codes = rows
            case (.rome, .romeAppellations(let rows)): appellations = rows
            case (.communes, .communes(let rows)): communes = rows
            default:
                throw DomainError.invalid(
                    "file", "« \(file.name) » n'est pas un fichier de \(kind.frenchLabel).")
            }
        }
        var result = ReferenceImportResult()
        try await pool.withTransaction { connection in
            if let communes {
                try await connection.query("DELETE FROM communes")
                try await connection.copy(
                    into: "communes", columns: ["insee", "name", "departement", "latitude", "longitude"],
                    rows: communes.map {
                        [$0.insee, $0.name, $0.departement, $0.latitude?.description, $0.longitude?.description]
                    })
                result.communes = communes.count
            }
            if codes != nil || appellations != nil {
                try await connection.query("DELETE FROM rome_appellations")
            }
            if let codes {
                try await connection.query("DELETE FROM rome_jobs")
                try await connection.copy(
                    into: "rome_jobs", columns: ["code", "label"], rows: codes.map { [$0.code, $0.label] })
                result.romeCodes = codes.count
            }
            if let appellations {
                let known = Set(
                    try await connection.query("SELECT code FROM rome_jobs").map { try $0.decode(0, as: String.self) })
                if let orphan = appellations.first(where: { !known.contains($0.romeCode) }) {
                    throw DomainError.invalid(
                        "file",
                        "L'appellation « \(orphan.label) » relève du code ROME \(orphan.romeCode), absent du référentiel : importez aussi le fichier des codes ROME."
                    )
                }
                try await connection.copy(
                    into: "rome_appellations", columns: ["id", "rome_code", "label"],
                    rows: appellations.map { [String($0.id), $0.romeCode, $0.label] })
                result.romeAppellations = appellations.count
            }
        }
        return result
    }

    /// Job titles and ROME labels whose words all appear in `text`, accents and case aside; ROME codes
    /// first when the text is a code.
    public func searchTrades(_ text: String, limit: Int = 15) async throws -> [TradeSuggestion] {
        let words = text.split(whereSeparator: { $0.isWhitespace || $0 == "/" || $0 == "-" || $0 == "'" })
            .map(String.init).filter { !$0.isEmpty }.prefix(6)
        guard !words.isEmpty else { return [] }
        var sql = SQL(
            """
            SELECT code, label, rome_label FROM (
                SELECT j.code, j.label, j.label AS rome_label, 0 AS rank FROM rome_jobs j
                UNION ALL
                SELECT a.rome_code, a.label, j.label, 1 FROM rome_appellations a JOIN rome_jobs j ON j.code = a.rome_code
            ) t WHERE true
            """)
        for word in words {
            let bound = sql.bind(word)
            sql.append("AND (strpos(search_fold(label), search_fold(\(bound))) > 0 OR lower(code) = lower(\(bound)))")
        }
        sql.append("ORDER BY rank, length(label), label LIMIT \(sql.bind(limit))")
        return try await pool.query(sql).map {
            TradeSuggestion(code: try $0.decode(0), label: try $0.decode(1), romeLabel: try $0.decode(2))
        }
    }
}

/// One line of the trade autocomplete: a job title, or a ROME code's own label.
public struct TradeSuggestion: Sendable, Equatable, Encodable {
    public let code: String
    public let label: String
    public let romeLabel: String
}
