import Foundation
import PostgresClient

/// The indicators of one profile (or one PLIE) over a period, against the profile's targets.
public struct IndicatorReport: Codable, Sendable, Equatable {
    public let profile: String
    public let profileLabel: String
    public let plieId: UUID?
    public let period: IndicatorPeriod
    public let items: [Indicator]
}

/// A person behind a figure (staff only, scoped like every participant read).
public struct IndicatorPerson: Codable, Sendable, Equatable {
    public let participantId: UUID
    public let reference: String
    public let name: String
    /// What puts the person in the figure (an exit's kind and date, hours, jobs), in French.
    public let detail: String?
}

/// Counts the facts of the indicators set-based, in SQL, and hands them to the pure `indicators(from:)`.
/// Every figure is defined once, as a predicate over the people accompanied (`people p` joined with
/// `participants pa`) or over the pathways of the period (`sel s`): the count and the list behind it use
/// the same predicate.
/// - accompanied: a pathway of the selection open at some day of the period (entered on or before its end,
///   not exited before its start); `p.entry` is their earliest such entry, `p.last_day` the last day of
///   those pathways within the period;
/// - RSA: a validated RSA proof dated from `validityMonths` before the entry to the pathway's last day
///   (valid at entry, or obtained during the pathway);
/// - seniors: the profile's age reached at entry;
/// - emplois de parcours: episodes and placements started during the pathway within the period that are
///   subsidised contracts, CDDI, or planned for less than 6 months (trainings are not jobs);
/// - hours: validated worked hours of the accompanied people's placements, months of the period.
public struct IndicatorService: Sendable {
    let pool: PostgresPool
    let profiles: PLIEProfiles
    let validityMonths: Int

    public init(pool: PostgresPool, profiles: PLIEProfiles, eligibilityValidityMonths: Int) {
        self.pool = pool
        self.profiles = profiles
        self.validityMonths = eligibilityValidityMonths
    }

    public func report(_ caller: Caller, profile name: String, plieId: UUID? = nil, period: IndicatorPeriod)
        async throws -> IndicatorReport
    {
        try caller.requireStaff()
        let profile = try profiles.named(name, field: "profile")
        // One snapshot for every statement.
        let counts = try await pool.withTransaction(isolation: .repeatableRead) { connection in
            try await count(profile: profile, plieId: plieId, period: period, on: connection)
        }
        return IndicatorReport(
            profile: profile.name, profileLabel: profile.label, plieId: plieId, period: period,
            items: indicators(from: counts, profile: profile, period: period))
    }

    /// The people behind one figure, sorted by reference.
    public func people(
        _ caller: Caller, indicator: IndicatorId, profile name: String, plieId: UUID? = nil, period: IndicatorPeriod
    ) async throws -> [IndicatorPerson] {
        try caller.requireStaff()
        let profile = try profiles.named(name, field: "profile")
        var sql = SQL()
        let with = cte(profile: profile, plieId: plieId, period: period, with: [.jobs, .hours], &sql)
        // Every list reads the same columns; the facts that place a person in the figure (a date, an exit's
        // kind, jobs, hours) come raw and are written in French by `French` below.
        let person = "pa.id, pa.reference, \(PersonName.fullSQL("pa"))"
        let people = "people p JOIN participants pa ON pa.id = p.participant_id"
        switch indicator {
        case .kind(.entries):
            sql.append(
                "\(with) SELECT \(person), s.entry_date, NULL::text, NULL::int, NULL::numeric FROM sel s JOIN participants pa ON pa.id = s.participant_id WHERE s.entry_date >= \(sql.bind(period.from))"
            )
        case .kind(.exits), .kind(.positiveExitRate), .kind(.positiveExitRateEmployment),
            .kind(.positiveExitRateTraining), .exits:
            let kinds: [ExitKind] =
                switch indicator {
                case .exits(let kind): [kind]
                case .kind(.positiveExitRate): ExitKind.allCases.filter(\.isPositive)
                case .kind(.positiveExitRateEmployment): ExitKind.allCases.filter { $0.group == .employment }
                case .kind(.positiveExitRateTraining): ExitKind.allCases.filter { $0.group == .training }
                default: ExitKind.allCases
                }
            sql.append(
                "\(with) SELECT \(person), s.exit_date, s.exit_kind, NULL::int, NULL::numeric FROM sel s JOIN participants pa ON pa.id = s.participant_id WHERE s.exit_date <= \(sql.bind(period.to)) AND s.exit_kind = ANY(\(sql.bind(PostgresTextArray(kinds.map(\.rawValue))))::text[])"
            )
        case .kind(.pathwayJobs):
            sql.append(
                "\(with) SELECT \(person), NULL::date, NULL::text, j.n, NULL::numeric FROM \(people) JOIN jobs j ON j.participant_id = p.participant_id"
            )
        case .kind(.clauseHours):
            sql.append(
                "\(with) SELECT \(person), NULL::date, NULL::text, NULL::int, h.hours FROM \(people) JOIN hours h ON h.participant_id = p.participant_id WHERE h.hours > 0"
            )
        case .kind(let kind):
            let predicate = personPredicate(kind, profile: profile, period: period, &sql) ?? "true"
            sql.append(
                "\(with) SELECT \(person), NULL::date, NULL::text, NULL::int, NULL::numeric FROM \(people) WHERE \(predicate)"
            )
        }
        if let scope = try Scope.participants(caller, alias: "pa", &sql) { sql.append("AND \(scope)") }
        sql.append("ORDER BY 2, 1")
        return try await pool.query(sql).map { row in
            let date: LocalDate? = try row.decode(3)
            let exit: ExitKind? = try row.decodeOptionalEnum(4, table: "pathways", column: "exit_kind")
            var detail: String?
            if let date { detail = "\(exit?.frenchLabel ?? "Entrée") le \(date.french)" }
            if let jobs = try row.decode(5, as: Int?.self) { detail = French.count(jobs, "emploi", "emplois") }
            if let hours = try row.numeric(6) { detail = French.hours(hours) }
            return IndicatorPerson(
                participantId: try row.decode(0), reference: try row.decode(1), name: try row.decode(2),
                detail: detail)
        }
    }

    enum Part { case jobs, hours }

    /// `WITH sel (pathways of the period), people (accompanied)`, then `jobs` and `hours` when asked.
    private func cte(
        profile: PLIEProfile, plieId: UUID?, period: IndicatorPeriod, with parts: Set<Part> = [], _ sql: inout SQL
    ) -> String {
        let from = sql.bind(period.from)
        let to = sql.bind(period.to)
        let selection = PathwaySelection(plieId: plieId, profile: profile.name).conditions(&sql)
            .joined(separator: " AND ")
        var text = """
            WITH sel AS (
                SELECT pw.id, pw.participant_id, pw.entry_date, pw.exit_date, pw.exit_kind, pw.referent_user_id
                FROM pathways pw JOIN plie pl ON pl.id = pw.plie_id
                WHERE \(selection) AND pw.entry_date <= \(to) AND (pw.exit_date IS NULL OR pw.exit_date >= \(from))
            ), people AS (
                SELECT s.participant_id, min(s.entry_date) AS entry, max(least(coalesce(s.exit_date, \(to)), \(to))) AS last_day
                FROM sel s GROUP BY s.participant_id
            )
            """
        if parts.contains(.jobs) {
            text += """
                , jobs AS (
                SELECT j.participant_id, count(*)::int AS n FROM (
                    SELECT e.participant_id, e.start_date, e.end_date, e.contract_type FROM employment_episodes e
                    UNION ALL
                    SELECT pl.participant_id, pl.start_date, pl.end_date, pl.contract_type FROM placements pl
                ) j JOIN people p ON p.participant_id = j.participant_id
                WHERE j.start_date BETWEEN greatest(p.entry, \(from)) AND p.last_day AND j.contract_type <> 'training'
                  AND (j.contract_type IN ('subsidised', 'cddi')
                       OR (j.end_date IS NOT NULL AND j.end_date < (j.start_date + interval '6 months')::date))
                GROUP BY j.participant_id
                )
                """
        }
        if parts.contains(.hours) {
            text += """
                , hours AS (
                SELECT pl.participant_id, sum(r.worked_hours) AS hours
                FROM people p JOIN placements pl ON pl.participant_id = p.participant_id
                    AND pl.start_date <= \(to) AND (pl.end_date IS NULL OR pl.end_date >= \(from))
                JOIN hour_reports r ON r.placement_id = pl.id AND r.current AND r.status = 'validated'
                WHERE r.month >= date_trunc('month', \(from)::date)::date AND r.month <= \(to)
                GROUP BY pl.participant_id
                )
                """
        }
        return text
    }

    /// The predicate putting an accompanied person in a share's numerator; nil for everyone.
    private func personPredicate(
        _ kind: IndicatorKind, profile: PLIEProfile, period: IndicatorPeriod, _ sql: inout SQL
    ) -> String? {
        switch kind {
        case .womenShare: return "pa.sex = 'F'"
        case .seniorShare:
            return "pa.birth_date <= (p.entry - make_interval(years => \(sql.bind(profile.seniorAge))::int))::date"
        case .qpvOrTVAShare: return "pa.priority_area IN ('qpv', 'tva')"
        case .esfQPVShare: return "pa.priority_area = 'qpv'"
        case .rsaShare:
            return """
                EXISTS (SELECT 1 FROM eligibility_criteria ec WHERE ec.participant_id = p.participant_id AND ec.code = 'RSA'
                        AND ec.validated_at IS NOT NULL
                        AND ec.proof_date >= (p.entry - make_interval(months => \(sql.bind(validityMonths))::int))::date
                        AND ec.proof_date <= p.last_day)
                """
        default: return nil
        }
    }

    /// The counts, one statement per group of figures: a CTE read once is inlined, so each statement can
    /// run in parallel workers (one statement reading `people` three times would materialise it, serially).
    private func count(profile: PLIEProfile, plieId: UUID?, period: IndicatorPeriod, on connection: PostgresConnection)
        async throws -> IndicatorCounts
    {
        var counts = IndicatorCounts()
        var people = SQL()
        let with = cte(profile: profile, plieId: plieId, period: period, &people)
        let shares: [IndicatorKind] = [.rsaShare, .qpvOrTVAShare, .esfQPVShare, .womenShare, .seniorShare]
        let filters = shares.map { kind in
            "count(*) FILTER (WHERE \(personPredicate(kind, profile: profile, period: period, &people) ?? "true"))::int"
        }
        people.append(
            "\(with) SELECT count(*)::int, \(filters.joined(separator: ", ")) FROM people p JOIN participants pa ON pa.id = p.participant_id"
        )
        let row = try await connection.query(people).one()
        counts.accompanied = try row.decode(0)
        counts.rsa = try row.decode(1)
        counts.qpvOrTVA = try row.decode(2)
        counts.qpv = try row.decode(3)
        counts.women = try row.decode(4)
        counts.seniors = try row.decode(5)

        var pathways = SQL()
        let pathwaysWith = cte(profile: profile, plieId: plieId, period: period, &pathways)
        pathways.append(
            """
            \(pathwaysWith) SELECT (SELECT count(*) FROM sel WHERE entry_date >= \(pathways.bind(period.from)))::int,
                   (SELECT count(DISTINCT referent_user_id) FROM sel)::int
            """)
        let pathwayRow = try await connection.query(pathways).one()
        counts.entries = try pathwayRow.decode(0)
        counts.referents = try pathwayRow.decode(1)

        var exits = SQL()
        let exitsWith = cte(profile: profile, plieId: plieId, period: period, &exits)
        exits.append(
            "\(exitsWith) SELECT exit_kind, count(*)::int FROM sel WHERE exit_date <= \(exits.bind(period.to)) GROUP BY exit_kind"
        )
        for row in try await connection.query(exits) {
            counts.exitsByKind[try row.decodeEnum(0, table: "pathways", column: "exit_kind")] = try row.decode(1)
        }

        var jobs = SQL()
        let jobsWith = cte(profile: profile, plieId: plieId, period: period, with: [.jobs], &jobs)
        jobs.append("\(jobsWith) SELECT coalesce(sum(n), 0)::int FROM jobs")
        counts.pathwayJobs = try await connection.query(jobs).one().decode(0)

        var hours = SQL()
        let hoursWith = cte(profile: profile, plieId: plieId, period: period, with: [.hours], &hours)
        hours.append("\(hoursWith) SELECT coalesce(sum(hours), 0) FROM hours")
        counts.clauseHours = try await connection.query(hours).one().numeric0(0)
        return counts
    }
}
