import Foundation
import PostgresClient

/// A mise à l'emploi: a participant working on a lot through a company and an execution mode.
public struct Placement: Codable, Sendable, Equatable {
    public struct Input: Codable, Sendable {
        public var participantId: UUID?
        public var lotId: UUID?
        public var companyId: UUID?
        public var executionMode: ExecutionMode?
        public var contractType: EmploymentContractType?
        public var startDate: LocalDate?
        public var endDate: LocalDate?
        public var weeklyHours: FlexibleDecimal?
        public var reducedHoursAgreed: Bool?
        public var onClauseOperation: Bool?
        /// Create only: record the placement although the person is not eligible at its start; its hours
        /// will never count. Must be given explicitly.
        public var nonCounting: Bool?
        /// Update only: `endDate` reopens a placement ended by mistake (a value left out keeps the stored one).
        public var clear: [String]?
        public static let clearable: Set<String> = ["endDate"]

        public init(
            participantId: UUID? = nil, lotId: UUID? = nil, companyId: UUID? = nil, executionMode: ExecutionMode? = nil,
            contractType: EmploymentContractType? = nil, startDate: LocalDate? = nil, endDate: LocalDate? = nil,
            weeklyHours: Decimal? = nil,
            reducedHoursAgreed: Bool? = nil, onClauseOperation: Bool? = nil, nonCounting: Bool? = nil
        ) {
            self.participantId = participantId
            self.lotId = lotId
            self.companyId = companyId
            self.executionMode = executionMode
            self.contractType = contractType
            self.startDate = startDate
            self.endDate = endDate
            self.weeklyHours = weeklyHours.map(FlexibleDecimal.init)
            self.reducedHoursAgreed = reducedHoursAgreed
            self.onClauseOperation = onClauseOperation
            self.nonCounting = nonCounting
        }
    }

    public let id: UUID
    public let code: String
    public let participantId: UUID
    /// `Prénom NOM` (the company view, `CompanyPlacement`, has `Prénom N.`).
    public let participantName: String
    public let lotId: UUID
    public let lotLabel: String
    public let publicContractReference: String
    public let companyId: UUID
    public let companyName: String
    public let executionMode: ExecutionMode
    public let contractType: EmploymentContractType
    public let startDate: LocalDate
    public let endDate: LocalDate?
    public let weeklyHours: Decimal
    public let reducedHoursAgreed: Bool
    public let onClauseOperation: Bool
    /// false: recorded as non-counting (the person was not eligible at the start).
    public let counting: Bool
    /// The criteria valid at the start, frozen.
    public let eligibilityCriteria: [EligibilityCriterionCode]
    /// The person's priority area at the start, frozen (ANRU shares are judged at hiring).
    public let priorityArea: PriorityArea?
    public let createdAt: Date
    public let updatedAt: Date

    public var isFullTime: Bool { weeklyHours >= PlacementStore.fullTimeWeeklyHours }
    static func columns(_ caller: Caller) -> String {
        """
        pl.id, pl.code, pl.participant_id, \(Scope.personName(caller, participant: "pa")) AS participant_name, \
        pl.lot_id, l.label AS lot_label, pc.reference AS contract_reference, pl.company_id, c.name AS company_name, \
        pl.execution_mode, pl.contract_type, pl.start_date, pl.end_date, pl.weekly_hours, pl.reduced_hours_agreed, \
        pl.on_clause_operation, pl.counting, pl.eligibility_criteria, pl.priority_area, pl.created_at, pl.updated_at
        """
    }

    /// The execution mode and contract type of a placement row; an unknown stored value is an error.
    static func modeAndContract(_ row: PostgresRow) throws -> (ExecutionMode, EmploymentContractType) {
        (
            try row.decodeEnum("execution_mode", table: "placements"),
            try row.decodeEnum("contract_type", table: "placements")
        )
    }

    static let from = """
        placements pl JOIN participants pa ON pa.id = pl.participant_id JOIN lots l ON l.id = pl.lot_id \
        JOIN public_contracts pc ON pc.id = l.public_contract_id JOIN companies c ON c.id = pl.company_id
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        code = try row.decode("code")
        participantId = try row.decode("participant_id")
        participantName = try row.decode("participant_name")
        lotId = try row.decode("lot_id")
        lotLabel = try row.decode("lot_label")
        publicContractReference = try row.decode("contract_reference")
        companyId = try row.decode("company_id")
        companyName = try row.decode("company_name")
        (executionMode, contractType) = try Self.modeAndContract(row)
        startDate = try row.decode("start_date")
        endDate = try row.decode("end_date")
        weeklyHours = try row.decode("weekly_hours")
        reducedHoursAgreed = try row.decode("reduced_hours_agreed")
        onClauseOperation = try row.decode("on_clause_operation")
        counting = try row.decode("counting")
        eligibilityCriteria = try row.decode("eligibility_criteria", as: PostgresTextArray.self).values.compactMap(
            EligibilityCriterionCode.init(rawValue:))
        priorityArea = try row.decodeOptionalEnum("priority_area", table: "placements")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
    }
}

/// A placement as the employing company sees it: the person's first name and initial (`Samira B.`,
/// computed in SQL), the lot, the contract, the dates, the weekly hours and the hours reported — never
/// the eligibility criteria, whether the hours count, the pathway, benefits, disability or residence.
public struct CompanyPlacement: Codable, Sendable, Equatable {
    public let id: UUID
    public let code: String
    public let participantName: String
    public let lotId: UUID
    public let lotLabel: String
    public let publicContractReference: String
    public let companyId: UUID
    public let companyName: String
    public let executionMode: ExecutionMode
    public let contractType: EmploymentContractType
    public let startDate: LocalDate
    public let endDate: LocalDate?
    public let weeklyHours: Decimal
    /// Worked + training hours of the current reports, declared or validated (rejected ones left out).
    public let reportedHours: Decimal
    public let createdAt: Date

    static func columns(_ caller: Caller) -> String {
        """
        pl.id, pl.code, \(Scope.personName(caller, participant: "pa")) AS participant_name, pl.lot_id, l.label AS lot_label, \
        pc.reference AS contract_reference, pl.company_id, c.name AS company_name, pl.execution_mode, pl.contract_type, pl.start_date, \
        pl.end_date, pl.weekly_hours, pl.created_at, \
        (SELECT coalesce(sum(r.worked_hours + r.training_hours), 0) FROM hour_reports r
         WHERE r.placement_id = pl.id AND r.current AND r.status <> 'rejected') AS reported_hours
        """
    }

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        code = try row.decode("code")
        participantName = try row.decode("participant_name")
        lotId = try row.decode("lot_id")
        lotLabel = try row.decode("lot_label")
        publicContractReference = try row.decode("contract_reference")
        companyId = try row.decode("company_id")
        companyName = try row.decode("company_name")
        (executionMode, contractType) = try Placement.modeAndContract(row)
        startDate = try row.decode("start_date")
        endDate = try row.decode("end_date")
        weeklyHours = try row.decode("weekly_hours")
        reportedHours = try row.decode("reported_hours")
        createdAt = try row.decode("created_at")
    }
}

/// Placements: created by staff (admin, facilitator) after the eligibility and overlap checks, read by
/// staff, by the participant's référent and by the employing company.
public struct PlacementStore: Sendable {
    /// A placement of at least this many contractual hours a week is full-time: no other placement of the
    /// same person may overlap it.
    public static let fullTimeWeeklyHours: Decimal = 35

    let pool: PostgresPool
    let validityMonths: Int

    public init(pool: PostgresPool, eligibilityValidityMonths: Int) {
        self.pool = pool
        self.validityMonths = eligibilityValidityMonths
    }

    private func select(_ caller: Caller) throws(DomainError) -> SQL {
        var sql = SQL("SELECT \(Placement.columns(caller)) FROM \(Placement.from) WHERE true")
        if let predicate = try Scope.placements(caller, placement: "pl", participant: "pa", &sql) {
            sql.append("AND \(predicate)")
        }
        return sql
    }

    /// Filters: `lotId`, `participantId`, `companyId`, `active` (`true`: running on `at`, default today).
    /// Staff and référents only: a company reads `companyList`.
    public func list(_ caller: Caller, page: PageRequest, filter: PlacementFilter = .init()) async throws -> Page<
        Placement
    > {
        try Self.refuseCompany(caller)
        var sql = try select(caller)
        for condition in filter.conditions(&sql) { sql.append("AND \(condition)") }
        try Keyset.apply(page, alias: "pl", to: &sql)
        let rows = try await pool.query(sql)
        return try Keyset.page(rows, limit: page.limit) { try Placement(row: $0) }
    }

    /// Every placement matching the filter (through the keyset pages), for pages that show them all.
    public func all(_ caller: Caller, filter: PlacementFilter) async throws -> [Placement] {
        var items: [Placement] = []
        var cursor: String?
        repeat {
            let page = try await list(
                caller, page: PageRequest(limit: PageRequest.maximumLimit, cursor: cursor), filter: filter)
            items += page.items
            cursor = page.next
        } while cursor != nil
        return items
    }

    /// The employing company's placements, in the company view (same filters as `list`).
    public func companyList(_ caller: Caller, page: PageRequest, filter: PlacementFilter = .init()) async throws
        -> Page<
            CompanyPlacement
        >
    {
        var sql = try companySelect(caller)
        for condition in filter.conditions(&sql) { sql.append("AND \(condition)") }
        try Keyset.apply(page, alias: "pl", to: &sql)
        let rows = try await pool.query(sql)
        return try Keyset.page(rows, limit: page.limit) { try CompanyPlacement(row: $0) }
    }

    /// One placement in the company view.
    public func companyGet(_ caller: Caller, id: UUID) async throws -> CompanyPlacement {
        var sql = try companySelect(caller)
        sql.append("AND pl.id = \(sql.bind(id))")
        guard let row = try await pool.query(sql).first else {
            throw DomainError.notFound(
                "La mise à l'emploi \(id.uuidString.lowercased()) n'existe pas ou ne vous est pas accessible.")
        }
        return try CompanyPlacement(row: row)
    }

    private func companySelect(_ caller: Caller) throws(DomainError) -> SQL {
        guard caller.role == .company else { throw DomainError.forbidden }
        var sql = SQL("SELECT \(CompanyPlacement.columns(caller)) FROM \(Placement.from) WHERE true")
        if let predicate = try Scope.placements(caller, placement: "pl", participant: "pa", &sql) {
            sql.append("AND \(predicate)")
        }
        return sql
    }

    /// The full view (criteria, eligibility) is for staff and référents; a company reads the company view.
    private static func refuseCompany(_ caller: Caller) throws(DomainError) {
        if caller.role == .company { throw DomainError.forbidden }
    }

    public func get(_ caller: Caller, id: UUID) async throws -> Placement {
        try Self.refuseCompany(caller)
        return try await pool.withConnection { try await get(caller, id: id, on: $0) }
    }

    public func get(_ caller: Caller, code: String) async throws -> Placement {
        try Self.refuseCompany(caller)
        return try await pool.withConnection { try await get(caller, code: code, on: $0) }
    }

    func get(_ caller: Caller, id: UUID, on connection: PostgresConnection, lock: Bool = false) async throws
        -> Placement
    {
        var sql = try select(caller)
        sql.append("AND pl.id = \(sql.bind(id))")
        if lock { sql.append("FOR UPDATE OF pl") }
        guard let row = try await connection.query(sql).first else {
            throw DomainError.notFound(
                "La mise à l'emploi \(id.uuidString.lowercased()) n'existe pas ou ne vous est pas accessible.")
        }
        return try Placement(row: row)
    }

    func get(_ caller: Caller, code: String, on connection: PostgresConnection, lock: Bool = false) async throws
        -> Placement
    {
        let normalized = code.trimmingCharacters(in: .whitespaces).uppercased()
        var sql = try select(caller)
        sql.append("AND pl.code = \(sql.bind(normalized))")
        if lock { sql.append("FOR UPDATE OF pl") }
        guard let row = try await connection.query(sql).first else {
            throw DomainError.notFound(
                "La mise à l'emploi « \(normalized) » n'existe pas ou ne vous est pas accessible.")
        }
        return try Placement(row: row)
    }

    /// Creates a placement (admin, facilitator). Refused when the participant is not eligible on the start
    /// date unless `nonCounting` is true (then recorded with `counting = false`), when it overlaps a
    /// full-time placement of the same person (or is full-time and overlaps any), and for unknown
    /// participant, lot or company. The criteria valid at the start are frozen on the placement.
    public func create(_ caller: Caller, _ input: Placement.Input) async throws -> Placement {
        try await translating { try await pool.withTransaction { try await create(caller, input, on: $0) } }
    }

    /// `create` inside a caller's transaction (a hire recorded on a proposal).
    func create(_ caller: Caller, _ input: Placement.Input, on connection: PostgresConnection) async throws
        -> Placement
    {
        try caller.requireEditor()
        guard let participantId = input.participantId else {
            throw DomainError.invalid("participantId", "« participantId » est obligatoire.", code: .missingField)
        }
        guard let lotId = input.lotId else {
            throw DomainError.invalid("lotId", "« lotId » est obligatoire.", code: .missingField)
        }
        guard let companyId = input.companyId else {
            throw DomainError.invalid("companyId", "« companyId » est obligatoire.", code: .missingField)
        }
        let mode = try Validate.required(input.executionMode, existing: nil, field: "executionMode")
        let contract = try Validate.required(input.contractType, existing: nil, field: "contractType")
        guard let start = input.startDate else {
            throw DomainError.invalid("startDate", "La date de début est obligatoire.", code: .missingField)
        }
        if let end = input.endDate, end < start {
            throw DomainError.invalid(
                "endDate", "La date de fin (\(end.french)) précède la date de début (\(start.french)).")
        }
        guard let weekly = input.weeklyHours?.value else {
            throw DomainError.invalid(
                "weeklyHours", "La durée hebdomadaire du contrat est obligatoire.", code: .missingField)
        }
        guard weekly > 0, weekly <= 60 else {
            throw DomainError.invalid(
                "weeklyHours",
                "La durée hebdomadaire doit être comprise entre 0 et 60 heures (reçu \(French.number(weekly, .text))).")
        }
        let nonCounting = input.nonCounting ?? false

        // The participant's row lock serialises placements of one person (overlap check).
        guard
            let person = try await connection.query(
                "SELECT \(PersonName.fullSQL("pa")) FROM participants pa WHERE pa.id = $1 FOR UPDATE",
                [participantId]
            ).scalar(String.self)
        else {
            throw DomainError.invalid(
                "participantId", "« participantId » ne désigne aucun participant existant.",
                code: .unknownReference)
        }
        guard try await connection.query("SELECT 1 FROM lots WHERE id = $1", [lotId]).count > 0 else {
            throw DomainError.invalid(
                "lotId", "« lotId » ne désigne aucun lot existant.", code: .unknownReference)
        }
        guard try await connection.query("SELECT 1 FROM companies WHERE id = $1", [companyId]).count > 0 else {
            throw DomainError.invalid(
                "companyId", "« companyId » ne désigne aucune entreprise existante.", code: .unknownReference)
        }

        let facts = try await ParticipantStore.eligibilityFacts(of: participantId, on: connection)
        let verdict = eligibility(of: facts, at: start, validityMonths: validityMonths)
        if !verdict.eligible && !nonCounting {
            throw DomainError(
                .unprocessable, code: .notEligible,
                message: Self.notEligibleMessage(
                    person: person, start: start, facts: facts, validityMonths: validityMonths),
                field: "startDate")
        }

        try await checkOverlap(
            connection, participantId: participantId, person: person, start: start, end: input.endDate,
            weekly: weekly, excluding: nil)

        let year = String(format: "%04d", start.year)
        let id = try await connection.query(
            """
            INSERT INTO placements (code, participant_id, lot_id, company_id, execution_mode, contract_type, start_date, end_date,
                                    weekly_hours, reduced_hours_agreed, on_clause_operation, counting, eligibility_criteria,
                                    created_by, created_by_label, priority_area)
            VALUES ('MEP-' || $1 || '-' || lpad(nextval('placement_code_seq')::text, 5, '0'), $2, $3, $4, $5, $6, $7, $8,
                    $9, $10, $11, $12, $13, $14, $15, (SELECT priority_area FROM participants WHERE id = $2))
            RETURNING id
            """,
            [
                year, participantId, lotId, companyId, mode.rawValue, contract.rawValue, start, input.endDate,
                weekly, input.reducedHoursAgreed ?? false, input.onClauseOperation ?? true, verdict.eligible,
                PostgresTextArray(verdict.criteria.map(\.rawValue)), caller.userId, caller.label,
            ]
        ).one().decode(0, as: UUID.self)
        let created = try await get(caller, id: id, on: connection)
        try await Audit.created(
            created, entity: "placement", id: id, omitting: ["participantName"], by: caller, on: connection)
        return created
    }

    /// Changes what may change once a placement exists (admin, facilitator): end date, weekly hours,
    /// reduced-hours agreement, on-operation flag, contract type. The start, the person, the lot, the
    /// company and the frozen eligibility do not change: end the placement and create another.
    public func update(_ caller: Caller, id: UUID, _ input: Placement.Input, expected: RecordVersion? = nil)
        async throws -> Placement
    {
        try caller.requireEditor()
        for (value, field) in [
            (input.participantId, "participantId"), (input.lotId, "lotId"), (input.companyId, "companyId"),
        ] where value != nil {
            throw DomainError.invalid(
                field,
                "« \(field) » ne peut pas être modifié sur une mise à l'emploi existante : terminez-la et créez-en une autre."
            )
        }
        if input.nonCounting != nil || input.executionMode != nil {
            throw DomainError.invalid(
                input.nonCounting != nil ? "nonCounting" : "executionMode",
                "L'éligibilité et la modalité d'une mise à l'emploi sont fixées à sa création.")
        }
        return try await translating {
            try await pool.withTransaction { connection in
                let existing = try await get(caller, id: id, on: connection, lock: true)
                try RecordVersion.check(expected, current: existing.updatedAt, noun: "la mise à l'emploi")
                if let start = input.startDate, start != existing.startDate {
                    throw DomainError.invalid(
                        "startDate",
                        "La date de début d'une mise à l'emploi ne peut pas changer (l'éligibilité y a été jugée).")
                }
                let cleared = try Validate.cleared(input.clear, allowed: Placement.Input.clearable)
                let end = Validate.kept(input.endDate, "endDate", existing: existing.endDate, cleared: cleared)
                if let end, end < existing.startDate {
                    throw DomainError.invalid(
                        "endDate",
                        "La date de fin (\(end.french)) précède la date de début (\(existing.startDate.french)).")
                }
                let weekly = input.weeklyHours?.value ?? existing.weeklyHours
                guard weekly > 0, weekly <= 60 else {
                    throw DomainError.invalid(
                        "weeklyHours",
                        "La durée hebdomadaire doit être comprise entre 0 et 60 heures (reçu \(French.number(weekly, .text)))."
                    )
                }
                let contract = input.contractType ?? existing.contractType
                if let end {
                    if let late = try await connection.query(
                        "SELECT to_char(month, 'YYYY-MM') FROM hour_reports WHERE placement_id = $1 AND current AND month > date_trunc('month', $2::date) ORDER BY month DESC LIMIT 1",
                        [id, end]
                    ).scalar(String.self) {
                        throw DomainError.invalid(
                            "endDate",
                            "Des heures sont déclarées pour \(late), après la nouvelle date de fin (\(end.french)).")
                    }
                }
                _ = try await connection.query(
                    "SELECT 1 FROM participants WHERE id = $1 FOR UPDATE", [existing.participantId])
                try await checkOverlap(
                    connection, participantId: existing.participantId, person: nil, start: existing.startDate, end: end,
                    weekly: weekly, excluding: id)
                try await connection.execute(
                    """
                    UPDATE placements SET end_date = $2, weekly_hours = $3, reduced_hours_agreed = $4, on_clause_operation = $5,
                                          contract_type = $6, updated_at = now() WHERE id = $1
                    """,
                    [
                        id, end, weekly, input.reducedHoursAgreed ?? existing.reducedHoursAgreed,
                        input.onClauseOperation ?? existing.onClauseOperation, contract.rawValue,
                    ])
                let updated = try await get(caller, id: id, on: connection)
                try await Audit.updated(
                    from: existing, to: updated, entity: "placement", id: id, by: caller, on: connection)
                return updated
            }
        }
    }

    /// Refuses an overlap with a full-time placement of the same person, or of a full-time placement with any.
    private func checkOverlap(
        _ connection: PostgresConnection, participantId: UUID, person: String?, start: LocalDate, end: LocalDate?,
        weekly: Decimal, excluding: UUID?
    ) async throws {
        let rows = try await connection.query(
            """
            SELECT code, start_date, end_date, weekly_hours FROM placements
            WHERE participant_id = $1 AND ($2::uuid IS NULL OR id <> $2)
            ORDER BY start_date
            """, [participantId, excluding])
        // The first placement the rule says collides (the same rule as a shortlist's availability filter).
        guard
            let row = try rows.first(where: { row in
                try PlacementSpan(start: row.decode(1), end: row.decode(2), weeklyHours: row.decode(3))
                    .collides(start: start, end: end, weekly: weekly)
            })
        else { return }
        let code: String = try row.decode(0)
        let otherStart: LocalDate = try row.decode(1)
        let otherEnd: LocalDate? = try row.decode(2)
        let otherWeekly: Decimal = try row.decode(3)
        let period =
            otherEnd.map { "du \(otherStart.french) au \($0.french)" }
            ?? "depuis le \(otherStart.french), sans date de fin"
        let who = person.map { " de \($0)" } ?? ""
        let message =
            otherWeekly >= Self.fullTimeWeeklyHours
            ? "Cette mise à l'emploi\(who) chevauche la mise à l'emploi \(code) à temps plein (\(French.number(otherWeekly, .text)) h par semaine, \(period))."
            : "Cette mise à l'emploi à temps plein\(who) chevauche la mise à l'emploi \(code) (\(French.number(otherWeekly, .text)) h par semaine, \(period))."
        throw DomainError.conflict(message, field: "startDate", code: .overlappingPlacement)
    }

    static func notEligibleMessage(person: String, start: LocalDate, facts: EligibilityFacts, validityMonths: Int)
        -> String
    {
        var text =
            "\(person) n'est pas éligible le \(start.french), date de début de la mise à l'emploi : aucun critère valide à cette date (parcours PLIE ouvert, ou justificatif validé et en cours de validité)."
        let reasons = ineligibilityReasons(of: facts, at: start, validityMonths: validityMonths)
        if reasons.isEmpty {
            text += " Aucun critère ni parcours n'est enregistré."
        } else {
            text += " Critères manquants ou invalides : " + reasons.joined(separator: ", ") + "."
        }
        return text + " Pour l'enregistrer quand même sans que ses heures comptent, indiquez « nonCounting »."
    }

    func translating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError {
            throw ConstraintMessages.translate(
                error,
                unique: [
                    "placements_lot_id_fkey": ("lotId", "« lotId » ne désigne aucun lot existant."),
                    "placements_company_id_fkey": (
                        "companyId", "« companyId » ne désigne aucune entreprise existante."
                    ),
                    "placements_participant_id_fkey": (
                        "participantId", "« participantId » ne désigne aucun participant existant."
                    ),
                ])
        }
    }
}
