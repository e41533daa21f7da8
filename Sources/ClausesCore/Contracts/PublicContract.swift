import Foundation
import PostgresClient

/// A marché: never called "contract" alone, a word kept for employment contracts.
public struct PublicContract: StoredEntity, Equatable {
    /// DECP `considerationsSociales` values.
    public static let socialConsiderationValues = [
        "Clause sociale", "Critère social", "Marché réservé", "Pas de considération sociale",
    ]

    public struct Input: Codable, Sendable {
        public var buyerId: UUID?
        public var operationId: UUID?
        public var reference: String?
        public var object: String?
        public var procedure: String?
        public var notificationDate: LocalDate?
        public var durationMonths: Int?
        public var socialConsiderations: [String]?
        /// Update only: optional fields to empty (a value left out keeps the stored one).
        public var clear: [String]?
        public static let clearable: Set<String> = ["operationId", "notificationDate", "durationMonths"]
        public init(
            buyerId: UUID? = nil, operationId: UUID? = nil, reference: String? = nil, object: String? = nil,
            procedure: String? = nil, notificationDate: LocalDate? = nil, durationMonths: Int? = nil,
            socialConsiderations: [String]? = nil
        ) {
            self.buyerId = buyerId
            self.operationId = operationId
            self.reference = reference
            self.object = object
            self.procedure = procedure
            self.notificationDate = notificationDate
            self.durationMonths = durationMonths
            self.socialConsiderations = socialConsiderations
        }
    }

    public let id: UUID
    public let buyerId: UUID
    public let operationId: UUID?
    public let reference: String
    public let object: String
    public let procedure: String?
    public let notificationDate: LocalDate?
    public let durationMonths: Int?
    public let socialConsiderations: [String]
    public let createdAt: Date
    public let updatedAt: Date

    public static let table = "public_contracts"
    public static let alias = "pc"
    public static let sortColumns = [
        "reference": "pc.reference", "objet": "pc.object", "notification": "pc.notification_date",
    ]
    public static let searchColumns = ["pc.reference", "pc.object"]
    public static let entityName = "public_contract"
    public static let frenchName = "le marché"
    public static let selectColumns =
        "pc.id, pc.buyer_id, pc.operation_id, pc.reference, pc.object, pc.procedure, pc.notification_date, pc.duration_months, pc.social_considerations, pc.created_at, pc.updated_at"
    public static let fromClause = "public_contracts pc"
    public static let constraintMessages: [String: (field: String, message: String)] = [
        "public_contracts_reference_per_buyer": (
            "reference", "Ce donneur d'ordre a déjà un marché avec cette référence."
        ),
        "public_contracts_buyer_id_fkey": ("buyerId", "« buyerId » ne désigne aucun donneur d'ordre existant."),
        "public_contracts_operation_same_buyer": (
            "operationId", "« operationId » ne désigne aucune opération de ce donneur d'ordre."
        ),
    ]

    public static func scope(for caller: Caller, _ sql: inout SQL) -> String? {
        Scope.publicContracts(caller, alias: alias, &sql)
    }

    public typealias Filter = PublicContractFilter

    public static func columns(from input: Input, existing: PublicContract?) throws(DomainError) -> [(
        String, (any PostgresEncodable)?
    )] {
        if let existing, let buyer = input.buyerId, buyer != existing.buyerId {
            throw DomainError.invalid("buyerId", "Un marché ne peut pas changer de donneur d'ordre.")
        }
        guard let buyer = input.buyerId ?? existing?.buyerId else {
            throw DomainError.invalid("buyerId", "« buyerId » est obligatoire.", code: .missingField)
        }
        let cleared = try Validate.cleared(input.clear, allowed: Input.clearable)
        let duration = try Validate.integer(
            input.durationMonths,
            existing: Validate.kept(nil, "durationMonths", existing: existing?.durationMonths, cleared: cleared),
            field: "durationMonths", in: 1...1200)
        let considerations = input.socialConsiderations ?? existing?.socialConsiderations ?? []
        for value in considerations where !socialConsiderationValues.contains(value) {
            throw DomainError.invalid(
                "socialConsiderations",
                "Considération sociale inconnue « \(value) » : valeurs possibles \(socialConsiderationValues.map { "« \($0) »" }.joined(separator: ", "))."
            )
        }
        return [
            ("buyer_id", buyer),
            (
                "operation_id",
                Validate.kept(input.operationId, "operationId", existing: existing?.operationId, cleared: cleared)
            ),
            (
                "reference",
                try Validate.text(input.reference, existing: existing?.reference, field: "reference", maxLength: 100)
            ),
            ("object", try Validate.text(input.object, existing: existing?.object, field: "object", maxLength: 1000)),
            (
                "procedure",
                try Validate.optionalText(input.procedure, existing: existing?.procedure, field: "procedure")
            ),
            (
                "notification_date",
                Validate.kept(
                    input.notificationDate, "notificationDate", existing: existing?.notificationDate, cleared: cleared)
            ),
            ("duration_months", duration),
            ("social_considerations", PostgresTextArray(considerations)),
        ]
    }

    public init(row: PostgresRow) throws {
        id = try row.decode("id")
        buyerId = try row.decode("buyer_id")
        operationId = try row.decode("operation_id")
        reference = try row.decode("reference")
        object = try row.decode("object")
        procedure = try row.decode("procedure")
        notificationDate = try row.decode("notification_date")
        durationMonths = try row.decode("duration_months")
        socialConsiderations = try row.decode("social_considerations", as: PostgresTextArray.self).values
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
    }
}
