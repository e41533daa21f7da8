import Foundation
import PostgresClient

/// One month of a lot's hours as a grid: a row per placement running in that month that the caller may
/// see (a company: its own), with the month's current report. The hours page types into it like a
/// spreadsheet and saves it all or nothing.
public struct HourGrid: Sendable {
    public struct Row: Sendable {
        public let placementId: UUID
        public let code: String
        public let personName: String
        public let companyId: UUID
        public let companyName: String
        public let startDate: LocalDate
        public let endDate: LocalDate?
        public let weeklyHours: Decimal
        public let current: Current?
    }

    /// The month's current report of a row.
    public struct Current: Sendable {
        public let id: UUID
        public let worked: Decimal
        public let training: Decimal
        public let status: HourReportStatus
        public let rejectionReason: String?

        public var seen: SeenReport { SeenReport(id: id, status: status) }
    }

    /// The lot (its page names it), read once with the caller's scope.
    public let lot: Lot
    public let month: YearMonth
    public let rows: [Row]
}

/// A month's report as a page saw it: validating or refusing a report keeps its id, so its status is
/// part of what was seen.
public struct SeenReport: Sendable, Equatable {
    public let id: UUID
    public let status: HourReportStatus

    public init(id: UUID, status: HourReportStatus) {
        self.id = id
        self.status = status
    }

    init(_ report: HourReport) { self.init(id: report.id, status: report.status) }
}

/// One typed row of a saved grid.
public struct HourGridEntry: Sendable {
    public let placementId: UUID
    public let worked: Decimal
    public let training: Decimal
    /// The row's current report when the grid was opened (nil: none then): a save over a report changed
    /// since is refused.
    public let seen: SeenReport?

    public init(placementId: UUID, worked: Decimal, training: Decimal, seen: SeenReport?) {
        self.placementId = placementId
        self.worked = worked
        self.training = training
        self.seen = seen
    }
}

/// A grid refused as a whole, nothing written: each faulty row's French reason, by placement.
public struct HourGridRefusal: Error, Sendable {
    public let problems: [UUID: DomainError]
}

/// What a saved grid changed: reports created, corrected, and unchanged ones validated at once.
public struct HourGridResult: Sendable, Equatable {
    public let created: Int
    public let corrected: Int
    public let validated: Int

    public var changed: Int { created + corrected + validated }
}

extension HourReportStore {
    /// The grid of `lotId` for `month`, rows ordered by company, person and code.
    public func grid(_ caller: Caller, lotId: UUID, month: YearMonth) async throws -> HourGrid {
        try await pool.withConnection { connection in
            let lot = try await EntityStore<Lot>(pool: pool).get(caller, id: lotId, on: connection)
            var sql = SQL(
                """
                SELECT pl.id, pl.code, \(Scope.personName(caller, participant: "pa")), pl.company_id, c.name, pl.start_date,
                       pl.end_date, pl.weekly_hours, r.id, r.worked_hours, r.training_hours, r.status, r.rejection_reason
                FROM placements pl
                JOIN participants pa ON pa.id = pl.participant_id
                JOIN companies c ON c.id = pl.company_id
                LEFT JOIN hour_reports r ON r.placement_id = pl.id AND r.current AND r.month = $1
                WHERE pl.lot_id = $2 AND pl.start_date <= $3 AND (pl.end_date IS NULL OR pl.end_date >= $1)
                """)
            _ = sql.bind(month.firstDay)
            _ = sql.bind(lotId)
            _ = sql.bind(month.lastDay)
            if let predicate = try Scope.placements(caller, placement: "pl", participant: "pa", &sql) {
                sql.append("AND \(predicate)")
            }
            sql.append("ORDER BY c.name, 3, pl.code")
            let rows = try await connection.query(sql).map { row in
                let reportId: UUID? = try row.decode(8)
                return HourGrid.Row(
                    placementId: try row.decode(0), code: try row.decode(1), personName: try row.decode(2),
                    companyId: try row.decode(3), companyName: try row.decode(4), startDate: try row.decode(5),
                    endDate: try row.decode(6), weeklyHours: try row.numeric0(7),
                    current: try reportId.map { id in
                        HourGrid.Current(
                            id: id, worked: try row.numeric0(9), training: try row.numeric0(10),
                            status: try row.decodeEnum(11, table: "hour_reports", column: "status"),
                            rejectionReason: try row.decode(12))
                    })
            }
            return HourGrid(lot: lot, month: month, rows: rows)
        }
    }

    /// Saves a grid's rows for `month` in one transaction: each row passes every rule of a declaration
    /// (a typed row replaces the month's current report, kept in the history) and must still find the
    /// report seen when the grid was opened. Any faulty row refuses the whole grid (`HourGridRefusal`,
    /// every faulty row named) and nothing is written. Staff may record the rows as validated at once.
    public func saveGrid(
        _ caller: Caller, lotId: UUID, month: YearMonth, entries: [HourGridEntry], confirmPlausible: Bool,
        validate: Bool, today: LocalDate? = nil
    ) async throws -> HourGridResult {
        let today = today ?? clock.today
        var problems: [UUID: DomainError] = [:]
        var checked: [(HourGridEntry, CheckedDeclaration)] = []
        for entry in entries {
            do {
                let declaration = HourDeclaration(
                    placementId: entry.placementId, month: month, workedHours: entry.worked,
                    trainingHours: entry.training)
                checked.append(
                    (entry, try check(caller, declaration, confirmPlausible: confirmPlausible, validate: validate)))
            } catch {
                problems[entry.placementId] = error
            }
        }
        if !problems.isEmpty { throw HourGridRefusal(problems: problems) }
        let checkedRows = checked
        return try await pool.withTransaction { connection in
            var problems: [UUID: DomainError] = [:]
            var counts = (created: 0, corrected: 0, validated: 0)
            for (entry, declaration) in checkedRows {
                let placement: Placement
                do {
                    placement = try await placements.get(caller, id: entry.placementId, on: connection)
                } catch let refusal as DomainError {
                    problems[entry.placementId] = refusal
                    continue
                }
                guard placement.lotId == lotId else {
                    problems[entry.placementId] = DomainError.invalid(
                        "placementId", "La mise à l'emploi \(placement.code) n'est pas sur ce lot.")
                    continue
                }
                // Rules refuse with a DomainError before any statement of the row: the transaction stays
                // usable and the other rows are still checked.
                do {
                    let result = try await write(
                        caller, declaration, replace: true, validate: validate, today: today,
                        current: .expect(entry.seen), on: connection)
                    switch result.outcome {
                    case .created: counts.created += 1
                    case .corrected: counts.corrected += 1
                    case .unchanged where validate && result.report.status == .declared:
                        // Checked timesheets confirm figures already declared: validated as they stand.
                        _ = try await review(
                            caller, reportId: result.report.id, to: .validated, reason: nil, on: connection)
                        counts.validated += 1
                    case .unchanged: break
                    }
                } catch let refusal as DomainError {
                    problems[entry.placementId] = refusal
                }
            }
            if !problems.isEmpty { throw HourGridRefusal(problems: problems) }
            return HourGridResult(created: counts.created, corrected: counts.corrected, validated: counts.validated)
        }
    }
}

/// A report waiting for validation, with what the review queue shows: the person, the lot, the company.
public struct PendingReport: Sendable {
    public let report: HourReport
    public let personName: String
    public let lotId: UUID
    public let lotLabel: String
    public let contractReference: String
    public let companyName: String
}

extension HourReportStore {
    /// Current declared reports waiting for validation (staff), oldest month first then in the order they
    /// were declared (the order of the `hour_reports_pending` index: a page reads only its rows), optionally
    /// of one lot; `limit` rows from `offset`, with the total.
    public func queue(_ caller: Caller, lotId: UUID? = nil, limit: Int, offset: Int) async throws -> (
        items: [PendingReport], total: Int
    ) {
        try caller.requireEditor()
        var sql = SQL(
            """
            SELECT \(HourReport.columns), \(PersonName.fullSQL("pa")), l.id, l.label, pc.reference, c.name
            FROM hour_reports r
            JOIN placements pl ON pl.id = r.placement_id
            JOIN participants pa ON pa.id = pl.participant_id
            JOIN lots l ON l.id = pl.lot_id
            JOIN public_contracts pc ON pc.id = l.public_contract_id
            JOIN companies c ON c.id = pl.company_id
            WHERE r.current AND r.status = 'declared'
            """)
        if let lotId { sql.append("AND pl.lot_id = \(sql.bind(lotId))") }
        sql.append("ORDER BY r.month, r.declared_at, r.id")
        sql.append("LIMIT \(sql.bind(limit)) OFFSET \(sql.bind(offset))")
        let items = try await pool.query(sql).map { row in
            PendingReport(
                report: try HourReport(row: row), personName: try row.decode(21), lotId: try row.decode(22),
                lotLabel: try row.decode(23), contractReference: try row.decode(24), companyName: try row.decode(25))
        }
        return (items, try await pendingCount(caller, lotId: lotId))
    }

    /// How many current reports wait for validation (staff), optionally on one lot.
    public func pendingCount(_ caller: Caller, lotId: UUID? = nil) async throws -> Int {
        try caller.requireEditor()
        var count = SQL("SELECT count(*) FROM hour_reports r WHERE r.current AND r.status = 'declared'")
        if let lotId {
            count.append("AND r.placement_id IN (SELECT id FROM placements WHERE lot_id = \(count.bind(lotId)))")
        }
        return try await pool.query(count).one().decode(0, as: Int.self)
    }
}
