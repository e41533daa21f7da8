import Foundation
import PostgresClient

/// A lot of a marché: the unit that carries an insertion clause and a contractor.
public struct Lot: StoredEntity, Equatable {
    public struct Input: Codable, Sendable {
        public var publicContractId: UUID?
        public var number: Int?
        public var label: String?
        public var amountExclVat: FlexibleDecimal?
        public var executionStart: LocalDate?
        public var executionEnd: LocalDate?
        public var romeCodes: [String]?
        public var worksiteInsee: String?
        /// The facilitator in charge (alerts on the lot go to them); on creation, by default whoever creates it.
        public var facilitatorUserId: UUID?
        /// Update only: optional fields to empty (a value left out keeps the stored one).
        public var clear: [String]?
        public static let clearable: Set<String> = [
            "amountExclVat", "executionStart", "executionEnd", "facilitatorUserId",
        ]
        public init(
            publicContractId: UUID? = nil, number: Int? = nil, label: String? = nil, amountExclVat: Decimal? = nil,
            executionStart: LocalDate? = nil, executionEnd: LocalDate? = nil, romeCodes: [String]? = nil,
            worksiteInsee: String? = nil, facilitatorUserId: UUID? = nil
        ) {
            self.facilitatorUserId = facilitatorUserId
            self.publicContractId = publicContractId
            self.number = number
            self.label = label
            self.amountExclVat = amountExclVat.map(FlexibleDecimal.init)
            self.executionStart = executionStart
            self.executionEnd = executionEnd
            self.romeCodes = romeCodes
            self.worksiteInsee = worksiteInsee
        }
    }

    /// The clause's headline figures, joined in so lists show them without another query.
    public struct ClauseSummary: Codable, Sendable, Equatable {
        public let calibrationMode: String
        public let requiredHours: Decimal
    }

    public let id: UUID
    public let publicContractId: UUID
    public let publicContractReference: String
    public let buyerId: UUID
    public let number: Int
    public let label: String
    public let amountExclVat: Decimal?
    public let executionStart: LocalDate?
    public let executionEnd: LocalDate?
    public let romeCodes: [String]
    public let worksiteInsee: String?
    public let facilitatorUserId: UUID?
    public let clause: ClauseSummary?
    public let createdAt: Date
    public let updatedAt: Date

    public static let table = "lots"
    public static let alias = "l"
    public static let sortColumns = [
        "marche": "pc.reference", "numero": "l.number", "intitule": "l.label", "debut": "l.execution_start",
        "fin": "l.execution_end", "heures": "ic.required_hours",
    ]
    public static let searchColumns = ["pc.reference", "l.label"]
    public static let entityName = "lot"
    public static let frenchName = "le lot"
    public static let selectColumns = """
        l.id, l.public_contract_id, pc.reference AS public_contract_reference, pc.buyer_id, l.number, l.label, l.amount_excl_vat, l.execution_start, l.execution_end, \
        l.rome_codes, l.worksite_insee, l.facilitator_user_id, ic.calibration_mode, ic.required_hours, l.created_at, l.updated_at
        """
    public static let fromClause =
        "lots l JOIN public_contracts pc ON pc.id = l.public_contract_id LEFT JOIN insertion_clauses ic ON ic.lot_id = l.id"
    public static let constraintMessages: [String: (field: String, message: String)] = [
        "lots_number_per_contract": ("number", "Ce marché a déjà un lot portant ce numéro."),
        "lots_public_contract_id_fkey": ("publicContractId", "« publicContractId » ne désigne aucun marché existant."),
        "lots_execution_order": ("executionEnd", "La fin d'exécution du lot précède son début."),
        "lots_facilitator_user_id_fkey": (
            "facilitatorUserId", "« facilitatorUserId » ne désigne aucun utilisateur existant."
        ),
    ]

    /// A new lot's facilitator is, unless given, the facilitator or admin who creates it.
    public static func defaultingOnCreate(_ columns: [(String, (any PostgresEncodable)?)], caller: Caller)
        -> [(String, (any PostgresEncodable)?)]
    {
        guard let user = caller.userId, caller.canEditReferential else { return columns }
        return columns.map { $0.0 == "facilitator_user_id" && $0.1 == nil ? ($0.0, user) : $0 }
    }

    public static func scope(for caller: Caller, _ sql: inout SQL) -> String? {
        Scope.lots(caller, alias: alias, &sql)
    }

    public typealias Filter = LotFilter

    public static func columns(from input: Input, existing: Lot?) throws(DomainError) -> [(
        String, (any PostgresEncodable)?
    )] {
        if let existing, let contract = input.publicContractId, contract != existing.publicContractId {
            throw DomainError.invalid("publicContractId", "Un lot ne peut pas changer de marché.")
        }
        guard let contract = input.publicContractId ?? existing?.publicContractId else {
            throw DomainError.invalid(
                "publicContractId", "« publicContractId » est obligatoire.", code: .missingField)
        }
        guard
            let number = try Validate.integer(
                input.number, existing: existing?.number, field: "number", in: 1...Validate.maxInt32)
        else {
            throw DomainError.invalid("number", "« number » (numéro du lot) est obligatoire.", code: .missingField)
        }
        let cleared = try Validate.cleared(input.clear, allowed: Input.clearable)
        let start = Validate.kept(
            input.executionStart, "executionStart", existing: existing?.executionStart, cleared: cleared)
        let end = Validate.kept(input.executionEnd, "executionEnd", existing: existing?.executionEnd, cleared: cleared)
        if let start, let end, end < start {
            throw DomainError.invalid(
                "executionEnd", "La fin d'exécution (\(end.french)) précède le début (\(start.french)).")
        }
        return [
            ("public_contract_id", contract),
            ("number", number),
            ("label", try Validate.text(input.label, existing: existing?.label, field: "label")),
            (
                "amount_excl_vat",
                try Validate.amount(
                    input.amountExclVat?.value,
                    existing: Validate.kept(nil, "amountExclVat", existing: existing?.amountExclVat, cleared: cleared),
                    field: "amountExclVat")
            ),
            ("execution_start", start),
            ("execution_end", end),
            (
                "rome_codes",
                PostgresTextArray(
                    try Validate.romeCodes(input.romeCodes, existing: existing?.romeCodes ?? [], field: "romeCodes"))
            ),
            (
                "worksite_insee",
                try Validate.insee(input.worksiteInsee, existing: existing?.worksiteInsee, field: "worksiteInsee")
            ),
            (
                "facilitator_user_id",
                Validate.kept(
                    input.facilitatorUserId, "facilitatorUserId", existing: existing?.facilitatorUserId,
                    cleared: cleared)
            ),
        ]
    }

    public init(row: PostgresRow) throws {
        id = try row.decode("id")
        publicContractId = try row.decode("public_contract_id")
        publicContractReference = try row.decode("public_contract_reference")
        buyerId = try row.decode("buyer_id")
        number = try row.decode("number")
        label = try row.decode("label")
        amountExclVat = try row.decode("amount_excl_vat")
        executionStart = try row.decode("execution_start")
        executionEnd = try row.decode("execution_end")
        romeCodes = try row.decode("rome_codes", as: PostgresTextArray.self).values
        worksiteInsee = try row.decode("worksite_insee")
        facilitatorUserId = try row.decode("facilitator_user_id")
        if let mode: String = try row.decode("calibration_mode") {
            clause = ClauseSummary(calibrationMode: mode, requiredHours: try row.decode("required_hours"))
        } else {
            clause = nil
        }
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
    }
}
