import Foundation
import PostgresClient

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
/// every lot. Facts for all the lots of a subject are read by `LedgerFactsQuery` in two set-based queries.
public struct BalanceService: Sendable {
    let pool: PostgresPool
    let facts: LedgerFactsQuery
    let tolerance: Decimal

    public init(pool: PostgresPool, countingDefaults: CountingRuleTable, tolerance: Decimal) {
        self.pool = pool
        self.facts = LedgerFactsQuery(countingDefaults: countingDefaults)
        self.tolerance = tolerance
    }

    /// One lot's balance; 404 when the lot is not visible or carries no clause.
    public func lotBalance(_ caller: Caller, lotId: UUID, at: LocalDate) async throws -> LotBalance {
        let lots = try await pool.withTransaction(isolation: .repeatableRead) { connection in
            try await compute(caller, lots: .subject(.lot(lotId)), at: at, on: connection)
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
            return try await compute(caller, lots: .subject(subject), at: at, on: connection)
        }
        let sorted = sortedByUrgency(lots.map { $0.balance.visible(to: caller) }) { $0.balance }
        return BalanceSummary(
            subject: subject.kind, subjectId: subject.id, at: at,
            aggregate: aggregateBalances(sorted.map(\.balance)), lots: sorted, months: Self.monthTotals(lots),
            pendingHours: Hundredths.decimal(lots.reduce(0) { $0 + $1.pendingHundredths }))
    }

    /// The lots under execution on `at` that the caller may see and that end first, at most `limit`,
    /// most urgent first, with how many are under execution in all (the dashboard's "what needs me
    /// today"): the same computation as any subject's balance, bounded so that a territory of a hundred
    /// thousand lots does not compute them all on every visit.
    public func lotsUnderWay(_ caller: Caller, at: LocalDate, limit: Int) async throws -> (
        lots: [LotBalance], underWay: Int
    ) {
        let (lots, count) = try await pool.withTransaction(isolation: .repeatableRead) { connection in
            (
                try await compute(caller, lots: .underWay(limit: limit), at: at, on: connection),
                try await facts.underWayCount(caller, at: at, on: connection)
            )
        }
        return (sortedByUrgency(lots.map { $0.balance.visible(to: caller) }) { $0.balance }, count)
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
        var byMonth: [Int: HundredthsMonthTotal] = [:]
        for lot in lots {
            guard let months = lot.months else { return decimalMonthTotals(lots.map(\.balance)) }
            for m in months {
                var total =
                    byMonth[m.month] ?? HundredthsMonthTotal(month: m.month, worked: 0, training: 0, credited: 0)
                guard add(&total.worked, m.worked), add(&total.training, m.training), add(&total.credited, m.credited)
                else {
                    return decimalMonthTotals(lots.map(\.balance))
                }
                byMonth[m.month] = total
            }
        }
        var totals: [MonthTotal] = []
        var cumulative: Int64 = 0
        for (key, m) in byMonth.sorted(by: { $0.key < $1.key }) {
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
        return byMonth.sorted(by: { $0.key < $1.key }).map { _, total -> MonthTotal in
            var m = total
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
        let months: [HundredthsMonthTotal]?
        let pendingHundredths: Int64
    }

    /// Reads the facts and applies the rules, lot by lot (in parallel chunks for large subjects: the rules
    /// are pure and each lot independent). Run inside a REPEATABLE READ transaction.
    func compute(
        _ caller: Caller, lots selection: LedgerFactsQuery.LotSelection, at: LocalDate,
        on connection: PostgresConnection
    ) async throws -> [ComputedLot] {
        let lots = try await facts.read(caller, lots: selection, at: at, on: connection)
        let tolerance = tolerance
        return try await Self.concurrentMap(lots) { lot in
            var placements: [HundredthsPlacement] = []
            placements.reserveCapacity(lot.placements.count)
            var pending: Int64 = 0
            var pendingCount = 0
            for item in lot.placements {
                let reports = try item.reports.parse()
                pending += reports.pendingHundredths
                pendingCount += reports.pendingCount
                placements.append(HundredthsPlacement(facts: item.facts, months: reports.validated))
            }
            let (credit, months) = creditHours(
                hundredths: placements, requiredHours: lot.requiredHours, rules: lot.rules, through: at.yearMonth)
            let balance = computeBalance(
                BalanceInput(
                    requiredHours: lot.requiredHours, credit: credit, executionStart: lot.start, executionEnd: lot.end,
                    at: at, tolerance: tolerance))
            return ComputedLot(
                balance: LotBalance(
                    lotId: lot.id, lotNumber: lot.number, lotLabel: lot.label, publicContractId: lot.contractId,
                    publicContractReference: lot.contractReference, buyerId: lot.buyerId, operationId: lot.operationId,
                    contractorId: lot.contractorId, contractorName: lot.contractorName,
                    calibrationMode: lot.calibrationMode, placementCount: placements.count, balance: balance,
                    credit: credit, pendingHours: Hundredths.decimal(pending), pendingReports: pendingCount),
                months: months, pendingHundredths: pending)
        }
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
