import Foundation
import PostgresClient

/// A need's ranked candidates with every score part, and, on request, who the filters excluded and why.
public struct Shortlist: Encodable, Sendable {
    public struct Worksite: Encodable, Sendable {
        public let insee: String?
        public let name: String?
        /// false: no work-site commune, or one the reference data does not place: every distance is unknown.
        public let located: Bool
    }

    public struct Candidate: Encodable, Sendable {
        public let participantId: UUID
        public let reference: String
        public let name: String
        public let score: Decimal
        public let parts: [ScorePart]
        /// Rounded to 0.1 km; nil: unknown (« distance inconnue »).
        public let distanceKm: Decimal?
        /// The proposal for this need, when the person was proposed.
        public let proposal: ProposalMark?
    }

    public struct ProposalMark: Encodable, Sendable {
        public let id: UUID
        public let status: ProposalStatus
    }

    public struct Excluded: Encodable, Sendable {
        public let participantId: UUID
        public let reference: String
        public let name: String
        /// Every filter the person fails, in French, joined.
        public let reason: String
        public let filters: [MatchExclusion.Filter]
    }

    public let needId: UUID
    /// Eligibility and availability are judged on this day: the planned start, or today once it has passed.
    public let judgedOn: LocalDate
    public let worksite: Worksite
    /// People kept by every filter (the list shows the first `limit`); nil when judging stopped once nobody
    /// left could enter the list.
    public let kept: Int?
    public let candidates: [Candidate]
    /// Present when asked for (`--excluded`): everyone the caller may see who was not kept.
    public let excluded: [Excluded]?
}

/// Builds shortlists (DOMAIN §7): gathers each person's facts in one statement, lets `MatchRules` filter
/// and score them. Read by admin, facilitators and référents (a référent sees only their own participants).
public struct ShortlistService: Sendable {
    let pool: PostgresPool
    let clock: any CivilClock
    let validityMonths: Int
    let weights: MatchWeights
    let profiles: PLIEProfiles
    /// People judged together once their bounds say they may enter the list.
    let batchSize: Int

    public init(
        pool: PostgresPool, clock: any CivilClock, validityMonths: Int, weights: MatchWeights, profiles: PLIEProfiles,
        batchSize: Int = 200
    ) {
        self.batchSize = batchSize
        self.pool = pool
        self.clock = clock
        self.validityMonths = validityMonths
        self.weights = weights
        self.profiles = profiles
    }

    /// The need as the rules read it, with its work site.
    struct NeedContext {
        var facts: NeedFacts
        var worksite: Shortlist.Worksite
        var romeLabels: [String: String]
    }

    /// Who is judged: everyone the caller may see, or the listed people.
    enum Population {
        case everyone
        case only([UUID])
    }

    /// The ranked candidates. Without `excluded`, people are judged best bound first (`MatchRules.bound`, on
    /// their light facts), in batches, until nobody left can reach the last place: the list is the one
    /// judging everyone gives, and `kept` is counted only when everyone was judged. With `excluded`,
    /// everyone the caller may see is judged, and the excluded are listed with their reasons.
    public func shortlist(
        _ caller: Caller, needId: UUID, asOf: LocalDate? = nil, limit: Int = 20, excluded: Bool = false
    ) async throws -> Shortlist {
        try caller.requireStaff()
        guard (1...500).contains(limit) else {
            throw DomainError.invalid("limit", "« limit » doit être compris entre 1 et 500 (reçu \(limit)).")
        }
        let (context, judged) = try await pool.withConnection { connection in
            let context = try await Self.context(needId: needId, on: connection)
            return (context, max(context.facts.plannedStart, asOf ?? clock.today))
        }
        var people: [UUID: Person] = [:]
        // The first `limit` kept, in rank order, and how many were kept.
        var best: [ScoredCandidate] = []
        var kept = 0
        var left: [Shortlist.Excluded] = []
        var everyoneJudged = true
        func judge(_ batch: [Person]) {
            for person in batch {
                let exclusions = MatchRules.exclusions(
                    person.facts, need: context.facts, on: judged, validityMonths: validityMonths)
                if exclusions.isEmpty {
                    kept += 1
                    let scored = MatchRules.score(
                        person.facts, need: context.facts, on: judged, weights: weights,
                        validityMonths: validityMonths, romeLabels: context.romeLabels)
                    guard best.count < limit || MatchRules.precedes(scored, best[best.count - 1]) else { continue }
                    let place = best.firstIndex { MatchRules.precedes(scored, $0) } ?? best.count
                    best.insert(scored, at: place)
                    if best.count > limit { best.removeLast() }
                    people[person.facts.participantId] = person
                } else if excluded {
                    left.append(
                        .init(
                            participantId: person.facts.participantId, reference: person.facts.reference,
                            name: person.name, reason: exclusions.map(\.reason).joined(separator: " ; "),
                            filters: exclusions.map(\.filter)))
                }
            }
        }
        if excluded {
            judge(try await facts(caller, needId: needId, on: judged, .everyone))
        } else {
            let boundWeights = MatchRules.BoundWeights(weights)
            let order = try await lightBounds(caller, need: context.facts, on: judged) {
                MatchRules.bound($0, need: context.facts, on: judged, weights: boundWeights)
            }.sorted { $0.bound > $1.bound }
            var next = 0
            while next < order.count {
                if best.count == limit {
                    if order[next].bound < NSDecimalNumber(decimal: best[limit - 1].score).doubleValue {
                        everyoneJudged = false
                        break
                    }
                }
                let batch = order[next..<min(next + batchSize, order.count)].map(\.id)
                judge(try await facts(caller, needId: needId, on: judged, .only(batch)))
                next += batch.count
            }
        }
        let ranked = best.map { scored in
            let person = people[scored.participantId]
            return Shortlist.Candidate(
                participantId: scored.participantId, reference: scored.reference, name: person?.name ?? "",
                score: scored.score, parts: scored.parts,
                distanceKm: scored.distanceKm.map { MatchRules.decimal($0, scale: 1) }, proposal: person?.proposal)
        }
        return Shortlist(
            needId: needId, judgedOn: judged, worksite: context.worksite,
            kept: everyoneJudged ? kept : nil, candidates: ranked,
            excluded: excluded ? left.sorted { $0.reference < $1.reference } : nil)
    }

    /// One person judged for a need (a proposal): their exclusions, or their score.
    func judge(_ caller: Caller, needId: UUID, participantId: UUID, on connection: PostgresConnection) async throws
        -> Result<ScoredCandidate, DomainError>
    {
        let context = try await Self.context(needId: needId, on: connection)
        let judged = max(context.facts.plannedStart, clock.today)
        guard
            let person = try await facts(
                caller, needId: needId, on: judged, .only([participantId]), connection: connection
            ).first
        else {
            throw DomainError.invalid(
                "participantId", "« participantId » ne désigne aucun participant que vous suivez.",
                code: .unknownReference)
        }
        let exclusions = MatchRules.exclusions(
            person.facts, need: context.facts, on: judged, validityMonths: validityMonths)
        if !exclusions.isEmpty {
            return .failure(
                DomainError(
                    .unprocessable, code: .notEligible,
                    message: "\(person.name) ne peut pas être proposé·e pour ce besoin : "
                        + exclusions.map(\.reason).joined(separator: " ; ") + ".",
                    field: "participantId"))
        }
        return .success(
            MatchRules.score(
                person.facts, need: context.facts, on: judged, weights: weights, validityMonths: validityMonths,
                romeLabels: context.romeLabels))
    }

    static func context(needId: UUID, on connection: PostgresConnection) async throws -> NeedContext {
        guard
            let row = try await connection.query(
                """
                SELECT n.rome_codes, n.planned_start, n.planned_end, n.weekly_hours, n.driving_licence_required,
                       n.vehicle_required, l.worksite_insee, c.name, c.latitude, c.longitude,
                       coalesce(o.regime = 'anru', false), b.diversity_goals, b.diversity_basis,
                       ARRAY(SELECT j.code || '|' || j.label FROM rome_jobs j WHERE j.code = ANY(n.rome_codes))
                FROM staffing_needs n JOIN lots l ON l.id = n.lot_id
                JOIN public_contracts pc ON pc.id = l.public_contract_id JOIN buyers b ON b.id = pc.buyer_id
                LEFT JOIN operations o ON o.id = pc.operation_id LEFT JOIN communes c ON c.insee = l.worksite_insee
                WHERE n.id = $1
                """, [needId]
            ).first
        else { throw DomainError.notFound("Le besoin \(needId.uuidString.lowercased()) n'existe pas.") }
        let latitude: Double? = try row.decode(8)
        let longitude: Double? = try row.decode(9)
        let site = latitude.flatMap { lat in longitude.map { GeoPoint(latitude: lat, longitude: $0) } }
        let goals = try row.decode(11, as: PostgresTextArray.self).values.compactMap(DiversityGoal.init(rawValue:))
        var labels: [String: String] = [:]
        for pair in try row.decode(13, as: PostgresTextArray.self).values {
            let fields = pair.split(separator: "|", maxSplits: 1).map(String.init)
            if fields.count == 2 { labels[fields[0]] = fields[1] }
        }
        return NeedContext(
            facts: NeedFacts(
                romeCodes: try row.decode(0, as: PostgresTextArray.self).values, plannedStart: try row.decode(1),
                plannedEnd: try row.decode(2), weeklyHours: try row.decode(3),
                drivingLicenceRequired: try row.decode(4), vehicleRequired: try row.decode(5), worksite: site,
                anruOperation: try row.decode(10), diversityGoals: goals, diversityBasis: try row.decode(12)),
            worksite: .init(insee: try row.decode(6), name: try row.decode(7), located: site != nil),
            romeLabels: labels)
    }

    struct Person {
        var facts: CandidateFacts
        var name: String
        var proposal: Shortlist.ProposalMark?
    }

    /// The facts of the people judged, in one statement: each person's proofs, pathways and placements
    /// come as `|`-separated text lists.
    func facts(
        _ caller: Caller, needId: UUID, on date: LocalDate, _ population: Population,
        connection: PostgresConnection? = nil
    ) async throws -> [Person] {
        var sql = SQL()
        sql.append(
            """
            SELECT p.id, p.reference, \(PersonName.fullSQL("p")), p.birth_date, p.sex, c.latitude, c.longitude,
                   p.max_travel_km, p.driving_licence, p.vehicle, p.available_from, p.skills, p.target_jobs, p.priority_area,
                   ARRAY(SELECT ec.code || '|' || ec.proof_date || '|' || (ec.validated_at IS NOT NULL) || '|' || coalesce(ec.valid_until::text, '')
                         FROM eligibility_criteria ec WHERE ec.participant_id = p.id) AS proofs,
                   ARRAY(SELECT pw.entry_date || '|' || coalesce(pw.exit_date::text, '') || '|' || pl.profile || '|'
                                || coalesce(pw.project_validated_on::text, '') || '|'
                                || coalesce((SELECT sum(e.months) FROM pathway_extensions e WHERE e.pathway_id = pw.id AND e.status = 'accepted'), 0)
                         FROM pathways pw JOIN plie pl ON pl.id = pw.plie_id WHERE pw.participant_id = p.id) AS pathways,
                   ARRAY(SELECT pm.start_date || '|' || coalesce(pm.end_date::text, '') || '|' || pm.weekly_hours
                         FROM placements pm WHERE pm.participant_id = p.id) AS placements,
                   np.id, np.status
            FROM participants p
            LEFT JOIN communes c ON c.insee = p.commune_insee
            """)
        sql.append(
            "LEFT JOIN need_proposals np ON np.need_id = \(sql.bind(needId)) AND np.participant_id = p.id WHERE true")
        if let predicate = try Scope.participants(caller, alias: "p", &sql) { sql.append("AND \(predicate)") }
        switch population {
        case .everyone: break
        case .only(let ids): sql.append("AND p.id = ANY(\(sql.bind(PostgresTextArray(ids.map(\.uuidString))))::uuid[])")
        }
        // One statement read once: compiling it (JIT) costs more than it saves.
        let run = { (connection: PostgresConnection) in
            try await connection.execute("SET LOCAL jit = off")
            return try await connection.query(sql)
        }
        let rows = if let connection { try await run(connection) } else { try await pool.withTransaction(run) }
        return try rows.map { row in try person(row, on: date) }
    }

    /// Each person the pre-selection keeps with their bound, computed on light facts read in one narrow row
    /// each and not kept (a large territory holds tens of thousands of them).
    func lightBounds(
        _ caller: Caller, need: NeedFacts, on date: LocalDate, bound: (CandidateFacts) -> Double
    ) async throws -> [(id: UUID, bound: Double)] {
        var sql = SQL()
        let conditions = try Preselection.conditions(caller, need: need, on: date, &sql)
        let day = sql.bind(date)
        // The people first; then the earliest pathway of theirs open on the day, with what the PLIE, urgency
        // and project parts read.
        sql.append(
            """
            WITH near AS MATERIALIZED (
                SELECT p.id, p.reference, p.birth_date, p.sex, c.latitude, c.longitude, p.skills, p.target_jobs,
                       p.priority_area
                FROM participants p LEFT JOIN communes c ON c.insee = p.commune_insee
                WHERE \(conditions.joined(separator: " AND ")))
            SELECT near.*, op.entry_date, op.exit_date, op.profile, op.project_validated_on,
                   coalesce((SELECT sum(e.months)::int FROM pathway_extensions e
                             WHERE e.pathway_id = op.id AND e.status = 'accepted'), 0)
            FROM near LEFT JOIN (
                SELECT DISTINCT ON (pw.participant_id) pw.id, pw.participant_id, pw.entry_date, pw.exit_date, pl.profile,
                       pw.project_validated_on
                FROM pathways pw JOIN near ON near.id = pw.participant_id JOIN plie pl ON pl.id = pw.plie_id
                WHERE pw.entry_date <= \(day) AND (pw.exit_date IS NULL OR pw.exit_date >= \(day))
                ORDER BY pw.participant_id, pw.entry_date
            ) op ON op.participant_id = near.id
            """)
        return try await pool.withTransaction { connection in
            try await connection.execute("SET LOCAL jit = off")
            return try await connection.query(sql).map { row in
                let latitude: Double? = try row.decode(4)
                let longitude: Double? = try row.decode(5)
                var pathways: [PathwaySpan] = []
                var open: PathwayProgress?
                if let entry: LocalDate = try row.decode(9) {
                    let exit: LocalDate? = try row.decode(10)
                    pathways = [PathwaySpan(entry: entry, exit: exit)]
                    open = progress(
                        entry: entry, exit: exit, profile: try row.decode(11), projectValidatedOn: try row.decode(12),
                        extensionMonths: try row.decode(13))
                }
                let id: UUID = try row.decode(0)
                let light = CandidateFacts(
                    participantId: id, reference: "",
                    eligibility: EligibilityFacts(proofs: [], birthDate: try row.decode(2), pathways: pathways),
                    sex: try row.decode(3),
                    home: latitude.flatMap { lat in longitude.map { GeoPoint(latitude: lat, longitude: $0) } },
                    skills: try row.decode(6, as: PostgresTextArray.self).values,
                    targetJobs: try row.decode(7, as: PostgresTextArray.self).values,
                    priorityArea: try row.decodeOptionalEnum("priority_area", table: "participants"), openPathway: open)
                return (id, bound(light))
            }
        }
    }

    /// A pathway's progress: the profile's length from its entry, with the accepted extensions.
    private func progress(
        entry: LocalDate, exit: LocalDate?, profile: String, projectValidatedOn: LocalDate?, extensionMonths: Int
    ) -> PathwayProgress {
        let length = profiles.named(profile).flatMap { profile in
            PathwayMilestones.of(
                profile: profile, entry: entry, extensionMonths: extensionMonths, reviews: [], exited: exit != nil
            ).lengthReachedOn
        }
        return PathwayProgress(entry: entry, lengthReachedOn: length, projectValidatedOn: projectValidatedOn)
    }

    private func person(_ row: PostgresRow, on day: LocalDate) throws -> Person {
        func fields(_ text: String) -> [String] {
            text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        }
        func date(_ text: String) -> LocalDate? { text.isEmpty ? nil : LocalDate(iso: text) }
        let proofs: [CriterionProof] = try row.decode(14, as: PostgresTextArray.self).values.compactMap { text in
            let f = fields(text)
            guard f.count == 4, let code = EligibilityCriterionCode(rawValue: f[0]), let proofDate = date(f[1]) else {
                return nil
            }
            return CriterionProof(code: code, proofDate: proofDate, validated: f[2] == "true", validUntil: date(f[3]))
        }
        var spans: [PathwaySpan] = []
        var open: PathwayProgress?
        for text in try row.decode(15, as: PostgresTextArray.self).values {
            let f = fields(text)
            guard f.count == 5, let entry = date(f[0]) else { continue }
            let exit = date(f[1])
            spans.append(PathwaySpan(entry: entry, exit: exit))
            if spans.last?.isOpen(at: day) == true, open.map({ entry < $0.entry }) ?? true {
                open = progress(
                    entry: entry, exit: exit, profile: f[2], projectValidatedOn: date(f[3]),
                    extensionMonths: Int(f[4]) ?? 0)
            }
        }
        let placements: [PlacementSpan] = try row.decode(16, as: PostgresTextArray.self).values.compactMap { text in
            let f = fields(text)
            guard f.count == 3, let start = date(f[0]), let weekly = NumericText.decimal(f[2]) else { return nil }
            return PlacementSpan(start: start, end: date(f[1]), weeklyHours: weekly)
        }
        let id: UUID = try row.decode(0)
        let birth: LocalDate? = try row.decode(3)
        let latitude: Double? = try row.decode(5)
        let longitude: Double? = try row.decode(6)
        let proposalId: UUID? = try row.decode(17)
        let proposalStatus: ProposalStatus? = try row.decodeOptionalEnum(18, table: "need_proposals", column: "status")
        let facts = CandidateFacts(
            participantId: id, reference: try row.decode(1),
            eligibility: EligibilityFacts(proofs: proofs, birthDate: birth, pathways: spans),
            sex: try row.decode(4),
            home: latitude.flatMap { lat in longitude.map { GeoPoint(latitude: lat, longitude: $0) } },
            maxTravelKm: try row.decode(7), drivingLicence: try row.decode(8), vehicle: try row.decode(9),
            availableFrom: try row.decode(10), skills: try row.decode(11, as: PostgresTextArray.self).values,
            targetJobs: try row.decode(12, as: PostgresTextArray.self).values,
            priorityArea: try row.decodeOptionalEnum("priority_area", table: "participants"), placements: placements,
            openPathway: open,
            refusedForNeed: proposalStatus == .refused)
        return Person(
            facts: facts, name: try row.decode(2),
            proposal: proposalId.flatMap { id in proposalStatus.map { Shortlist.ProposalMark(id: id, status: $0) } })
    }
}

/// The shortlist's pre-selection, a speed measure kept apart from the rules: it reads, for the people the
/// caller may see, only what `MatchRules.bound` needs, and drops only people `MatchRules.exclusions` would
/// exclude anyway (not available on the day, no licence or vehicle when required, beyond a box a little
/// larger than their range around the site). A test checks the shortlist is the same as judging everyone.
enum Preselection {
    static func conditions(_ caller: Caller, need: NeedFacts, on date: LocalDate, _ sql: inout SQL)
        throws(DomainError) -> [String]
    {
        var conditions = ["(p.available_from IS NULL OR p.available_from <= \(sql.bind(date)))"]
        if need.drivingLicenceRequired { conditions.append("p.driving_licence") }
        if need.vehicleRequired { conditions.append("p.vehicle") }
        if let site = need.worksite {
            // A degree of latitude is 111.2 km; a degree of longitude at least 111.2 × cos(latitude) km up to
            // 10° north of the site (no range reaches that far in France).
            let lat = sql.bind(site.latitude)
            let lon = sql.bind(site.longitude)
            let degree = sql.bind(111.0 * cos((abs(site.latitude) + 10) * Double.pi / 180))
            conditions.append(
                """
                (c.latitude IS NULL OR p.max_travel_km IS NULL
                 OR (abs(c.latitude - \(lat)) <= p.max_travel_km / 111.0::float8 + 0.001
                     AND abs(c.longitude - \(lon)) <= p.max_travel_km / \(degree)::float8 + 0.001))
                """)
        }
        if let scope = try Scope.participants(caller, alias: "p", &sql) { conditions.append(scope) }
        return conditions
    }
}
