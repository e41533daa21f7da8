import Foundation
import PostgresClient

public enum ImportStatus: String, Codable, Sendable {
    /// Everything valid and written (in one transaction).
    case written
    /// Everything valid; nothing written because it was a dry run.
    case dryRun = "dry_run"
    /// Problems found (see `problems`); nothing written.
    case rejected
    /// No problem, but implausible figures (see `warnings`) need `confirmPlausible`; nothing written.
    case confirmationRequired = "confirmation_required"
}

/// What an import did, or would do. Nothing is written unless `status == .written`.
public struct ImportReport: Codable, Sendable, Equatable {
    public var status: ImportStatus
    /// Data lines read.
    public var lines: Int
    /// Hours: new monthly reports. Participants: new participants.
    public var created: Int
    /// Hours: corrections (a new version superseding the previous figures, kept in the history).
    /// Participants: existing participants whose data changed.
    public var updated: Int
    /// Lines identical to what is stored: nothing to do (re-importing a file changes nothing).
    public var unchanged: Int
    /// Participants: eligibility proofs added.
    public var criteriaAdded: Int
    /// Participants imports: pathways opened from the « entrée PLIE » column.
    public var pathwaysOpened = 0
    /// The problems, with their line and column, sorted by line: the first `listedProblems` of them.
    public var problems: [ValidationErrors.Problem]
    /// Figures to confirm (hours above `ledger.plausible_monthly_hours`): the first `listedProblems`.
    public var warnings: [ValidationErrors.Problem]
    /// How many problems and warnings there are in all, listed or not.
    public var problemCount = 0
    public var warningCount = 0

    public var written: Bool { status == .written }

    static func rejected(
        _ problems: [ValidationErrors.Problem], lines: Int = 0, warnings: [ValidationErrors.Problem] = []
    ) -> ImportReport {
        ImportReport(
            status: .rejected, lines: lines, created: 0, updated: 0, unchanged: 0, criteriaAdded: 0, problems: problems,
            warnings: warnings)
    }

    /// At most this many problems (and warnings) are listed, and counted apart: a file wrong on every one
    /// of its 200,000 lines would otherwise be answered with tens of megabytes.
    public static let listedProblems = 1000

    /// The report with its lists cut to `listedProblems` entries, their totals kept in the counts.
    func listingAtMost(_ limit: Int = listedProblems) -> ImportReport {
        var report = self
        report.problemCount = max(problemCount, problems.count)
        report.warningCount = max(warningCount, warnings.count)
        report.problems = Array(problems.prefix(limit))
        report.warnings = Array(warnings.prefix(limit))
        return report
    }

    /// `12 problème(s)`, or `1 500 problèmes (les 1 000 premiers sont listés)`.
    public var problemSummary: String {
        let total = max(problemCount, problems.count)
        let listed =
            total > problems.count
            ? " (les \(French.number(Decimal(problems.count), maxFraction: 6)) premiers sont listés)" : ""
        return "\(French.number(Decimal(total), maxFraction: 6)) problème\(total > 1 ? "s" : "")\(listed)"
    }
}

/// CSV imports of monthly hours and of participants: the whole file is checked (format first, then
/// against the database), every problem is reported with its line, and everything is written in one
/// transaction or nothing is.
///
/// Files are parsed on the background workers, never on the threads serving requests; an account runs one
/// import at a time and the service at most `imports.max_concurrent` (`ImportGate`).
public struct ImportService: Sendable {
    let pool: PostgresPool
    let plausibleMonthlyHours: Decimal
    let rules: ImportRules
    let workers: BackgroundWorkers
    let gate: ImportGate
    let clock: any CivilClock

    public init(
        pool: PostgresPool, plausibleMonthlyHours: Decimal, rules: ImportRules, workers: BackgroundWorkers,
        maxConcurrent: Int, clock: any CivilClock
    ) {
        self.pool = pool
        self.clock = clock
        self.plausibleMonthlyHours = plausibleMonthlyHours
        self.rules = rules
        self.workers = workers
        self.gate = ImportGate(maxConcurrent: maxConcurrent)
    }

    /// Parses on the background workers; a full queue is answered like a busy service.
    private func parse<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        guard let value = try await workers.run(work) else { throw ImportGate.busy }
        return value
    }

    /// Thrown inside the transaction to roll it back and hand the report out.
    private struct Abort: Error { let report: ImportReport }

    // MARK: - Hours

    /// Imports a monthly hours file (`placement;mois;heures travaillées;heures de formation;commentaire`).
    /// - every placement code must exist and be reachable by the caller (a company: its own placements);
    /// - every month must lie within the placement's months and not after the current month;
    /// - a month already reported with the same figures is `unchanged`; with other figures it is a
    ///   problem unless `replace`, which records corrections (previous versions kept, each correction
    ///   audited); a rejected report is replaced without `replace`;
    /// - rows above `plausible_monthly_hours` need `confirmPlausible`;
    /// - `validate` (staff only) records the reports as validated at once.
    /// Staff imports are sourced `facilitator`, company imports `company`.
    public func importHours(
        data: Data, caller: Caller, replace: Bool = false, confirmPlausible: Bool = false, dryRun: Bool = false,
        validate: Bool = false, today: LocalDate? = nil
    ) async throws -> ImportReport {
        let today = today ?? clock.today
        try Scope.requireDeclarer(caller)
        if validate { try caller.requireEditor() }
        return try await gate.run(for: caller) {
            try await importHoursChecked(
                data: data, caller: caller, replace: replace, confirmPlausible: confirmPlausible, dryRun: dryRun,
                validate: validate, today: today
            ).listingAtMost()
        }
    }

    private func importHoursChecked(
        data: Data, caller: Caller, replace: Bool, confirmPlausible: Bool, dryRun: Bool,
        validate: Bool, today: LocalDate
    ) async throws -> ImportReport {
        let (plausible, rules) = (plausibleMonthlyHours, rules)
        let parsing: Result<(rows: [HoursImportRow], warnings: [ValidationErrors.Problem]), ValidationErrors> =
            try await parse {
                Result { () throws(ValidationErrors) in
                    try HoursImport.parse(data, plausibleMonthlyCeiling: plausible, rules: rules)
                }
            }
        let parsed: (rows: [HoursImportRow], warnings: [ValidationErrors.Problem])
        switch parsing {
        case .success(let value): parsed = value
        case .failure(let error): return .rejected(error.problems)
        }
        let rows = parsed.rows
        let source = caller.role == .company ? HourReportSource.company : .facilitator

        do {
            return try await pool.withTransaction { connection in
                try await connection.execute(
                    """
                    CREATE TEMP TABLE import_hours (line integer NOT NULL, code text NOT NULL, month date NOT NULL,
                        worked numeric(7, 2) NOT NULL, training numeric(7, 2) NOT NULL, comment text) ON COMMIT DROP
                    """)
                try await connection.copy(
                    into: "import_hours", columns: ["line", "code", "month", "worked", "training", "comment"],
                    rows: rows.lazy.map {
                        [
                            "\($0.line)", $0.placementCode, $0.month.firstDay.description,
                            NumericText.text($0.workedHours), NumericText.text($0.trainingHours), $0.comment,
                        ]
                    })
                try await connection.execute("ANALYZE import_hours")

                // Each line matched once with its placement (within the caller's scope) and the month's current
                // report; the lateral lookup goes through the (placement, month) index line by line instead of
                // hashing the whole reports table, in (placement, month) order so consecutive lookups read
                // neighbouring index pages.
                var match = SQL(
                    """
                    CREATE TEMP TABLE import_matched ON COMMIT DROP AS
                    SELECT m.line, m.code, m.month, m.worked, m.training, m.comment, m.placement_id, m.start_date, m.end_date,
                           r.id AS old_id, r.worked_hours AS old_worked, r.training_hours AS old_training, r.status AS old_status,
                           r.attested_insertion_hours, r.subcontract_amount
                    FROM (SELECT i.line, i.code, i.month, i.worked, i.training, i.comment, pl.id AS placement_id, pl.start_date, pl.end_date
                          FROM import_hours i
                          LEFT JOIN (placements pl JOIN participants pa ON pa.id = pl.participant_id) ON pl.code = i.code
                    """)
                if let predicate = try Scope.placements(caller, placement: "pl", participant: "pa", &match) {
                    match.append("AND \(predicate)")
                }
                match.append(
                    """
                          ORDER BY pl.id, i.month OFFSET 0) m
                    LEFT JOIN LATERAL (SELECT r.id, r.worked_hours, r.training_hours, r.status, r.attested_insertion_hours, r.subcontract_amount
                                       FROM hour_reports r WHERE r.placement_id = m.placement_id AND r.month = m.month AND r.current OFFSET 0) r ON true
                    """)
                try await connection.query(match)

                // Every problem against the database, in one query.
                // The first `listedProblems` problems are read, and how many there are in all.
                var sql = SQL(
                    """
                    SELECT m.line, m.code, to_char(m.month, 'YYYY-MM'), m.placement_id IS NOT NULL, m.start_date, m.end_date,
                           m.old_worked, m.old_training, m.old_status, count(*) OVER () AS total
                    FROM import_matched m
                    """)
                let monthLimit = sql.bind(today.yearMonth.firstDay)
                let replacing = sql.bind(replace)
                sql.append(
                    """
                    WHERE m.placement_id IS NULL
                       OR m.month < date_trunc('month', m.start_date)::date
                       OR (m.end_date IS NOT NULL AND m.month > date_trunc('month', m.end_date)::date)
                       OR m.month > \(monthLimit)::date
                       OR (m.old_id IS NOT NULL AND NOT \(replacing)::boolean AND m.old_status <> 'rejected'
                           AND NOT \(HourReportRules.unchangedSQL))
                    ORDER BY m.line LIMIT \(sql.bind(ImportReport.listedProblems))
                    """)
                var problems: [ValidationErrors.Problem] = []
                var problemCount = 0
                for row in try await connection.query(sql) {
                    let line: Int = try row.decode(0)
                    let code: String = try row.decode(1)
                    problemCount = try row.decode(9)
                    guard let month = YearMonth(text: try row.decode(2, as: String.self)) else {
                        throw PostgresError(.decoding, "mois illisible (import_matched)")
                    }
                    guard try row.decode(3, as: Bool.self) else {
                        problems.append(
                            .init(
                                line: line, column: "placement",
                                message: "mise à l'emploi « \(code) » inconnue ou hors de votre périmètre"))
                        continue
                    }
                    let problem =
                        HourReportRules.periodProblem(
                            month: month, today: today, placementCode: code, start: try row.decode(4),
                            end: try row.decode(5))
                        ?? .alreadyDeclared(
                            placementCode: code, month: month, worked: try row.numeric0(6),
                            training: try row.numeric0(7),
                            status: try row.decodeEnum(8, table: "hour_reports", column: "status"))
                    problems.append(.init(line: line, column: problem.column, message: problem.message))
                }

                let counts = try await connection.query(
                    """
                    SELECT count(*) FILTER (WHERE old_id IS NULL),
                           count(*) FILTER (WHERE old_id IS NOT NULL AND NOT \(HourReportRules.unchangedSQL)),
                           count(*) FILTER (WHERE old_id IS NOT NULL AND \(HourReportRules.unchangedSQL))
                    FROM import_matched WHERE placement_id IS NOT NULL
                    """
                ).one()
                var report = ImportReport(
                    status: .written, lines: rows.count, created: try counts.decode(0), updated: try counts.decode(1),
                    unchanged: try counts.decode(2), criteriaAdded: 0, problems: problems, warnings: parsed.warnings,
                    problemCount: problemCount)
                if !problems.isEmpty {
                    report.status = .rejected
                    report.created = 0
                    report.updated = 0
                    report.unchanged = 0
                    throw Abort(report: report)
                }
                if !parsed.warnings.isEmpty && !confirmPlausible {
                    report.status = .confirmationRequired
                    throw Abort(report: report)
                }
                if dryRun {
                    report.status = .dryRun
                    throw Abort(report: report)
                }
                guard report.created + report.updated > 0 else { return report }

                try await connection.execute(
                    """
                    CREATE TEMP TABLE import_changes ON COMMIT DROP AS
                    SELECT line, placement_id, code, month, worked, training, comment, old_id, attested_insertion_hours, subcontract_amount,
                           old_worked, old_training, old_status
                    FROM import_matched
                    WHERE placement_id IS NOT NULL
                      AND (old_id IS NULL OR NOT \(HourReportRules.unchangedSQL))
                    """)
                try await connection.execute(
                    """
                    UPDATE hour_reports h SET current = false, superseded_at = now()
                    FROM import_changes c WHERE h.id = c.old_id
                    """)
                // New versions, in (placement, month) order so the index inserts hit neighbouring pages; each
                // correction is audited with the figures it replaces.
                try await connection.execute(
                    """
                    WITH inserted AS (
                        INSERT INTO hour_reports (placement_id, month, worked_hours, training_hours, attested_insertion_hours, subcontract_amount,
                                                  source, status, comment, declared_by, declared_by_label, validated_by, validated_by_label,
                                                  validated_at, correction_of)
                        SELECT placement_id, month, worked, training, attested_insertion_hours, subcontract_amount, $1, $2, comment, $3, $4,
                               CASE WHEN $2 = 'validated' THEN $3::uuid END, CASE WHEN $2 = 'validated' THEN $4 END,
                               CASE WHEN $2 = 'validated' THEN now() END, old_id
                        FROM import_changes ORDER BY placement_id, month
                        RETURNING id, correction_of, worked_hours, training_hours, status
                    )
                    INSERT INTO audit_log (user_id, actor, action, entity, entity_id, changes)
                    SELECT $3, $4, 'create', 'hour_report', ins.id::text,
                           jsonb_build_object('placementCode', c.code, 'month', to_char(c.month, 'YYYY-MM'), 'correctionOf', c.old_id,
                                              'workedHours', ins.worked_hours, 'trainingHours', ins.training_hours, 'status', ins.status,
                                              'previous', jsonb_build_object('workedHours', c.old_worked, 'trainingHours', c.old_training,
                                                                             'status', c.old_status), 'via', 'import')
                    FROM inserted ins JOIN import_changes c ON c.old_id = ins.correction_of
                    """, [source.rawValue, validate ? "validated" : "declared", caller.userId, caller.label])
                try await Audit.record(
                    .create, entity: "hour_import", id: UUID().uuidString.lowercased(),
                    changes: [
                        "lines": report.lines, "created": report.created, "corrected": report.updated,
                        "unchanged": report.unchanged, "validated": validate, "replace": replace,
                    ],
                    by: caller, on: connection)
                return report
            }
        } catch let abort as Abort {
            return abort.report
        } catch let error as PostgresError {
            throw ConstraintMessages.translate(error)
        }
    }

    // MARK: - Participants

    /// Imports a participants file (admin, facilitator), keyed on the PLIE's reference:
    /// - a new reference creates the participant;
    /// - a known reference updates the fields the file fills (empty cells keep what is stored) and is
    ///   `unchanged` when nothing differs: re-importing a file changes nothing;
    /// - criteria are added as proofs (code, proof date; attested by the file's prescriber) unless the
    ///   same code and date are stored already; they need the facilitateur's validation unless
    ///   `validateCriteria` is true (the facilitateur vouches for the file).
    /// The file's ROME codes (`métiers`) are the participant's target jobs.
    public func importParticipants(
        data: Data, caller: Caller, today: LocalDate? = nil, dryRun: Bool = false,
        validateCriteria: Bool = false
    ) async throws -> ImportReport {
        let today = today ?? clock.today
        try caller.requireEditor()
        return try await gate.run(for: caller) {
            try await importParticipantsChecked(
                data: data, caller: caller, today: today, dryRun: dryRun, validateCriteria: validateCriteria
            )
            .listingAtMost()
        }
    }

    private func importParticipantsChecked(
        data: Data, caller: Caller, today: LocalDate, dryRun: Bool,
        validateCriteria: Bool
    ) async throws -> ImportReport {
        let rules = rules
        let parsing: Result<[ParticipantImportRow], ValidationErrors> = try await parse {
            Result { () throws(ValidationErrors) in try ParticipantsImport.parse(data, today: today, rules: rules) }
        }
        let rows: [ParticipantImportRow]
        switch parsing {
        case .success(let value): rows = value
        case .failure(let error): return .rejected(error.problems)
        }
        func flag(_ value: Bool?) -> String? { value.map { $0 ? "t" : "f" } }
        func array(_ values: [String]) -> String { PostgresTextArray(values).postgresText! }

        do {
            return try await pool.withTransaction { connection in
                try await connection.execute(
                    """
                    CREATE TEMP TABLE import_participants (line integer, reference text, last_name text, first_name text, birth_date date,
                        sex char(1), commune_insee text, priority_area text, qualification_level text, prescriber text,
                        labour_market_status text, plie_name text, plie_entry_date date,
                        driving_licence boolean, vehicle boolean, max_travel_km integer, available_from date, target_jobs text[],
                        criteria text[], proof_date date, plie_id uuid) ON COMMIT DROP
                    """)
                try await connection.copy(
                    into: "import_participants",
                    columns: [
                        "line", "reference", "last_name", "first_name", "birth_date", "sex", "commune_insee",
                        "priority_area", "qualification_level", "prescriber", "labour_market_status", "plie_name",
                        "plie_entry_date", "driving_licence", "vehicle", "max_travel_km",
                        "available_from", "target_jobs", "criteria", "proof_date",
                    ],
                    rows: rows.lazy.map { r in
                        [
                            "\(r.line)", r.reference, r.lastName, r.firstName, r.birthDate?.description,
                            r.sex?.rawValue, r.communeCode, r.priorityArea?.rawValue, r.qualificationLevel?.rawValue,
                            r.prescriber?.rawValue, r.labourMarketStatus?.rawValue, r.plieName,
                            r.pathwayEntryDate?.description,
                            flag(r.hasDrivingLicence), flag(r.hasVehicle),
                            r.maxDistanceKm.map(String.init), r.availableFrom?.description,
                            r.romeCodes.isEmpty ? nil : array(r.romeCodes),
                            array(r.criteria), r.criteriaProofDate?.description,
                        ]
                    })

                // Fields the file fills that differ from what is stored.
                let changed = """
                    (i.last_name IS DISTINCT FROM p.last_name OR i.first_name IS DISTINCT FROM p.first_name
                     OR (i.birth_date IS NOT NULL AND i.birth_date IS DISTINCT FROM p.birth_date)
                     OR (i.sex IS NOT NULL AND i.sex IS DISTINCT FROM p.sex)
                     OR (i.commune_insee IS NOT NULL AND i.commune_insee IS DISTINCT FROM p.commune_insee)
                     OR (i.priority_area IS NOT NULL AND i.priority_area IS DISTINCT FROM p.priority_area)
                     OR (i.qualification_level IS NOT NULL AND i.qualification_level IS DISTINCT FROM p.qualification_level)
                     OR (i.prescriber IS NOT NULL AND i.prescriber IS DISTINCT FROM p.prescriber)
                     OR (i.labour_market_status IS NOT NULL AND i.labour_market_status IS DISTINCT FROM p.labour_market_status)
                     OR (i.driving_licence IS NOT NULL AND i.driving_licence IS DISTINCT FROM p.driving_licence)
                     OR (i.vehicle IS NOT NULL AND i.vehicle IS DISTINCT FROM p.vehicle)
                     OR (i.max_travel_km IS NOT NULL AND i.max_travel_km IS DISTINCT FROM p.max_travel_km)
                     OR (i.available_from IS NOT NULL AND i.available_from IS DISTINCT FROM p.available_from)
                     OR (i.target_jobs IS NOT NULL AND i.target_jobs IS DISTINCT FROM p.target_jobs))
                    """
                // The PLIE of each entry: named in the file, or the only one the service serves.
                try await connection.execute(
                    """
                    UPDATE import_participants i SET plie_id = coalesce(
                        (SELECT pl.id FROM plie pl WHERE lower(pl.name) = lower(i.plie_name)),
                        (SELECT min(pl.id::text)::uuid FROM plie pl WHERE i.plie_name IS NULL HAVING count(*) = 1))
                    WHERE i.plie_entry_date IS NOT NULL OR i.plie_name IS NOT NULL
                    """)
                let unknownPLIE = try await connection.query(
                    """
                    SELECT line, plie_name FROM import_participants
                    WHERE plie_id IS NULL AND (plie_entry_date IS NOT NULL OR plie_name IS NOT NULL) ORDER BY line
                    """
                ).map { row -> ValidationErrors.Problem in
                    let name: String? = try row.decode(1)
                    return ValidationErrors.Problem(
                        line: try row.decode(0), column: "PLIE",
                        message: name.map { "aucun PLIE ne s'appelle « \($0) »" }
                            ?? "plusieurs PLIE sont enregistrés : indiquez lequel dans la colonne « PLIE »")
                }
                if !unknownPLIE.isEmpty { return .rejected(unknownPLIE, lines: rows.count) }
                let newPathways = """
                    SELECT count(*) FROM import_participants i
                    WHERE i.plie_entry_date IS NOT NULL AND NOT EXISTS (
                        SELECT 1 FROM pathways pw JOIN participants p ON p.id = pw.participant_id
                        WHERE p.reference = i.reference AND pw.plie_id = i.plie_id)
                    """
                let newCriteria = """
                    SELECT count(*) FROM import_participants i CROSS JOIN LATERAL unnest(i.criteria) AS c(code)
                    WHERE NOT EXISTS (SELECT 1 FROM participants p JOIN eligibility_criteria ec ON ec.participant_id = p.id
                                      WHERE p.reference = i.reference AND ec.code = c.code AND ec.proof_date = i.proof_date)
                    """
                let counts = try await connection.query(
                    """
                    SELECT count(*) FILTER (WHERE p.id IS NULL), count(*) FILTER (WHERE p.id IS NOT NULL AND \(changed)),
                           count(*) FILTER (WHERE p.id IS NOT NULL AND NOT \(changed)), (\(newCriteria)), (\(newPathways))
                    FROM import_participants i LEFT JOIN participants p ON p.reference = i.reference
                    """
                ).one()
                var report = ImportReport(
                    status: .written, lines: rows.count, created: try counts.decode(0), updated: try counts.decode(1),
                    unchanged: try counts.decode(2), criteriaAdded: try counts.decode(3), problems: [], warnings: [])
                report.pathwaysOpened = try counts.decode(4)
                if dryRun {
                    report.status = .dryRun
                    throw Abort(report: report)
                }
                guard report.created + report.updated + report.criteriaAdded + report.pathwaysOpened > 0 else {
                    return report
                }

                try await connection.execute(
                    """
                    WITH inserted AS (
                        INSERT INTO participants (reference, last_name, first_name, birth_date, sex, commune_insee, priority_area, qualification_level,
                                                  prescriber, labour_market_status, driving_licence, vehicle, max_travel_km, available_from, target_jobs)
                        SELECT i.reference, i.last_name, i.first_name, i.birth_date, i.sex, i.commune_insee, i.priority_area, i.qualification_level,
                               i.prescriber, i.labour_market_status, i.driving_licence, i.vehicle, i.max_travel_km, i.available_from, coalesce(i.target_jobs, '{}')
                        FROM import_participants i WHERE NOT EXISTS (SELECT 1 FROM participants p WHERE p.reference = i.reference)
                        ORDER BY i.line
                        RETURNING id, reference
                    )
                    INSERT INTO audit_log (user_id, actor, action, entity, entity_id, changes)
                    SELECT $1, $2, 'create', 'participant', id::text, jsonb_build_object('reference', reference, 'via', 'import') FROM inserted
                    """, [caller.userId, caller.label])
                try await connection.execute(
                    """
                    WITH updated AS (
                        UPDATE participants p SET
                            last_name = i.last_name, first_name = i.first_name, birth_date = coalesce(i.birth_date, p.birth_date),
                            sex = coalesce(i.sex, p.sex), commune_insee = coalesce(i.commune_insee, p.commune_insee),
                            priority_area = coalesce(i.priority_area, p.priority_area),
                            qualification_level = coalesce(i.qualification_level, p.qualification_level),
                            prescriber = coalesce(i.prescriber, p.prescriber),
                            labour_market_status = coalesce(i.labour_market_status, p.labour_market_status),
                            driving_licence = coalesce(i.driving_licence, p.driving_licence), vehicle = coalesce(i.vehicle, p.vehicle),
                            max_travel_km = coalesce(i.max_travel_km, p.max_travel_km), available_from = coalesce(i.available_from, p.available_from),
                            target_jobs = coalesce(i.target_jobs, p.target_jobs), updated_at = now()
                        FROM import_participants i
                        WHERE p.reference = i.reference AND \(changed)
                        RETURNING p.id, p.reference
                    )
                    INSERT INTO audit_log (user_id, actor, action, entity, entity_id, changes)
                    SELECT $1, $2, 'update', 'participant', id::text, jsonb_build_object('reference', reference, 'via', 'import') FROM updated
                    """, [caller.userId, caller.label])
                try await connection.execute(
                    """
                    WITH inserted AS (
                        INSERT INTO eligibility_criteria (participant_id, code, proof_date, proof_kind, attested_by, validated_at, validated_by, validated_by_label)
                        SELECT p.id, c.code, i.proof_date, 'import', i.prescriber,
                               CASE WHEN $3 THEN now() END, CASE WHEN $3 THEN $1::uuid END, CASE WHEN $3 THEN $2 END
                        FROM import_participants i JOIN participants p ON p.reference = i.reference
                        CROSS JOIN LATERAL unnest(i.criteria) AS c(code)
                        ON CONFLICT (participant_id, code, proof_date) DO NOTHING
                        RETURNING id, participant_id, code, proof_date
                    )
                    INSERT INTO audit_log (user_id, actor, action, entity, entity_id, changes)
                    SELECT $1, $2, 'create', 'eligibility_criterion', id::text,
                           jsonb_build_object('participantId', participant_id, 'code', code, 'proofDate', proof_date, 'validated', $3, 'via', 'import')
                    FROM inserted
                    """, [caller.userId, caller.label, validateCriteria])
                // A pathway for each entry date in a PLIE where the person has none yet (re-entries are
                // opened one by one, after the previous exit).
                try await connection.execute(
                    """
                    WITH inserted AS (
                        INSERT INTO pathways (participant_id, plie_id, entry_date)
                        SELECT p.id, i.plie_id, i.plie_entry_date
                        FROM import_participants i JOIN participants p ON p.reference = i.reference
                        WHERE i.plie_entry_date IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM pathways pw WHERE pw.participant_id = p.id AND pw.plie_id = i.plie_id)
                        RETURNING id, participant_id, plie_id, entry_date
                    )
                    INSERT INTO audit_log (user_id, actor, action, entity, entity_id, changes)
                    SELECT $1, $2, 'create', 'pathway', id::text,
                           jsonb_build_object('participantId', participant_id, 'plieId', plie_id, 'entryDate', entry_date, 'via', 'import')
                    FROM inserted
                    """, [caller.userId, caller.label])
                try await Audit.record(
                    .create, entity: "participant_import", id: UUID().uuidString.lowercased(),
                    changes: [
                        "lines": report.lines, "created": report.created, "updated": report.updated,
                        "unchanged": report.unchanged, "criteriaAdded": report.criteriaAdded,
                        "pathwaysOpened": report.pathwaysOpened,
                    ],
                    by: caller, on: connection)
                return report
            }
        } catch let abort as Abort {
            return abort.report
        } catch let error as PostgresError {
            throw ConstraintMessages.translate(error, unique: Participant.constraintMessages)
        }
    }
}
