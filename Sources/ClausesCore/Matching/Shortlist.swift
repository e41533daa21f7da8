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
    /// People kept by every filter (the list shows the first `limit`).
    public let kept: Int
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

    public init(
        pool: PostgresPool, clock: any CivilClock, validityMonths: Int, weights: MatchWeights, profiles: PLIEProfiles
    ) {
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

    /// Who is judged: with `preselect`, only people who may pass the filters (`Preselection`); else
    /// everyone the caller may see, or the listed people.
    enum Population {
        case preselected, everyone
        case only([UUID])
    }

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
        let people = try await facts(
            caller, needId: needId, need: context.facts, on: judged, excluded ? .everyone : .preselected)
        var kept: [ScoredCandidate] = []
        var left: [Shortlist.Excluded] = []
        for person in people {
            let exclusions = MatchRules.exclusions(
                person.facts, need: context.facts, on: judged, validityMonths: validityMonths)
            if exclusions.isEmpty {
                kept.append(
                    MatchRules.score(
                        person.facts, need: context.facts, on: judged, weights: weights,
                        validityMonths: validityMonths, romeLabels: context.romeLabels))
            } else if excluded {
                left.append(
                    .init(
                        participantId: person.facts.participantId, reference: person.facts.reference,
                        name: person.name, reason: exclusions.map(\.reason).joined(separator: " ; "),
                        filters: exclusions.map(\.filter)))
            }
        }
        let byId = Dictionary(uniqueKeysWithValues: people.map { ($0.facts.participantId, $0) })
        let ranked = MatchRules.ranked(kept).prefix(limit).map { scored in
            let person = byId[scored.participantId]
            return Shortlist.Candidate(
                participantId: scored.participantId, reference: scored.reference, name: person?.name ?? "",
                score: scored.score, parts: scored.parts,
                distanceKm: scored.distanceKm.map { MatchRules.decimal($0, scale: 1) }, proposal: person?.proposal)
        }
        return Shortlist(
            needId: needId, judgedOn: judged, worksite: context.worksite, kept: kept.count, candidates: Array(ranked),
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
                caller, needId: needId, need: context.facts, on: judged, .only([participantId]), connection: connection
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
                       n.vehicle_required, l.worksite_insee, c.name, c.latitude::float8, c.longitude::float8,
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
        _ caller: Caller, needId: UUID, need: NeedFacts, on date: LocalDate, _ population: Population,
        connection: PostgresConnection? = nil
    ) async throws -> [Person] {
        var sql = SQL(
            """
            SELECT p.id, p.reference, \(PersonName.fullSQL("p")), p.birth_date, p.sex, c.latitude::float8, c.longitude::float8,
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
        case .preselected:
            Preselection.append(need: need, on: date, validityMonths: validityMonths, to: &sql)
        }
        // One statement read once: compiling it (JIT) costs more than it saves.
        let run = { (connection: PostgresConnection) in
            try await connection.execute("SET LOCAL jit = off")
            return try await connection.query(sql)
        }
        let rows = if let connection { try await run(connection) } else { try await pool.withTransaction(run) }
        return try rows.map { row in try person(row, on: date) }
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
            let length = profiles.named(f[2]).flatMap { profile in
                PathwayMilestones.of(
                    profile: profile, entry: entry, extensionMonths: Int(f[4]) ?? 0, reviews: [], exited: exit != nil
                ).lengthReachedOn
            }
            if spans.last?.isOpen(at: day) == true, open.map({ entry < $0.entry }) ?? true {
                open = PathwayProgress(entry: entry, lengthReachedOn: length, projectValidatedOn: date(f[3]))
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

/// The shortlist's pre-selection, a speed measure kept apart from the rules: conditions that only drop
/// people `MatchRules.exclusions` would exclude anyway (a superset of the kept is read), so that a need
/// judged against a large territory reads only its plausible candidates. A test checks the shortlist is
/// the same with and without it.
enum Preselection {
    static func append(need: NeedFacts, on date: LocalDate, validityMonths: Int, to sql: inout SQL) {
        let day = sql.bind(date)
        // Eligible at `date` needs an open pathway or a validated proof that can still be valid: one within
        // the window, one with an end date not passed, or YOUTH (valid to the 26th birthday).
        sql.append(
            """
            AND (EXISTS (SELECT 1 FROM pathways ppw WHERE ppw.participant_id = p.id AND ppw.entry_date <= \(day)
                         AND (ppw.exit_date IS NULL OR ppw.exit_date >= \(day)))
                 OR EXISTS (SELECT 1 FROM eligibility_criteria pec WHERE pec.participant_id = p.id
                            AND pec.validated_at IS NOT NULL AND pec.proof_date <= \(day)
                            AND (pec.proof_date >= \(sql.bind(date.adding(months: -validityMonths - 1)))
                                 OR pec.valid_until >= \(day) OR pec.code = 'YOUTH')))
            AND (p.available_from IS NULL OR p.available_from <= \(day))
            """)
        if need.drivingLicenceRequired { sql.append("AND p.driving_licence") }
        if need.vehicleRequired { sql.append("AND p.vehicle") }
        if let site = need.worksite {
            // Within the person's range of the site, by a box a little larger than the circle: a degree of
            // latitude is 111.2 km; a degree of longitude at least 111.2 × cos(latitude) km up to 10° north
            // of the site (no range reaches that far in France).
            let lat = sql.bind(site.latitude)
            let lon = sql.bind(site.longitude)
            let cosine = sql.bind(cos((abs(site.latitude) + 10) * Double.pi / 180))
            sql.append(
                """
                AND (c.latitude IS NULL OR p.max_travel_km IS NULL
                     OR (abs(c.latitude::float8 - \(lat)) <= p.max_travel_km / 111.0 + 0.001
                         AND abs(c.longitude::float8 - \(lon)) <= p.max_travel_km / (111.0 * \(cosine)) + 0.001))
                """)
        }
    }
}
