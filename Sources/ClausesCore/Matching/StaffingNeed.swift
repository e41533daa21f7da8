import Foundation
import PostgresClient

public enum NeedStatus: String, InputEnum {
    case open, filled, cancelled

    public var frenchLabel: String {
        switch self {
        case .open: "Ouvert"
        case .filled: "Pourvu"
        case .cancelled: "Annulé"
        }
    }
}

/// What a contractor asks for on a lot (DOMAIN §7): trades, people, hours, dates, contract, requirements.
public struct StaffingNeed: Codable, Sendable, Equatable {
    public let id: UUID
    public let lotId: UUID
    /// `HOP-2026-014 — lot 1 : Gros œuvre`.
    public let lotLabel: String
    public let romeCodes: [String]
    /// `F1703 Maçonnerie`: each code with its ROME label.
    public let trades: [String]
    public let headcount: Int
    public let totalHours: Decimal?
    public let weeklyHours: Decimal?
    public let plannedStart: LocalDate
    public let plannedEnd: LocalDate?
    public let contractType: EmploymentContractType
    public let drivingLicenceRequired: Bool
    public let vehicleRequired: Bool
    public let notes: String?
    public let status: NeedStatus
    /// The lot's work-site commune, and its name when the reference data knows it.
    public let worksiteInsee: String?
    public let worksiteName: String?
    public let hired: Int
    public let createdAt: Date
    public let updatedAt: Date

    /// What a person types or a program sends; on update, an absent key keeps its value.
    public struct Input: Codable, Sendable {
        public var romeCodes: [String]?
        public var headcount: Int?
        public var totalHours: FlexibleDecimal?
        public var weeklyHours: FlexibleDecimal?
        public var plannedStart: LocalDate?
        public var plannedEnd: LocalDate?
        public var contractType: EmploymentContractType?
        public var drivingLicenceRequired: Bool?
        public var vehicleRequired: Bool?
        public var notes: String?
        public var status: NeedStatus?
        public var clear: [String]?
        public static let clearable: Set<String> = ["totalHours", "weeklyHours", "plannedEnd", "notes"]

        public init(
            romeCodes: [String]? = nil, headcount: Int? = nil, totalHours: Decimal? = nil, weeklyHours: Decimal? = nil,
            plannedStart: LocalDate? = nil, plannedEnd: LocalDate? = nil, contractType: EmploymentContractType? = nil,
            drivingLicenceRequired: Bool? = nil, vehicleRequired: Bool? = nil, notes: String? = nil,
            status: NeedStatus? = nil
        ) {
            self.romeCodes = romeCodes
            self.headcount = headcount
            self.totalHours = totalHours.map(FlexibleDecimal.init)
            self.weeklyHours = weeklyHours.map(FlexibleDecimal.init)
            self.plannedStart = plannedStart
            self.plannedEnd = plannedEnd
            self.contractType = contractType
            self.drivingLicenceRequired = drivingLicenceRequired
            self.vehicleRequired = vehicleRequired
            self.notes = notes
            self.status = status
        }
    }

    /// `HOP-2026-014 — lot 1 : Gros œuvre`, from the lot `l` and its contract `pc`.
    static let lotLabelSQL = "pc.reference || ' — lot ' || l.number || ' : ' || l.label"
    /// The need `n`'s codes in order, each with its ROME label: `F1703 Maçon / Maçonne`.
    static let tradesSQL = """
        ARRAY(SELECT c || coalesce(' ' || j.label, '') FROM unnest(n.rome_codes) WITH ORDINALITY u(c, i)
              LEFT JOIN rome_jobs j ON j.code = u.c ORDER BY u.i)
        """

    static let select = """
        SELECT n.id, n.lot_id, \(lotLabelSQL) AS lot_label, n.rome_codes, \(tradesSQL) AS trades,
               n.headcount, n.total_hours, n.weekly_hours, n.planned_start, n.planned_end, n.contract_type,
               n.driving_licence_required, n.vehicle_required, n.notes, n.status, l.worksite_insee,
               (SELECT name FROM communes WHERE insee = l.worksite_insee) AS worksite_name,
               (SELECT count(*) FROM need_proposals np WHERE np.need_id = n.id AND np.status = 'hired')::int AS hired,
               n.created_at, n.updated_at
        FROM staffing_needs n JOIN lots l ON l.id = n.lot_id JOIN public_contracts pc ON pc.id = l.public_contract_id
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        lotId = try row.decode("lot_id")
        lotLabel = try row.decode("lot_label")
        romeCodes = try row.decode("rome_codes", as: PostgresTextArray.self).values
        trades = try row.decode("trades", as: PostgresTextArray.self).values
        headcount = try row.decode("headcount")
        totalHours = try row.decode("total_hours")
        weeklyHours = try row.decode("weekly_hours")
        plannedStart = try row.decode("planned_start")
        plannedEnd = try row.decode("planned_end")
        contractType = try row.decodeEnum("contract_type", table: "staffing_needs")
        drivingLicenceRequired = try row.decode("driving_licence_required")
        vehicleRequired = try row.decode("vehicle_required")
        notes = try row.decode("notes")
        status = try row.decodeEnum("status", table: "staffing_needs")
        worksiteInsee = try row.decode("worksite_insee")
        worksiteName = try row.decode("worksite_name")
        hired = try row.decode("hired")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
    }
}

/// Staffing needs: written by admin and facilitators, read by the PLIE's staff and by the companies of the
/// lot; never by buyers.
public struct StaffingNeedStore: Sendable {
    let pool: PostgresPool
    let clock: any CivilClock

    public init(pool: PostgresPool, clock: any CivilClock) {
        self.pool = pool
        self.clock = clock
    }

    static func requireReader(_ caller: Caller) throws(DomainError) {
        guard caller.role.isStaff || caller.role == .company else { throw DomainError.forbidden }
    }

    /// A company reads the needs of the lots it works on.
    private static func scope(_ caller: Caller, _ sql: inout SQL) {
        if caller.role == .company {
            sql.append(
                "AND EXISTS (SELECT 1 FROM lot_companies lc WHERE lc.lot_id = n.lot_id AND lc.company_id = \(sql.bind(caller.companyId)))"
            )
        }
    }

    public func list(_ caller: Caller, lotId: UUID) async throws -> [StaffingNeed] {
        try Self.requireReader(caller)
        var sql = SQL(StaffingNeed.select)
        sql.append("WHERE n.lot_id = \(sql.bind(lotId))")
        Self.scope(caller, &sql)
        sql.append("ORDER BY n.planned_start, n.created_at")
        return try await pool.query(sql).map(StaffingNeed.init(row:))
    }

    public func get(_ caller: Caller, id: UUID) async throws -> StaffingNeed {
        try Self.requireReader(caller)
        return try await pool.withConnection { try await get(caller, id: id, on: $0) }
    }

    func get(_ caller: Caller, id: UUID, on connection: PostgresConnection) async throws -> StaffingNeed {
        var sql = SQL(StaffingNeed.select)
        sql.append("WHERE n.id = \(sql.bind(id))")
        Self.scope(caller, &sql)
        guard let row = try await connection.query(sql).first else {
            throw DomainError.notFound("Le besoin \(id.uuidString.lowercased()) n'existe pas.")
        }
        return try StaffingNeed(row: row)
    }

    public func create(_ caller: Caller, lotId: UUID, _ input: StaffingNeed.Input) async throws -> StaffingNeed {
        try caller.requireEditor()
        return try await pool.withTransaction { connection in
            guard try await !connection.query("SELECT 1 FROM lots WHERE id = $1", [lotId]).isEmpty else {
                throw DomainError.notFound("Le lot \(lotId.uuidString.lowercased()) n'existe pas.")
            }
            let columns = try await validated(input, existing: nil, on: connection)
            let row = try await connection.query(
                SQL.insert(
                    into: "staffing_needs",
                    [("lot_id", lotId)] + columns + [
                        ("created_by", caller.userId), ("created_by_label", caller.label),
                    ]))
            guard let id: UUID = try row.first?.decode(0) else { throw PostgresError(.decoding, "no id returned") }
            let need = try await get(caller, id: id, on: connection)
            try await Audit.created(need, entity: "staffing_need", id: id, by: caller, on: connection)
            return need
        }
    }

    public func update(_ caller: Caller, id: UUID, _ input: StaffingNeed.Input) async throws -> StaffingNeed {
        try caller.requireEditor()
        return try await pool.withTransaction { connection in
            let existing = try await get(caller, id: id, on: connection)
            let columns = try await validated(input, existing: existing, on: connection)
            try await connection.query(SQL.update("staffing_needs", columns, id: id))
            let updated = try await get(caller, id: id, on: connection)
            try await Audit.updated(
                from: existing, to: updated, entity: "staffing_need", id: id, by: caller, on: connection)
            return updated
        }
    }

    /// The input checked over the existing need; French refusals naming the field.
    private func validated(_ input: StaffingNeed.Input, existing: StaffingNeed?, on connection: PostgresConnection)
        async throws -> [(String, (any PostgresEncodable)?)]
    {
        let cleared = try Validate.cleared(input.clear, allowed: StaffingNeed.Input.clearable)
        let codes = try Validate.romeCodes(input.romeCodes, existing: existing?.romeCodes ?? [], field: "romeCodes")
        guard !codes.isEmpty else {
            throw DomainError.invalid("romeCodes", "Indiquez au moins un métier (code ROME).", code: .missingField)
        }
        guard codes.count <= 5 else {
            throw DomainError.invalid("romeCodes", "Cinq métiers au plus par besoin (reçu \(codes.count)).")
        }
        if input.romeCodes != nil {
            let known = Set(
                try await connection.query(
                    "SELECT code FROM rome_jobs WHERE code = ANY($1)", [PostgresTextArray(codes)]
                )
                .map { try $0.decode(0, as: String.self) })
            if let unknown = codes.first(where: { !known.contains($0) }) {
                throw DomainError.invalid(
                    "romeCodes",
                    "Code ROME inconnu « \(unknown) » : il n'est pas dans le référentiel ROME chargé (clauses refdata import rome)."
                )
            }
        }
        let headcount = try Validate.integer(
            input.headcount, existing: existing?.headcount ?? 1, field: "headcount", in: 1...200)
        let total = Validate.kept(
            input.totalHours?.value, "totalHours", existing: existing?.totalHours, cleared: cleared)
        if let total, total <= 0 || total > 100_000 {
            throw DomainError.invalid(
                "totalHours",
                "Le nombre d'heures doit être compris entre 0 et 100 000 (reçu \(French.number(total, .text))).")
        }
        let weekly = Validate.kept(
            input.weeklyHours?.value, "weeklyHours", existing: existing?.weeklyHours, cleared: cleared)
        if let weekly, weekly <= 0 || weekly > 60 {
            throw DomainError.invalid(
                "weeklyHours",
                "La durée hebdomadaire doit être comprise entre 0 et 60 heures (reçu \(French.number(weekly, .text))).")
        }
        guard total != nil || weekly != nil else {
            throw DomainError.invalid(
                "weeklyHours", "Indiquez le nombre d'heures ou la durée hebdomadaire du besoin.", code: .missingField)
        }
        guard let start = input.plannedStart ?? existing?.plannedStart else {
            throw DomainError.invalid("plannedStart", "La date de début prévue est obligatoire.", code: .missingField)
        }
        if input.plannedStart != nil, start < clock.today {
            throw DomainError.invalid(
                "plannedStart", "La date de début prévue (\(start.french)) est passée : indiquez une date à venir.")
        }
        let end = Validate.kept(input.plannedEnd, "plannedEnd", existing: existing?.plannedEnd, cleared: cleared)
        if let end, end < start {
            throw DomainError.invalid(
                "plannedEnd", "La date de fin prévue (\(end.french)) précède la date de début (\(start.french)).")
        }
        let contract = try Validate.required(
            input.contractType, existing: existing?.contractType, field: "contractType")
        // A text sent empty clears the notes (a page's field emptied).
        let notes =
            input.notes != nil
            ? try Validate.optionalText(input.notes, existing: nil, field: "notes", maxLength: 2000)
            : cleared.contains("notes") ? nil : existing?.notes
        return [
            ("rome_codes", PostgresTextArray(codes)), ("headcount", headcount), ("total_hours", total),
            ("weekly_hours", weekly), ("planned_start", start), ("planned_end", end),
            ("contract_type", contract.rawValue),
            ("driving_licence_required", input.drivingLicenceRequired ?? existing?.drivingLicenceRequired ?? false),
            ("vehicle_required", input.vehicleRequired ?? existing?.vehicleRequired ?? false), ("notes", notes),
            ("status", (input.status ?? existing?.status ?? .open).rawValue),
        ]
    }
}
