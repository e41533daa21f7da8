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
            // `inScope`'s parameters, bound once for the three queries.
            let placements: [(any PostgresEncodable)?] = [PostgresTextArray(lotIds.map(\.uuidString)), period.from, at]
            let persons = try await people(placements, on: connection)
            let contracts = try await contracts(placements, on: connection)
            let beyond = try await hoursBeyondClause(placements, on: connection)
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
                "\(scope.kind.definite) \(scope.id.uuidString.lowercased()) est introuvable ou hors de votre périmètre."
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

    /// The placements a bilan counts, as SQL over `placements p` with `$1` the lots, `$2` the period's start
    /// (NULL: since the start) and `$3` the bilan's date: counting placements (the person eligible at the
    /// start, DOMAIN §4 rule 1) on those lots, started by the bilan's date and not ended before the period.
    private static let inScope = """
        p.lot_id = ANY($1::uuid[]) AND p.counting AND p.start_date <= $3
        AND (p.end_date IS NULL OR $2::date IS NULL OR p.end_date >= $2)
        """

    /// The people placed on `lots` during the period, with what the bilan counts about them: their first
    /// placement on these lots (their age band, and where exits are looked for from), the end of their last
    /// one in the period, and the outcome facts the day after it ends and six months later.
    private func people(_ placements: [(any PostgresEncodable)?], on connection: PostgresConnection) async throws
        -> [BilanPerson]
    {
        try await connection.query(
            """
            WITH pl AS (
                SELECT p.participant_id, p.lot_id, p.end_date, p.eligibility_criteria, p.priority_area
                FROM placements p WHERE \(Self.inScope)
            ), person AS (
                SELECT participant_id,
                       (SELECT min(q.start_date) FROM placements q
                        WHERE q.participant_id = pl.participant_id AND q.lot_id = ANY($1::uuid[]) AND q.counting) AS first_start,
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
                           AND (w.exit_date IS NULL OR $2::date IS NULL OR w.exit_date >= $2)),
                   \(Self.working("d.d1", training: false)), \(Self.working("d.d1", training: true)), x1.exit_kind,
                   \(Self.working("d.d6", training: false)), \(Self.working("d.d6", training: true)), x6.exit_kind, s.lots
            FROM person s
            JOIN participants pa ON pa.id = s.participant_id
            CROSS JOIN LATERAL (SELECT s.last_end + 1 AS d1, (s.last_end + interval '6 months')::date AS d6) d
            LEFT JOIN LATERAL (\(Self.exitBy("d.d1"))) x1 ON true
            LEFT JOIN LATERAL (\(Self.exitBy("d.d6"))) x6 ON true
            ORDER BY s.first_start, s.participant_id
            """, placements
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
                    employed: try row.decode(7) ?? false, training: try row.decode(8) ?? false,
                    exit: try row.decodeOptionalEnum(9, table: "pathways", column: "exit_kind")),
                afterSixMonths: OutcomeFacts(
                    employed: try row.decode(10) ?? false, training: try row.decode(11) ?? false,
                    exit: try row.decodeOptionalEnum(12, table: "pathways", column: "exit_kind")),
                lotIds: Set(
                    try (row.decode(13) as String).split(separator: ",").compactMap { UUID(uuidString: String($0)) }))
        }
    }

    /// SQL: the person holds an employment episode or a placement covering `day`: a job, or with `training`
    /// a training contract (`contract_type = 'training'`).
    private static func working(_ day: String, training: Bool) -> String {
        let kind = training ? "= 'training'" : "<> 'training'"
        return """
            (EXISTS (SELECT 1 FROM employment_episodes e WHERE e.participant_id = s.participant_id AND e.contract_type \(kind)
                     AND e.start_date <= \(day) AND (e.end_date IS NULL OR e.end_date >= \(day)))
             OR EXISTS (SELECT 1 FROM placements q WHERE q.participant_id = s.participant_id AND q.contract_type \(kind)
                     AND q.start_date <= \(day) AND (q.end_date IS NULL OR q.end_date >= \(day))))
            """
    }

    /// SQL: the person's latest pathway exit between their first placement and `day`.
    private static func exitBy(_ day: String) -> String {
        """
        SELECT w.exit_kind FROM pathways w WHERE w.participant_id = s.participant_id
        AND w.exit_date BETWEEN s.first_start AND \(day) ORDER BY w.exit_date DESC, w.id LIMIT 1
        """
    }

    /// The employment contracts (placements) the bilan counts.
    private func contracts(_ placements: [(any PostgresEncodable)?], on connection: PostgresConnection) async throws
        -> [BilanContractFacts]
    {
        try await connection.query(
            "SELECT p.contract_type, p.start_date, p.end_date FROM placements p WHERE \(Self.inScope)",
            placements
        ).map { row in
            BilanContractFacts(
                type: try row.decodeEnum(0, table: "placements", column: "contract_type"), start: try row.decode(1),
                end: try row.decode(2))
        }
    }

    /// The effet levier's second half: for each person the bilan counts, the validated worked hours of their
    /// placements off these lots and the monthly hours of their employment episodes, for the months of the
    /// period from the month of their first placement on these lots.
    private func hoursBeyondClause(_ placements: [(any PostgresEncodable)?], on connection: PostgresConnection)
        async throws -> Decimal
    {
        try await connection.query(
            """
            WITH people AS (
                SELECT p.participant_id, date_trunc('month', min(earliest.start_date))::date AS since
                FROM placements p
                JOIN placements earliest ON earliest.participant_id = p.participant_id
                     AND earliest.lot_id = ANY($1::uuid[]) AND earliest.counting
                WHERE \(Self.inScope) GROUP BY p.participant_id
            ), bounds AS (
                SELECT participant_id, greatest(since, COALESCE(date_trunc('month', $2::date)::date, since)) AS since
                FROM people
            )
            SELECT COALESCE((SELECT sum(hr.worked_hours) FROM bounds b
                             JOIN placements p ON p.participant_id = b.participant_id AND NOT p.lot_id = ANY($1::uuid[])
                             JOIN hour_reports hr ON hr.placement_id = p.id
                             WHERE hr.current AND hr.status = 'validated' AND hr.month >= b.since AND hr.month <= $3), 0)
                 + COALESCE((SELECT sum(m.hours) FROM bounds b
                             JOIN employment_episodes e ON e.participant_id = b.participant_id
                             JOIN employment_episode_months m ON m.episode_id = e.id
                             WHERE m.month >= b.since AND m.month <= $3), 0)
            """, placements
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
