import Foundation
import PostgresClient

public enum OutcomeDecisionValue: String, InputEnum {
    case accepted, refused

    public var frenchLabel: String { self == .accepted ? "Sortie positive validée" : "Sortie positive refusée" }
}

/// The committee's decision on a detected positive outcome.
public struct OutcomeDecision: Codable, Sendable, Equatable {
    public let id: UUID
    public let participantId: UUID
    public let rule: OutcomeRule
    public let establishedOn: LocalDate
    public let decision: OutcomeDecisionValue
    public let note: String?
    public let decidedBy: UUID?
    public let decidedByLabel: String
    public let decidedAt: Date

    static let columns =
        "id, participant_id, rule, established_on, decision, note, decided_by, decided_by_label, decided_at"

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        participantId = try row.decode("participant_id")
        rule = try row.decodeEnum("rule", table: "outcome_decisions")
        decision = try row.decodeEnum("decision", table: "outcome_decisions")
        establishedOn = try row.decode("established_on")
        note = try row.decode("note")
        decidedBy = try row.decode("decided_by")
        decidedByLabel = try row.decode("decided_by_label")
        decidedAt = try row.decode("decided_at")
    }
}

/// A positive outcome proposed to the committee for one participant.
public struct ParticipantOutcomeCandidate: Codable, Sendable, Equatable {
    public let participantId: UUID
    public let reference: String
    public let participantName: String
    public let referentUserId: UUID?
    public let candidate: OutcomeCandidate
    /// Some hours of the window are declared but not validated yet: the committee should check them.
    public let includesUnvalidatedHours: Bool
}

/// Positive-outcome detection over the stored hours (DOMAIN §6) and the committee's decisions.
/// Hours: every current, non-rejected report of all the participant's placements (all lots). Declared
/// hours are included, flagged (`includesUnvalidatedHours`): detection only proposes, the committee
/// decides, and waiting for every validation would delay the proposal by weeks.
/// Scope: admin and facilitator see everyone, a référent their own participants; other roles nothing.
/// A participant already decided on for a rule (accepted or refused) is not proposed again for it.
public struct OutcomeStore: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    public func candidates(_ caller: Caller, profile: OutcomeProfile, asOf: LocalDate, participantId: UUID? = nil)
        async throws -> [ParticipantOutcomeCandidate]
    {
        var sql = SQL(
            """
            SELECT pa.id, pa.reference, \(PersonName.fullSQL("pa")), pa.referent_user_id,
                   pl.code, pl.company_id, pl.contract_type, pl.start_date, pl.end_date, pl.weekly_hours, pl.reduced_hours_agreed,
                   (extract(year FROM r.month) * 12 + extract(month FROM r.month) - 1)::int, r.worked_hours, r.status = 'validated'
            FROM participants pa
            JOIN placements pl ON pl.participant_id = pa.id
            LEFT JOIN hour_reports r ON r.placement_id = pl.id AND r.current AND r.status <> 'rejected'
            WHERE pa.pathway_status <> 'exited'
            """)
        sql.append("AND pl.start_date <= \(sql.bind(asOf))")
        if let predicate = try Scope.participants(caller, alias: "pa", &sql) { sql.append("AND \(predicate)") }
        if let participantId { sql.append("AND pa.id = \(sql.bind(participantId))") }
        sql.append("ORDER BY pa.reference, pa.id, pl.code, r.month")

        struct Person {
            let id: UUID, reference: String, name: String, referent: UUID?
            var placements: [OutcomePlacement] = []
            var unvalidated: Set<String> = []  // "code|monthIndex"
        }
        return try await pool.withConnection { connection in
            var people: [Person] = []
            for row in try await connection.query(sql) {
                let id: UUID = try row.decode(0)
                if people.last?.id != id {
                    people.append(
                        Person(
                            id: id, reference: try row.decode(1), name: try row.decode(2), referent: try row.decode(3)))
                }
                let code: String = try row.decode(4)
                var person = people.removeLast()
                if person.placements.last?.id != code {
                    let contract: EmploymentContractType = try row.decodeEnum(
                        6, table: "placements", column: "contract_type")
                    person.placements.append(
                        OutcomePlacement(
                            id: code, companyId: (try row.decode(5, as: UUID.self)).uuidString.lowercased(),
                            contractType: contract,
                            start: try row.decode(7), end: try row.decode(8), weeklyHours: try row.numeric0(9),
                            reducedHoursAgreed: try row.decode(10)))
                }
                if let index = try row.decode(11, as: Int?.self) {
                    let hours = try row.numeric0(12)
                    person.placements[person.placements.count - 1].monthlyHours[YearMonth(index: index)] = hours
                    if !(try row.decode(13, as: Bool.self)) && hours > 0 {
                        person.unvalidated.insert("\(code)|\(index)")
                    }
                }
                people.append(person)
            }
            guard !people.isEmpty else { return [] }
            var decided = Set<String>()
            for row in try await connection.query(
                "SELECT participant_id, rule FROM outcome_decisions WHERE participant_id = ANY($1::uuid[])",
                [PostgresTextArray(people.map { $0.id.uuidString.lowercased() })])
            {
                decided.insert("\((try row.decode(0, as: UUID.self)).uuidString)|\(try row.decode(1, as: String.self))")
            }
            var result: [ParticipantOutcomeCandidate] = []
            for person in people {
                for candidate in detectOutcomes(placements: person.placements, profile: profile, asOf: asOf)
                where !decided.contains("\(person.id.uuidString)|\(candidate.rule.rawValue)") {
                    var unvalidated = false
                    if candidate.rule == .sustainedActivity {
                        for month in candidate.windowStart.through(candidate.windowEnd) {
                            for code in candidate.placementIds
                            where person.unvalidated.contains("\(code)|\(month.index)") { unvalidated = true }
                        }
                    }
                    result.append(
                        ParticipantOutcomeCandidate(
                            participantId: person.id, reference: person.reference, participantName: person.name,
                            referentUserId: person.referent, candidate: candidate, includesUnvalidatedHours: unvalidated
                        ))
                }
            }
            return result
        }
    }

    /// Records the committee's decision (admin, facilitator, or the participant's référent). One decision
    /// per participant and rule: a second one is a 409.
    public func recordDecision(
        _ caller: Caller, participantId: UUID, rule: OutcomeRule, establishedOn: LocalDate,
        decision: OutcomeDecisionValue, note: String? = nil
    ) async throws -> OutcomeDecision {
        guard [.admin, .facilitator, .referent].contains(caller.role) else { throw DomainError.forbidden }
        let note = try Validate.optionalText(note, existing: nil, field: "note", maxLength: 2000)
        do {
            return try await pool.withTransaction { connection in
                try await requireVisible(caller, participantId: participantId, on: connection)
                let row = try await connection.query(
                    """
                    INSERT INTO outcome_decisions (participant_id, rule, established_on, decision, note, decided_by, decided_by_label)
                    VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING \(OutcomeDecision.columns)
                    """,
                    [participantId, rule.rawValue, establishedOn, decision.rawValue, note, caller.userId, caller.label]
                ).one()
                let recorded = try OutcomeDecision(row: row)
                try await Audit.record(
                    .create, entity: "outcome_decision", id: recorded.id.uuidString.lowercased(),
                    changes: [
                        "participantId": participantId.uuidString.lowercased(), "rule": rule.rawValue,
                        "establishedOn": establishedOn.description, "decision": decision.rawValue,
                    ],
                    by: caller, on: connection)
                return recorded
            }
        } catch let error as PostgresError {
            throw ConstraintMessages.translate(
                error,
                unique: [
                    "outcome_decisions_once": (
                        "rule", "Le comité a déjà rendu une décision pour ce participant sur cette règle."
                    )
                ])
        }
    }

    /// The committee's decisions on a participant; 404 like every other route when the participant is
    /// unknown or outside the caller's scope.
    public func decisions(_ caller: Caller, participantId: UUID) async throws -> [OutcomeDecision] {
        try await pool.withConnection { connection in
            try await requireVisible(caller, participantId: participantId, on: connection)
            return try await connection.query(
                "SELECT \(OutcomeDecision.columns) FROM outcome_decisions WHERE participant_id = $1 ORDER BY decided_at",
                [participantId]
            ).map(OutcomeDecision.init(row:))
        }
    }

    private func requireVisible(_ caller: Caller, participantId: UUID, on connection: PostgresConnection) async throws {
        var sql = SQL("SELECT 1 FROM participants pa WHERE pa.id = $1")
        _ = sql.bind(participantId)
        if let predicate = try Scope.participants(caller, alias: "pa", &sql) { sql.append("AND \(predicate)") }
        guard try await connection.query(sql).count > 0 else {
            throw DomainError.notFound(
                "Le participant \(participantId.uuidString.lowercased()) n'existe pas ou ne vous est pas accessible.")
        }
    }
}
