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

/// How a pathway ended (DOMAIN §6): positive (employment with its subtype, qualifying training) or other.
public enum ExitKind: String, InputEnum {
    case employmentCDI = "employment_cdi"
    case employmentCDD = "employment_cdd"
    case employmentWorkStudy = "employment_work_study"
    case employmentSubsidised = "employment_subsidised"
    case employmentTempWork = "employment_temp_work"
    case employmentBusinessCreation = "employment_business_creation"
    /// Migrated from the former single "positive employment" exit: the subtype was not recorded.
    case employmentUnspecified = "employment_unspecified"
    case qualifyingTraining = "qualifying_training"
    case droppedOut = "dropped_out"
    case movedAway = "moved_away"
    case health, maternity, deceased, retired
    case maxLength = "max_length"
    case referred, other

    public enum Group: String, Sendable { case employment, training, other }

    public var group: Group {
        switch self {
        case .employmentCDI, .employmentCDD, .employmentWorkStudy, .employmentSubsidised, .employmentTempWork,
            .employmentBusinessCreation, .employmentUnspecified:
            .employment
        case .qualifyingTraining: .training
        default: .other
        }
    }

    public var isPositive: Bool { group != .other }

    public var frenchLabel: String {
        switch self {
        case .employmentCDI: "Emploi : CDI"
        case .employmentCDD: "Emploi : CDD de 6 mois et plus"
        case .employmentWorkStudy: "Emploi : alternance"
        case .employmentSubsidised: "Emploi : contrat aidé"
        case .employmentTempWork: "Emploi : intérim soutenu"
        case .employmentBusinessCreation: "Emploi : création d'entreprise"
        case .employmentUnspecified: "Emploi (type non précisé)"
        case .qualifyingTraining: "Formation qualifiante"
        case .droppedOut: "Abandon ou démission"
        case .movedAway: "Déménagement"
        case .health: "Santé"
        case .maternity: "Maternité"
        case .deceased: "Décès"
        case .retired: "Retraite"
        case .maxLength: "Durée maximale du parcours atteinte"
        case .referred: "Réorientation vers un dispositif plus adapté"
        case .other: "Autre sortie"
        }
    }
}

/// A point d'étape.
public struct PathwayReview: Codable, Sendable, Equatable {
    public let id: UUID
    public let reviewDate: LocalDate
    public let note: String?
    public let recordedByLabel: String

    public struct Input: Codable, Sendable {
        public var reviewDate: LocalDate?
        public var note: String?
        public init(reviewDate: LocalDate? = nil, note: String? = nil) {
            self.reviewDate = reviewDate
            self.note = note
        }
    }
}

public enum ExtensionStatus: String, InputEnum {
    case requested, accepted, refused

    public var frenchLabel: String {
        switch self {
        case .requested: "Demandée"
        case .accepted: "Accordée"
        case .refused: "Refusée"
        }
    }
}

/// An extension beyond the profile's length: requested by the référent, decided on the committee's list.
public struct PathwayExtension: Codable, Sendable, Equatable {
    public let id: UUID
    public let months: Int
    public let reason: String
    public let requestedOn: LocalDate
    public let requestedByLabel: String
    public let status: ExtensionStatus
    public let decidedOn: LocalDate?
    public let decidedByLabel: String?
    public let decisionNote: String?
    /// The quota when it was decided (profiles with a quota).
    public let quota: ExtensionQuota?
    /// An admin's reason for accepting beyond the quota.
    public let overrideReason: String?

    public struct Request: Codable, Sendable {
        public var months: Int?
        public var reason: String?
        public init(months: Int? = nil, reason: String? = nil) {
            self.months = months
            self.reason = reason
        }
    }

    public struct Decision: Codable, Sendable {
        public var decision: ExtensionStatus?
        public var note: String?
        /// Admin only: accept beyond the quota, with this reason.
        public var overrideReason: String?
        public init(decision: ExtensionStatus? = nil, note: String? = nil, overrideReason: String? = nil) {
            self.decision = decision
            self.note = note
            self.overrideReason = overrideReason
        }
    }
}

/// A PLIE pathway (parcours): several per participant over the years, one open per PLIE at a time.
public struct Pathway: Codable, Sendable, Equatable {
    public let id: UUID
    public let participantId: UUID
    public let plieId: UUID
    public let plieName: String
    public let profile: String
    public let entryDate: LocalDate
    public let referentUserId: UUID?
    public let referentLabel: String?
    public let status: PathwayStatus
    public let exitDate: LocalDate?
    public let exitKind: ExitKind?
    public let exitReason: String?
    /// The day the référent validated the person's professional project (a shortlist part).
    public let projectValidatedOn: LocalDate?
    public internal(set) var reviews: [PathwayReview] = []
    public internal(set) var extensions: [PathwayExtension] = []
    /// Dates that follow from the profile: planned end, next review, 36-month step.
    public internal(set) var milestones: PathwayMilestones?
    public let createdAt: Date
    public let updatedAt: Date

    public var span: PathwaySpan { PathwaySpan(entry: entryDate, exit: exitDate) }

    static let columns = """
        pw.id, pw.participant_id, pw.plie_id, pl.name AS plie_name, pl.profile, pw.entry_date, pw.referent_user_id, \
        coalesce(nullif(u.display_name, ''), u.email) AS referent_label, pw.status, pw.exit_date, pw.exit_kind, pw.exit_reason, pw.project_validated_on, pw.created_at, pw.updated_at
        """
    static let from = "pathways pw JOIN plie pl ON pl.id = pw.plie_id LEFT JOIN users u ON u.id = pw.referent_user_id"

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        participantId = try row.decode("participant_id")
        plieId = try row.decode("plie_id")
        plieName = try row.decode("plie_name")
        profile = try row.decode("profile")
        entryDate = try row.decode("entry_date")
        referentUserId = try row.decode("referent_user_id")
        referentLabel = try row.decode("referent_label")
        status = try row.decodeEnum("status", table: "pathways")
        exitDate = try row.decode("exit_date")
        exitKind = try row.decodeOptionalEnum("exit_kind", table: "pathways")
        exitReason = try row.decode("exit_reason")
        projectValidatedOn = try row.decode("project_validated_on")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
    }

    /// Opening a pathway: the PLIE, the entry date and the référent (a référent opens their own).
    public struct Input: Codable, Sendable {
        public var plieId: UUID?
        public var entryDate: LocalDate?
        public var referentUserId: UUID?
        /// Update only: `active` or `suspended` (exits go through the exit route; `active` reopens an exit
        /// recorded by mistake).
        public var status: PathwayStatus?
        /// Update only: the day the référent validated the professional project.
        public var projectValidatedOn: LocalDate?
        /// Update only: `referentUserId` leaves the pathway without a référent; `projectValidatedOn` clears
        /// the validation.
        public var clear: [String]?
        public static let clearable: Set<String> = ["referentUserId", "projectValidatedOn"]

        public init(
            plieId: UUID? = nil, entryDate: LocalDate? = nil, referentUserId: UUID? = nil, status: PathwayStatus? = nil,
            projectValidatedOn: LocalDate? = nil
        ) {
            self.projectValidatedOn = projectValidatedOn
            self.plieId = plieId
            self.entryDate = entryDate
            self.referentUserId = referentUserId
            self.status = status
        }
    }

    public struct Exit: Codable, Sendable {
        public var exitDate: LocalDate?
        public var exitKind: ExitKind?
        public var exitReason: String?
        public init(exitDate: LocalDate? = nil, exitKind: ExitKind? = nil, exitReason: String? = nil) {
            self.exitDate = exitDate
            self.exitKind = exitKind
            self.exitReason = exitReason
        }
    }
}
