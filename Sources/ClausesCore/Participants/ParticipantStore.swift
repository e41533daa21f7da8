import Foundation
import PostgresClient

/// Participants, their eligibility proofs and pathways, scoped by role in SQL (`Scope.participants`).
/// Writes: admin and facilitator on anyone; a référent on the participants they follow (a participant a
/// référent creates comes with a pathway they hold). Validating a proof is the facilitateur's (admin,
/// facilitator).
/// One opening of a participant's record, from the audit log.
public struct RecordOpening: Sendable, Equatable {
    public let by: String
    public let at: Date
}

public struct ParticipantStore: Sendable {
    let pool: PostgresPool
    let validityMonths: Int
    let clock: any CivilClock
    let pathways: PathwayStore

    public init(pool: PostgresPool, eligibilityValidityMonths: Int, clock: any CivilClock, pathways: PathwayStore) {
        self.pool = pool
        self.validityMonths = eligibilityValidityMonths
        self.clock = clock
        self.pathways = pathways
    }

    private func select(_ caller: Caller) throws(DomainError) -> SQL {
        var sql = SQL("SELECT \(Participant.columns) FROM participants p WHERE true")
        if let predicate = try Scope.participants(caller, alias: "p", &sql) { sql.append("AND \(predicate)") }
        return sql
    }

    private static func requireWriter(_ caller: Caller) throws(DomainError) {
        guard [.admin, .facilitator, .referent].contains(caller.role) else { throw DomainError.forbidden }
    }

    public func list(_ caller: Caller, page: PageRequest, filter: ParticipantFilter = .init()) async throws -> Page<
        Participant
    > {
        var sql = try select(caller)
        for condition in filter.conditions(&sql) { sql.append("AND \(condition)") }
        try Keyset.apply(page, alias: "p", to: &sql)
        return try await pool.withConnection { connection in
            let rows = try await connection.query(sql)
            var result = try Keyset.page(rows, limit: page.limit) { try Participant(row: $0) }
            result.items = try await withDetails(result.items, on: connection)
            return result
        }
    }

    /// The people matching `filter` and every search word (name, reference, commune code; accents and case
    /// ignored), sorted by a known key, a window of them with the number that matched.
    public func slice(_ caller: Caller, filter: ParticipantFilter, query: ListQuery) async throws
        -> ListSlice<Participant>
    {
        var sql = try select(caller)
        for condition in filter.conditions(&sql) { sql.append("AND \(condition)") }
        for word in (query.search ?? "").split(whereSeparator: \.isWhitespace).prefix(8) {
            sql.append(
                "AND strpos(search_fold(concat_ws(' ', p.reference, p.last_name, p.first_name, p.commune_insee)), search_fold(\(sql.bind(String(word))))) > 0"
            )
        }
        let order = query.sort.flatMap { Participant.sortColumns[$0] } ?? "p.last_name"
        return try await pool.withConnection { connection in
            let total = try await connection.query(sql.counting).one().decode(0, as: Int.self)
            sql.append("ORDER BY \(order) \(query.descending ? "DESC" : "ASC") NULLS LAST, p.first_name, p.id")
            sql.append("LIMIT \(sql.bind(query.limit)) OFFSET \(sql.bind(query.offset))")
            let items = try await withDetails(
                try await connection.query(sql).map { try Participant(row: $0) }, on: connection)
            return ListSlice(items: items, total: total, offset: query.offset)
        }
    }

    /// The record page was opened: who and when go to the audit log (action `read`), never what was shown.
    public func recordOpened(_ caller: Caller, participantId: UUID) async throws {
        try await pool.withConnection { connection in
            try await Audit.record(
                .read, entity: "participant", id: participantId.uuidString.lowercased(), changes: [:], by: caller,
                on: connection)
        }
    }

    /// Who opened a participant's record, latest first (admins only).
    public func openings(_ caller: Caller, participantId: UUID, limit: Int) async throws -> [RecordOpening] {
        guard caller.role == .admin else { throw DomainError.forbidden }
        return try await pool.query(
            """
            SELECT actor, at FROM audit_log WHERE action = 'read' AND entity = 'participant' AND entity_id = $1
            ORDER BY at DESC LIMIT $2
            """, [participantId.uuidString.lowercased(), limit]
        ).map { RecordOpening(by: try $0.decode(0), at: try $0.decode(1)) }
    }

    public func get(_ caller: Caller, id: UUID) async throws -> Participant {
        try await pool.withConnection { try await get(caller, id: id, on: $0) }
    }

    public func get(_ caller: Caller, reference: String) async throws -> Participant {
        try await pool.withConnection { connection in
            var sql = try select(caller)
            sql.append("AND p.reference = \(sql.bind(reference.trimmingCharacters(in: .whitespaces)))")
            guard let row = try await connection.query(sql).first else {
                throw DomainError.notFound("Aucun participant accessible ne porte la référence « \(reference) ».")
            }
            return try await withDetails([try Participant(row: row)], on: connection)[0]
        }
    }

    func get(_ caller: Caller, id: UUID, on connection: PostgresConnection, lock: Bool = false) async throws
        -> Participant
    {
        var sql = try select(caller)
        sql.append("AND p.id = \(sql.bind(id))")
        if lock { sql.append("FOR UPDATE OF p") }
        guard let row = try await connection.query(sql).first else {
            throw DomainError.notFound(
                "Le participant \(id.uuidString.lowercased()) n'existe pas ou ne vous est pas accessible.")
        }
        return try await withDetails([try Participant(row: row)], on: connection)[0]
    }

    private func withDetails(_ participants: [Participant], on connection: PostgresConnection) async throws
        -> [Participant]
    {
        guard !participants.isEmpty else { return [] }
        let rows = try await connection.query(
            "SELECT \(EligibilityCriterion.columns) FROM eligibility_criteria ec WHERE ec.participant_id = ANY($1::uuid[]) ORDER BY ec.proof_date DESC, ec.code",
            [PostgresTextArray(participants.map { $0.id.uuidString.lowercased() })])
        var byParticipant: [UUID: [EligibilityCriterion]] = [:]
        for row in rows {
            byParticipant[try row.decode("participant_id"), default: []].append(try EligibilityCriterion(row: row))
        }
        let pathways = try await pathways.of(participants: participants.map(\.id), on: connection)
        return participants.map {
            var p = $0
            p.criteria = byParticipant[p.id] ?? []
            p.pathways = pathways[p.id] ?? []
            return p
        }
    }

    public func create(_ caller: Caller, _ input: Participant.Input) async throws -> Participant {
        try Self.requireWriter(caller)
        if caller.role == .referent, input.pathway == nil {
            throw DomainError.invalid(
                "pathway",
                "Un référent crée un participant avec son parcours (« pathway » : PLIE et date d'entrée) : c'est ce parcours qui le lui rattache.",
                code: .missingField)
        }
        let columns = try Participant.columns(from: input, existing: nil, today: clock.today)
        return try await translating {
            try await pool.withTransaction { connection in
                let sql = SQL.insert(into: "participants", columns)
                let id = try await connection.query(sql).one().decode(0, as: UUID.self)
                if let pathway = input.pathway {
                    _ = try await pathways.insert(caller, participantId: id, pathway, on: connection)
                }
                let created = try await get(caller, id: id, on: connection)
                try await Audit.created(
                    created, entity: "participant", id: id, omitting: ["pathways", "criteria"], by: caller,
                    on: connection)
                return created
            }
        }
    }

    public func update(_ caller: Caller, id: UUID, _ input: Participant.Input, expected: RecordVersion? = nil)
        async throws -> Participant
    {
        try Self.requireWriter(caller)
        if input.pathway != nil {
            throw DomainError.invalid(
                "pathway",
                "Les parcours se modifient par leurs propres routes (/participants/{id}/pathways, /pathways/{id}).")
        }
        return try await translating {
            try await pool.withTransaction { connection in
                let existing = try await get(caller, id: id, on: connection, lock: true)
                try RecordVersion.check(expected, current: existing.updatedAt, noun: "la fiche du participant")
                let columns = try Participant.columns(from: input, existing: existing, today: clock.today)
                let sql = SQL.update("participants", columns, id: id)
                try await connection.query(sql)
                let updated = try await get(caller, id: id, on: connection)
                // Criteria have their own audit records (added, validated).
                try await Audit.updated(
                    from: existing, to: updated, entity: "participant", id: id, omitting: ["criteria", "pathways"],
                    by: caller,
                    on: connection)
                return updated
            }
        }
    }

    /// Records the proof of a criterion, not validated yet unless `validate` (the facilitateur saw the
    /// original: admin, facilitator), in the same transaction. The proof may not be dated after `today`.
    public func addCriterion(
        _ caller: Caller, participantId: UUID, _ input: EligibilityCriterion.Input, validate: Bool = false,
        today: LocalDate? = nil
    ) async throws -> Participant {
        try Self.requireWriter(caller)
        if validate { try caller.requireEditor() }
        let today = today ?? clock.today
        let code = try Validate.required(input.code, existing: nil, field: "code")
        guard code != .PLIE else {
            throw DomainError.invalid(
                "code",
                "Le critère PLIE n'a pas de justificatif : il découle d'un parcours ouvert (POST /participants/{id}/pathways)."
            )
        }
        guard let proofDate = input.proofDate else {
            throw DomainError.invalid("proofDate", "La date du justificatif est obligatoire.", code: .missingField)
        }
        guard proofDate <= today else {
            throw DomainError.invalid(
                "proofDate",
                "Le justificatif est daté du \(proofDate.french), dans le futur (nous sommes le \(today.french)).")
        }
        if let end = input.validUntil {
            guard code == .RQTH || code == .SIAE else {
                throw DomainError.invalid(
                    "validUntil",
                    "Seuls la décision RQTH et le PASS IAE portent une date de fin ; les autres justificatifs valent \(validityMonths) mois."
                )
            }
            guard end >= proofDate else {
                throw DomainError.invalid(
                    "validUntil", "La fin de validité (\(end.french)) précède le justificatif (\(proofDate.french)).")
            }
        }
        let kind = try Validate.optionalText(input.proofKind, existing: nil, field: "proofKind", maxLength: 200)
        let attested = try Validate.optionalText(input.attestedBy, existing: nil, field: "attestedBy", maxLength: 200)
        return try await translating {
            try await pool.withTransaction { connection in
                _ = try await get(caller, id: participantId, on: connection, lock: true)
                let id = try await connection.query(
                    """
                    INSERT INTO eligibility_criteria (participant_id, code, proof_kind, proof_date, attested_by, valid_until)
                    VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
                    """, [participantId, code.rawValue, kind, proofDate, attested, input.validUntil]
                ).one().decode(0, as: UUID.self)
                try await Audit.record(
                    .create, entity: "eligibility_criterion", id: id.uuidString.lowercased(),
                    changes: [
                        "participantId": participantId.uuidString.lowercased(), "code": code.rawValue,
                        "proofDate": proofDate.description, "proofKind": kind ?? NSNull(),
                        "attestedBy": attested ?? NSNull(), "validUntil": input.validUntil?.description ?? NSNull(),
                    ],
                    by: caller, on: connection)
                if validate {
                    try await Self.markValidated(id, participantId: participantId, by: caller, on: connection)
                }
                return try await get(caller, id: participantId, on: connection)
            }
        }
    }

    /// Marks a proof validated by `caller` (once: a validated proof is left as it is), audited; false when
    /// the participant has no such unvalidated proof.
    @discardableResult
    private static func markValidated(
        _ criterionId: UUID, participantId: UUID, by caller: Caller, on connection: PostgresConnection
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE eligibility_criteria SET validated_at = now(), validated_by = $3, validated_by_label = $4
            WHERE id = $1 AND participant_id = $2 AND validated_at IS NULL RETURNING id
            """, [criterionId, participantId, caller.userId, caller.label])
        guard !rows.isEmpty else { return false }
        try await Audit.record(
            .update, entity: "eligibility_criterion", id: criterionId.uuidString.lowercased(),
            changes: ["validated": ["from": false, "to": true]], by: caller, on: connection)
        return true
    }

    /// The facilitateur validates a proof (admin, facilitator). Validating twice changes nothing.
    public func validateCriterion(_ caller: Caller, participantId: UUID, criterionId: UUID) async throws -> Participant
    {
        try caller.requireEditor()
        return try await pool.withTransaction { connection in
            _ = try await get(caller, id: participantId, on: connection, lock: true)
            if try await !Self.markValidated(criterionId, participantId: participantId, by: caller, on: connection) {
                let exists =
                    try await connection.query(
                        "SELECT 1 FROM eligibility_criteria WHERE id = $1 AND participant_id = $2",
                        [criterionId, participantId]
                    ).count > 0
                guard exists else {
                    throw DomainError.notFound(
                        "Ce participant n'a pas de critère \(criterionId.uuidString.lowercased()).")
                }
            } else {
                try await Audit.record(
                    .update, entity: "eligibility_criterion", id: criterionId.uuidString.lowercased(),
                    changes: ["validated": ["from": false, "to": true]], by: caller, on: connection)
            }
            return try await get(caller, id: participantId, on: connection)
        }
    }

    /// Whether the participant is eligible at `date`, on which criteria (DOMAIN §5).
    public func eligibility(_ caller: Caller, participantId: UUID, at date: LocalDate) async throws
        -> EligibilityVerdict
    {
        let participant = try await get(caller, id: participantId)
        return ClausesCore.eligibility(of: participant.eligibilityFacts, at: date, validityMonths: validityMonths)
    }

    /// What eligibility reads about a participant, inside a transaction (placements).
    static func eligibilityFacts(of participantId: UUID, on connection: PostgresConnection) async throws
        -> EligibilityFacts
    {
        try await eligibilityFacts(of: [participantId], on: connection)[participantId] ?? EligibilityFacts(proofs: [])
    }

    /// What eligibility reads about these people, in three set-based queries (the alert scan's many).
    static func eligibilityFacts(of people: [UUID], on connection: PostgresConnection) async throws -> [UUID:
        EligibilityFacts]
    {
        let ids = PostgresTextArray(people.map { $0.uuidString.lowercased() })
        var facts: [UUID: EligibilityFacts] = [:]
        for row in try await connection.query(
            "SELECT id, birth_date FROM participants WHERE id = ANY($1::uuid[])", [ids])
        {
            facts[try row.decode(0)] = EligibilityFacts(proofs: [], birthDate: try row.decode(1))
        }
        for row in try await connection.query(
            """
            SELECT participant_id, code, proof_date, validated_at IS NOT NULL, valid_until FROM eligibility_criteria
            WHERE participant_id = ANY($1::uuid[])
            """, [ids])
        {
            facts[try row.decode(0)]?.proofs.append(
                CriterionProof(
                    code: try row.decodeEnum(1, table: "eligibility_criteria", column: "code"),
                    proofDate: try row.decode(2), validated: try row.decode(3), validUntil: try row.decode(4)))
        }
        for row in try await connection.query(
            "SELECT participant_id, entry_date, exit_date FROM pathways WHERE participant_id = ANY($1::uuid[])", [ids])
        {
            facts[try row.decode(0)]?.pathways.append(PathwaySpan(entry: try row.decode(1), exit: try row.decode(2)))
        }
        return facts
    }

    /// 404 when the participant is unknown or outside the caller's scope, inside the caller's transaction;
    /// `lock` serialises what is written about them (pathways, episodes).
    static func requireVisible(
        _ caller: Caller, participantId: UUID, lock: Bool, on connection: PostgresConnection
    ) async throws {
        var sql = SQL("SELECT 1 FROM participants p WHERE p.id = $1")
        _ = sql.bind(participantId)
        if let predicate = try Scope.participants(caller, alias: "p", &sql) { sql.append("AND \(predicate)") }
        if lock { sql.append("FOR UPDATE") }
        guard try await connection.query(sql).count > 0 else {
            throw DomainError.notFound(
                "Le participant \(participantId.uuidString.lowercased()) n'existe pas ou ne vous est pas accessible.")
        }
    }

    func translating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError {
            throw ConstraintMessages.translate(error, unique: Participant.constraintMessages)
        }
    }
}
