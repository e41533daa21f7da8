import Foundation
import PostgresClient

public enum OutcomeDecisionValue: String, InputEnum {
    /// A référent's proposal to the committee.
    case proposed
    case accepted, refused

    public var frenchLabel: String {
        switch self {
        case .proposed: "Proposée au comité"
        case .accepted: "Sortie positive validée"
        case .refused: "Sortie positive refusée"
        }
    }
}

/// A proposal or a committee decision on a detected positive outcome, kept per pathway and rule with the
/// facts it was taken on.
public struct OutcomeDecision: Codable, Sendable, Equatable {
    public let id: UUID
    public let participantId: UUID
    public let pathwayId: UUID
    public let rule: OutcomeRule
    public let establishedOn: LocalDate
    public let decision: OutcomeDecisionValue
    /// The candidate's facts and evidence when it was recorded (nil for decisions migrated from before).
    public let facts: String?
    public let evidence: String?
    public let note: String?
    public let decidedBy: UUID?
    public let decidedByLabel: String
    public let decidedAt: Date
    /// A corrected decision: what the committee first recorded, who corrected it, when and why.
    public let firstDecision: OutcomeDecisionValue?
    public let correctedByLabel: String?
    public let correctedAt: Date?
    public let correctionReason: String?

    static let columnNames = [
        "id", "participant_id", "pathway_id", "rule", "established_on", "decision", "facts", "evidence", "note",
        "decided_by", "decided_by_label", "decided_at", "first_decision", "corrected_by_label", "corrected_at",
        "correction_reason",
    ]
    static let columns = columnNames.joined(separator: ", ")

    /// Rows `p` of `outcome_decisions` that are proposals the committee has not decided yet (no decision
    /// recorded for the same pathway, rule, date and facts).
    static func awaitingCommittee(_ p: String) -> String {
        """
        \(p).decision = 'proposed' AND NOT EXISTS (
            SELECT 1 FROM outcome_decisions d WHERE d.pathway_id = \(p).pathway_id AND d.rule = \(p).rule
            AND d.established_on = \(p).established_on AND d.facts IS NOT DISTINCT FROM \(p).facts AND d.decision <> 'proposed')
        """
    }

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        participantId = try row.decode("participant_id")
        pathwayId = try row.decode("pathway_id")
        rule = try row.decodeEnum("rule", table: "outcome_decisions")
        decision = try row.decodeEnum("decision", table: "outcome_decisions")
        establishedOn = try row.decode("established_on")
        facts = try row.decode("facts")
        evidence = try row.decode("evidence")
        note = try row.decode("note")
        decidedBy = try row.decode("decided_by")
        decidedByLabel = try row.decode("decided_by_label")
        decidedAt = try row.decode("decided_at")
        firstDecision = try row.decode("first_decision", as: String?.self).flatMap(OutcomeDecisionValue.init)
        correctedByLabel = try row.decode("corrected_by_label")
        correctedAt = try row.decode("corrected_at")
        correctionReason = try row.decode("correction_reason")
    }

    /// Whether this decision settles `candidate`: the same rule and date, on the same facts (or on
    /// unrecorded facts, for decisions taken before they were kept).
    func settles(_ candidate: OutcomeCandidate) -> Bool {
        decision != .proposed && rule == candidate.rule && establishedOn == candidate.establishedOn
            && (facts == nil || facts == candidate.facts)
    }
}

/// Which pathways: those of one PLIE, or of every PLIE under one profile, or of one person; nil for all.
public struct PathwaySelection: Sendable, Equatable {
    public var plieId: UUID?
    public var profile: String?
    public var participantId: UUID?

    public init(plieId: UUID? = nil, profile: String? = nil, participantId: UUID? = nil) {
        self.plieId = plieId
        self.profile = profile
        self.participantId = participantId
    }

    func conditions(_ sql: inout SQL) -> [String] {
        var conditions: [String] = []
        if let plieId { conditions.append("pw.plie_id = \(sql.bind(plieId))") }
        if let profile { conditions.append("pl.profile = \(sql.bind(profile))") }
        if let participantId { conditions.append("pw.participant_id = \(sql.bind(participantId))") }
        return conditions
    }
}

/// A positive outcome proposed to the committee for one open pathway.
public struct PathwayOutcomeCandidate: Codable, Sendable, Equatable {
    public let pathwayId: UUID
    public let participantId: UUID
    public let reference: String
    public let participantName: String
    public let referentUserId: UUID?
    public let plieName: String
    public let profile: String
    public let candidate: OutcomeCandidate
    /// Some hours of the window are declared but not validated yet: the committee should check them.
    public let includesUnvalidatedHours: Bool
    /// Who proposed it to the committee, when a référent (or staff) did.
    public let proposedBy: String?
}

/// Positive-outcome detection over the stored paid work (DOMAIN §6) and the committee's decisions.
/// Paid work: every placement of the participant (all lots) with its current, non-rejected reports, and
/// every employment episode with its stated monthly hours. Declared hours are included, flagged
/// (`includesUnvalidatedHours`): detection only proposes, the committee decides.
/// Each open pathway is judged under its PLIE's profile, from its entry date; an exited one stays for
/// `afterExitMonths` after its exit (the committee meets after the fact), judged up to its exit date. A
/// candidate settled by a decision on the same facts is not proposed again; other facts (a re-entry, new
/// hours) are.
/// Scope: admin and facilitator see every pathway, a référent the participants they follow.
/// A committee decision with the person and PLIE it is about (staff pages only).
public struct DecidedOutcome: Sendable {
    public let decision: OutcomeDecision
    public let reference: String
    public let personName: String
    public let plieName: String
}

public struct OutcomeStore: Sendable {
    let pool: PostgresPool
    let profiles: PLIEProfiles
    let afterExitMonths: Int

    public init(pool: PostgresPool, profiles: PLIEProfiles, afterExitMonths: Int = 3) {
        self.pool = pool
        self.profiles = profiles
        self.afterExitMonths = afterExitMonths
    }

    public func candidates(
        _ caller: Caller, selection: PathwaySelection = .init(), asOf: LocalDate, pathwayId: UUID? = nil
    ) async throws -> [PathwayOutcomeCandidate] {
        try await pool.withConnection { connection in
            try await candidates(caller, selection: selection, asOf: asOf, pathwayId: pathwayId, on: connection)
        }
    }

    struct OpenPathway {
        let id: UUID, participantId: UUID, reference: String, name: String, referent: UUID?, entry: LocalDate
        let exit: LocalDate?, plieName: String, profile: PLIEProfile
    }

    func candidates(
        _ caller: Caller, selection: PathwaySelection, asOf: LocalDate, pathwayId: UUID?,
        on connection: PostgresConnection
    ) async throws -> [PathwayOutcomeCandidate] {
        var sql = SQL(
            """
            SELECT pw.id, pw.participant_id, pa.reference, \(PersonName.fullSQL("pa")), pw.referent_user_id, pw.entry_date,
                   pw.exit_date, pl.name, pl.profile
            FROM pathways pw JOIN plie pl ON pl.id = pw.plie_id JOIN participants pa ON pa.id = pw.participant_id
            """)
        sql.append(
            "WHERE (pw.status <> 'exited' OR pw.exit_date >= \(sql.bind(asOf.adding(months: -afterExitMonths))))")
        sql.append("AND pw.entry_date <= \(sql.bind(asOf))")
        if let predicate = try Scope.participants(caller, alias: "pa", &sql) { sql.append("AND \(predicate)") }
        for condition in selection.conditions(&sql) { sql.append("AND \(condition)") }
        if let pathwayId { sql.append("AND pw.id = \(sql.bind(pathwayId))") }
        sql.append("ORDER BY pa.reference, pw.entry_date, pw.id")
        let pathways = try await connection.query(sql).map { row in
            OpenPathway(
                id: try row.decode(0), participantId: try row.decode(1), reference: try row.decode(2),
                name: try row.decode(3), referent: try row.decode(4), entry: try row.decode(5), exit: try row.decode(6),
                plieName: try row.decode(7), profile: try profiles.named(try row.decode(8), field: "profile"))
        }
        guard !pathways.isEmpty else { return [] }
        let work = try await PaidWorkQuery.load(
            participants: Array(Set(pathways.map(\.participantId))), asOf: asOf, on: connection)
        let decisions = try await connection.query(
            "SELECT \(OutcomeDecision.columns) FROM outcome_decisions WHERE pathway_id = ANY($1::uuid[]) ORDER BY decided_at",
            [PostgresTextArray(pathways.map { $0.id.uuidString.lowercased() })]
        ).map(OutcomeDecision.init(row:))
        let byPathway = Dictionary(grouping: decisions, by: \.pathwayId)

        var result: [PathwayOutcomeCandidate] = []
        for pathway in pathways {
            let person = work[pathway.participantId] ?? PaidWorkQuery.Person()
            let decided = byPathway[pathway.id] ?? []
            for candidate in detectOutcomes(
                work: person.work, profile: pathway.profile, entry: pathway.entry,
                asOf: min(asOf, pathway.exit ?? asOf),
                settled: { candidate in decided.contains { $0.settles(candidate) } })
            {
                let proposal = decided.last {
                    $0.decision == .proposed && $0.rule == candidate.rule && $0.facts == candidate.facts
                }
                result.append(
                    PathwayOutcomeCandidate(
                        pathwayId: pathway.id, participantId: pathway.participantId, reference: pathway.reference,
                        participantName: pathway.name, referentUserId: pathway.referent, plieName: pathway.plieName,
                        profile: pathway.profile.name, candidate: candidate,
                        includesUnvalidatedHours: person.hasUnvalidatedHours(candidate),
                        proposedBy: proposal?.decidedByLabel))
            }
        }
        return result
    }

    /// Records a référent's proposal (the pathway's référent, or staff) or the committee's decision (admin,
    /// facilitator only), on the candidate as detected now: rule and date must match a current candidate
    /// of the pathway, whose facts and evidence are kept with the decision.
    public func record(
        _ caller: Caller, pathwayId: UUID, rule: OutcomeRule, establishedOn: LocalDate,
        decision: OutcomeDecisionValue, note: String? = nil, asOf: LocalDate
    ) async throws -> OutcomeDecision {
        switch (caller.role, decision) {
        case (.admin, _), (.facilitator, _), (.referent, .proposed): break
        default: throw DomainError.forbidden
        }
        let note = try Validate.optionalText(note, existing: nil, field: "note", maxLength: 2000)
        do {
            return try await pool.withTransaction { connection in
                let current = try await candidates(
                    caller, selection: .init(), asOf: asOf, pathwayId: pathwayId, on: connection)
                guard
                    let found = current.first(where: {
                        $0.candidate.rule == rule && $0.candidate.establishedOn == establishedOn
                    })
                else {
                    try await requireVisible(caller, pathwayId: pathwayId, on: connection)
                    throw DomainError.conflict(
                        "Aucune sortie positive « \(rule.frenchLabel) » établie le \(establishedOn.french) n'est à décider pour ce parcours : les faits ont changé ou une décision a déjà été prise. Rechargez la liste.",
                        field: "rule")
                }
                // A référent proposes for the pathways they hold.
                if caller.role == .referent, found.referentUserId != caller.userId { throw DomainError.forbidden }
                let row = try await connection.query(
                    """
                    INSERT INTO outcome_decisions (participant_id, pathway_id, rule, established_on, decision, facts, evidence, note,
                                                   decided_by, decided_by_label)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING \(OutcomeDecision.columns)
                    """,
                    [
                        found.participantId, pathwayId, rule.rawValue, establishedOn, decision.rawValue,
                        found.candidate.facts, found.candidate.evidence, note, caller.userId, caller.label,
                    ]
                ).one()
                let recorded = try OutcomeDecision(row: row)
                try await Audit.record(
                    .create, entity: "outcome_decision", id: recorded.id.uuidString.lowercased(),
                    changes: [
                        "pathwayId": pathwayId.uuidString.lowercased(), "rule": rule.rawValue,
                        "establishedOn": establishedOn.description, "decision": decision.rawValue,
                    ],
                    by: caller, on: connection)
                return recorded
            }
        } catch let error as PostgresError {
            throw ConstraintMessages.translate(
                error,
                unique: [
                    "outcome_decisions_once": ("rule", "Le comité a déjà rendu une décision sur ces faits."),
                    "outcome_proposals_once": ("rule", "Cette sortie positive est déjà proposée au comité."),
                ])
        }
    }

    /// Corrects a committee decision recorded by mistake (admin, facilitator): accepted becomes refused or
    /// the reverse, with the reason; the first decision is kept beside it, and the audit log has both.
    public func correct(_ caller: Caller, decisionId: UUID, to decision: OutcomeDecisionValue, reason: String?)
        async throws -> OutcomeDecision
    {
        try caller.requireEditor()
        guard decision != .proposed else {
            throw DomainError.invalid("decision", "Une décision se corrige en « validée » ou « refusée ».")
        }
        guard let reason = try Validate.optionalText(reason, existing: nil, field: "reason", maxLength: 2000) else {
            throw DomainError.invalid(
                "reason", "Indiquez pourquoi la décision est corrigée : le motif reste dans l'historique.",
                code: .missingField)
        }
        return try await pool.withTransaction { connection in
            guard
                let row = try await connection.query(
                    "SELECT \(OutcomeDecision.columns) FROM outcome_decisions WHERE id = $1 FOR UPDATE", [decisionId]
                ).first
            else { throw DomainError.notFound("Décision \(decisionId.uuidString.lowercased()) inconnue.") }
            let existing = try OutcomeDecision(row: row)
            try await requireVisible(caller, pathwayId: existing.pathwayId, on: connection)
            guard existing.decision != .proposed else {
                throw DomainError.invalid("decision", "Une proposition n'est pas une décision : le comité la décide.")
            }
            guard existing.decision != decision else {
                throw DomainError.invalid(
                    "decision", "La décision est déjà « \(decision.frenchLabel) » : rien à corriger.")
            }
            let corrected = try OutcomeDecision(
                row: try await connection.query(
                    """
                    UPDATE outcome_decisions SET decision = $2, first_decision = coalesce(first_decision, decision),
                        corrected_at = now(), corrected_by = $3, corrected_by_label = $4, correction_reason = $5
                    WHERE id = $1 RETURNING \(OutcomeDecision.columns)
                    """, [decisionId, decision.rawValue, caller.userId, caller.label, reason]
                ).one())
            try await Audit.record(
                .update, entity: "outcome_decision", id: decisionId.uuidString.lowercased(),
                changes: [
                    "decision": ["from": existing.decision.rawValue, "to": decision.rawValue], "reason": reason,
                ],
                by: caller, on: connection)
            return corrected
        }
    }

    /// The committee's decisions (not proposals), latest first, with the person and the PLIE: the
    /// history a facilitateur reads and corrects from.
    public func committeeDecisions(_ caller: Caller, plieId: UUID?, limit: Int, offset: Int) async throws
        -> ListSlice<DecidedOutcome>
    {
        try caller.requireStaff()
        var sql = SQL(
            """
            SELECT \(OutcomeDecision.columnNames.map { "d." + $0 }.joined(separator: ", ")),
                   pa.reference, \(PersonName.fullSQL("pa")) AS person_name, pl.name AS plie_name
            FROM outcome_decisions d JOIN participants pa ON pa.id = d.participant_id
            JOIN pathways pw ON pw.id = d.pathway_id JOIN plie pl ON pl.id = pw.plie_id
            WHERE d.decision <> 'proposed'
            """)
        if let predicate = try Scope.participants(caller, alias: "pa", &sql) { sql.append("AND \(predicate)") }
        if let plieId { sql.append("AND pw.plie_id = \(sql.bind(plieId))") }
        return try await pool.withConnection { connection in
            let total = try await connection.query(sql.counting).one().decode(0, as: Int.self)
            sql.append("ORDER BY d.decided_at DESC, d.id LIMIT \(sql.bind(limit)) OFFSET \(sql.bind(offset))")
            let items = try await connection.query(sql).map { row in
                DecidedOutcome(
                    decision: try OutcomeDecision(row: row), reference: try row.decode("reference"),
                    personName: try row.decode("person_name"), plieName: try row.decode("plie_name"))
            }
            return ListSlice(items: items, total: total, offset: offset)
        }
    }

    /// Proposals and decisions on a pathway; 404 like every other route when the pathway is unknown or
    /// outside the caller's scope.
    public func decisions(_ caller: Caller, pathwayId: UUID) async throws -> [OutcomeDecision] {
        try await pool.withConnection { connection in
            try await requireVisible(caller, pathwayId: pathwayId, on: connection)
            return try await connection.query(
                "SELECT \(OutcomeDecision.columns) FROM outcome_decisions WHERE pathway_id = $1 ORDER BY decided_at",
                [pathwayId]
            ).map(OutcomeDecision.init(row:))
        }
    }

    private func requireVisible(_ caller: Caller, pathwayId: UUID, on connection: PostgresConnection) async throws {
        var sql = SQL("SELECT 1 FROM pathways pw JOIN participants pa ON pa.id = pw.participant_id WHERE pw.id = $1")
        _ = sql.bind(pathwayId)
        if let predicate = try Scope.participants(caller, alias: "pa", &sql) { sql.append("AND \(predicate)") }
        guard try await connection.query(sql).count > 0 else {
            throw DomainError.notFound(
                "Le parcours \(pathwayId.uuidString.lowercased()) n'existe pas ou ne vous est pas accessible.")
        }
    }
}

/// The paid work of participants as detection reads it: placements with their current, non-rejected
/// reports (declared ones flagged), and employment episodes with their stated months.
enum PaidWorkQuery {
    struct Person {
        var work: [PaidWork] = []
        /// "id|month index" of declared, not yet validated placement hours.
        var unvalidated: Set<String> = []

        func hasUnvalidatedHours(_ candidate: OutcomeCandidate) -> Bool {
            guard candidate.hours != nil else { return false }
            return candidate.windowStart.through(candidate.windowEnd).contains { month in
                candidate.workIds.contains { unvalidated.contains("\($0)|\(month.index)") }
            }
        }
    }

    static func load(participants: [UUID], asOf: LocalDate, on connection: PostgresConnection) async throws
        -> [UUID: Person]
    {
        let ids = PostgresTextArray(participants.map { $0.uuidString.lowercased() })
        var people: [UUID: Person] = [:]
        var current: (participant: UUID, code: String)?
        for row in try await connection.query(
            """
            SELECT pl.participant_id, pl.code, pl.contract_type, pl.start_date, pl.end_date, pl.weekly_hours, pl.reduced_hours_agreed,
                   (extract(year FROM r.month) * 12 + extract(month FROM r.month) - 1)::int, r.worked_hours, r.status = 'validated'
            FROM placements pl
            LEFT JOIN hour_reports r ON r.placement_id = pl.id AND r.current AND r.status <> 'rejected'
            WHERE pl.participant_id = ANY($1::uuid[]) AND pl.start_date <= $2
            ORDER BY pl.participant_id, pl.code, r.month
            """, [ids, asOf])
        {
            let participant: UUID = try row.decode(0)
            let code: String = try row.decode(1)
            var person = people[participant] ?? Person()
            if current?.participant != participant || current?.code != code {
                person.work.append(
                    PaidWork(
                        id: code, contractType: try row.decodeEnum(2, table: "placements", column: "contract_type"),
                        start: try row.decode(3), end: try row.decode(4), weeklyHours: try row.numeric0(5),
                        reducedHoursAgreed: try row.decode(6)))
                current = (participant, code)
            }
            if let index = try row.decode(7, as: Int?.self) {
                let hours = try row.numeric0(8)
                person.work[person.work.count - 1].monthlyHours[YearMonth(index: index)] = hours
                if !(try row.decode(9, as: Bool.self)) && hours > 0 { person.unvalidated.insert("\(code)|\(index)") }
            }
            people[participant] = person
        }
        var episodes: [UUID: PaidWork] = [:]
        var owners: [UUID: UUID] = [:]
        var order: [UUID] = []
        for row in try await connection.query(
            """
            SELECT e.id, e.participant_id, e.contract_type, e.start_date, e.end_date, e.weekly_hours, e.reduced_hours_agreed
            FROM employment_episodes e WHERE e.participant_id = ANY($1::uuid[]) AND e.start_date <= $2
            ORDER BY e.participant_id, e.start_date, e.id
            """, [ids, asOf])
        {
            let id: UUID = try row.decode(0)
            owners[id] = try row.decode(1)
            order.append(id)
            episodes[id] = PaidWork(
                id: id.uuidString.lowercased(),
                contractType: try row.decodeEnum(2, table: "employment_episodes", column: "contract_type"),
                start: try row.decode(3), end: try row.decode(4), weeklyHours: try row.numeric(5),
                reducedHoursAgreed: try row.decode(6))
        }
        if !order.isEmpty {
            for row in try await connection.query(
                """
                SELECT episode_id, (extract(year FROM month) * 12 + extract(month FROM month) - 1)::int, hours
                FROM employment_episode_months WHERE episode_id = ANY($1::uuid[])
                """, [PostgresTextArray(order.map { $0.uuidString.lowercased() })])
            {
                let id: UUID = try row.decode(0)
                episodes[id]?.monthlyHours[YearMonth(index: try row.decode(1))] = try row.numeric0(2)
            }
        }
        for id in order {
            guard let owner = owners[id], let episode = episodes[id] else { continue }
            people[owner, default: Person()].work.append(episode)
        }
        return people
    }
}
