import Foundation
import PostgresClient

/// One stored proof of an eligibility criterion.
public struct EligibilityCriterion: Codable, Sendable, Equatable {
    public let id: UUID
    public let code: EligibilityCriterionCode
    public let proofKind: String?
    public let proofDate: LocalDate
    public let attestedBy: String?
    /// The RQTH decision's or the PASS IAE's end date, when the proof states one.
    public let validUntil: LocalDate?
    public let validated: Bool
    public let validatedBy: UUID?
    public let validatedByLabel: String?
    public let validatedAt: Date?

    /// The value the pure eligibility rules read.
    public var proof: CriterionProof {
        CriterionProof(code: code, proofDate: proofDate, validated: validated, validUntil: validUntil)
    }

    static let columns =
        "ec.id, ec.participant_id, ec.code, ec.proof_kind, ec.proof_date, ec.attested_by, ec.valid_until, ec.validated_at, ec.validated_by, ec.validated_by_label"

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        code = try row.decodeEnum("code", table: "eligibility_criteria")
        proofKind = try row.decode("proof_kind")
        proofDate = try row.decode("proof_date")
        attestedBy = try row.decode("attested_by")
        validUntil = try row.decode("valid_until")
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
        /// RQTH and SIAE (PASS IAE) only: the end date the proof states.
        public var validUntil: LocalDate?
        public init(
            code: EligibilityCriterionCode? = nil, proofKind: String? = nil, proofDate: LocalDate? = nil,
            attestedBy: String? = nil, validUntil: LocalDate? = nil
        ) {
            self.code = code
            self.proofKind = proofKind
            self.proofDate = proofDate
            self.attestedBy = attestedBy
            self.validUntil = validUntil
        }
    }
}

/// A person followed by a PLIE (or another eligible person), with their pathways and the proofs of the
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
        public var priorityArea: PriorityArea?
        public var qualificationLevel: QualificationLevel?
        public var prescriber: Prescriber?
        public var labourMarketStatus: LabourMarketStatus?
        /// Create only: opens the person's first pathway (a référent creating a participant must give it,
        /// with themselves as référent).
        public var pathway: Pathway.Input?
        public var skills: [String]?
        public var targetJobs: [String]?
        public var drivingLicence: Bool?
        public var vehicle: Bool?
        public var maxTravelKm: Int?
        public var availableFrom: LocalDate?
        /// The contact the person agreed to share with an employer they are proposed to; the consent's
        /// date defaults to today when sharing is newly given.
        public var contactSharing: ContactSharing?
        public var contactConsentOn: LocalDate?
        /// Update only: optional fields to empty (a value left out keeps the stored one).
        public var clear: [String]?
        public static let clearable: Set<String> = [
            "birthDate", "priorityArea", "qualificationLevel", "prescriber", "labourMarketStatus", "drivingLicence",
            "vehicle", "maxTravelKm", "availableFrom",
        ]

        public init(
            reference: String? = nil, lastName: String? = nil, firstName: String? = nil, birthDate: LocalDate? = nil,
            sex: String? = nil, phone: String? = nil, email: String? = nil, communeInsee: String? = nil,
            priorityArea: PriorityArea? = nil, qualificationLevel: QualificationLevel? = nil,
            prescriber: Prescriber? = nil, labourMarketStatus: LabourMarketStatus? = nil, pathway: Pathway.Input? = nil,
            skills: [String]? = nil, targetJobs: [String]? = nil,
            drivingLicence: Bool? = nil, vehicle: Bool? = nil, maxTravelKm: Int? = nil, availableFrom: LocalDate? = nil,
            contactSharing: ContactSharing? = nil, contactConsentOn: LocalDate? = nil
        ) {
            self.contactSharing = contactSharing
            self.contactConsentOn = contactConsentOn
            self.reference = reference
            self.lastName = lastName
            self.firstName = firstName
            self.birthDate = birthDate
            self.sex = sex
            self.phone = phone
            self.email = email
            self.communeInsee = communeInsee
            self.priorityArea = priorityArea
            self.qualificationLevel = qualificationLevel
            self.prescriber = prescriber
            self.labourMarketStatus = labourMarketStatus
            self.pathway = pathway
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
    public let priorityArea: PriorityArea?
    public let qualificationLevel: QualificationLevel?
    public let prescriber: Prescriber?
    public let labourMarketStatus: LabourMarketStatus?
    public let skills: [String]
    public let targetJobs: [String]
    public let drivingLicence: Bool?
    public let vehicle: Bool?
    public let maxTravelKm: Int?
    public let availableFrom: LocalDate?
    public let contactSharing: ContactSharing
    public let contactConsentOn: LocalDate?
    public internal(set) var criteria: [EligibilityCriterion]
    /// Every pathway of the person, oldest first.
    public internal(set) var pathways: [Pathway]
    public let createdAt: Date
    public let updatedAt: Date

    public var eligibilityFacts: EligibilityFacts {
        EligibilityFacts(proofs: criteria.map(\.proof), birthDate: birthDate, pathways: pathways.map(\.span))
    }

    /// `Prénom NOM`.
    public var displayName: String { PersonName.full(firstName: firstName, lastName: lastName) }

    /// Columns the participants page may sort by.
    static let sortColumns = ["nom": "p.last_name", "reference": "p.reference", "commune": "p.commune_insee"]

    static let columns = """
        p.id, p.reference, p.last_name, p.first_name, p.birth_date, p.sex, p.phone, p.email, p.commune_insee, p.priority_area, \
        p.qualification_level, p.prescriber, p.labour_market_status, \
        p.skills, p.target_jobs, p.driving_licence, p.vehicle, p.max_travel_km, p.available_from, p.contact_sharing, \
        p.contact_consent_on, p.created_at, p.updated_at
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
        priorityArea = try row.decodeOptionalEnum("priority_area", table: "participants")
        qualificationLevel = try row.decodeOptionalEnum("qualification_level", table: "participants")
        prescriber = try row.decodeOptionalEnum("prescriber", table: "participants")
        labourMarketStatus = try row.decodeOptionalEnum("labour_market_status", table: "participants")
        skills = try row.decode("skills", as: PostgresTextArray.self).values
        targetJobs = try row.decode("target_jobs", as: PostgresTextArray.self).values
        drivingLicence = try row.decode("driving_licence")
        vehicle = try row.decode("vehicle")
        maxTravelKm = try row.decode("max_travel_km")
        availableFrom = try row.decode("available_from")
        contactSharing = try row.decodeEnum("contact_sharing", table: "participants")
        contactConsentOn = try row.decode("contact_consent_on")
        criteria = []
        pathways = []
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
        let cleared = try Validate.cleared(input.clear, allowed: Input.clearable)
        let maxTravelKm = try Validate.integer(
            input.maxTravelKm,
            existing: Validate.kept(nil, "maxTravelKm", existing: existing?.maxTravelKm, cleared: cleared),
            field: "maxTravelKm", in: FieldRules.travelKilometres)
        let birthDate = Validate.kept(input.birthDate, "birthDate", existing: existing?.birthDate, cleared: cleared)
        if let birthDate, let problem = FieldRules.birthDateProblem(birthDate, today: today) {
            throw DomainError.invalid("birthDate", "« birthDate » : \(problem) (\(birthDate.french)).")
        }
        let email = try Validate.optionalText(input.email, existing: existing?.email, field: "email", maxLength: 254)?
            .lowercased()
        if let email, !email.contains("@") {
            throw DomainError.invalid("email", "Adresse électronique invalide « \(email) ».")
        }
        let sharing = input.contactSharing ?? existing?.contactSharing ?? .none
        let consentOn: LocalDate? =
            sharing == .none
            ? nil
            : input.contactConsentOn ?? (sharing == existing?.contactSharing ? existing?.contactConsentOn : today)
        if let consentOn, consentOn > today {
            throw DomainError.invalid(
                "contactConsentOn", "La date du consentement (\(consentOn.french)) est dans le futur.")
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
            (
                "priority_area",
                Validate.kept(input.priorityArea, "priorityArea", existing: existing?.priorityArea, cleared: cleared)?
                    .rawValue
            ),
            (
                "qualification_level",
                Validate.kept(
                    input.qualificationLevel, "qualificationLevel", existing: existing?.qualificationLevel,
                    cleared: cleared)?.rawValue
            ),
            (
                "prescriber",
                Validate.kept(input.prescriber, "prescriber", existing: existing?.prescriber, cleared: cleared)?
                    .rawValue
            ),
            (
                "labour_market_status",
                Validate.kept(
                    input.labourMarketStatus, "labourMarketStatus", existing: existing?.labourMarketStatus,
                    cleared: cleared)?.rawValue
            ),
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
            (
                "driving_licence",
                Validate.kept(
                    input.drivingLicence, "drivingLicence", existing: existing?.drivingLicence, cleared: cleared)
            ),
            ("vehicle", Validate.kept(input.vehicle, "vehicle", existing: existing?.vehicle, cleared: cleared)),
            ("max_travel_km", maxTravelKm),
            (
                "available_from",
                Validate.kept(input.availableFrom, "availableFrom", existing: existing?.availableFrom, cleared: cleared)
            ),
            ("contact_sharing", sharing.rawValue), ("contact_consent_on", consentOn),
        ]
    }

    static let constraintMessages: [String: (field: String, message: String)] = [
        "participants_reference_unique": ("reference", "Un participant porte déjà cette référence."),
        "eligibility_criteria_once": ("code", "Ce critère est déjà enregistré avec un justificatif à cette date."),
    ]
}
