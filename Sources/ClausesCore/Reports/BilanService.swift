import Foundation
import PostgresClient

/// Builds bilans (DOMAIN §8) from the ledger, in one REPEATABLE READ transaction: the hours from the
/// balance service (the pages' own computation, not a second one), the people, contracts and outcomes from
/// two set-based queries over the scope's placements, then the pure `BilanCounts` under statistical secrecy.
///
/// Who may ask: admin and facilitators, for any scope and dates; a buyer account for its own buyer's scopes
/// and whole periods only (`ReportPeriod.isWhole`). Référents and companies: 403.
public struct BilanService: Sendable {
    let pool: PostgresPool
    let balances: BalanceService
    let secrecy: StatisticalSecrecy
    let clock: any CivilClock

    public init(pool: PostgresPool, balances: BalanceService, secrecy: StatisticalSecrecy, clock: any CivilClock) {
        self.pool = pool
        self.balances = balances
        self.secrecy = secrecy
        self.clock = clock
    }

    /// `today`: the day taken for today (a job's or a command's `--as-of`), the clock's by default.
    public func bilan(_ caller: Caller, scope: ReportScope, period: ReportPeriod, today: LocalDate? = nil)
        async throws -> Bilan
    {
        try Self.requireReader(caller, period: period)
        let today = today ?? clock.today
        let at = min(period.to, today)
        return try await pool.withTransaction(isolation: .repeatableRead) { connection in
            let identity = try await identify(caller, scope, on: connection)
            let lots = try await balances.compute(caller, lots: .subject(scope.balanceSubject), at: at, on: connection)
                .sorted {
                    ($0.balance.publicContractReference, $0.balance.lotNumber) < (
                        $1.balance.publicContractReference, $1.balance.lotNumber
                    )
                }
            let lotIds = lots.map(\.balance.lotId)
            let persons = try await people(lots: lotIds, period: period, on: connection)
            let contracts = try await contracts(lots: lotIds, period: period, on: connection)
            let beyond = try await hoursBeyondClause(lots: lotIds, period: period, on: connection)
            return assemble(
                identity: identity, scope: scope, period: period, at: at, today: today, lots: lots, persons: persons,
                contracts: contracts, hoursBeyondClause: beyond)
        }
    }

    /// Staff who report (admin, facilitator) and buyers; a buyer only for whole periods.
    static func requireReader(_ caller: Caller, period: ReportPeriod) throws(DomainError) {
        switch caller.role {
        case .admin, .facilitator: return
        case .buyer:
            guard period.isWhole else {
                throw DomainError.invalid(
                    "period",
                    "Un donneur d'ordre choisit une période entière (depuis le début, un mois, un trimestre ou une année), pas des dates libres."
                )
            }
        case .referent, .company: throw DomainError.forbidden
        }
    }

    struct Identity {
        var scopeLabel: String
        var buyerName: String
        var operationName: String?
        var contracts: [Bilan.Contract]
    }

    /// The scope's names, or 404 when it does not exist or the caller may not see it.
    private func identify(_ caller: Caller, _ scope: ReportScope, on connection: PostgresConnection) async throws
        -> Identity
    {
        var sql = SQL()
        let id = sql.bind(scope.id)
        let predicate: String?
        switch scope {
        case .publicContract:
            sql.text = """
                SELECT b.name, o.name, pc.reference || ' — ' || pc.object FROM public_contracts pc
                JOIN buyers b ON b.id = pc.buyer_id LEFT JOIN operations o ON o.id = pc.operation_id WHERE pc.id = \(id)
                """
            predicate = Scope.publicContracts(caller, alias: "pc", &sql)
        case .operation:
            sql.text =
                "SELECT b.name, o.name, o.name FROM operations o JOIN buyers b ON b.id = o.buyer_id WHERE o.id = \(id)"
            predicate = Scope.operations(caller, alias: "o", &sql)
        case .buyer:
            sql.text = "SELECT b.name, NULL::text, b.name FROM buyers b WHERE b.id = \(id)"
            predicate = Scope.buyers(caller, alias: "b", &sql)
        }
        if let predicate { sql.append("AND \(predicate)") }
        guard let row = try await connection.query(sql).first else {
            throw DomainError.notFound(
                "\(scope.kind.frenchLabel) \(scope.id.uuidString.lowercased()) : introuvable ou hors de votre périmètre."
            )
        }
        let column =
            switch scope {
            case .publicContract: "id"
            case .operation: "operation_id"
            case .buyer: "buyer_id"
            }
        let contracts = try await connection.query(
            "SELECT reference, object FROM public_contracts WHERE \(column) = $1 ORDER BY reference", [scope.id]
        ).map { Bilan.Contract(reference: try $0.decode(0), object: try $0.decode(1)) }
        return Identity(
            scopeLabel: try row.decode(2), buyerName: try row.decode(0), operationName: try row.decode(1),
            contracts: contracts)
    }

    /// The people placed on `lots` during the period, with what the bilan counts about them. The outcome
    /// facts are read on the day after their last placement's end and six months after it.
    private func people(lots: [UUID], period: ReportPeriod, on connection: PostgresConnection) async throws
        -> [BilanPerson]
    {
        try await connection.query(
            """
            WITH pl AS (
                SELECT participant_id, lot_id, start_date, end_date, eligibility_criteria, priority_area FROM placements
                WHERE lot_id = ANY($1::uuid[]) AND start_date <= $3 AND (end_date IS NULL OR $2::date IS NULL OR end_date >= $2)
            ), person AS (
                SELECT participant_id, min(start_date) AS first_start,
                       CASE WHEN bool_or(end_date IS NULL) THEN NULL ELSE max(end_date) END AS last_end,
                       array_to_string(array_agg(DISTINCT lot_id), ',') AS lots,
                       CASE WHEN bool_or(priority_area = 'qpv') THEN true
                            WHEN bool_and(priority_area IS NOT NULL) THEN false END AS qpv,
                       (SELECT array_to_string(array_agg(DISTINCT c), ',') FROM pl p2, unnest(p2.eligibility_criteria) c
                        WHERE p2.participant_id = pl.participant_id) AS criteria
                FROM pl GROUP BY participant_id
            )
            SELECT pa.sex, pa.birth_date, s.first_start, s.last_end, s.criteria, s.qpv,
                   EXISTS (SELECT 1 FROM pathways w WHERE w.participant_id = s.participant_id AND w.entry_date <= $3
                           AND (w.exit_date IS NULL OR w.exit_date >= COALESCE($2::date, w.exit_date))),
                   e1.employed, x1.exit_kind, e6.employed, x6.exit_kind, s.lots
            FROM person s
            JOIN participants pa ON pa.id = s.participant_id
            CROSS JOIN LATERAL (SELECT s.last_end + 1 AS d1, (s.last_end + interval '6 months')::date AS d6) d
            CROSS JOIN LATERAL (SELECT \(Self.employedOn("d.d1")) AS employed) e1
            CROSS JOIN LATERAL (SELECT \(Self.employedOn("d.d6")) AS employed) e6
            LEFT JOIN LATERAL (\(Self.exitBy("d.d1"))) x1 ON true
            LEFT JOIN LATERAL (\(Self.exitBy("d.d6"))) x6 ON true
            ORDER BY s.first_start, s.participant_id
            """, [PostgresTextArray(lots.map(\.uuidString)), period.from, period.to]
        ).map { row in
            BilanPerson(
                sex: try row.decode(0), birthDate: try row.decode(1), firstStart: try row.decode(2),
                lastEnd: try row.decode(3),
                criteria: Set(
                    try (row.decode(4) as String?).map {
                        $0.split(separator: ",").compactMap { EligibilityCriterionCode(rawValue: String($0)) }
                    } ?? []),
                qpvResident: try row.decode(5), plieParticipant: try row.decode(6),
                atEnd: OutcomeFacts(
                    employed: try row.decode(7) ?? false,
                    exit: try row.decodeOptionalEnum(8, table: "pathways", column: "exit_kind")),
                afterSixMonths: OutcomeFacts(
                    employed: try row.decode(9) ?? false,
                    exit: try row.decodeOptionalEnum(10, table: "pathways", column: "exit_kind")),
                lotIds: Set(
                    try (row.decode(11) as String).split(separator: ",").compactMap { UUID(uuidString: String($0)) }))
        }
    }

    /// SQL: the person holds an employment episode or a placement covering `day`.
    private static func employedOn(_ day: String) -> String {
        """
        EXISTS (SELECT 1 FROM employment_episodes e WHERE e.participant_id = s.participant_id AND e.start_date <= \(day)
                AND (e.end_date IS NULL OR e.end_date >= \(day)))
        OR EXISTS (SELECT 1 FROM placements q WHERE q.participant_id = s.participant_id AND q.start_date <= \(day)
                AND (q.end_date IS NULL OR q.end_date >= \(day)))
        """
    }

    /// SQL: the person's latest pathway exit between their first placement and `day`.
    private static func exitBy(_ day: String) -> String {
        """
        SELECT w.exit_kind FROM pathways w WHERE w.participant_id = s.participant_id
        AND w.exit_date BETWEEN s.first_start AND \(day) ORDER BY w.exit_date DESC, w.id LIMIT 1
        """
    }

    /// The employment contracts (placements) on `lots` during the period.
    private func contracts(lots: [UUID], period: ReportPeriod, on connection: PostgresConnection) async throws
        -> [BilanContractFacts]
    {
        try await connection.query(
            """
            SELECT contract_type, start_date, end_date FROM placements
            WHERE lot_id = ANY($1::uuid[]) AND start_date <= $3 AND (end_date IS NULL OR $2::date IS NULL OR end_date >= $2)
            """, [PostgresTextArray(lots.map(\.uuidString)), period.from, period.to]
        ).map { row in
            BilanContractFacts(
                type: try row.decodeEnum(0, table: "placements", column: "contract_type"), start: try row.decode(1),
                end: try row.decode(2))
        }
    }

    /// The effet levier's second half: validated worked hours of the same people's placements off these lots,
    /// and the monthly hours of their employment episodes, for the months of the period.
    private func hoursBeyondClause(lots: [UUID], period: ReportPeriod, on connection: PostgresConnection)
        async throws -> Decimal
    {
        try await connection.query(
            """
            WITH people AS (
                SELECT DISTINCT participant_id FROM placements
                WHERE lot_id = ANY($1::uuid[]) AND start_date <= $3 AND (end_date IS NULL OR $2::date IS NULL OR end_date >= $2)
            )
            SELECT COALESCE((SELECT sum(hr.worked_hours) FROM hour_reports hr JOIN placements p ON p.id = hr.placement_id
                             WHERE p.participant_id IN (SELECT participant_id FROM people) AND NOT p.lot_id = ANY($1::uuid[])
                             AND hr.current AND hr.status = 'validated' AND hr.month <= $3
                             AND ($2::date IS NULL OR hr.month >= date_trunc('month', $2::date))), 0)
                 + COALESCE((SELECT sum(m.hours) FROM employment_episode_months m
                             JOIN employment_episodes e ON e.id = m.episode_id
                             WHERE e.participant_id IN (SELECT participant_id FROM people) AND m.month <= $3
                             AND ($2::date IS NULL OR m.month >= date_trunc('month', $2::date))), 0)
            """, [PostgresTextArray(lots.map(\.uuidString)), period.from, period.to]
        ).first?.decode(0) ?? 0
    }

    /// The bilan from its facts: hours per lot, contractor, mode and month; people and contracts under secrecy.
    func assemble(
        identity: Identity, scope: ReportScope, period: ReportPeriod, at: LocalDate, today: LocalDate,
        lots: [BalanceService.ComputedLot], persons: [BilanPerson], contracts: [BilanContractFacts],
        hoursBeyondClause: Decimal
    ) -> Bilan {
        let balances = lots.map(\.balance)
        let inPeriod = { (lot: LotBalance) in
            lot.credit.months.filter { period.contains($0.month) }.reduce(Decimal(0)) { $0 + $1.credited }
        }
        var peopleByLot: [UUID: [BilanPerson]] = [:]
        for person in persons { for lot in person.lotIds { peopleByLot[lot, default: []].append(person) } }
        let bilanLots = balances.map { lot in
            BilanLot(
                contractReference: lot.publicContractReference, lotNumber: lot.lotNumber, lotLabel: lot.lotLabel,
                contractorName: lot.contractorName, executionStart: lot.balance.executionStart,
                executionEnd: lot.balance.executionEnd, hours: BilanHours(lot.balance, creditedInPeriod: inPeriod(lot)),
                people: BilanCounts.lotPeople(peopleByLot[lot.lotId] ?? [], secrecy: secrecy))
        }
        let byContractor = Dictionary(grouping: balances) { $0.contractorName ?? "Titulaire non renseigné" }
        let contractors = byContractor.keys.sorted().map { name in
            let group = byContractor[name] ?? []
            return BilanContractor(
                name: name, lotCount: group.count,
                hours: BilanHours(
                    aggregateBalances(group.map(\.balance)), creditedInPeriod: group.map(inPeriod).reduce(0, +)))
        }
        var modes: [ExecutionMode: (worked: Decimal, credited: Decimal)] = [:]
        for lot in balances {
            for mode in lot.credit.byMode {
                let credited =
                    mode.countedWorkedHours + mode.countedTrainingHours + mode.bonusHours + mode.convertedHours
                let sum = modes[mode.mode] ?? (0, 0)
                modes[mode.mode] = (sum.worked + mode.workedHours, sum.credited + credited)
            }
        }
        let aggregate = aggregateBalances(balances.map(\.balance))
        return Bilan(
            scope: scope.kind, scopeLabel: identity.scopeLabel, buyerName: identity.buyerName,
            operationName: identity.operationName, publicContracts: identity.contracts, period: period, at: at,
            generatedOn: today, secrecyThreshold: secrecy.threshold,
            hours: BilanHours(aggregate, creditedInPeriod: balances.map(inPeriod).reduce(0, +)), lots: bilanLots,
            contractors: contractors,
            byMode: ExecutionMode.allCases.compactMap { mode in
                modes[mode].map {
                    BilanModeHours(
                        mode: mode, label: mode.frenchLabel, workedHours: $0.worked, creditedHours: $0.credited)
                }
            },
            months: BalanceService.monthTotals(lots).filter { period.contains($0.month) }.map {
                BilanMonth(
                    month: $0.month, label: French.month($0.month), workedHours: $0.worked, trainingHours: $0.training,
                    creditedHours: $0.credited, cumulativeCreditedHours: $0.cumulativeCredited)
            },
            people: BilanCounts.people(persons, at: at, secrecy: secrecy),
            employmentContracts: BilanCounts.contracts(contracts, secrecy: secrecy),
            leverage: BilanLeverage(surplusHours: aggregate.surplusHours, hoursBeyondClause: hoursBeyondClause))
    }
}
