import Foundation
import PostgresClient

/// What the dashboard lists besides the lots' balances: placements starting or ending this month, and the
/// last imports. Scoped like every placement query (a company sees its own; a référent the people of the
/// pathways it holds; buyers see none).
public struct Dashboard: Sendable {
    /// A placement starting or ending in the month.
    public struct Move: Sendable {
        public let code: String
        public let personName: String
        public let lotId: UUID
        public let lotLabel: String
        public let companyName: String
        public let date: LocalDate
        public let starts: Bool
    }

    /// One CSV import, as its audit record tells it.
    public struct ImportRecord: Sendable {
        public let at: Date
        public let by: String
        public let kind: ImportKind
        public let lines: Int
        public let created: Int
        public let corrected: Int
        /// Hours imported as declared: they wait for validation.
        public let awaitingValidation: Bool
    }

    let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    /// The placements starting or ending in `month`, the first `limit` by date, with how many there are.
    public func moves(_ caller: Caller, month: YearMonth, limit: Int) async throws -> (moves: [Move], placements: Int) {
        guard caller.role != .buyer else { return ([], 0) }
        var sql = SQL(
            """
            SELECT pl.id, pl.code, \(Scope.personName(caller, participant: "pa")), l.id, l.label, c.name, pl.start_date, pl.end_date
            FROM placements pl
            JOIN participants pa ON pa.id = pl.participant_id
            JOIN lots l ON l.id = pl.lot_id
            JOIN companies c ON c.id = pl.company_id
            WHERE (pl.start_date BETWEEN $1 AND $2 OR pl.end_date BETWEEN $1 AND $2)
            """)
        _ = sql.bind(month.firstDay)
        _ = sql.bind(month.lastDay)
        if let predicate = try Scope.placements(caller, placement: "pl", participant: "pa", &sql) {
            sql.append("AND \(predicate)")
        }
        let count = sql.counting
        sql.append(
            "ORDER BY LEAST(pl.start_date, COALESCE(pl.end_date, pl.start_date)), pl.code LIMIT \(sql.bind(limit))")
        let moves = try await pool.query(sql).flatMap { row -> [Move] in
            let start: LocalDate = try row.decode(6)
            let end: LocalDate? = try row.decode(7)
            let make = { (date: LocalDate, starts: Bool) in
                Move(
                    code: try row.decode(1), personName: try row.decode(2),
                    lotId: try row.decode(3), lotLabel: try row.decode(4), companyName: try row.decode(5), date: date,
                    starts: starts)
            }
            var moves: [Move] = []
            if start.yearMonth == month { moves.append(try make(start, true)) }
            if let end, end.yearMonth == month { moves.append(try make(end, false)) }
            return moves
        }
        return (moves, try await pool.query(count).one().decode(0, as: Int.self))
    }

    /// Positive outcomes proposed to the committee with no decision recorded yet (staff; a référent counts
    /// those of the people it follows). Read from the proposals themselves: detecting every candidate of
    /// the territory is the outcomes page's work, too long for each visit of the dashboard.
    public func proposalsAwaitingCommittee(_ caller: Caller) async throws -> Int {
        guard caller.role.isStaff else { return 0 }
        var sql = SQL(
            """
            SELECT count(*) FROM outcome_decisions p JOIN participants pa ON pa.id = p.participant_id
            WHERE \(OutcomeDecision.awaitingCommittee("p"))
            """)
        if caller.role == .referent {
            guard let user = caller.userId else { return 0 }
            sql.append("AND \(Scope.heldByReferent(participant: "pa", user: sql.bind(user)))")
        }
        return try await pool.query(sql).one().decode(0, as: Int.self)
    }

    /// The last imports (staff who edit: admins and facilitators).
    public func recentImports(_ caller: Caller, limit: Int = 5) async throws -> [ImportRecord] {
        guard caller.canEditReferential else { return [] }
        return try await pool.query(
            """
            SELECT at, actor, entity, (changes->>'lines')::int, (changes->>'created')::int,
                   COALESCE(changes->>'corrected', changes->>'updated')::int, COALESCE((changes->>'validated')::boolean, true)
            FROM audit_log WHERE entity IN ('hour_import', 'participant_import') ORDER BY at DESC LIMIT $1
            """, [limit]
        ).map { row in
            let entity: String = try row.decode(2)
            let kind: ImportKind = entity == "hour_import" ? .hours : .participants
            let validated: Bool = try row.decode(6)
            return ImportRecord(
                at: try row.decode(0), by: try row.decode(1), kind: kind, lines: try row.decode(3),
                created: try row.decode(4), corrected: try row.decode(5),
                awaitingValidation: kind == .hours && !validated)
        }
    }
}
