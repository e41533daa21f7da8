import Foundation
import PostgresClient

/// A donneur d'ordre (contracting authority), identified by its SIRET.
public struct Buyer: StoredEntity, Equatable {
    public struct Input: Codable, Sendable {
        public var siret: String?
        public var name: String?
        /// A facilitator who follows every lot of this buyer (alerts).
        public var facilitatorUserId: UUID?
        /// Positive-action goals for the people placed on its marchés (women, seniors), with their written
        /// basis (a deliberation, a clause of the contract): the shortlist reads them (DOMAIN §7).
        public var diversityGoals: [DiversityGoal]?
        public var diversityBasis: String?
        public init(
            siret: String? = nil, name: String? = nil, facilitatorUserId: UUID? = nil,
            diversityGoals: [DiversityGoal]? = nil, diversityBasis: String? = nil
        ) {
            self.siret = siret
            self.name = name
            self.facilitatorUserId = facilitatorUserId
            self.diversityGoals = diversityGoals
            self.diversityBasis = diversityBasis
        }
    }

    public let id: UUID
    public let siret: String
    public let name: String
    public let facilitatorUserId: UUID?
    public let diversityGoals: [DiversityGoal]
    public let diversityBasis: String?
    public let createdAt: Date
    public let updatedAt: Date

    public static let table = "buyers"
    public static let alias = "b"
    public static let sortColumns = ["nom": "b.name", "siret": "b.siret"]
    public static let searchColumns = ["b.name", "b.siret"]
    public static let entityName = "buyer"
    public static let frenchName = "le donneur d'ordre"
    public static let selectColumns =
        "b.id, b.siret, b.name, b.facilitator_user_id, b.diversity_goals, b.diversity_basis, b.created_at, b.updated_at"
    public static let fromClause = "buyers b"
    public static let constraintMessages: [String: (field: String, message: String)] = [
        "buyers_siret_key": ("siret", "Un donneur d'ordre avec ce SIRET existe déjà."),
        "buyers_facilitator_user_id_fkey": (
            "facilitatorUserId", "« facilitatorUserId » ne désigne aucun utilisateur existant."
        ),
    ]

    public static func scope(for caller: Caller, _ sql: inout SQL) -> String? {
        Scope.buyers(caller, alias: alias, &sql)
    }

    public static func columns(from input: Input, existing: Buyer?) throws(DomainError) -> [(
        String, (any PostgresEncodable)?
    )] {
        let goals =
            input.diversityGoals.map { Array(Set($0)).sorted { $0.rawValue < $1.rawValue } }
            ?? existing?.diversityGoals ?? []
        let basis =
            input.diversityBasis != nil
            ? try Validate.optionalText(input.diversityBasis, existing: nil, field: "diversityBasis", maxLength: 500)
            : existing?.diversityBasis
        if !goals.isEmpty && basis == nil {
            throw DomainError.invalid(
                "diversityBasis",
                "Un objectif de mixité ne s'applique qu'avec son fondement écrit (délibération, clause du marché) : indiquez-le.",
                code: .missingField)
        }
        return [
            ("siret", try Validate.siret(input.siret, existing: existing?.siret)),
            ("name", try Validate.text(input.name, existing: existing?.name, field: "name")),
            ("facilitator_user_id", input.facilitatorUserId ?? existing?.facilitatorUserId),
            ("diversity_goals", PostgresTextArray(goals.map(\.rawValue))), ("diversity_basis", basis),
        ]
    }

    public init(row: PostgresRow) throws {
        id = try row.decode("id")
        siret = try row.decode("siret")
        name = try row.decode("name")
        facilitatorUserId = try row.decode("facilitator_user_id")
        diversityGoals = try row.decode("diversity_goals", as: PostgresTextArray.self).values.map { text in
            guard let goal = DiversityGoal(rawValue: text) else {
                throw PostgresRow.unknownValue(text, table: "buyers", column: "diversity_goals")
            }
            return goal
        }
        diversityBasis = try row.decode("diversity_basis")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
    }
}

/// Regime of an operation: what share of its hours must go to QPV residents.
public enum OperationRegime: String, InputEnum {
    case free, anru, gup

    public var frenchLabel: String {
        switch self {
        case .free: "Sans régime particulier"
        case .anru: "ANRU / NPNRU (5 % des heures aux habitants des QPV)"
        case .gup: "Gestion urbaine de proximité (10 %)"
        }
    }
}

/// A programme or work site (e.g. an NPNRU project) grouping marchés of one buyer.
public struct Operation: StoredEntity, Equatable {
    public struct Input: Codable, Sendable {
        public var buyerId: UUID?
        public var name: String?
        public var regime: OperationRegime?
        public var communeInsee: String?
        /// A facilitator who follows every lot of this operation (alerts).
        public var facilitatorUserId: UUID?
        public init(
            buyerId: UUID? = nil, name: String? = nil, regime: OperationRegime? = nil, communeInsee: String? = nil,
            facilitatorUserId: UUID? = nil
        ) {
            self.buyerId = buyerId
            self.name = name
            self.regime = regime
            self.communeInsee = communeInsee
            self.facilitatorUserId = facilitatorUserId
        }
    }

    public let id: UUID
    public let buyerId: UUID
    public let name: String
    public let regime: OperationRegime
    public let communeInsee: String?
    public let facilitatorUserId: UUID?
    public let createdAt: Date
    public let updatedAt: Date

    public static let table = "operations"
    public static let alias = "o"
    public static let entityName = "operation"
    public static let frenchName = "l'opération"
    public static let selectColumns =
        "o.id, o.buyer_id, o.name, o.regime, o.commune_insee, o.facilitator_user_id, o.created_at, o.updated_at"
    public static let fromClause = "operations o"
    public static let constraintMessages: [String: (field: String, message: String)] = [
        "operations_buyer_id_name_key": ("name", "Ce donneur d'ordre a déjà une opération de ce nom."),
        "operations_buyer_id_fkey": ("buyerId", "« buyerId » ne désigne aucun donneur d'ordre existant."),
        "operations_facilitator_user_id_fkey": (
            "facilitatorUserId", "« facilitatorUserId » ne désigne aucun utilisateur existant."
        ),
    ]

    public static func scope(for caller: Caller, _ sql: inout SQL) -> String? {
        Scope.operations(caller, alias: alias, &sql)
    }

    public typealias Filter = OperationFilter

    public static func columns(from input: Input, existing: Operation?) throws(DomainError) -> [(
        String, (any PostgresEncodable)?
    )] {
        if let existing, let buyer = input.buyerId, buyer != existing.buyerId {
            throw DomainError.invalid("buyerId", "Une opération ne peut pas changer de donneur d'ordre.")
        }
        guard let buyer = input.buyerId ?? existing?.buyerId else {
            throw DomainError.invalid("buyerId", "« buyerId » est obligatoire.", code: .missingField)
        }
        return [
            ("buyer_id", buyer),
            ("name", try Validate.text(input.name, existing: existing?.name, field: "name")),
            (
                "regime",
                (input.regime ?? existing?.regime ?? .free).rawValue
            ),
            (
                "commune_insee",
                try Validate.insee(input.communeInsee, existing: existing?.communeInsee, field: "communeInsee")
            ),
            ("facilitator_user_id", input.facilitatorUserId ?? existing?.facilitatorUserId),
        ]
    }

    public init(row: PostgresRow) throws {
        id = try row.decode("id")
        buyerId = try row.decode("buyer_id")
        name = try row.decode("name")
        regime = try row.decodeEnum("regime", table: "operations")
        communeInsee = try row.decode("commune_insee")
        facilitatorUserId = try row.decode("facilitator_user_id")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
    }
}

/// Kinds of company: ordinary firms, insertion structures (SIAE: EI, ETTI, AI, ACI, EITI), GEIQ, EA, ESAT, ETT.
public enum CompanyKind: String, InputEnum {
    case ordinary, EI, ETTI, AI, ACI, EITI, GEIQ, EA, ESAT, ETT

    public var frenchLabel: String {
        switch self {
        case .ordinary: "Entreprise"
        case .EI: "Entreprise d'insertion (EI)"
        case .ETTI: "Entreprise de travail temporaire d'insertion (ETTI)"
        case .AI: "Association intermédiaire (AI)"
        case .ACI: "Atelier chantier d'insertion (ACI)"
        case .EITI: "Entreprise d'insertion par le travail indépendant (EITI)"
        case .GEIQ: "Groupement d'employeurs pour l'insertion et la qualification (GEIQ)"
        case .EA: "Entreprise adaptée (EA)"
        case .ESAT: "ESAT"
        case .ETT: "Entreprise de travail temporaire (ETT)"
        }
    }
}

public struct Company: StoredEntity, Equatable {
    public struct Input: Codable, Sendable {
        public var siret: String?
        public var name: String?
        public var kind: CompanyKind?
        public init(siret: String? = nil, name: String? = nil, kind: CompanyKind? = nil) {
            self.siret = siret
            self.name = name
            self.kind = kind
        }
    }

    public let id: UUID
    public let siret: String
    public let name: String
    public let kind: CompanyKind
    public let createdAt: Date
    public let updatedAt: Date

    public static let table = "companies"
    public static let alias = "c"
    public static let sortColumns = ["nom": "c.name", "siret": "c.siret", "type": "c.kind"]
    public static let searchColumns = ["c.name", "c.siret"]
    public static let entityName = "company"
    public static let frenchName = "l'entreprise"
    public static let selectColumns = "c.id, c.siret, c.name, c.kind, c.created_at, c.updated_at"
    public static let fromClause = "companies c"
    public static let constraintMessages: [String: (field: String, message: String)] = [
        "companies_siret_key": ("siret", "Une entreprise avec ce SIRET existe déjà.")
    ]

    public static func scope(for caller: Caller, _ sql: inout SQL) -> String? {
        Scope.companies(caller, alias: alias, &sql)
    }

    public static func columns(from input: Input, existing: Company?) throws(DomainError) -> [(
        String, (any PostgresEncodable)?
    )] {
        [
            ("siret", try Validate.siret(input.siret, existing: existing?.siret)),
            ("name", try Validate.text(input.name, existing: existing?.name, field: "name")),
            (
                "kind",
                (input.kind ?? existing?.kind ?? .ordinary).rawValue
            ),
        ]
    }

    public init(row: PostgresRow) throws {
        id = try row.decode("id")
        siret = try row.decode("siret")
        name = try row.decode("name")
        kind = try row.decodeEnum("kind", table: "companies")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
    }
}
