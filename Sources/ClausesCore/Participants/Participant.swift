import Foundation
import PostgresClient

public enum PathwayStatus: String, InputEnum {
    case active, suspended, exited

    public var frenchLabel: String {
        switch self {
        case .active: "En parcours"
        case .suspended: "Parcours suspendu"
        case .exited: "Sorti du parcours"
        }
    }
}

/// How a pathway ended (DOMAIN §6).
public enum ExitKind: String, InputEnum {
    case positiveEmployment = "positive_employment"
    case positiveTraining = "positive_training"
    case droppedOut = "dropped_out"
    case movedAway = "moved_away"
    case deceased
    case retired
    case referred
    case other

    public var frenchLabel: String {
        switch self {
        case .positiveEmployment: "Sortie positive (emploi)"
        case .positiveTraining: "Sortie positive (formation qualifiante)"
        case .droppedOut: "Abandon"
        case .movedAway: "Déménagement"
        case .deceased: "Décès"
        case .retired: "Retraite"
        case .referred: "Réorientation vers un dispositif plus adapté"
        case .other: "Autre sortie"
        }
    }
}

/// One stored proof of an eligibility criterion.
public struct EligibilityCriterion: Codable, Sendable, Equatable {
    public let id: UUID
    public let code: EligibilityCriterionCode
    public let proofKind: String?
    public let proofDate: LocalDate
    public let attestedBy: String?
    public let validated: Bool
    public let validatedBy: UUID?
    public let validatedByLabel: String?
    public let validatedAt: Date?

    /// The value the pure eligibility rules read.
    public var proof: CriterionProof { CriterionProof(code: code, proofDate: proofDate, validated: validated) }

    static let columns =
        "ec.id, ec.participant_id, ec.code, ec.proof_kind, ec.proof_date, ec.attested_by, ec.validated_at, ec.validated_by, ec.validated_by_label"

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        code = try row.decodeEnum("code", table: "eligibility_criteria")
        proofKind = try row.decode("proof_kind")
        proofDate = try row.decode("proof_date")
        attestedBy = try row.decode("attested_by")
        validatedAt = try row.decode("validated_at")
        validated = validatedAt != nil
        validatedBy = try row.decode("validated_by")
        validatedByLabel = try row.decode("validated_by_label")
    }

    public struct Input: Codable, Sendable {
        public var code: EligibilityCriterionCode?
        public var proofKind: String?
        public var proofDate: LocalDate?
        public var attestedBy: String?
        public init(
            code: EligibilityCriterionCode? = nil, proofKind: String? = nil, proofDate: LocalDate? = nil,
            attestedBy: String? = nil
        ) {
            self.code = code
            self.proofKind = proofKind
            self.proofDate = proofDate
            self.attestedBy = attestedBy
        }
    }
}

/// A person followed by the PLIE (or another eligible person), with the pathway and the proofs of the
/// eligibility criteria. Personal data: never logged; only admin, facilitator and the person's référent
/// read it.
public struct Participant: Codable, Sendable, Equatable {
    public struct Input: Codable, Sendable {
        public var reference: String?
        public var lastName: String?
        public var firstName: String?
        public var birthDate: LocalDate?
        /// "F" or "M"; "" clears.
        public var sex: String?
        public var phone: String?
        public var email: String?
        public var communeInsee: String?
        public var qpvResident: Bool?
        public var qualificationLevel: String?
        public var prescriber: String?
        public var referentUserId: UUID?
        public var plieEntryDate: LocalDate?
        public var pathwayStatus: PathwayStatus?
        public var exitDate: LocalDate?
        public var exitKind: String?
        public var skills: [String]?
        public var targetJobs: [String]?
        public var drivingLicence: Bool?
        public var vehicle: Bool?
        public var maxTravelKm: Int?
        public var availableFrom: LocalDate?

        public init(
            reference: String? = nil, lastName: String? = nil, firstName: String? = nil, birthDate: LocalDate? = nil,
            sex: String? = nil, phone: String? = nil, email: String? = nil, communeInsee: String? = nil,
            qpvResident: Bool? = nil, qualificationLevel: String? = nil, prescriber: String? = nil,
            referentUserId: UUID? = nil, plieEntryDate: LocalDate? = nil, pathwayStatus: PathwayStatus? = nil,
            exitDate: LocalDate? = nil, exitKind: String? = nil, skills: [String]? = nil, targetJobs: [String]? = nil,
            drivingLicence: Bool? = nil, vehicle: Bool? = nil, maxTravelKm: Int? = nil, availableFrom: LocalDate? = nil
        ) {
            self.reference = reference
            self.lastName = lastName
            self.firstName = firstName
            self.birthDate = birthDate
            self.sex = sex
            self.phone = phone
            self.email = email
            self.communeInsee = communeInsee
            self.qpvResident = qpvResident
            self.qualificationLevel = qualificationLevel
            self.prescriber = prescriber
            self.referentUserId = referentUserId
            self.plieEntryDate = plieEntryDate
            self.pathwayStatus = pathwayStatus
            self.exitDate = exitDate
            self.exitKind = exitKind
            self.skills = skills
            self.targetJobs = targetJobs
            self.drivingLicence = drivingLicence
            self.vehicle = vehicle
            self.maxTravelKm = maxTravelKm
            self.availableFrom = availableFrom
        }
    }

    public let id: UUID
    public let reference: String
    public let lastName: String
    public let firstName: String
    public let birthDate: LocalDate?
    public let sex: String?
    public let phone: String?
    public let email: String?
    public let communeInsee: String?
    public let qpvResident: Bool?
    public let qualificationLevel: String?
    public let prescriber: String?
    public let referentUserId: UUID?
    public let plieEntryDate: LocalDate?
    public let pathwayStatus: PathwayStatus
    public let exitDate: LocalDate?
    public let exitKind: ExitKind?
    public let skills: [String]
    public let targetJobs: [String]
    public let drivingLicence: Bool?
    public let vehicle: Bool?
    public let maxTravelKm: Int?
    public let availableFrom: LocalDate?
    public internal(set) var criteria: [EligibilityCriterion]
    public let createdAt: Date
    public let updatedAt: Date

    /// `Prénom NOM`.
    public var displayName: String { PersonName.full(firstName: firstName, lastName: lastName) }

    static let columns = """
        p.id, p.reference, p.last_name, p.first_name, p.birth_date, p.sex, p.phone, p.email, p.commune_insee, p.qpv_resident, \
        p.qualification_level, p.prescriber, p.referent_user_id, p.plie_entry_date, p.pathway_status, p.exit_date, p.exit_kind, \
        p.skills, p.target_jobs, p.driving_licence, p.vehicle, p.max_travel_km, p.available_from, p.created_at, p.updated_at
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        reference = try row.decode("reference")
        lastName = try row.decode("last_name")
        firstName = try row.decode("first_name")
        birthDate = try row.decode("birth_date")
        sex = try row.decode("sex")
        phone = try row.decode("phone")
        email = try row.decode("email")
        communeInsee = try row.decode("commune_insee")
        qpvResident = try row.decode("qpv_resident")
        qualificationLevel = try row.decode("qualification_level")
        prescriber = try row.decode("prescriber")
        referentUserId = try row.decode("referent_user_id")
        plieEntryDate = try row.decode("plie_entry_date")
        pathwayStatus = try row.decodeEnum("pathway_status", table: "participants")
        exitDate = try row.decode("exit_date")
        exitKind = try row.decodeOptionalEnum("exit_kind", table: "participants")
        skills = try row.decode("skills", as: PostgresTextArray.self).values
        targetJobs = try row.decode("target_jobs", as: PostgresTextArray.self).values
        drivingLicence = try row.decode("driving_licence")
        vehicle = try row.decode("vehicle")
        maxTravelKm = try row.decode("max_travel_km")
        availableFrom = try row.decode("available_from")
        criteria = []
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
    }

    /// Validated column values for an insert (existing nil) or an update merged over `existing`.
    static func columns(from input: Input, existing: Participant?, today: LocalDate) throws(DomainError) -> [(
        String, (any PostgresEncodable)?
    )] {
        let sex: String?
        if let raw = input.sex {
            let s = raw.trimmingCharacters(in: .whitespaces).uppercased()
            switch s {
            case "": sex = nil
            case "F", "M": sex = s
            case "H": sex = "M"
            default: throw DomainError.invalid("sex", "« sex » doit valoir « F » ou « M » (reçu « \(raw) »).")
            }
        } else {
            sex = existing?.sex
        }
        let status = input.pathwayStatus ?? existing?.pathwayStatus ?? .active
        var exitDate = input.exitDate ?? existing?.exitDate
        var exitKind: ExitKind? = existing?.exitKind
        if let raw = input.exitKind {
            exitKind = raw.isEmpty ? nil : try Validate.choice(raw, existing: nil, field: "exitKind", as: ExitKind.self)
        }
        if status == .exited {
            guard exitDate != nil else {
                throw DomainError.invalid(
                    "exitDate", "La date de sortie est obligatoire pour un parcours terminé.", code: .missingField)
            }
            guard exitKind != nil else {
                throw DomainError.invalid(
                    "exitKind", "Le motif de sortie est obligatoire pour un parcours terminé.", code: .missingField)
            }
        } else {
            // Reopening a pathway clears its exit.
            exitDate = nil
            exitKind = nil
        }
        let entry = input.plieEntryDate ?? existing?.plieEntryDate
        if let entry, let exitDate, exitDate < entry {
            throw DomainError.invalid(
                "exitDate", "La date de sortie (\(exitDate.french)) précède l'entrée dans le PLIE (\(entry.french)).")
        }
        let maxTravelKm = try Validate.integer(
            input.maxTravelKm, existing: existing?.maxTravelKm, field: "maxTravelKm", in: FieldRules.travelKilometres)
        let birthDate = input.birthDate ?? existing?.birthDate
        if let birthDate, let problem = FieldRules.birthDateProblem(birthDate, today: today) {
            throw DomainError.invalid("birthDate", "« birthDate » : \(problem) (\(birthDate.french)).")
        }
        let email = try Validate.optionalText(input.email, existing: existing?.email, field: "email", maxLength: 254)?
            .lowercased()
        if let email, !email.contains("@") {
            throw DomainError.invalid("email", "Adresse électronique invalide « \(email) ».")
        }
        return [
            (
                "reference",
                try Validate.text(input.reference, existing: existing?.reference, field: "reference", maxLength: 64)
            ),
            (
                "last_name",
                try Validate.text(input.lastName, existing: existing?.lastName, field: "lastName", maxLength: 200)
            ),
            (
                "first_name",
                try Validate.text(input.firstName, existing: existing?.firstName, field: "firstName", maxLength: 200)
            ),
            ("birth_date", birthDate),
            ("sex", sex),
            ("phone", try Validate.optionalText(input.phone, existing: existing?.phone, field: "phone", maxLength: 40)),
            ("email", email),
            (
                "commune_insee",
                try Validate.insee(input.communeInsee, existing: existing?.communeInsee, field: "communeInsee")
            ),
            ("qpv_resident", input.qpvResident ?? existing?.qpvResident),
            (
                "qualification_level",
                try Validate.optionalText(
                    input.qualificationLevel, existing: existing?.qualificationLevel, field: "qualificationLevel",
                    maxLength: 100)
            ),
            (
                "prescriber",
                try Validate.optionalText(
                    input.prescriber, existing: existing?.prescriber, field: "prescriber", maxLength: 200)
            ),
            ("referent_user_id", input.referentUserId ?? existing?.referentUserId),
            ("plie_entry_date", entry),
            ("pathway_status", status.rawValue),
            ("exit_date", exitDate),
            ("exit_kind", exitKind?.rawValue),
            (
                "skills",
                PostgresTextArray(
                    try Validate.romeCodes(input.skills, existing: existing?.skills ?? [], field: "skills"))
            ),
            (
                "target_jobs",
                PostgresTextArray(
                    try Validate.romeCodes(input.targetJobs, existing: existing?.targetJobs ?? [], field: "targetJobs"))
            ),
            ("driving_licence", input.drivingLicence ?? existing?.drivingLicence),
            ("vehicle", input.vehicle ?? existing?.vehicle),
            ("max_travel_km", maxTravelKm),
            ("available_from", input.availableFrom ?? existing?.availableFrom),
        ]
    }

    static let constraintMessages: [String: (field: String, message: String)] = [
        "participants_reference_unique": ("reference", "Un participant porte déjà cette référence."),
        "participants_referent_user_id_fkey": (
            "referentUserId", "« referentUserId » ne désigne aucun utilisateur existant."
        ),
        "eligibility_criteria_once": ("code", "Ce critère est déjà enregistré avec un justificatif à cette date."),
    ]
}
