import Foundation

/// One person of a participants file, as a PLIE exports it (see docs/imports.md).
public struct ParticipantImportRow: Sendable, Equatable {
    public enum Sex: String, Sendable, Equatable {
        case female = "F"
        case male = "M"
    }

    public var line: Int
    /// The PLIE's own identifier for the person, unique in the file.
    public var reference: String
    public var lastName: String
    public var firstName: String
    public var birthDate: LocalDate?
    public var sex: Sex?
    /// INSEE commune code of the home (`69123`, `2A004`).
    public var communeCode: String?
    /// Lives in a QPV, a TVA or neither; nil when not stated.
    public var priorityArea: PriorityArea?
    public var qualificationLevel: QualificationLevel?
    public var prescriber: Prescriber?
    public var labourMarketStatus: LabourMarketStatus?
    /// The PLIE of the pathway, by name (nil: the only PLIE, when there is one).
    public var plieName: String?
    /// Entry into the PLIE pathway: opens one when the person has none in that PLIE.
    public var pathwayEntryDate: LocalDate?
    public var hasDrivingLicence: Bool?
    public var hasVehicle: Bool?
    public var maxDistanceKm: Int?
    public var availableFrom: LocalDate?
    /// ROME job codes (`F1703`), upper-cased, without repeats.
    public var romeCodes: [String]
    /// Eligibility criterion codes among `ParticipantsImport.criterionCodes`, upper-cased.
    public var criteria: [String]
    /// Date of the proof of the criteria; present whenever `criteria` is not empty.
    public var criteriaProofDate: LocalDate?

    public init(
        line: Int, reference: String, lastName: String, firstName: String, birthDate: LocalDate? = nil,
        sex: Sex? = nil, communeCode: String? = nil, priorityArea: PriorityArea? = nil,
        qualificationLevel: QualificationLevel? = nil, prescriber: Prescriber? = nil,
        labourMarketStatus: LabourMarketStatus? = nil, plieName: String? = nil, pathwayEntryDate: LocalDate? = nil,
        hasDrivingLicence: Bool? = nil,
        hasVehicle: Bool? = nil, maxDistanceKm: Int? = nil, availableFrom: LocalDate? = nil,
        romeCodes: [String] = [], criteria: [String] = [], criteriaProofDate: LocalDate? = nil
    ) {
        self.line = line
        self.reference = reference
        self.lastName = lastName
        self.firstName = firstName
        self.birthDate = birthDate
        self.sex = sex
        self.communeCode = communeCode
        self.priorityArea = priorityArea
        self.qualificationLevel = qualificationLevel
        self.prescriber = prescriber
        self.labourMarketStatus = labourMarketStatus
        self.plieName = plieName
        self.pathwayEntryDate = pathwayEntryDate
        self.hasDrivingLicence = hasDrivingLicence
        self.hasVehicle = hasVehicle
        self.maxDistanceKm = maxDistanceKm
        self.availableFrom = availableFrom
        self.romeCodes = romeCodes
        self.criteria = criteria
        self.criteriaProofDate = criteriaProofDate
    }
}

public enum ParticipantsImport {
    /// The eligibility criterion codes a file may use (DOMAIN.md §5); `PLIE` comes from the pathway
    /// (the « entrée PLIE » column), never from a proof.
    public static let criterionCodes = EligibilityCriterionCode.allCases.map(\.rawValue).filter { $0 != "PLIE" }

    public static let schema = ColumnSchema([
        .init("reference", label: "référence", aliases: ["ref", "identifiant", "id"], required: true),
        .init("nom", aliases: ["nom de famille", "last name"], required: true),
        .init("prenom", label: "prénom", aliases: ["first name"], required: true),
        .init("date de naissance", aliases: ["naissance", "ne le", "birth date"]),
        .init("sexe", aliases: ["genre", "sex"]),
        .init("commune", aliases: ["code commune", "code insee", "commune insee"]),
        .init("qpv", label: "QPV", aliases: ["quartier prioritaire", "resident qpv", "qpv / tva", "zone prioritaire"]),
        .init("niveau de qualification", aliases: ["niveau", "qualification", "niveau qualification"]),
        .init("prescripteur", aliases: ["orienteur"]),
        .init("situation", aliases: ["situation a l'entree", "statut", "situation sur le marche du travail"]),
        .init("plie", label: "PLIE", aliases: ["nom du plie"]),
        .init("entree plie", label: "entrée PLIE", aliases: ["date entree plie", "date d'entree", "entree"]),
        .init("permis", aliases: ["permis b", "permis de conduire"]),
        .init("vehicule", label: "véhicule", aliases: ["vehicule personnel", "vehicule motorise"]),
        .init("distance max km", label: "distance max (km)", aliases: ["distance max", "mobilite km"]),
        .init("disponible le", aliases: ["disponibilite", "date de disponibilite"]),
        .init("metiers", label: "métiers", aliases: ["codes rome", "rome", "metiers rome"]),
        .init("criteres", label: "critères", aliases: ["criteres d'eligibilite", "eligibilite"]),
        .init("date justificatif", aliases: ["date du justificatif", "justificatif"]),
    ])

    /// Checks the whole file; throws every problem (sorted by line) if there is any.
    /// `today` is the civil date proofs must not be later than.
    public static func parse(_ data: Data, today: LocalDate, rules: ImportRules = ImportRules())
        throws(ValidationErrors) -> [ParticipantImportRow]
    {
        var seen = FirstOccurrence<String>()
        return try CSVImport.rows(data, schema: schema, rules: rules) { cells -> ParticipantImportRow? in
            let reference = cells.required("reference", "référence manquante")
            if let reference, let earlier = seen.earlierLine(of: reference.uppercased(), line: cells.line) {
                cells.report(
                    "reference", "doublon de la ligne \(earlier) : la référence « \(reference) » y figure déjà")
            }
            let lastName = cells.required("nom", "nom manquant")
            let firstName = cells.required("prenom", "prénom manquant")
            let birthDate = cells.date("date de naissance")
            if let birthDate, let problem = FieldRules.birthDateProblem(birthDate, today: today) {
                cells.report("date de naissance", problem)
            }
            let sex = cells.parse("sexe", sex)
            let romeCodes =
                cells.parse("metiers") { text in
                    list(
                        text, valid: isROMECode,
                        invalid: { "code ROME « \($0) » invalide (une lettre de A à N puis 4 chiffres, ex. F1703)" })
                } ?? []
            let criteria =
                cells.parse("criteres") { text in
                    list(
                        text, valid: criterionCodes.contains,
                        invalid: {
                            $0 == "PLIE"
                                ? "le critère PLIE découle du parcours : indiquez la colonne « entrée PLIE » (et « PLIE »)"
                                : "critère « \($0) » inconnu ; codes acceptés : \(criterionCodes.joined(separator: ", "))"
                        })
                } ?? []
            let proofDate = cells.date("date justificatif")
            if let proofDate, proofDate > today { cells.report("date justificatif", "justificatif daté dans le futur") }
            if cells.text("criteres") != nil, cells.text("date justificatif") == nil {
                cells.report("date justificatif", "date du justificatif obligatoire lorsque des critères sont indiqués")
            }
            let row = ParticipantImportRow(
                line: cells.line, reference: reference ?? "", lastName: lastName ?? "", firstName: firstName ?? "",
                birthDate: birthDate, sex: sex, communeCode: cells.communeCode("commune"),
                priorityArea: cells.parse("qpv", coded),
                qualificationLevel: cells.parse("niveau de qualification", coded),
                prescriber: cells.parse("prescripteur", coded), labourMarketStatus: cells.parse("situation", coded),
                plieName: cells.text("plie"), pathwayEntryDate: cells.date("entree plie"),
                hasDrivingLicence: cells.yesNo("permis"),
                hasVehicle: cells.yesNo("vehicule"),
                maxDistanceKm: cells.integer("distance max km", in: FieldRules.travelKilometres),
                availableFrom: cells.date("disponible le"), romeCodes: romeCodes, criteria: criteria,
                criteriaProofDate: proofDate)
            return row
        }
    }

    /// A coded field from its usual spellings (`CodedField.matching`), else a problem listing the labels.
    private static func coded<T: CodedField>(_ raw: String) -> Result<T, CellProblem> {
        if let value = T.matching(raw) { return .success(value) }
        return .failure(
            CellProblem(
                "« \(raw) » n'est pas reconnu ; valeurs acceptées : \(T.allCases.map { "« \($0.frenchLabel) »" }.joined(separator: ", "))"
            ))
    }

    private static func sex(_ raw: String) -> Result<ParticipantImportRow.Sex, CellProblem> {
        switch ColumnSchema.normalizedName(raw) {
        case "f", "femme", "feminin": return .success(.female)
        case "h", "m", "homme", "masculin": return .success(.male)
        default: return .failure(CellProblem("« \(raw) » : sexe attendu F ou H (femme/homme, M accepté pour masculin)"))
        }
    }

    static func isROMECode(_ code: String) -> Bool {
        let chars = Array(code.unicodeScalars)
        return chars.count == 5 && ("A"..."N").contains(chars[0])
            && chars.dropFirst().allSatisfy { ("0"..."9").contains($0) }
    }

    /// Splits a list cell and checks every item; one problem naming all the invalid items.
    private static func list(_ text: String, valid: (String) -> Bool, invalid: (String) -> String)
        -> Result<[String], CellProblem>
    {
        let items = CellParsers.codeList(text)
        let bad = items.filter { !valid($0) }
        if bad.isEmpty { return .success(items) }
        return .failure(CellProblem(bad.map(invalid).joined(separator: " ; ")))
    }
}
