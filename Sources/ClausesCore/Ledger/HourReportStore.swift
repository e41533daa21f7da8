import Foundation
import PostgresClient

public enum HourReportSource: String, InputEnum {
    case company, siae, facilitator
}

public enum HourReportStatus: String, InputEnum {
    case declared, validated, rejected

    public var frenchLabel: String {
        switch self {
        case .declared: "Déclaré, à valider"
        case .validated: "Validé"
        case .rejected: "Refusé"
        }
    }
}

/// One version of the hours of one placement for one month. The current version is the one that
/// counts; earlier ones are kept (`current == false`) with the correction chain (`correctionOf`).
public struct HourReport: Codable, Sendable, Equatable {
    public let id: UUID
    public let placementId: UUID
    public let placementCode: String
    public let month: YearMonth
    public let workedHours: Decimal
    public let trainingHours: Decimal
    public let attestedInsertionHours: Decimal?
    public let subcontractAmount: Decimal?
    public let source: HourReportSource
    public let status: HourReportStatus
    public let rejectionReason: String?
    public let comment: String?
    public let declaredBy: UUID?
    public let declaredByLabel: String
    public let declaredAt: Date
    /// Who validated or rejected it.
    public let validatedBy: UUID?
    public let validatedByLabel: String?
    public let validatedAt: Date?
    public let current: Bool
    public let supersededAt: Date?
    public let correctionOf: UUID?

    public var figures: HourReportRules.Figures {
        .init(worked: workedHours, training: trainingHours, attested: attestedInsertionHours, amount: subcontractAmount)
    }

    static let columns = """
        r.id, r.placement_id, pl.code, r.month, r.worked_hours, r.training_hours, r.attested_insertion_hours, r.subcontract_amount, \
        r.source, r.status, r.rejection_reason, r.comment, r.declared_by, r.declared_by_label, r.declared_at, r.validated_by, \
        r.validated_by_label, r.validated_at, r.current, r.superseded_at, r.correction_of
        """

    init(row: PostgresRow) throws {
        id = try row.decode(0)
        placementId = try row.decode(1)
        placementCode = try row.decode(2)
        month = (try row.decode(3, as: LocalDate.self)).yearMonth
        workedHours = try row.numeric0(4)
        trainingHours = try row.numeric0(5)
        attestedInsertionHours = try row.numeric(6)
        subcontractAmount = try row.numeric(7)
        source = try row.decodeEnum(8, table: "hour_reports", column: "source")
        status = try row.decodeEnum(9, table: "hour_reports", column: "status")
        rejectionReason = try row.decode(10)
        comment = try row.decode(11)
        declaredBy = try row.decode(12)
        declaredByLabel = try row.decode(13)
        declaredAt = try row.decode(14)
        validatedBy = try row.decode(15)
        validatedByLabel = try row.decode(16)
        validatedAt = try row.decode(17)
        current = try row.decode(18)
        supersededAt = try row.decode(19)
        correctionOf = try row.decode(20)
    }
}

/// What a company, an SIAE or a facilitateur declares for one placement and one month.
public struct HourDeclaration: Codable, Sendable {
    /// The placement, by id or by code (`MEP-2026-00042`).
    public var placementId: UUID?
    public var placementCode: String?
    public var month: YearMonth
    public var workedHours: FlexibleDecimal
    public var trainingHours: FlexibleDecimal?
    public var attestedInsertionHours: FlexibleDecimal?
    public var subcontractAmount: FlexibleDecimal?
    /// `company`, `siae` or `facilitator`; defaults from the caller: a company account → `company`,
    /// staff → `facilitator`. A company may not declare as `facilitator`.
    public var source: HourReportSource?
    public var comment: String?

    public init(
        placementId: UUID? = nil, placementCode: String? = nil, month: YearMonth, workedHours: Decimal,
        trainingHours: Decimal? = nil, attestedInsertionHours: Decimal? = nil, subcontractAmount: Decimal? = nil,
        source: HourReportSource? = nil, comment: String? = nil
    ) {
        self.placementId = placementId
        self.placementCode = placementCode
        self.month = month
        self.workedHours = FlexibleDecimal(workedHours)
        self.trainingHours = trainingHours.map(FlexibleDecimal.init)
        self.attestedInsertionHours = attestedInsertionHours.map(FlexibleDecimal.init)
        self.subcontractAmount = subcontractAmount.map(FlexibleDecimal.init)
        self.source = source
        self.comment = comment
    }
}

public enum DeclarationOutcome: String, Codable, Sendable {
    /// A first report for the month.
    case created
    /// A new version superseding the previous one (kept in the history).
    case corrected
    /// The same figures as the current report: nothing written.
    case unchanged
}

public struct DeclarationResult: Codable, Sendable, Equatable {
    public let outcome: DeclarationOutcome
    public let report: HourReport
}

/// Monthly hour reports: declared by staff or by the employing company, validated or rejected by staff.
/// Rules (all refusals are French `DomainError`s):
/// - unknown or inaccessible placement: 404; a company only reaches the placements it employs;
/// - negative hours, or worked + training above the month's days × 24: 422;
/// - a month before the placement's start month, after its end month, or after the current month: 422;
/// - worked + training above `ledger.plausible_monthly_hours`: 422 `implausible_hours` unless confirmed;
/// - a current report already exists for the month: same figures → `unchanged` (idempotent); other
///   figures → 409 `report_exists` unless `replace`, which records a correction (new version, the old one
///   superseded and kept, audited). A rejected current report may be replaced without `replace`.
/// - `validate: true` (staff only) records the report as validated at once (a facilitateur keying in
///   checked timesheets); otherwise it waits as `declared`.
public struct HourReportStore: Sendable {
    let pool: PostgresPool
    let clock: any CivilClock
    let plausibleMonthlyHours: Decimal
    /// Where reports find their placement (with the caller's scope).
    let placements: PlacementStore

    public init(pool: PostgresPool, plausibleMonthlyHours: Decimal, placements: PlacementStore, clock: any CivilClock) {
        self.pool = pool
        self.plausibleMonthlyHours = plausibleMonthlyHours
        self.placements = placements
        self.clock = clock
    }

    /// What a declaration says once its figures passed the checks that need no database.
    struct CheckedDeclaration: Sendable {
        let placementId: UUID?
        let placementCode: String?
        let month: YearMonth
        let worked: Decimal
        let training: Decimal
        let attested: Decimal?
        let amount: Decimal?
        let source: HourReportSource
        let comment: String?
    }

    /// Whether a write must find the current report a grid saw when it was opened, or accepts any.
    public enum CurrentReportCheck: Sendable, Equatable {
        case any
        /// The current report seen when the form was opened (nil: none then).
        case expect(SeenReport?)
    }

    public func declare(
        _ caller: Caller, _ declaration: HourDeclaration, replace: Bool = false, confirmPlausible: Bool = false,
        validate: Bool = false, today: LocalDate? = nil
    ) async throws -> DeclarationResult {
        let checked = try check(caller, declaration, confirmPlausible: confirmPlausible, validate: validate)
        return try await pool.withTransaction { connection in
            try await write(
                caller, checked, replace: replace, validate: validate, today: today ?? clock.today, current: .any,
                on: connection)
        }
    }

    /// The checks of a declaration's own figures (hours, month capacity, plausibility, source, comment).
    func check(_ caller: Caller, _ declaration: HourDeclaration, confirmPlausible: Bool, validate: Bool)
        throws(DomainError) -> CheckedDeclaration
    {
        try Scope.requireDeclarer(caller)
        if validate { try caller.requireEditor() }
        let worked = declaration.workedHours.value
        let training = declaration.trainingHours?.value ?? 0
        let attested = declaration.attestedInsertionHours?.value
        let amount = declaration.subcontractAmount?.value
        let month = declaration.month
        for (value, field) in [
            (worked, "workedHours"), (training, "trainingHours"), (attested ?? 0, "attestedInsertionHours"),
        ] {
            _ = try Validate.hours(value, field: field)
        }
        _ = try Validate.amount(amount, existing: nil, field: "subcontractAmount")
        let figures = HourReportRules.figureProblems(
            worked: worked, training: training, attested: attested, month: month,
            plausibleCeiling: plausibleMonthlyHours)
        for problem in figures {
            if case .implausible = problem, confirmPlausible { continue }
            throw problem.error
        }
        return CheckedDeclaration(
            placementId: declaration.placementId, placementCode: declaration.placementCode, month: month,
            worked: worked, training: training, attested: attested, amount: amount,
            source: try Self.source(declaration.source, caller: caller),
            comment: try Validate.optionalText(declaration.comment, existing: nil, field: "comment", maxLength: 1000))
    }

    /// Writes one checked declaration inside the caller's transaction: the placement's period, the
    /// current report (unchanged, refused without `replace`, or superseded), the new version and its audit.
    func write(
        _ caller: Caller, _ declared: CheckedDeclaration, replace: Bool, validate: Bool, today: LocalDate,
        current check: CurrentReportCheck, on connection: PostgresConnection
    ) async throws -> DeclarationResult {
        let (month, worked, training, source, comment) = (
            declared.month, declared.worked, declared.training, declared.source, declared.comment
        )
        let placement: Placement
        if let id = declared.placementId {
            placement = try await placements.get(caller, id: id, on: connection, lock: true)
        } else if let code = declared.placementCode {
            placement = try await placements.get(caller, code: code, on: connection, lock: true)
        } else {
            throw DomainError.invalid(
                "placementId", "Indiquez la mise à l'emploi (« placementId » ou « placementCode »).",
                code: .missingField)
        }
        if let problem = HourReportRules.periodProblem(
            month: month, today: today, placementCode: placement.code, start: placement.startDate,
            end: placement.endDate)
        {
            throw problem.error
        }
        let existing = try await connection.query(
            """
            SELECT \(HourReport.columns) FROM hour_reports r JOIN placements pl ON pl.id = r.placement_id
            WHERE r.placement_id = $1 AND r.month = $2 AND r.current FOR UPDATE OF r
            """, [placement.id, month.firstDay]
        ).first.map(HourReport.init(row:))
        if case .expect(let seen) = check, seen != existing.map(SeenReport.init) {
            // Who changed them is said to the PLIE's staff only, not to a company.
            let who = existing.flatMap { caller.role.isStaff ? $0.validatedByLabel ?? $0.declaredByLabel : nil }
            throw DomainError.conflict(
                "Les heures de \(placement.code) en \(French.month(month)) ont été modifiées\(who.map { " par \($0)" } ?? "") depuis l'ouverture de la page (\(existing.map { "\(French.hours($0.workedHours)), \($0.status.frenchLabel.lowercased())" } ?? "plus rien de déclaré")) : vérifiez ce chiffre, puis enregistrez de nouveau pour le remplacer.",
                field: "month", code: .staleForm)
        }
        let declaredAttested = declared.attested
        let declaredAmount = declared.amount
        if let existing {
            if HourReportRules.isUnchanged(
                current: existing.figures, status: existing.status,
                declared: .init(worked: worked, training: training, attested: declaredAttested, amount: declaredAmount))
            {
                return DeclarationResult(outcome: .unchanged, report: existing)
            }
            if !replace && existing.status != .rejected {
                throw HourReportRules.Problem.alreadyDeclared(
                    placementCode: placement.code, month: month, worked: existing.workedHours,
                    training: existing.trainingHours, status: existing.status
                ).error
            }
            try await connection.execute(
                "UPDATE hour_reports SET current = false, superseded_at = now() WHERE id = $1", [existing.id])
        }
        // A figure the declaration leaves out keeps the current report's (as an import does).
        let attested = declaredAttested ?? existing?.attestedInsertionHours
        let amount = declaredAmount ?? existing?.subcontractAmount
        let id = try await connection.query(
            """
            INSERT INTO hour_reports (placement_id, month, worked_hours, training_hours, attested_insertion_hours, subcontract_amount,
                                      source, status, comment, declared_by, declared_by_label, validated_by, validated_by_label, validated_at,
                                      correction_of)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, CASE WHEN $8 = 'validated' THEN now() END, $14)
            RETURNING id
            """,
            [
                placement.id, month.firstDay, worked, training, attested, amount, source.rawValue,
                validate ? "validated" : "declared", comment, caller.userId, caller.label,
                validate ? caller.userId : nil, validate ? caller.label : nil, existing?.id,
            ]
        ).one().decode(0, as: UUID.self)
        let report = try await get(id: id, on: connection)
        var changes: [String: Any] = [
            "placementCode": placement.code, "month": month.description, "workedHours": "\(worked)",
            "trainingHours": "\(training)",
            "status": report.status.rawValue, "source": source.rawValue,
        ]
        if let attested { changes["attestedInsertionHours"] = "\(attested)" }
        if let amount { changes["subcontractAmount"] = "\(amount)" }
        if let existing {
            changes["correctionOf"] = existing.id.uuidString.lowercased()
            changes["previous"] = [
                "workedHours": "\(existing.workedHours)", "trainingHours": "\(existing.trainingHours)",
                "status": existing.status.rawValue,
            ]
        }
        try await Audit.record(
            .create, entity: "hour_report", id: id.uuidString.lowercased(), changes: changes, by: caller,
            on: connection)
        return DeclarationResult(outcome: existing == nil ? .created : .corrected, report: report)
    }

    /// Validates a current declared report (admin, facilitator); validating a validated report changes nothing.
    public func validate(_ caller: Caller, reportId: UUID) async throws -> HourReport {
        try await review(caller, reportIds: [reportId], to: .validated, reason: nil)[0]
    }

    /// Rejects a current report with a reason the declarant will read (admin, facilitator).
    public func reject(_ caller: Caller, reportId: UUID, reason: String) async throws -> HourReport {
        try await review(caller, reportIds: [reportId], to: .rejected, reason: reason)[0]
    }

    /// Validates or rejects several reports at once, all or nothing (the review queue's bulk action).
    public func review(_ caller: Caller, reportIds: [UUID], to status: HourReportStatus, reason: String?) async throws
        -> [HourReport]
    {
        try caller.requireEditor()
        let reason = try reason.map { text throws(DomainError) in
            try Validate.text(text, existing: nil, field: "reason", maxLength: 1000)
        }
        if status == .rejected && reason == nil {
            throw DomainError.invalid("reason", "Indiquez le motif du refus : le déclarant le lira.")
        }
        return try await pool.withTransaction { connection in
            var reviewed: [HourReport] = []
            for id in reportIds {
                reviewed.append(try await review(caller, reportId: id, to: status, reason: reason, on: connection))
            }
            return reviewed
        }
    }

    func review(
        _ caller: Caller, reportId: UUID, to status: HourReportStatus, reason: String?,
        on connection: PostgresConnection
    ) async throws -> HourReport {
        let report = try await get(caller, reportId: reportId, on: connection, lock: true)
        guard report.current else {
            throw DomainError.conflict(
                "Cette déclaration a été remplacée par une correction : seule la version en vigueur peut être validée ou refusée.",
                code: .superseded)
        }
        if report.status == status && report.rejectionReason == reason { return report }
        if report.status != .declared {
            throw DomainError.conflict(
                "Cette déclaration est déjà \(report.status == .validated ? "validée" : "refusée") ; pour la changer, enregistrez une correction.",
                code: .alreadyReviewed)
        }
        try await connection.execute(
            """
            UPDATE hour_reports SET status = $2, rejection_reason = $3, validated_at = now(), validated_by = $4, validated_by_label = $5
            WHERE id = $1
            """, [reportId, status.rawValue, reason, caller.userId, caller.label])
        var changes: [String: Any] = ["status": ["from": report.status.rawValue, "to": status.rawValue]]
        if let reason { changes["rejectionReason"] = reason }
        try await Audit.record(
            .update, entity: "hour_report", id: reportId.uuidString.lowercased(), changes: changes, by: caller,
            on: connection)
        return try await get(id: reportId, on: connection)
    }

    /// The current reports of a placement, by month.
    public func list(_ caller: Caller, placementId: UUID) async throws -> [HourReport] {
        try await reports(caller, placementId: placementId, month: nil, history: false)
    }

    /// Every version (current and superseded) of a placement's reports, optionally for one month, oldest first.
    public func history(_ caller: Caller, placementId: UUID, month: YearMonth? = nil) async throws -> [HourReport] {
        try await reports(caller, placementId: placementId, month: month, history: true)
    }

    /// Current reports waiting for validation, oldest first (the facilitateur's queue; a company sees its own).
    public func pending(_ caller: Caller, limit: Int = 500) async throws -> [HourReport] {
        var sql = SQL(
            "SELECT \(HourReport.columns) FROM hour_reports r JOIN placements pl ON pl.id = r.placement_id JOIN participants pa ON pa.id = pl.participant_id WHERE r.current AND r.status = 'declared'"
        )
        if let predicate = try Scope.placements(caller, placement: "pl", participant: "pa", &sql) {
            sql.append("AND \(predicate)")
        }
        sql.append("ORDER BY r.declared_at, r.id LIMIT \(sql.bind(limit))")
        return try await pool.query(sql).map(HourReport.init(row:))
    }

    public func get(_ caller: Caller, reportId: UUID) async throws -> HourReport {
        try await pool.withConnection { try await get(caller, reportId: reportId, on: $0) }
    }

    private func reports(_ caller: Caller, placementId: UUID, month: YearMonth?, history: Bool) async throws
        -> [HourReport]
    {
        try await pool.withConnection { connection in
            _ = try await placements.get(caller, id: placementId, on: connection)
            var sql = SQL(
                "SELECT \(HourReport.columns) FROM hour_reports r JOIN placements pl ON pl.id = r.placement_id WHERE r.placement_id = $1"
            )
            _ = sql.bind(placementId)
            if !history { sql.append("AND r.current") }
            if let month { sql.append("AND r.month = \(sql.bind(month.firstDay))") }
            sql.append("ORDER BY r.month, r.declared_at, r.id")
            return try await connection.query(sql).map(HourReport.init(row:))
        }
    }

    func get(_ caller: Caller, reportId: UUID, on connection: PostgresConnection, lock: Bool = false) async throws
        -> HourReport
    {
        var sql = SQL(
            "SELECT \(HourReport.columns) FROM hour_reports r JOIN placements pl ON pl.id = r.placement_id JOIN participants pa ON pa.id = pl.participant_id WHERE r.id = $1"
        )
        _ = sql.bind(reportId)
        if let predicate = try Scope.placements(caller, placement: "pl", participant: "pa", &sql) {
            sql.append("AND \(predicate)")
        }
        if lock { sql.append("FOR UPDATE OF r") }
        guard let row = try await connection.query(sql).first else {
            throw DomainError.notFound(
                "La déclaration d'heures \(reportId.uuidString.lowercased()) n'existe pas ou ne vous est pas accessible."
            )
        }
        return try HourReport(row: row)
    }

    private func get(id: UUID, on connection: PostgresConnection) async throws -> HourReport {
        try HourReport(
            row: try await connection.query(
                "SELECT \(HourReport.columns) FROM hour_reports r JOIN placements pl ON pl.id = r.placement_id WHERE r.id = $1",
                [id]
            ).one())
    }

    static func source(_ given: HourReportSource?, caller: Caller) throws(DomainError) -> HourReportSource {
        if let source = given {
            if caller.role == .company && source == .facilitator {
                throw DomainError.invalid(
                    "source", "Une entreprise ne peut pas déclarer des heures au nom du facilitateur.")
            }
            return source
        }
        return caller.role == .company ? .company : .facilitator
    }
}
