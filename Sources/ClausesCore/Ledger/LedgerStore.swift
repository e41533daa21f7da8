import Foundation
import PostgresClient

/// What a balance is asked for.
public enum BalanceSubject: Sendable, Equatable {
    case lot(UUID)
    case publicContract(UUID)
    /// The lots the company holds as contractor (titulaire): the clause is its obligation.
    case company(UUID)
    case buyer(UUID)
    case operation(UUID)

    public var kind: String {
        switch self {
        case .lot: "lot"
        case .publicContract: "publicContract"
        case .company: "company"
        case .buyer: "buyer"
        case .operation: "operation"
        }
    }

    public var id: UUID {
        switch self {
        case .lot(let id), .publicContract(let id), .company(let id), .buyer(let id), .operation(let id): id
        }
    }
}

extension LotBalance {
    /// The balance as `caller` may read it: a buyer's names no placement (DOMAIN §8, §11).
    func visible(to caller: Caller) -> LotBalance {
        guard caller.role == .buyer else { return self }
        var copy = self
        for index in copy.credit.exclusions.indices { copy.credit.exclusions[index].placementIds = nil }
        return copy
    }
}

/// One lot's balance, computed from stored facts, with the credit's detail (month by month, by mode,
/// explanation lines) and what still waits for validation.
public struct LotBalance: Codable, Sendable, Equatable {
    public let lotId: UUID
    public let lotNumber: Int
    public let lotLabel: String
    public let publicContractId: UUID
    public let publicContractReference: String
    public let buyerId: UUID
    public let operationId: UUID?
    public let contractorId: UUID?
    public let contractorName: String?
    public let calibrationMode: String
    public let placementCount: Int
    public let balance: Balance
    public internal(set) var credit: Credit
    /// Worked + training hours of current reports declared but not validated yet (not counted).
    public let pendingHours: Decimal
    public let pendingReports: Int
}

/// Hours of a group of lots for one month.
public struct MonthTotal: Codable, Sendable, Equatable {
    public var month: YearMonth
    public var worked: Decimal
    public var training: Decimal
    public var credited: Decimal
    public var cumulativeCredited: Decimal
}

/// A balance over several lots (or one): the aggregate, the lots sorted by urgency, the month series.
public struct BalanceSummary: Codable, Sendable, Equatable {
    public let subject: String
    public let subjectId: UUID
    public let at: LocalDate
    public let aggregate: BalanceAggregate
    /// Most urgent first (`sortedByUrgency`).
    public let lots: [LotBalance]
    public let months: [MonthTotal]
    public let pendingHours: Decimal
}

/// Balances of lots against their clauses (DOMAIN §4), computed on demand from stored facts:
/// - required hours: the clause's stored `required_hours` (see the note on `shareOfWorkedHours` below);
/// - credited hours: the pure `creditHours` over the lot's placements and their current VALIDATED
///   reports for months up to the balance date, with `[counting]` from config.toml overridden by the
///   clause's `counting_overrides`; rule 1 from `placements.counting`, rule 2 from
///   `placements.on_clause_operation`. Only validated reports count: the balance is what the buyer is
///   told and what non-compliance penalties rest on, so it must rest on figures a facilitateur checked.
///   Declared-but-unvalidated hours are shown apart (`pendingHours`);
/// - status: the pure `computeBalance` with `ledger.tolerance`.
///
/// `shareOfWorkedHours` clauses: the requirement is `rate × the contractor's total hours on the lot`
/// (all its staff, DOMAIN §3), an input of the clause (`calibration_inputs.workedHours`) that the
/// facilitateur updates when the contractor reports its total; it is NOT the sum of the insertion
/// placements' hours this ledger holds (that would make every such clause comply by construction).
///
/// Scope: buyer accounts see their buyer's lots, company accounts the lots they hold a role on, staff
/// every lot. Facts for all the lots of a subject are read in two set-based queries.
public struct LedgerStore: Sendable {
    let pool: PostgresPool
    let countingDefaults: CountingRuleTable
    let tolerance: Decimal

    public init(pool: PostgresPool, countingDefaults: CountingRuleTable, tolerance: Decimal) {
        self.pool = pool
        self.countingDefaults = countingDefaults
        self.tolerance = tolerance
    }

    /// One lot's balance; 404 when the lot is not visible or carries no clause.
    public func lotBalance(_ caller: Caller, lotId: UUID, at: LocalDate) async throws -> LotBalance {
        let lots = try await pool.withTransaction(isolation: .repeatableRead) { connection in
            try await compute(caller, subject: .lot(lotId), at: at, on: connection)
        }
        guard let lot = lots.first?.balance else {
            throw DomainError.notFound(
                "Le lot \(lotId.uuidString.lowercased()) n'existe pas, ne vous est pas accessible ou n'a pas de clause d'insertion."
            )
        }
        return lot.visible(to: caller)
    }

    /// The balance of a lot, a marché, a company (as contractor), a buyer or an operation.
    public func balance(of subject: BalanceSubject, at: LocalDate, caller: Caller) async throws -> BalanceSummary {
        let lots = try await pool.withTransaction(isolation: .repeatableRead) { connection in
            try await requireVisible(caller, subject, on: connection)
            return try await compute(caller, subject: subject, at: at, on: connection)
        }
        let sorted = sortedByUrgency(lots.map { $0.balance.visible(to: caller) }) { $0.balance }
        return BalanceSummary(
            subject: subject.kind, subjectId: subject.id, at: at,
            aggregate: aggregateBalances(sorted.map(\.balance)), lots: sorted, months: Self.monthTotals(lots),
            pendingHours: Hundredths.decimal(lots.reduce(0) { $0 + $1.pendingHundredths }))
    }

    /// The lots' month series added up; in hundredths (Decimal additions are slow on Linux) unless a lot
    /// was counted in Decimal.
    static func monthTotals(_ lots: [ComputedLot]) -> [MonthTotal] {
        // Overflow (never with real figures) falls back to Decimal rather than trapping.
        func add(_ total: inout Int64, _ value: Int64) -> Bool {
            let (sum, overflow) = total.addingReportingOverflow(value)
            total = sum
            return !overflow
        }
        var byMonth: [Int: CountedMonthTotal] = [:]
        for lot in lots {
            guard let months = lot.months else { return decimalMonthTotals(lots.map(\.balance)) }
            for m in months {
                var total = byMonth[m.month] ?? CountedMonthTotal(month: m.month, worked: 0, training: 0, credited: 0)
                guard add(&total.worked, m.worked), add(&total.training, m.training), add(&total.credited, m.credited)
                else {
                    return decimalMonthTotals(lots.map(\.balance))
                }
                byMonth[m.month] = total
            }
        }
        var totals: [MonthTotal] = []
        var cumulative: Int64 = 0
        for key in byMonth.keys.sorted() {
            let m = byMonth[key]!
            guard add(&cumulative, m.credited) else { return decimalMonthTotals(lots.map(\.balance)) }
            totals.append(
                MonthTotal(
                    month: YearMonth(index: key), worked: Hundredths.decimal(m.worked),
                    training: Hundredths.decimal(m.training),
                    credited: Hundredths.decimal(m.credited), cumulativeCredited: Hundredths.decimal(cumulative)))
        }
        return totals
    }

    private static func decimalMonthTotals(_ lots: [LotBalance]) -> [MonthTotal] {
        var byMonth: [YearMonth: MonthTotal] = [:]
        for lot in lots {
            for m in lot.credit.months {
                var total =
                    byMonth[m.month]
                    ?? MonthTotal(month: m.month, worked: 0, training: 0, credited: 0, cumulativeCredited: 0)
                total.worked += m.worked
                total.training += m.training
                total.credited += m.credited
                byMonth[m.month] = total
            }
        }
        var cumulative: Decimal = 0
        return byMonth.keys.sorted().map { key -> MonthTotal in
            var m = byMonth[key]!
            cumulative += m.credited
            m.cumulativeCredited = cumulative
            return m
        }
    }

    /// 404 for a subject the caller may not see (a buyer asking for another buyer…).
    private func requireVisible(_ caller: Caller, _ subject: BalanceSubject, on connection: PostgresConnection)
        async throws
    {
        switch subject {
        case .lot(let id): _ = try await EntityStore<Lot>(pool: pool).get(caller, id: id, on: connection)
        case .publicContract(let id):
            _ = try await EntityStore<PublicContract>(pool: pool).get(caller, id: id, on: connection)
        case .company(let id): _ = try await EntityStore<Company>(pool: pool).get(caller, id: id, on: connection)
        case .buyer(let id): _ = try await EntityStore<Buyer>(pool: pool).get(caller, id: id, on: connection)
        case .operation(let id): _ = try await EntityStore<Operation>(pool: pool).get(caller, id: id, on: connection)
        }
    }

    /// A lot's balance with its month series and pending hours in hundredths (months nil when counted in Decimal).
    struct ComputedLot: Sendable {
        let balance: LotBalance
        let months: [CountedMonthTotal]?
        let pendingHundredths: Int64
    }

    private struct LotRow: Sendable {
        let id: UUID, number: Int, label: String, start: LocalDate?, end: LocalDate?, contractId: UUID,
            contractReference: String
        let buyerId: UUID, operationId: UUID?, mode: String, required: Decimal, overrides: String, contractorId: UUID?,
            contractorName: String?
    }

    /// Reads the facts and computes; run inside a REPEATABLE READ transaction so the lots and their facts
    /// come from one snapshot. JIT compilation is turned off for it: these short set-based queries cross
    /// its cost threshold on large buyers and would pay more for compiling than they save.
    func compute(_ caller: Caller, subject: BalanceSubject, at: LocalDate, on connection: PostgresConnection)
        async throws -> [ComputedLot]
    {
        try await connection.execute("SET LOCAL jit = off")
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
        switch subject {
        case .lot(let id): sql.append("l.id = \(sql.bind(id))")
        case .publicContract(let id): sql.append("l.public_contract_id = \(sql.bind(id))")
        case .company(let id): sql.append("ctr.company_id = \(sql.bind(id))")
        case .buyer(let id): sql.append("pc.buyer_id = \(sql.bind(id))")
        case .operation(let id): sql.append("pc.operation_id = \(sql.bind(id))")
        }
        if let predicate = Scopes.lots(caller, alias: "l", &sql) { sql.append("AND \(predicate)") }
        sql.append("ORDER BY pc.reference, l.number")
        let lotRows = try await connection.query(sql).map { row in
            LotRow(
                id: try row.decode(0), number: try row.decode(1), label: try row.decode(2), start: try row.decode(3),
                end: try row.decode(4),
                contractId: try row.decode(5), contractReference: try row.decode(6), buyerId: try row.decode(7),
                operationId: try row.decode(8),
                mode: try row.decode(9), required: try row.numeric0(10), overrides: try row.decode(11),
                contractorId: try row.decode(12),
                contractorName: try row.decode(13))
        }
        guard !lotRows.isEmpty else { return [] }

        // All facts of all these lots in one query: one row per placement, its current non-rejected reports
        // packed as `monthIndex:v|d:worked:training:attested:amount` items joined by `;` (a row per report would
        // repeat the placement's columns and multiply the per-cell cost). The LATERAL aggregate reads each
        // placement's reports by an index-only scan of hour_reports_current (a join + GROUP BY made large subjects
        // hash-join the whole table and sort it on disk); the figures are sent as their numeric text and the month
        // through date_part (float): numeric arithmetic (extract() is numeric) cost more than the rest of the row.
        let facts = try await connection.query(
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
            """, [PostgresTextArray(lotRows.map { $0.id.uuidString.lowercased() }), at.yearMonth.firstDay])

        // Decode the rows (cheap), then parse the packed reports and apply the pure rules per lot, in parallel
        // chunks for large subjects (the rules are pure, the work per lot independent).
        var byLot: [UUID: [RawPlacement]] = [:]
        var dates: [String: LocalDate] = [:]
        func date(_ text: String?) throws -> LocalDate? {
            guard let text else { return nil }
            if let known = dates[text] { return known }
            guard let value = LocalDate(iso: text) else { throw PostgresError(.decoding, "date illisible « \(text) »") }
            dates[text] = value
            return value
        }
        for row in facts {
            guard let mode = ExecutionMode(rawValue: try row.decode(2)),
                let contract = EmploymentContractType(rawValue: try row.decode(3))
            else {
                throw PostgresError(.decoding, "modalité ou contrat inconnu")
            }
            byLot[try row.decode(0), default: []].append(
                RawPlacement(
                    facts: PlacementFacts(
                        id: try row.decode(1), mode: mode, contractType: contract, start: try date(try row.decode(4))!,
                        end: try date(try row.decode(5)), eligibleAtStart: try row.decode(6),
                        onClauseOperation: try row.decode(7)),
                    packed: try row.decode(8)))
        }
        var tables: [String: CountingRuleTable] = [:]
        var work: [(LotRow, CountingRuleTable, [RawPlacement])] = []
        work.reserveCapacity(lotRows.count)
        for lot in lotRows {
            if tables[lot.overrides] == nil {
                let overrides = try JSONCoding.decoder.decode(
                    CountingRuleOverrides.self, from: Data(lot.overrides.utf8))
                tables[lot.overrides] = countingDefaults.overriding(with: overrides)
            }
            work.append((lot, tables[lot.overrides]!, byLot[lot.id] ?? []))
        }
        let tolerance = tolerance
        return try await Self.concurrentMap(work) { lot, table, raw in
            // Reports stay integer hundredths from the SQL text to the count: no Decimal per report.
            var placements: [CountedPlacement<Int64>] = []
            placements.reserveCapacity(raw.count)
            var pending: Int64 = 0
            var pendingCount = 0
            for item in raw {
                var months: [CountedMonth<Int64>] = []
                if let packed = item.packed {
                    for report in packed.utf8.split(separator: UInt8(ascii: ";")) {
                        let fields = report.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
                        guard fields.count == 6 else { throw PostgresError(.decoding, "relevé d'heures illisible") }
                        let attested = fields[4].isEmpty ? nil : NumericText.hundredths(text: fields[4])
                        let amount = fields[5].isEmpty ? nil : NumericText.hundredths(text: fields[5])
                        guard let index = NumericText.integer(fields[0]),
                            let worked = NumericText.hundredths(text: fields[2]),
                            let training = NumericText.hundredths(text: fields[3]),
                            fields[4].isEmpty || attested != nil, fields[5].isEmpty || amount != nil
                        else {
                            throw PostgresError(.decoding, "relevé d'heures illisible")
                        }
                        if fields[1].first == UInt8(ascii: "v") {
                            months.append(
                                CountedMonth(
                                    month: Int(index), worked: worked, training: training, attested: attested,
                                    amount: amount))
                        } else {
                            pending += worked + training
                            pendingCount += 1
                        }
                    }
                }
                placements.append(CountedPlacement(facts: item.facts, months: months))
            }
            let (credit, months) = creditHours(
                hundredths: placements, requiredHours: lot.required, rules: table, through: at.yearMonth)
            let balance = computeBalance(
                BalanceInput(
                    requiredHours: lot.required, credit: credit, executionStart: lot.start,
                    executionEnd: lot.end, at: at, tolerance: tolerance))
            return ComputedLot(
                balance: LotBalance(
                    lotId: lot.id, lotNumber: lot.number, lotLabel: lot.label, publicContractId: lot.contractId,
                    publicContractReference: lot.contractReference, buyerId: lot.buyerId, operationId: lot.operationId,
                    contractorId: lot.contractorId, contractorName: lot.contractorName, calibrationMode: lot.mode,
                    placementCount: placements.count, balance: balance, credit: credit,
                    pendingHours: Hundredths.decimal(pending),
                    pendingReports: pendingCount), months: months, pendingHundredths: pending)
        }
    }

    private struct RawPlacement: Sendable {
        let facts: PlacementFacts
        let packed: String?
    }

    /// `transform` over `items`, in order; in parallel chunks (one per processor) when there are many.
    static func concurrentMap<T: Sendable, R: Sendable>(
        _ items: [T], minimumChunk: Int = 64,
        _ transform: @escaping @Sendable (T) throws -> R
    ) async throws -> [R] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, items.count / minimumChunk))
        if workers == 1 { return try items.map(transform) }
        let size = (items.count + workers - 1) / workers
        return try await withThrowingTaskGroup(of: (Int, [R]).self) { group in
            for start in stride(from: 0, to: items.count, by: size) {
                let chunk = Array(items[start..<min(start + size, items.count)])
                group.addTask { (start, try chunk.map(transform)) }
            }
            var parts: [(Int, [R])] = []
            for try await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }
}
