import Foundation
import PostgresClient

public enum ProposalStatus: String, InputEnum {
    case proposed, hired, refused, withdrawn

    public var frenchLabel: String {
        switch self {
        case .proposed: "Proposé·e à l'entreprise"
        case .hired: "Embauché·e"
        case .refused: "Refusé·e par l'entreprise"
        case .withdrawn: "Proposition retirée"
        }
    }
}

/// What the participant agreed an employer they are proposed to may see of their contact.
public enum ContactSharing: String, InputEnum {
    case none, phone, email
    case phoneEmail = "phone_email"

    public var frenchLabel: String {
        switch self {
        case .none: "Aucun contact partagé"
        case .phone: "Téléphone"
        case .email: "Adresse électronique"
        case .phoneEmail: "Téléphone et adresse électronique"
        }
    }
}

/// A candidate proposed for a need, with the score as it stood when proposed, and the answer.
public struct NeedProposal: Codable, Sendable, Equatable {
    public let id: UUID
    public let needId: UUID
    public let participantId: UUID
    public let participantName: String
    public let reference: String
    public let status: ProposalStatus
    public let score: Decimal
    public let parts: [ScorePart]
    public let reason: String?
    public let placementId: UUID?
    public let placementCode: String?
    public let proposedBy: String
    public let proposedAt: Date
    public let decidedBy: String?
    public let decidedAt: Date?

    /// The answer recorded by the facilitateur: `hired` (with the placement's terms, each defaulting to
    /// the need's), `refused` or `withdrawn` (with a reason), or `proposed` again after a withdrawal.
    public struct Decision: Codable, Sendable {
        public var status: ProposalStatus?
        public var reason: String?
        /// The employer (default: the lot's contractor).
        public var companyId: UUID?
        public var executionMode: ExecutionMode?
        public var contractType: EmploymentContractType?
        public var startDate: LocalDate?
        public var endDate: LocalDate?
        public var weeklyHours: FlexibleDecimal?

        public init(
            status: ProposalStatus? = nil, reason: String? = nil, companyId: UUID? = nil,
            executionMode: ExecutionMode? = nil, contractType: EmploymentContractType? = nil,
            startDate: LocalDate? = nil, endDate: LocalDate? = nil, weeklyHours: Decimal? = nil
        ) {
            self.status = status
            self.reason = reason
            self.companyId = companyId
            self.executionMode = executionMode
            self.contractType = contractType
            self.startDate = startDate
            self.endDate = endDate
            self.weeklyHours = weeklyHours.map(FlexibleDecimal.init)
        }
    }

    static let select = """
        SELECT np.id, np.need_id, np.participant_id, \(PersonName.fullSQL("p")) AS participant_name, p.reference,
               np.status, np.score, np.parts::text, np.reason, np.placement_id, pl.code AS placement_code,
               np.proposed_by_label, np.proposed_at, np.decided_by_label, np.decided_at
        FROM need_proposals np JOIN participants p ON p.id = np.participant_id
        LEFT JOIN placements pl ON pl.id = np.placement_id
        """

    init(row: PostgresRow) throws {
        id = try row.decode(0)
        needId = try row.decode(1)
        participantId = try row.decode(2)
        participantName = try row.decode(3)
        reference = try row.decode(4)
        status = try row.decodeEnum(5, table: "need_proposals", column: "status")
        score = try row.decode(6)
        parts = try JSONCoding.decoder.decode([ScorePart].self, from: Data((try row.decode(7, as: String.self)).utf8))
        reason = try row.decode(8)
        placementId = try row.decode(9)
        placementCode = try row.decode(10)
        proposedBy = try row.decode(11)
        proposedAt = try row.decode(12)
        decidedBy = try row.decode(13)
        decidedAt = try row.decode(14)
    }
}

/// A candidate as the company sees it: who, for which need, and the contact the person agreed to share;
/// never criteria, pathway or score.
public struct ProposedCandidate: Encodable, Sendable, Equatable {
    public let proposalId: UUID
    public let needId: UUID
    public let lotLabel: String
    public let trades: [String]
    public let firstName: String
    public let lastName: String
    public let phone: String?
    public let email: String?
    public let status: ProposalStatus
    public let proposedAt: Date

    /// `Prénom NOM`.
    public var displayName: String { PersonName.full(firstName: firstName, lastName: lastName) }
}

/// Proposals and their answers: written by admin and facilitators; read by the PLIE's staff (a référent,
/// their own participants) and, as `ProposedCandidate`, by the company the need is for.
public struct ProposalStore: Sendable {
    let pool: PostgresPool
    let shortlists: ShortlistService
    let placements: PlacementStore

    public init(pool: PostgresPool, shortlists: ShortlistService, placements: PlacementStore) {
        self.pool = pool
        self.shortlists = shortlists
        self.placements = placements
    }

    public func list(_ caller: Caller, needId: UUID) async throws -> [NeedProposal] {
        try caller.requireStaff()
        var sql = SQL(NeedProposal.select)
        sql.append("WHERE np.need_id = \(sql.bind(needId))")
        if let predicate = try Scope.participants(caller, alias: "p", &sql) { sql.append("AND \(predicate)") }
        sql.append("ORDER BY np.proposed_at, np.id")
        return try await pool.query(sql).map(NeedProposal.init(row:))
    }

    /// One proposal (the PLIE's staff; a référent, their own participants).
    public func get(_ caller: Caller, id: UUID) async throws -> NeedProposal {
        try caller.requireStaff()
        var sql = SQL(NeedProposal.select)
        sql.append("WHERE np.id = \(sql.bind(id))")
        if let predicate = try Scope.participants(caller, alias: "p", &sql) { sql.append("AND \(predicate)") }
        guard let row = try await pool.query(sql).first else {
            throw DomainError.notFound("La proposition \(id.uuidString.lowercased()) n'existe pas.")
        }
        return try NeedProposal(row: row)
    }

    func get(_ id: UUID, on connection: PostgresConnection, lock: Bool = false) async throws -> NeedProposal {
        guard
            let row = try await connection.query(
                "\(NeedProposal.select) WHERE np.id = $1\(lock ? " FOR UPDATE OF np" : "")", [id]
            ).first
        else { throw DomainError.notFound("La proposition \(id.uuidString.lowercased()) n'existe pas.") }
        return try NeedProposal(row: row)
    }

    /// Proposes a person for an open need: refused with the filters' reasons when the shortlist would
    /// exclude them; the score and its parts are kept as they are now.
    public func propose(_ caller: Caller, needId: UUID, participantId: UUID?) async throws -> NeedProposal {
        try caller.requireEditor()
        guard let participantId else {
            throw DomainError.invalid("participantId", "« participantId » est obligatoire.", code: .missingField)
        }
        return try await pool.withTransaction { connection in
            let status: String? = try await connection.query(
                "SELECT status FROM staffing_needs WHERE id = $1 FOR UPDATE", [needId]
            ).scalar(String.self)
            guard let status else {
                throw DomainError.notFound("Le besoin \(needId.uuidString.lowercased()) n'existe pas.")
            }
            guard status == NeedStatus.open.rawValue else {
                throw DomainError.conflict(
                    "Ce besoin n'est plus ouvert (\(NeedStatus(rawValue: status)?.frenchLabel.lowercased() ?? status)) : rouvrez-le pour proposer quelqu'un."
                )
            }
            if let existing = try await connection.query(
                "SELECT status FROM need_proposals WHERE need_id = $1 AND participant_id = $2", [needId, participantId]
            ).scalar(String.self) {
                throw DomainError.conflict(
                    "Cette personne a déjà une proposition pour ce besoin (\(ProposalStatus(rawValue: existing)?.frenchLabel.lowercased() ?? existing)).",
                    field: "participantId")
            }
            let scored = try await shortlists.judge(
                caller, needId: needId, participantId: participantId, on: connection
            ).get()
            let parts = String(decoding: try JSONCoding.encode(scored.parts), as: UTF8.self)
            let row = try await connection.query(
                """
                INSERT INTO need_proposals (need_id, participant_id, score, parts, proposed_by, proposed_by_label)
                VALUES ($1, $2, $3, $4::jsonb, $5, $6) RETURNING id
                """, [needId, participantId, scored.score, parts, caller.userId, caller.label])
            guard let id: UUID = try row.first?.decode(0) else { throw PostgresError(.decoding, "no id returned") }
            let proposal = try await get(id, on: connection)
            try await Audit.created(
                proposal, entity: "need_proposal", id: id, omitting: ["participantName", "reference", "parts"],
                by: caller, on: connection)
            return proposal
        }
    }

    /// Records the company's answer. `hired` creates the placement on the need's lot in the same
    /// transaction (eligibility frozen at its start, as any placement) and marks the need filled once its
    /// headcount is reached; `refused` and `withdrawn` need a reason; `hired` and `refused` are final.
    public func decide(_ caller: Caller, id: UUID, _ decision: NeedProposal.Decision) async throws -> NeedProposal {
        try caller.requireEditor()
        let status = try Validate.required(decision.status, existing: nil, field: "status")
        let reason = try Validate.optionalText(decision.reason, existing: nil, field: "reason", maxLength: 1000)
        return try await placements.translating {
            try await pool.withTransaction { connection in
                let current = try await get(id, on: connection, lock: true)
                let allowed: [ProposalStatus: Set<ProposalStatus>] = [
                    .proposed: [.hired, .refused, .withdrawn], .withdrawn: [.proposed],
                ]
                guard allowed[current.status]?.contains(status) == true else {
                    throw DomainError.conflict(
                        "La proposition est « \(current.status.frenchLabel.lowercased()) » : elle ne peut plus passer à « \(status.frenchLabel.lowercased()) ».",
                        field: "status")
                }
                if [.refused, .withdrawn].contains(status), reason == nil {
                    throw DomainError.invalid(
                        "reason", "Indiquez la raison du refus ou du retrait.", code: .missingField)
                }
                var placementId: UUID?
                if status == .hired {
                    placementId = try await hire(caller, current, decision, on: connection)
                }
                try await connection.query(
                    """
                    UPDATE need_proposals SET status = $2, reason = $3, placement_id = $4,
                           decided_by = CASE WHEN $2 = 'proposed' THEN NULL ELSE $5::uuid END,
                           decided_by_label = CASE WHEN $2 = 'proposed' THEN NULL ELSE $6 END,
                           decided_at = CASE WHEN $2 = 'proposed' THEN NULL ELSE now() END
                    WHERE id = $1
                    """,
                    [id, status.rawValue, status == .proposed ? nil : reason, placementId, caller.userId, caller.label])
                if status == .hired {
                    try await connection.query(
                        """
                        UPDATE staffing_needs n SET status = 'filled', updated_at = now() WHERE n.id = $1 AND n.status = 'open'
                          AND (SELECT count(*) FROM need_proposals np WHERE np.need_id = n.id AND np.status = 'hired') >= n.headcount
                        """, [current.needId])
                }
                let updated = try await get(id, on: connection)
                try await Audit.updated(
                    from: current, to: updated, entity: "need_proposal", id: id,
                    omitting: ["participantName", "reference", "parts"], by: caller, on: connection)
                return updated
            }
        }
    }

    /// The placement of a hire: the need's lot, the lot's contractor unless another company is named, the
    /// need's contract, dates and weekly hours unless others are given.
    private func hire(
        _ caller: Caller, _ proposal: NeedProposal, _ decision: NeedProposal.Decision, on connection: PostgresConnection
    ) async throws -> UUID {
        guard
            let row = try await connection.query(
                """
                SELECT n.lot_id, n.contract_type, n.planned_start, n.planned_end, n.weekly_hours,
                       (SELECT company_id FROM lot_companies lc WHERE lc.lot_id = n.lot_id AND lc.role = 'contractor')
                FROM staffing_needs n WHERE n.id = $1
                """, [proposal.needId]
            ).first
        else { throw DomainError.notFound("Le besoin de cette proposition n'existe plus.") }
        let contractor: UUID? = try row.decode(5)
        guard let company = decision.companyId ?? contractor else {
            throw DomainError.invalid(
                "companyId", "Le lot n'a pas de titulaire : indiquez l'entreprise qui embauche.", code: .missingField)
        }
        let contract: EmploymentContractType = try row.decodeEnum(1, table: "staffing_needs", column: "contract_type")
        let plannedStart: LocalDate = try row.decode(2)
        let plannedEnd: LocalDate? = try row.decode(3)
        let weekly: Decimal? = try row.decode(4)
        let placement = try await placements.create(
            caller,
            Placement.Input(
                participantId: proposal.participantId, lotId: try row.decode(0), companyId: company,
                executionMode: decision.executionMode ?? .directHire, contractType: decision.contractType ?? contract,
                startDate: decision.startDate ?? plannedStart, endDate: decision.endDate ?? plannedEnd,
                weeklyHours: (decision.weeklyHours ?? weekly.map(FlexibleDecimal.init))?.value),
            on: connection)
        return placement.id
    }

    /// The candidates proposed to the caller's company for the needs of its lots (company accounts).
    public func proposedToCompany(_ caller: Caller) async throws -> [ProposedCandidate] {
        guard caller.role == .company, let company = caller.companyId else { throw DomainError.forbidden }
        return try await pool.query(
            """
            SELECT np.id, n.id, \(StaffingNeed.lotLabelSQL), \(StaffingNeed.tradesSQL), p.first_name, p.last_name,
                   CASE WHEN p.contact_sharing IN ('phone', 'phone_email') THEN p.phone END,
                   CASE WHEN p.contact_sharing IN ('email', 'phone_email') THEN p.email END,
                   np.status, np.proposed_at
            FROM need_proposals np JOIN staffing_needs n ON n.id = np.need_id JOIN lots l ON l.id = n.lot_id
            JOIN public_contracts pc ON pc.id = l.public_contract_id JOIN participants p ON p.id = np.participant_id
            WHERE np.status <> 'withdrawn'
              AND EXISTS (SELECT 1 FROM lot_companies lc WHERE lc.lot_id = n.lot_id AND lc.company_id = $1)
            ORDER BY np.proposed_at DESC, np.id
            """, [company]
        ).map { row in
            ProposedCandidate(
                proposalId: try row.decode(0), needId: try row.decode(1), lotLabel: try row.decode(2),
                trades: try row.decode(3, as: PostgresTextArray.self).values, firstName: try row.decode(4),
                lastName: try row.decode(5), phone: try row.decode(6), email: try row.decode(7),
                status: try row.decodeEnum(8, table: "need_proposals", column: "status"), proposedAt: try row.decode(9))
        }
    }
}
