import Foundation
import PostgresClient

/// The filters a list accepts, typed: read once from the query string (a malformed value is refused in
/// French, naming the parameter), then turned into bound SQL conditions.
public protocol ListFilter: Sendable {
    init()
    /// Reads the filter from query parameters; unknown parameters are ignored (paging, `at`…).
    init(query: QueryParameters) throws(DomainError)
    /// SQL conditions over the list's aliases, values bound into `sql`.
    func conditions(_ sql: inout SQL) -> [String]
}

/// Query parameters by name (last value wins), with typed readers.
public struct QueryParameters: Sendable {
    let values: [String: String]

    public init(_ values: [String: String]) { self.values = values }

    public func uuid(_ key: String) throws(DomainError) -> UUID? {
        guard let raw = values[key] else { return nil }
        guard let id = UUID(uuidString: raw) else {
            throw DomainError.invalid(key, "« \(key) » doit être un identifiant (UUID) valide.")
        }
        return id
    }

    public func choice<E: InputEnum>(_ key: String, as type: E.Type = E.self) throws(DomainError) -> E? {
        guard let raw = values[key] else { return nil }
        return try Validate.choice(raw, existing: nil, field: key, as: E.self)
    }

    /// `true` / `false`; anything else is refused.
    public func flag(_ key: String) throws(DomainError) -> Bool? {
        switch values[key] {
        case nil: return nil
        case "true": return true
        case "false": return false
        case let raw?: throw DomainError.invalid(key, "« \(key) » doit valoir true ou false : « \(raw) » reçu.")
        }
    }

    public func text(_ key: String) -> String? {
        guard let raw = values[key]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        return raw
    }
}

/// Lists without filters (buyers, companies).
public struct NoFilter: ListFilter {
    public init() {}
    public init(query: QueryParameters) {}
    public func conditions(_ sql: inout SQL) -> [String] { [] }
}

public struct OperationFilter: ListFilter {
    public var buyerId: UUID?

    public init() {}
    public init(buyerId: UUID?) { self.buyerId = buyerId }
    public init(query: QueryParameters) throws(DomainError) { buyerId = try query.uuid("buyerId") }

    public func conditions(_ sql: inout SQL) -> [String] {
        buyerId.map { ["o.buyer_id = \(sql.bind($0))"] } ?? []
    }
}

public struct PublicContractFilter: ListFilter {
    public var buyerId: UUID?
    public var operationId: UUID?

    public init() {}
    public init(buyerId: UUID? = nil, operationId: UUID? = nil) {
        self.buyerId = buyerId
        self.operationId = operationId
    }
    public init(query: QueryParameters) throws(DomainError) {
        buyerId = try query.uuid("buyerId")
        operationId = try query.uuid("operationId")
    }

    public func conditions(_ sql: inout SQL) -> [String] {
        var conditions: [String] = []
        if let buyerId { conditions.append("pc.buyer_id = \(sql.bind(buyerId))") }
        if let operationId { conditions.append("pc.operation_id = \(sql.bind(operationId))") }
        return conditions
    }
}

public struct LotFilter: ListFilter {
    public var publicContractId: UUID?
    public var buyerId: UUID?

    public init() {}
    public init(publicContractId: UUID? = nil, buyerId: UUID? = nil) {
        self.publicContractId = publicContractId
        self.buyerId = buyerId
    }
    public init(query: QueryParameters) throws(DomainError) {
        publicContractId = try query.uuid("publicContractId")
        buyerId = try query.uuid("buyerId")
    }

    public func conditions(_ sql: inout SQL) -> [String] {
        var conditions: [String] = []
        if let publicContractId { conditions.append("l.public_contract_id = \(sql.bind(publicContractId))") }
        if let buyerId { conditions.append("pc.buyer_id = \(sql.bind(buyerId))") }
        return conditions
    }
}

/// Placements of a lot, a participant or a company; `activeOn` keeps those running that day.
public struct PlacementFilter: ListFilter {
    public var lotId: UUID?
    public var participantId: UUID?
    public var companyId: UUID?
    public var activeOn: LocalDate?

    public init() {}
    public init(lotId: UUID? = nil, participantId: UUID? = nil, companyId: UUID? = nil, activeOn: LocalDate? = nil) {
        self.lotId = lotId
        self.participantId = participantId
        self.companyId = companyId
        self.activeOn = activeOn
    }
    /// `active=true` means running today: the caller sets `activeOn` from its clock (`init(query:today:)`).
    public init(query: QueryParameters) throws(DomainError) {
        try self.init(query: query, today: nil)
    }
    public init(query: QueryParameters, today: LocalDate?) throws(DomainError) {
        lotId = try query.uuid("lotId")
        participantId = try query.uuid("participantId")
        companyId = try query.uuid("companyId")
        if try query.flag("active") == true { activeOn = today }
    }

    public func conditions(_ sql: inout SQL) -> [String] {
        var conditions: [String] = []
        if let lotId { conditions.append("pl.lot_id = \(sql.bind(lotId))") }
        if let participantId { conditions.append("pl.participant_id = \(sql.bind(participantId))") }
        if let companyId { conditions.append("pl.company_id = \(sql.bind(companyId))") }
        if let activeOn {
            let day = sql.bind(activeOn)
            conditions.append("pl.start_date <= \(day) AND (pl.end_date IS NULL OR pl.end_date >= \(day))")
        }
        return conditions
    }
}

/// Participants holding an open pathway with a référent or in a PLIE, whose latest pathway is in a
/// status, or whose reference or name starts with `search`.
public struct ParticipantFilter: ListFilter {
    public var referentUserId: UUID?
    public var plieId: UUID?
    public var pathwayStatus: PathwayStatus?
    public var search: String?
    /// The commune of residence (INSEE code).
    public var communeInsee: String?
    /// A criterion the person holds a proof of (or, for PLIE, a pathway).
    public var criterion: EligibilityCriterionCode?

    public init() {}
    public init(query: QueryParameters) throws(DomainError) {
        referentUserId = try query.uuid("referentUserId")
        plieId = try query.uuid("plieId")
        pathwayStatus = try query.choice("pathwayStatus")
        search = query.text("q")
        communeInsee = query.text("communeInsee")
        criterion = try query.choice("criterion")
    }

    public func conditions(_ sql: inout SQL) -> [String] {
        var conditions: [String] = []
        if let referentUserId {
            conditions.append(
                "EXISTS (SELECT 1 FROM pathways f WHERE f.participant_id = p.id AND f.status <> 'exited' AND f.referent_user_id = \(sql.bind(referentUserId)))"
            )
        }
        if let plieId {
            conditions.append(
                "EXISTS (SELECT 1 FROM pathways f WHERE f.participant_id = p.id AND f.status <> 'exited' AND f.plie_id = \(sql.bind(plieId)))"
            )
        }
        if let pathwayStatus {
            conditions.append(
                "(SELECT f.status FROM pathways f WHERE f.participant_id = p.id ORDER BY f.entry_date DESC, f.id DESC LIMIT 1) = \(sql.bind(pathwayStatus.rawValue))"
            )
        }
        if let communeInsee { conditions.append("p.commune_insee = \(sql.bind(communeInsee))") }
        if let criterion {
            conditions.append(
                criterion == .PLIE
                    ? "EXISTS (SELECT 1 FROM pathways f WHERE f.participant_id = p.id)"
                    : "EXISTS (SELECT 1 FROM eligibility_criteria f WHERE f.participant_id = p.id AND f.code = \(sql.bind(criterion.rawValue)))"
            )
        }
        if let search {
            let pattern =
                search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            let bound = sql.bind(pattern)
            conditions.append(
                "(p.reference ILIKE \(bound) OR p.last_name ILIKE \(bound) OR p.first_name ILIKE \(bound))")
        }
        return conditions
    }
}
