import Foundation
import PostgresClient

/// A lot's insertion clause: the calibration mode and inputs as given, the required hours they yield
/// (stored, with the unrounded value), and the clause's counting-rule overrides.
public struct InsertionClause: Codable, Sendable, Equatable {
    public struct Input: Codable, Sendable {
        public var calibration: CalibrationInput
        public var rounding: String?
        public var countingOverrides: CountingRuleOverrides?
        public var penaltyPerMissingHour: FlexibleDecimal?
        public init(
            calibration: CalibrationInput, rounding: String? = nil, countingOverrides: CountingRuleOverrides? = nil,
            penaltyPerMissingHour: Decimal? = nil
        ) {
            self.calibration = calibration
            self.rounding = rounding
            self.countingOverrides = countingOverrides
            self.penaltyPerMissingHour = penaltyPerMissingHour.map(FlexibleDecimal.init)
        }
    }

    public let id: UUID
    public let lotId: UUID
    public let calibration: CalibrationInput
    public let rounding: Rounding
    public let requiredHours: Decimal
    public let unroundedHours: Decimal
    public let warnings: [String]
    /// The formula with its numbers, recomputed from the stored inputs.
    public let explanation: String
    public let countingOverrides: CountingRuleOverrides
    public let penaltyPerMissingHour: Decimal?
    public let createdAt: Date
    public let updatedAt: Date

    static let columns = """
        ic.id, ic.lot_id, ic.calibration_inputs, ic.rounding, ic.required_hours, ic.unrounded_hours, \
        ic.calibration_warnings, ic.counting_overrides, ic.penalty_per_missing_hour, ic.created_at, ic.updated_at
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        lotId = try row.decode("lot_id")
        calibration = try JSONCoding.decoder.decode(
            CalibrationInput.self, from: Data(try row.decode("calibration_inputs", as: String.self).utf8))
        rounding = try row.decodeEnum("rounding", table: "insertion_clauses")
        requiredHours = try row.decode("required_hours")
        unroundedHours = try row.decode("unrounded_hours")
        warnings = try row.decode("calibration_warnings", as: PostgresTextArray.self).values
        explanation = (try? calibrate(calibration, rounding: rounding).explanation) ?? ""
        countingOverrides = try JSONCoding.decoder.decode(
            CountingRuleOverrides.self, from: Data(try row.decode("counting_overrides", as: String.self).utf8))
        penaltyPerMissingHour = try row.decode("penalty_per_missing_hour")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
    }
}

/// Reads and sets a lot's clause; the required hours are always computed here, never typed in.
public struct InsertionClauseStore: Sendable {
    let pool: PostgresPool
    let defaultRounding: Rounding

    public init(pool: PostgresPool, defaultRounding: Rounding) {
        self.pool = pool
        self.defaultRounding = defaultRounding
    }

    public func get(_ caller: Caller, lotId: UUID) async throws -> InsertionClause {
        try await pool.withConnection { connection in
            _ = try await EntityStore<Lot>(pool: pool).get(caller, id: lotId, on: connection)
            guard
                let row = try await connection.query(
                    "SELECT \(InsertionClause.columns) FROM insertion_clauses ic WHERE ic.lot_id = $1", [lotId]
                ).first
            else {
                throw DomainError.notFound("Le lot \(lotId.uuidString.lowercased()) n'a pas de clause d'insertion.")
            }
            return try InsertionClause(row: row)
        }
    }

    /// Creates or replaces the clause of a lot.
    /// `expected`: the clause's version when the form was opened (`.absent` when the lot had none).
    public func put(
        _ caller: Caller, lotId: UUID, _ input: InsertionClause.Input, expected: RecordVersion? = nil
    ) async throws -> InsertionClause {
        try caller.requireEditor()
        let rounding =
            try input.rounding.map { (text: String) throws(DomainError) in try Rounding.parse(text) } ?? defaultRounding
        let result = try calibrate(input.calibration, rounding: rounding)
        let overrides = input.countingOverrides ?? CountingRuleOverrides()
        try CountingRuleTable.defaults.overriding(with: overrides).validate()
        if let penalty = input.penaltyPerMissingHour?.value, penalty < 0 {
            throw DomainError.invalid(
                "penaltyPerMissingHour", "La pénalité par heure manquante ne peut pas être négative.")
        }
        let inputsJSON = String(decoding: try JSONCoding.encoder.encode(input.calibration), as: UTF8.self)
        let overridesJSON = String(decoding: try JSONCoding.encoder.encode(overrides), as: UTF8.self)
        return try await pool.withTransaction { connection in
            _ = try await EntityStore<Lot>(pool: pool).get(caller, id: lotId, on: connection, lock: true)
            let previous = try await connection.query(
                "SELECT \(InsertionClause.columns) FROM insertion_clauses ic WHERE ic.lot_id = $1", [lotId]
            )
            .first.map(InsertionClause.init(row:))
            try RecordVersion.check(expected, current: previous?.updatedAt, noun: "la clause du lot")
            let row = try await connection.query(
                """
                INSERT INTO insertion_clauses (lot_id, calibration_mode, calibration_inputs, rounding, required_hours, unrounded_hours,
                                               calibration_warnings, counting_overrides, penalty_per_missing_hour)
                VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8::jsonb, $9)
                ON CONFLICT (lot_id) DO UPDATE SET
                    calibration_mode = EXCLUDED.calibration_mode, calibration_inputs = EXCLUDED.calibration_inputs,
                    rounding = EXCLUDED.rounding, required_hours = EXCLUDED.required_hours, unrounded_hours = EXCLUDED.unrounded_hours,
                    calibration_warnings = EXCLUDED.calibration_warnings, counting_overrides = EXCLUDED.counting_overrides,
                    penalty_per_missing_hour = EXCLUDED.penalty_per_missing_hour, updated_at = now()
                RETURNING \(InsertionClause.columns.replacingOccurrences(of: "ic.", with: ""))
                """,
                [
                    lotId, result.mode.rawValue, inputsJSON, rounding.rawValue, result.requiredHours,
                    result.unroundedHours,
                    PostgresTextArray(result.warnings), overridesJSON, input.penaltyPerMissingHour?.value,
                ]
            ).one()
            let clause = try InsertionClause(row: row)
            if let previous {
                try await Audit.updated(
                    from: previous, to: clause, entity: "insertion_clause", id: clause.id, by: caller, on: connection)
            } else {
                try await Audit.created(clause, entity: "insertion_clause", id: clause.id, by: caller, on: connection)
            }
            return clause
        }
    }
}

/// The role a company holds on a lot.
public enum LotRole: String, InputEnum {
    case contractor
    case coContractor = "co_contractor"
    case subcontractor

    public var frenchLabel: String {
        switch self {
        case .contractor: "Titulaire"
        case .coContractor: "Co-traitant"
        case .subcontractor: "Sous-traitant"
        }
    }
}

public struct LotCompany: Codable, Sendable, Equatable {
    public struct Input: Codable, Sendable {
        public var companyId: UUID?
        public var role: LotRole?
        public init(companyId: UUID? = nil, role: LotRole? = nil) {
            self.companyId = companyId
            self.role = role
        }
    }

    public let lotId: UUID
    public let companyId: UUID
    public let companyName: String
    public let companySiret: String
    public let companyKind: CompanyKind
    public let role: LotRole
}

/// Contractors, co-contractors and subcontractors of a lot.
public struct LotCompanyStore: Sendable {
    let pool: PostgresPool
    public init(pool: PostgresPool) { self.pool = pool }

    public func list(_ caller: Caller, lotId: UUID) async throws -> [LotCompany] {
        try await pool.withConnection { connection in
            _ = try await EntityStore<Lot>(pool: pool).get(caller, id: lotId, on: connection)
            return try await connection.query(
                """
                SELECT lc.lot_id, lc.company_id, c.name, c.siret, c.kind, lc.role
                FROM lot_companies lc JOIN companies c ON c.id = lc.company_id
                WHERE lc.lot_id = $1 ORDER BY lc.role = 'contractor' DESC, c.name
                """, [lotId]
            ).map { row in
                LotCompany(
                    lotId: try row.decode(0), companyId: try row.decode(1), companyName: try row.decode(2),
                    companySiret: try row.decode(3),
                    companyKind: try row.decodeEnum(4, table: "companies", column: "kind"),
                    role: try row.decodeEnum(5, table: "lot_companies", column: "role"))
            }
        }
    }

    /// Gives a company a role on a lot (one contractor per lot).
    public func assign(_ caller: Caller, lotId: UUID, _ input: LotCompany.Input) async throws -> [LotCompany] {
        try caller.requireEditor()
        guard let companyId = input.companyId else {
            throw DomainError.invalid("companyId", "« companyId » est obligatoire.", code: .missingField)
        }
        let role = try Validate.required(input.role, existing: nil, field: "role")
        do {
            try await pool.withTransaction { connection in
                _ = try await EntityStore<Lot>(pool: pool).get(caller, id: lotId, on: connection, lock: true)
                try await connection.execute(
                    "INSERT INTO lot_companies (lot_id, company_id, role) VALUES ($1, $2, $3)",
                    [lotId, companyId, role.rawValue])
                try await Audit.record(
                    .create, entity: "lot_company",
                    id: "\(lotId.uuidString.lowercased())/\(companyId.uuidString.lowercased())",
                    changes: ["role": role.rawValue], by: caller, on: connection)
            }
        } catch let error as PostgresError {
            throw ConstraintMessages.translate(
                error,
                unique: [
                    "lot_companies_pkey": ("companyId", "Cette entreprise a déjà un rôle sur ce lot."),
                    "lot_companies_one_contractor": ("role", "Ce lot a déjà un titulaire."),
                    "lot_companies_company_id_fkey": (
                        "companyId", "« companyId » ne désigne aucune entreprise existante."
                    ),
                ])
        }
        return try await list(caller, lotId: lotId)
    }
}
