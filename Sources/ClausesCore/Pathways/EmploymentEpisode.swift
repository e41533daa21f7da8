import Foundation
import PostgresClient

/// Paid work outside clause placements, recorded by a référent (DOMAIN §6): it feeds outcome detection
/// and the "emplois de parcours" count.
public struct EmploymentEpisode: Codable, Sendable, Equatable {
    public struct MonthHours: Codable, Sendable, Equatable {
        public var month: YearMonth
        public var hours: Decimal
        public init(month: YearMonth, hours: Decimal) {
            self.month = month
            self.hours = hours
        }
    }

    public struct Input: Codable, Sendable {
        public var employerName: String?
        public var contractType: EmploymentContractType?
        public var startDate: LocalDate?
        public var endDate: LocalDate?
        public var weeklyHours: FlexibleDecimal?
        public var reducedHoursAgreed: Bool?
        public var source: String?
        /// Replaces the stated monthly hours when given.
        public var monthlyHours: [MonthInput]?
        /// Update only: optional fields to empty (a value left out keeps the stored one).
        public var clear: [String]?
        public static let clearable: Set<String> = ["endDate", "weeklyHours"]

        public struct MonthInput: Codable, Sendable {
            public var month: YearMonth
            public var hours: FlexibleDecimal
            public init(month: YearMonth, hours: Decimal) {
                self.month = month
                self.hours = FlexibleDecimal(hours)
            }
        }

        public init(
            employerName: String? = nil, contractType: EmploymentContractType? = nil, startDate: LocalDate? = nil,
            endDate: LocalDate? = nil, weeklyHours: Decimal? = nil, reducedHoursAgreed: Bool? = nil,
            source: String? = nil, monthlyHours: [MonthInput]? = nil
        ) {
            self.employerName = employerName
            self.contractType = contractType
            self.startDate = startDate
            self.endDate = endDate
            self.weeklyHours = weeklyHours.map(FlexibleDecimal.init)
            self.reducedHoursAgreed = reducedHoursAgreed
            self.source = source
            self.monthlyHours = monthlyHours
        }
    }

    public let id: UUID
    public let participantId: UUID
    public let employerName: String
    public let contractType: EmploymentContractType
    public let startDate: LocalDate
    public let endDate: LocalDate?
    public let weeklyHours: Decimal?
    public let reducedHoursAgreed: Bool
    public let source: String?
    public internal(set) var monthlyHours: [MonthHours]
    public let recordedByLabel: String
    public let createdAt: Date
    public let updatedAt: Date

    /// What outcome detection reads.
    public var paidWork: PaidWork {
        PaidWork(
            id: id.uuidString.lowercased(), contractType: contractType, start: startDate, end: endDate,
            weeklyHours: weeklyHours, reducedHoursAgreed: reducedHoursAgreed,
            monthlyHours: Dictionary(monthlyHours.map { ($0.month, $0.hours) }, uniquingKeysWith: +))
    }

    static let columns = """
        e.id, e.participant_id, e.employer_name, e.contract_type, e.start_date, e.end_date, e.weekly_hours, \
        e.reduced_hours_agreed, e.source, e.recorded_by_label, e.created_at, e.updated_at
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        participantId = try row.decode("participant_id")
        employerName = try row.decode("employer_name")
        contractType = try row.decodeEnum("contract_type", table: "employment_episodes")
        startDate = try row.decode("start_date")
        endDate = try row.decode("end_date")
        weeklyHours = try row.numeric(6)
        reducedHoursAgreed = try row.decode("reduced_hours_agreed")
        source = try row.decode("source")
        recordedByLabel = try row.decode("recorded_by_label")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
        monthlyHours = []
    }
}

/// Employment episodes: recorded and read by staff (admin, facilitator) and by the participant's référent.
public struct EmploymentEpisodeStore: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    public func list(_ caller: Caller, participantId: UUID) async throws -> [EmploymentEpisode] {
        try await pool.withConnection { connection in
            try await ParticipantStore.requireVisible(caller, participantId: participantId, lock: false, on: connection)
            let episodes = try await connection.query(
                "SELECT \(EmploymentEpisode.columns) FROM employment_episodes e WHERE e.participant_id = $1 ORDER BY e.start_date, e.id",
                [participantId]
            ).map(EmploymentEpisode.init(row:))
            return try await withMonths(episodes, on: connection)
        }
    }

    public func get(_ caller: Caller, id: UUID) async throws -> EmploymentEpisode {
        try await pool.withConnection { try await get(caller, id, on: $0) }
    }

    public func create(_ caller: Caller, participantId: UUID, _ input: EmploymentEpisode.Input) async throws
        -> EmploymentEpisode
    {
        try Self.requireWriter(caller)
        return try await ConstraintMessages.translating([:]) {
            try await pool.withTransaction { connection in
                try await ParticipantStore.requireVisible(
                    caller, participantId: participantId, lock: true, on: connection)
                let values = try Self.validated(input, existing: nil)
                let id = try await connection.query(
                    """
                    INSERT INTO employment_episodes (participant_id, employer_name, contract_type, start_date, end_date, weekly_hours,
                                                     reduced_hours_agreed, source, recorded_by, recorded_by_label)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id
                    """,
                    [
                        participantId, values.employer, values.contract.rawValue, values.start, values.end,
                        values.weekly,
                        values.reduced, values.source, caller.userId, caller.label,
                    ]
                ).one().decode(0, as: UUID.self)
                try await writeMonths(id, values.months, on: connection)
                let created = try await get(caller, id, on: connection)
                try await Audit.created(created, entity: "employment_episode", id: id, by: caller, on: connection)
                return created
            }
        }
    }

    public func update(
        _ caller: Caller, id: UUID, _ input: EmploymentEpisode.Input, expected: RecordVersion? = nil
    ) async throws -> EmploymentEpisode {
        try Self.requireWriter(caller)
        return try await ConstraintMessages.translating([:]) {
            try await pool.withTransaction { connection in
                let existing = try await get(caller, id, on: connection)
                try RecordVersion.check(expected, current: existing.updatedAt, noun: "l'emploi")
                try await ParticipantStore.requireVisible(
                    caller, participantId: existing.participantId, lock: true, on: connection)
                let values = try Self.validated(input, existing: existing)
                try await connection.execute(
                    """
                    UPDATE employment_episodes SET employer_name = $2, contract_type = $3, start_date = $4, end_date = $5,
                        weekly_hours = $6, reduced_hours_agreed = $7, source = $8, updated_at = now()
                    WHERE id = $1
                    """,
                    [
                        id, values.employer, values.contract.rawValue, values.start, values.end, values.weekly,
                        values.reduced, values.source,
                    ])
                try await writeMonths(id, values.months, on: connection)
                let updated = try await get(caller, id, on: connection)
                try await Audit.updated(
                    from: existing, to: updated, entity: "employment_episode", id: id, by: caller, on: connection)
                return updated
            }
        }
    }

    private struct Values {
        let employer: String, contract: EmploymentContractType, start: LocalDate, end: LocalDate?
        let weekly: Decimal?, reduced: Bool, source: String?, months: [EmploymentEpisode.MonthHours]
    }

    /// Checks an episode: an end on or after the start, weekly hours in (0, 60], monthly hours in
    /// [0, 744] for months within the episode, each month once.
    private static func validated(_ input: EmploymentEpisode.Input, existing: EmploymentEpisode?) throws(DomainError)
        -> Values
    {
        let employer = try Validate.text(
            input.employerName, existing: existing?.employerName, field: "employerName", maxLength: 200)
        let contract = try Validate.required(
            input.contractType, existing: existing?.contractType, field: "contractType")
        let start = try Validate.required(input.startDate, existing: existing?.startDate, field: "startDate")
        let cleared = try Validate.cleared(input.clear, allowed: EmploymentEpisode.Input.clearable)
        let end = Validate.kept(input.endDate, "endDate", existing: existing?.endDate, cleared: cleared)
        if let end, end < start {
            throw DomainError.invalid(
                "endDate", "L'emploi se termine le \(end.french), avant de commencer (\(start.french)).")
        }
        let weekly = Validate.kept(
            input.weeklyHours?.value, "weeklyHours", existing: existing?.weeklyHours, cleared: cleared)
        if let weekly, weekly <= 0 || weekly > 60 || FieldRules.hoursProblem(weekly) != nil {
            throw DomainError.invalid(
                "weeklyHours",
                "La durée hebdomadaire doit être comprise entre 0 et 60 heures, deux décimales au plus (reçu \(French.number(weekly, .text, maxFraction: 6)))."
            )
        }
        var months = existing?.monthlyHours ?? []
        if let given = input.monthlyHours {
            months = []
            for entry in given {
                let hours = try Validate.hours(entry.hours.value, field: "monthlyHours")
                guard hours <= 744 else {
                    throw DomainError.invalid(
                        "monthlyHours", "\(French.month(entry.month)) : plus de 744 heures dans un mois.")
                }
                guard entry.month >= start.yearMonth, end.map({ entry.month <= $0.yearMonth }) ?? true else {
                    throw DomainError.invalid(
                        "monthlyHours", "\(French.month(entry.month)) est en dehors de l'emploi déclaré.")
                }
                guard !months.contains(where: { $0.month == entry.month }) else {
                    throw DomainError.invalid(
                        "monthlyHours", "\(French.month(entry.month)) est indiqué deux fois.")
                }
                months.append(EmploymentEpisode.MonthHours(month: entry.month, hours: hours))
            }
        }
        for month in months where month.month < start.yearMonth || end.map({ month.month > $0.yearMonth }) == true {
            throw DomainError.invalid("monthlyHours", "\(French.month(month.month)) est en dehors de l'emploi déclaré.")
        }
        return Values(
            employer: employer, contract: contract, start: start, end: end, weekly: weekly,
            reduced: input.reducedHoursAgreed ?? existing?.reducedHoursAgreed ?? false,
            source: try Validate.optionalText(
                input.source, existing: existing?.source, field: "source", maxLength: 200),
            months: months.sorted { $0.month < $1.month })
    }

    private func writeMonths(_ id: UUID, _ months: [EmploymentEpisode.MonthHours], on connection: PostgresConnection)
        async throws
    {
        try await connection.execute("DELETE FROM employment_episode_months WHERE episode_id = $1", [id])
        for month in months {
            try await connection.execute(
                "INSERT INTO employment_episode_months (episode_id, month, hours) VALUES ($1, $2, $3)",
                [id, month.month.firstDay, month.hours])
        }
    }

    private func get(_ caller: Caller, _ id: UUID, on connection: PostgresConnection) async throws
        -> EmploymentEpisode
    {
        var sql = SQL(
            "SELECT \(EmploymentEpisode.columns) FROM employment_episodes e JOIN participants p ON p.id = e.participant_id WHERE e.id = $1"
        )
        _ = sql.bind(id)
        if let predicate = try Scope.participants(caller, alias: "p", &sql) { sql.append("AND \(predicate)") }
        guard let row = try await connection.query(sql).first else {
            throw DomainError.notFound(
                "L'emploi \(id.uuidString.lowercased()) n'existe pas ou ne vous est pas accessible.")
        }
        return try await withMonths([try EmploymentEpisode(row: row)], on: connection)[0]
    }

    private func withMonths(_ episodes: [EmploymentEpisode], on connection: PostgresConnection) async throws
        -> [EmploymentEpisode]
    {
        guard !episodes.isEmpty else { return [] }
        var months: [UUID: [EmploymentEpisode.MonthHours]] = [:]
        for row in try await connection.query(
            """
            SELECT episode_id, month, hours FROM employment_episode_months WHERE episode_id = ANY($1::uuid[])
            ORDER BY month
            """, [PostgresTextArray(episodes.map { $0.id.uuidString.lowercased() })])
        {
            let day: LocalDate = try row.decode(1)
            months[try row.decode(0), default: []].append(
                EmploymentEpisode.MonthHours(month: day.yearMonth, hours: try row.numeric0(2)))
        }
        return episodes.map { episode in
            var episode = episode
            episode.monthlyHours = months[episode.id] ?? []
            return episode
        }
    }

    private static func requireWriter(_ caller: Caller) throws(DomainError) {
        guard [.admin, .facilitator, .referent].contains(caller.role) else { throw DomainError.forbidden }
    }
}
