import Foundation
import PostgresClient

/// The stored facts a balance rests on, for every lot of a subject the caller may see: SQL in, facts out.
/// Two set-based queries (the lots with their clause, then every placement with its reports); run inside
/// a REPEATABLE READ transaction so both come from one snapshot.
struct LedgerFactsQuery: Sendable {
    /// A lot with its clause and contractor.
    struct LotFacts: Sendable {
        let id: UUID, number: Int, label: String, start: LocalDate?, end: LocalDate?
        let contractId: UUID, contractReference: String, buyerId: UUID, operationId: UUID?
        let calibrationMode: String, requiredHours: Decimal, contractorId: UUID?, contractorName: String?
        /// The clause's counting rule table (`[counting]` overridden by the clause's `counting_overrides`).
        let rules: CountingRuleTable
        let placements: [PlacementReports]
    }

    /// A placement with its current, non-rejected reports up to the balance month, still packed as read
    /// (`ReportsText.parse` decodes them; the service does it in parallel for large subjects).
    struct PlacementReports: Sendable {
        let facts: PlacementFacts
        let reports: ReportsText
    }

    /// Which lots to read: a subject's, or the lots under execution on the balance date that end first
    /// (the dashboard), at most `limit` of them.
    enum LotSelection: Sendable {
        case subject(BalanceSubject)
        case underWay(limit: Int)
        /// These lots (the alert scan's pre-filtered candidates).
        case ids([UUID])
    }

    let countingDefaults: CountingRuleTable

    /// JIT compilation is turned off for groups of lots: these short set-based queries cross its cost
    /// threshold on large buyers and would pay more for compiling than they save. One lot never reaches the
    /// threshold, and saves the round trip.
    func read(_ caller: Caller, lots selection: LotSelection, at: LocalDate, on connection: PostgresConnection)
        async throws -> [LotFacts]
    {
        if case .subject(.lot) = selection {} else { try await connection.execute("SET LOCAL jit = off") }
        var sql = SQL(
            """
            SELECT l.id, l.number, l.label, l.execution_start, l.execution_end, l.public_contract_id, pc.reference, pc.buyer_id,
                   pc.operation_id, ic.calibration_mode, ic.required_hours, ic.counting_overrides::text, ctr.company_id, cc.name
            FROM lots l
            JOIN public_contracts pc ON pc.id = l.public_contract_id
            JOIN insertion_clauses ic ON ic.lot_id = l.id
            LEFT JOIN lot_companies ctr ON ctr.lot_id = l.id AND ctr.role = 'contractor'
            LEFT JOIN companies cc ON cc.id = ctr.company_id
            WHERE
            """)
        switch selection {
        case .underWay(let limit):
            Self.underWay(at: at, &sql)
            if let predicate = Scope.lots(caller, alias: "l", &sql) { sql.append("AND \(predicate)") }
            sql.append("ORDER BY l.execution_end NULLS LAST, l.id LIMIT \(sql.bind(limit))")
        case .subject(let subject):
            condition(subject, &sql)
            if let predicate = Scope.lots(caller, alias: "l", &sql) { sql.append("AND \(predicate)") }
            sql.append("ORDER BY pc.reference, l.number")
        case .ids(let ids):
            sql.append("l.id = ANY(\(sql.bind(PostgresTextArray(ids.map { $0.uuidString.lowercased() })))::uuid[])")
            if let predicate = Scope.lots(caller, alias: "l", &sql) { sql.append("AND \(predicate)") }
            sql.append("ORDER BY pc.reference, l.number")
        }

        var tables: [String: CountingRuleTable] = [:]
        let lotRows = try await connection.query(sql)
        guard !lotRows.isEmpty else { return [] }
        let ids = try lotRows.map { row throws -> UUID in try row.decode(0) }
        let placements = try await placementReports(lots: ids, at: at, on: connection)
        return try lotRows.map { row in
            let overrides: String = try row.decode(11)
            if tables[overrides] == nil {
                let partial = try JSONCoding.decoder.decode(CountingRuleOverrides.self, from: Data(overrides.utf8))
                tables[overrides] = countingDefaults.overriding(with: partial)
            }
            let id: UUID = try row.decode(0)
            return LotFacts(
                id: id, number: try row.decode(1), label: try row.decode(2), start: try row.decode(3),
                end: try row.decode(4), contractId: try row.decode(5), contractReference: try row.decode(6),
                buyerId: try row.decode(7), operationId: try row.decode(8),
                calibrationMode: try row.decode(9), requiredHours: try row.numeric0(10),
                contractorId: try row.decode(12), contractorName: try row.decode(13),
                rules: tables[overrides] ?? countingDefaults, placements: placements[id] ?? [])
        }
    }

    /// Lots under execution on `at` (a missing start or end does not bound the period).
    static func underWay(at: LocalDate, _ sql: inout SQL) {
        sql.append(
            "COALESCE(l.execution_start <= \(sql.bind(at)), true) AND COALESCE(l.execution_end >= \(sql.bind(at)), true)"
        )
    }

    /// How many lots with a clause the caller may see are under execution on `at`.
    func underWayCount(_ caller: Caller, at: LocalDate, on connection: PostgresConnection) async throws -> Int {
        var sql = SQL(
            "SELECT count(*) FROM lots l JOIN public_contracts pc ON pc.id = l.public_contract_id JOIN insertion_clauses ic ON ic.lot_id = l.id WHERE"
        )
        Self.underWay(at: at, &sql)
        if let predicate = Scope.lots(caller, alias: "l", &sql) { sql.append("AND \(predicate)") }
        return try await connection.query(sql).one().decode(0, as: Int.self)
    }

    private func condition(_ subject: BalanceSubject, _ sql: inout SQL) {
        switch subject {
        case .lot(let id): sql.append("l.id = \(sql.bind(id))")
        case .publicContract(let id): sql.append("l.public_contract_id = \(sql.bind(id))")
        case .company(let id): sql.append("ctr.company_id = \(sql.bind(id))")
        // The marchés first, as an array: the planner then reads the lots by their marché index instead of
        // scanning every lot (half the time of the plain join for a large buyer).
        case .buyer(let id):
            sql.append(
                "l.public_contract_id = ANY(ARRAY(SELECT id FROM public_contracts WHERE buyer_id = \(sql.bind(id))))")
        case .operation(let id):
            sql.append(
                "l.public_contract_id = ANY(ARRAY(SELECT id FROM public_contracts WHERE operation_id = \(sql.bind(id))))"
            )
        }
    }

    /// One row per placement, its current non-rejected reports packed as
    /// `monthIndex:v|d:worked:training:attested:amount` items joined by `;` (a row per report would repeat
    /// the placement's columns and multiply the per-cell cost). The LATERAL aggregate reads each placement's
    /// reports by an index-only scan of hour_reports_current (a join + GROUP BY made large subjects
    /// hash-join the whole table and sort it on disk); figures travel as their numeric text and the month
    /// through date_part (numeric arithmetic cost more than the rest of the row).
    private func placementReports(lots: [UUID], at: LocalDate, on connection: PostgresConnection) async throws
        -> [UUID: [PlacementReports]]
    {
        let rows = try await connection.query(
            """
            SELECT p.lot_id, p.code, p.execution_mode, p.contract_type, p.start_date, p.end_date, p.counting, p.on_clause_operation, r.packed
            FROM placements p
            CROSS JOIN LATERAL (
                SELECT string_agg(concat_ws(':', (date_part('year', h.month) * 12 + date_part('month', h.month) - 1)::int,
                                            CASE WHEN h.status = 'validated' THEN 'v' ELSE 'd' END, h.worked_hours, h.training_hours,
                                            coalesce(h.attested_insertion_hours::text, ''), coalesce(h.subcontract_amount::text, '')), ';') AS packed
                FROM hour_reports h
                WHERE h.placement_id = p.id AND h.current AND h.status <> 'rejected' AND h.month <= $2) r
            WHERE p.lot_id = ANY($1::uuid[])
            """, [PostgresTextArray(lots.map { $0.uuidString.lowercased() }), at.yearMonth.firstDay])
        var byLot: [UUID: [PlacementReports]] = [:]
        var dates: [String: LocalDate] = [:]
        // Dates repeat across placements: parse each text once.
        func date(_ text: String?) throws -> LocalDate? {
            guard let text else { return nil }
            if let known = dates[text] { return known }
            guard let value = LocalDate(iso: text) else { throw PostgresError(.decoding, "date illisible « \(text) »") }
            dates[text] = value
            return value
        }
        for row in rows {
            let start = try date(try row.decode(4))
            guard let start else { throw PostgresError(.decoding, "placements.start_date vide") }
            let facts = PlacementFacts(
                id: try row.decode(1), mode: try row.decodeEnum(2, table: "placements", column: "execution_mode"),
                contractType: try row.decodeEnum(3, table: "placements", column: "contract_type"), start: start,
                end: try date(try row.decode(5)), eligibleAtStart: try row.decode(6),
                onClauseOperation: try row.decode(7))
            byLot[try row.decode(0), default: []].append(
                PlacementReports(facts: facts, reports: ReportsText(packed: try row.decode(8))))
        }
        return byLot
    }
}

/// A placement's reports as packed by the facts query, decoded straight to hundredths (no Decimal per report).
struct ReportsText: Sendable {
    let packed: String?

    /// The validated reports, and the hours and count of those declared but not validated yet. One pass
    /// over the bytes, numbers read in place (this runs for every report of a large subject).
    func parse() throws -> (validated: [HundredthsReport], pendingHundredths: Int64, pendingCount: Int) {
        var validated: [HundredthsReport] = []
        var pending: Int64 = 0
        var pendingCount = 0
        guard var packed else { return ([], 0, 0) }
        try packed.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: ";") { end += 1 }
                let report = try Self.report(UnsafeBufferPointer(rebasing: bytes[start..<end]))
                if report.validated {
                    validated.append(report.values)
                } else {
                    pending += report.values.worked + report.values.training
                    pendingCount += 1
                }
                start = end + 1
            }
        }
        return (validated, pending, pendingCount)
    }

    /// One `monthIndex:v|d:worked:training:attested:amount` item, its fields read in order.
    private static func report(_ item: UnsafeBufferPointer<UInt8>) throws -> (validated: Bool, values: HundredthsReport)
    {
        var cursor = 0
        func next() -> UnsafeBufferPointer<UInt8> {
            let start = cursor
            // Past the end (too few fields): an empty field, and the count check below refuses the item.
            guard start <= item.count else {
                cursor += 1
                return UnsafeBufferPointer(start: nil, count: 0)
            }
            while cursor < item.count, item[cursor] != UInt8(ascii: ":") { cursor += 1 }
            let field = UnsafeBufferPointer(rebasing: item[start..<cursor])
            cursor += 1
            return field
        }
        let monthText = next()
        let status = next()
        let workedText = next()
        let trainingText = next()
        let attestedText = next()
        let amountText = next()
        let attested = attestedText.isEmpty ? nil : NumericText.hundredths(text: attestedText)
        let amount = amountText.isEmpty ? nil : NumericText.hundredths(text: amountText)
        guard cursor == item.count + 1, let month = NumericText.integer(monthText),
            let worked = NumericText.hundredths(text: workedText),
            let training = NumericText.hundredths(text: trainingText), attestedText.isEmpty || attested != nil,
            amountText.isEmpty || amount != nil
        else {
            throw PostgresError(.decoding, "relevé d'heures illisible")
        }
        return (
            status.first == UInt8(ascii: "v"),
            HundredthsReport(month: Int(month), worked: worked, training: training, attested: attested, amount: amount)
        )
    }
}
