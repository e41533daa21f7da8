import Foundation
import PostgresClient

/// What one scan did.
public struct AlertScanResult: Sendable, Equatable {
    public var opened = 0
    public var updated = 0
    public var closed = 0
    /// Alerts still current (open, acknowledged or snoozed) after the scan.
    public var current = 0
    /// Lots whose balance the pre-filter let through.
    public var lotsComputed = 0
    /// Critical alerts mailed at once.
    public var mailed = 0

    public var counts: [String: Int] {
        [
            "opened": opened, "updated": updated, "closed": closed, "current": current, "lotsComputed": lotsComputed,
            "mailed": mailed,
        ]
    }
}

/// The alert scan (DOMAIN §9): reads the facts every rule needs set-based, applies the pure rules of
/// `AlertRules`, then reconciles the findings with the stored alerts (one per rule and subject: opened,
/// updated, woken, closed), all in one REPEATABLE READ transaction so the findings come from one snapshot.
///
/// Lots: an SQL pre-filter keeps the lots a lot rule can match, and only their balances are computed
/// (by the balance service, the pages' own code path, in chunks). A lot under execution can be behind
/// only if its credited hours are below the threshold; the pre-filter bounds them from below by the
/// validated worked hours (attested for SIAE purchases) of its counting placements on the clause's
/// operation in the modes whose worked hours count: the rules add training, conversions and bonuses
/// but never take hours away, so a lot whose bound reaches the threshold cannot be behind. Likewise a
/// lot ending or ended can have hours remaining only if the bound is below the required hours.
public struct AlertScanner: Sendable {
    let pool: PostgresPool
    let balances: BalanceService
    let settings: AlertSettings
    let tolerance: Decimal
    let countingDefaults: CountingRuleTable
    let profiles: PLIEProfiles
    let validityMonths: Int
    let mail: AlertMail
    let outbox: OutboxStore

    /// Lots whose facts are held in memory at once.
    static let lotChunk = 2_000
    /// Placements read at once for the missing-report rule.
    static let placementBatch = 10_000

    public func scan(at: LocalDate, now: Date) async throws -> AlertScanResult {
        try await pool.withTransaction(isolation: .repeatableRead) { connection in
            try await connection.execute("SET LOCAL jit = off")
            // The pre-filter sums every validated report per placement: room to hash them without spilling.
            try await connection.execute("SET LOCAL work_mem = '64MB'")
            var lifecycle = try await AlertLifecycle(connection: connection, settings: settings, at: at, now: now)
            let window = AlertRules.reportWindow(at: at, settings.settings(.missingHourReport))
            try await placementHours(at: at, window: window, on: connection)
            let lotsComputed = try await lotMatches(at: at, into: &lifecycle, on: connection)
            if enabled(.missingHourReport), let window {
                try await reportMatches(at: at, window: window, into: &lifecycle, on: connection)
            }
            if enabled(.proofExpiring) {
                try await lifecycle.apply(try await eligibilityMatches(at: at, on: connection))
            }
            try await lifecycle.apply(try await pathwayMatches(at: at, on: connection))
            if enabled(.extensionQuotaExceeded) {
                try await lifecycle.apply(try await quotaMatches(at: at, on: connection))
            }
            if enabled(.outcomeAwaitingCommittee) {
                try await lifecycle.apply(try await proposalMatches(at: at, on: connection))
            }
            var result = try await lifecycle.closeUnseen()
            result.lotsComputed = lotsComputed
            if !lifecycle.toMail.isEmpty {
                result.mailed = try await mail.mailAtOnce(lifecycle.toMail, now: now, outbox: outbox, on: connection)
            }
            return result
        }
    }

    private func enabled(_ rule: AlertRule) -> Bool { settings.settings(rule).enabled }

    /// One pass over the hour reports for the lot rules and the missing-report rule: per placement, the
    /// validated worked hours up to the month of `at` (attested ones apart: the lots' lower bound), and
    /// the months of the report window with a current report that is not rejected, as bits from the
    /// window's first month (`lookback_months` ≤ 36: they fit in a bigint).
    private func placementHours(
        at: LocalDate, window: (first: YearMonth, last: YearMonth)?, on connection: PostgresConnection
    ) async throws {
        let first = window?.first ?? at.yearMonth
        let last = window?.last ?? first.adding(months: -1)
        try await connection.execute(
            """
            CREATE TEMPORARY TABLE alert_placement_hours ON COMMIT DROP AS
            SELECT h.placement_id,
                   sum(h.worked_hours) FILTER (WHERE h.status = 'validated' AND h.month <= $1) AS worked,
                   sum(coalesce(h.attested_insertion_hours, h.worked_hours))
                       FILTER (WHERE h.status = 'validated' AND h.month <= $1) AS attested,
                   bit_or(1::bigint << ((date_part('year', h.month) * 12 + date_part('month', h.month) - 1)::int - $4))
                       FILTER (WHERE h.status <> 'rejected' AND h.month BETWEEN $2 AND $3) AS reported
            FROM hour_reports h WHERE h.current
            GROUP BY h.placement_id
            """, [at.yearMonth.firstDay, first.firstDay, last.firstDay, first.index])
        try await connection.execute("ANALYZE alert_placement_hours")
    }

    // MARK: Lots

    /// Reconciles the lot rules' findings chunk by chunk; returns how many lots the pre-filter kept.
    private func lotMatches(at: LocalDate, into lifecycle: inout AlertLifecycle, on connection: PostgresConnection)
        async throws -> Int
    {
        var conditions: [String] = []
        var sql = SQL("")
        let atText = sql.bind(at)
        if enabled(.lotBehind) {
            // The balance's expected hours, in SQL (progress to 4 decimals, expected to 2), with a cent of margin.
            conditions.append(
                """
                (l.execution_start <= \(atText) AND l.execution_end >= \(atText)
                 AND coalesce(lower.hours, 0) < round(ic.required_hours * round(
                     least(greatest(\(atText) - l.execution_start + 1, 0), l.execution_end - l.execution_start + 1)::numeric
                     / (l.execution_end - l.execution_start + 1), 4), 2) * (1 - \(sql.bind(tolerance))::numeric) + 0.01)
                """)
        }
        if enabled(.lotEndingSoon) {
            let last = sql.bind(at.adding(days: settings.settings(.lotEndingSoon).int(.days)))
            conditions.append(
                "(l.execution_end BETWEEN \(atText) AND \(last) AND coalesce(lower.hours, 0) < ic.required_hours)")
        }
        if enabled(.lotNonCompliant) {
            conditions.append("(l.execution_end < \(atText) AND coalesce(lower.hours, 0) < ic.required_hours)")
        }
        if enabled(.lotWithoutPlacement) {
            let days = settings.settings(.lotWithoutPlacement).int(.days)
            conditions.append(
                """
                (l.execution_start <= \(sql.bind(at.adding(days: -days))) AND coalesce(l.execution_end >= \(atText), true)
                 AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.lot_id = l.id))
                """)
        }
        guard !conditions.isEmpty else { return 0 }
        let countedModes = ExecutionMode.allCases.filter { countingDefaults.rule(for: $0).countWorkedHours }
        let siae = ExecutionMode.allCases.filter(\.isSIAEPurchase)
        let modeArray = { (modes: [ExecutionMode]) in PostgresTextArray(modes.map(\.rawValue)) }
        let prefilter = """
            WITH lower AS (
                SELECT p.lot_id, sum(CASE WHEN p.execution_mode = ANY(\(sql.bind(modeArray(siae)))::text[]) THEN pp.attested ELSE pp.worked END) AS hours
                FROM placements p
                JOIN alert_placement_hours pp ON pp.placement_id = p.id
                JOIN insertion_clauses ic ON ic.lot_id = p.lot_id
                WHERE p.counting AND p.on_clause_operation
                  AND coalesce((ic.counting_overrides->'rules'->p.execution_mode->>'countWorkedHours')::boolean,
                               p.execution_mode = ANY(\(sql.bind(modeArray(countedModes)))::text[]))
                GROUP BY p.lot_id
            )
            SELECT l.id, ic.penalty_per_missing_hour
            FROM lots l JOIN insertion_clauses ic ON ic.lot_id = l.id LEFT JOIN lower ON lower.lot_id = l.id
            WHERE ic.required_hours > 0 AND (\(conditions.joined(separator: " OR ")))
            """
        sql.append(prefilter)
        var penalties: [UUID: Decimal] = [:]
        let ids = try await connection.query(sql).map { row -> UUID in
            let id: UUID = try row.decode(0)
            penalties[id] = try row.decode(1)
            return id
        }
        for start in stride(from: 0, to: ids.count, by: Self.lotChunk) {
            let chunk = Array(ids[start..<min(start + Self.lotChunk, ids.count)])
            let lots = try await balances.compute(.system("alerts"), lots: .ids(chunk), at: at, on: connection)
            try await lifecycle.apply(
                lots.flatMap { lotFindings($0.balance, penalty: penalties[$0.balance.lotId] ?? nil, at: at) })
        }
        return ids.count
    }

    private func lotFindings(_ lot: LotBalance, penalty: Decimal?, at: LocalDate) -> [AlertMatch] {
        let balance = lot.balance
        var findings: [AlertFinding?] = []
        if enabled(.lotBehind) {
            findings.append(AlertRules.lotBehind(balance, tolerance: tolerance, settings.settings(.lotBehind)))
        }
        if enabled(.lotEndingSoon) {
            findings.append(AlertRules.lotEndingSoon(balance, at: at, settings.settings(.lotEndingSoon)))
        }
        if enabled(.lotNonCompliant) {
            findings.append(
                AlertRules.lotNonCompliant(
                    balance, penaltyPerMissingHour: penalty, settings.settings(.lotNonCompliant)))
        }
        if enabled(.lotWithoutPlacement) {
            findings.append(
                AlertRules.lotWithoutPlacement(
                    start: balance.executionStart, end: balance.executionEnd, placements: lot.placementCount ?? 0,
                    at: at,
                    settings.settings(.lotWithoutPlacement)))
        }
        let subject = AlertSubject(
            kind: .lot, id: lot.lotId, label: "\(lot.publicContractReference) · lot \(lot.lotNumber) — \(lot.lotLabel)",
            lotId: lot.lotId)
        return findings.compactMap { $0.map { AlertMatch(subject: subject, finding: $0) } }
    }

    // MARK: Placements

    /// Placements active in the window, read through a cursor and reconciled a batch at a time.
    private func reportMatches(
        at: LocalDate, window: (first: YearMonth, last: YearMonth), into lifecycle: inout AlertLifecycle,
        on connection: PostgresConnection
    ) async throws {
        let rule = settings.settings(.missingHourReport)
        try await connection.execute(
            """
            DECLARE alert_placements NO SCROLL CURSOR FOR
            SELECT p.id, p.code, p.lot_id, p.participant_id, p.start_date, p.end_date, coalesce(f.reported, 0)
            FROM placements p LEFT JOIN alert_placement_hours f ON f.placement_id = p.id
            WHERE p.start_date <= $2 AND (p.end_date IS NULL OR p.end_date >= $1)
            """, [window.first.firstDay, window.last.lastDay])
        while true {
            let rows = try await connection.query("FETCH \(Self.placementBatch) FROM alert_placements")
            guard !rows.isEmpty else { break }
            var matches: [AlertMatch] = []
            for row in rows {
                var bits = UInt64(bitPattern: try row.decode(6, as: Int64.self))
                var reported: Set<YearMonth> = []
                while bits != 0 {
                    reported.insert(window.first.adding(months: bits.trailingZeroBitCount))
                    bits &= bits - 1
                }
                let code: String = try row.decode(1)
                for (month, finding) in AlertRules.missingHourReports(
                    start: try row.decode(4), end: try row.decode(5), reported: reported, at: at, rule)
                {
                    matches.append(
                        AlertMatch(
                            subject: AlertSubject(
                                kind: .placement, id: try row.decode(0), key: month.description,
                                label: "\(code) — \(French.month(month))", lotId: try row.decode(2),
                                participantId: try row.decode(3)), finding: finding))
                }
            }
            try await lifecycle.apply(matches)
        }
        try await connection.execute("CLOSE alert_placements")
    }

    /// People with a placement starting after `at`: their eligibility on `at` and its last valid day.
    private func eligibilityMatches(at: LocalDate, on connection: PostgresConnection) async throws -> [AlertMatch] {
        let placements = try await connection.query(
            """
            SELECT p.participant_id, p.id, p.code, p.start_date, p.lot_id, pa.reference
            FROM placements p JOIN participants pa ON pa.id = p.participant_id
            WHERE p.start_date > $1 ORDER BY p.participant_id, p.start_date, p.code
            """, [at])
        guard !placements.isEmpty else { return [] }
        let people = Array(Set(try placements.map { try $0.decode(0, as: UUID.self) }))
        let facts = try await ParticipantStore.eligibilityFacts(of: people, on: connection)
        let rule = settings.settings(.proofExpiring)
        var verdicts: [UUID: EligibilityVerdict] = [:]
        var matched: Set<UUID> = []
        var matches: [AlertMatch] = []
        for row in placements {
            let person: UUID = try row.decode(0)
            guard !matched.contains(person) else { continue }
            if verdicts[person] == nil {
                verdicts[person] = eligibility(
                    of: facts[person] ?? EligibilityFacts(proofs: []), at: at, validityMonths: validityMonths)
            }
            let code: String = try row.decode(2)
            guard let verdict = verdicts[person],
                let finding = AlertRules.proofExpiring(
                    verdict, placementCode: code, placementStart: try row.decode(3), at: at, rule)
            else { continue }
            matched.insert(person)
            let reference: String = try row.decode(5)
            matches.append(
                AlertMatch(
                    subject: AlertSubject(
                        kind: .placement, id: try row.decode(1), label: "\(code) — participant \(reference)",
                        lotId: try row.decode(4), participantId: person), finding: finding))
        }
        return matches
    }

    // MARK: Pathways

    private func pathwayMatches(at: LocalDate, on connection: PostgresConnection) async throws -> [AlertMatch] {
        let rules: [AlertRule] = [.pathwayReviewDue, .pathwayLengthReached, .pathwayReorientation]
        guard rules.contains(where: enabled) else { return [] }
        let rows = try await connection.query(
            """
            SELECT pw.id, pw.participant_id, pa.reference, pl.name, pl.profile, pw.entry_date,
                   (SELECT coalesce(sum(e.months), 0)::int FROM pathway_extensions e WHERE e.pathway_id = pw.id AND e.status = 'accepted'),
                   EXISTS (SELECT 1 FROM pathway_extensions e WHERE e.pathway_id = pw.id AND e.status = 'requested'),
                   (SELECT max(r.review_date) FROM pathway_reviews r WHERE r.pathway_id = pw.id)
            FROM pathways pw JOIN plie pl ON pl.id = pw.plie_id JOIN participants pa ON pa.id = pw.participant_id
            WHERE pw.status <> 'exited' AND pw.entry_date <= $1
            """, [at])
        var matches: [AlertMatch] = []
        for row in rows {
            let profile = try profiles.named(try row.decode(4), field: "profile")
            let lastReview: LocalDate? = try row.decode(8)
            let milestones = PathwayMilestones.of(
                profile: profile, entry: try row.decode(5), extensionMonths: try row.decode(6),
                reviews: lastReview.map { [$0] } ?? [], exited: false)
            var findings: [AlertFinding?] = []
            if enabled(.pathwayReviewDue) {
                findings.append(AlertRules.pathwayReviewDue(milestones, at: at, settings.settings(.pathwayReviewDue)))
            }
            if enabled(.pathwayLengthReached) {
                findings.append(
                    AlertRules.pathwayLengthReached(
                        milestones, extensionPending: try row.decode(7), at: at,
                        settings.settings(.pathwayLengthReached)))
            }
            if enabled(.pathwayReorientation), let months = profile.reorientationMonths {
                findings.append(
                    AlertRules.pathwayReorientation(
                        milestones, months: months, at: at, settings.settings(.pathwayReorientation)))
            }
            let reference: String = try row.decode(2)
            let plie: String = try row.decode(3)
            let pathway: UUID = try row.decode(0)
            let subject = AlertSubject(
                kind: .pathway, id: pathway, label: "Parcours de \(reference) (\(plie))", pathwayId: pathway,
                participantId: try row.decode(1))
            matches += findings.compactMap { $0.map { AlertMatch(subject: subject, finding: $0) } }
        }
        return matches
    }

    /// Each référent's extension quota in each PLIE whose profile sets one.
    private func quotaMatches(at: LocalDate, on connection: PostgresConnection) async throws -> [AlertMatch] {
        var matches: [AlertMatch] = []
        for file in try await PathwayStore.referentFiles(on: at, connection: connection) {
            guard let share = try profiles.named(file.profile, field: "profile").extensionQuotaShare else { continue }
            let quota = ExtensionQuota(fileActive: file.open, share: share, extended: file.extended)
            guard let finding = AlertRules.extensionQuotaExceeded(quota, settings.settings(.extensionQuotaExceeded))
            else { continue }
            matches.append(
                AlertMatch(
                    subject: AlertSubject(
                        kind: .referent, id: file.referent, key: file.plieId.uuidString.lowercased(),
                        label: "\(file.referentLabel) (\(file.plieName))", referentUserId: file.referent),
                    finding: finding))
        }
        return matches
    }

    private func proposalMatches(at: LocalDate, on connection: PostgresConnection) async throws -> [AlertMatch] {
        let rows = try await connection.query(
            """
            SELECT p.id, p.pathway_id, p.participant_id, pa.reference, p.rule, p.established_on,
                   (p.decided_at AT TIME ZONE 'Europe/Paris')::date
            FROM outcome_decisions p JOIN participants pa ON pa.id = p.participant_id
            WHERE \(OutcomeDecision.awaitingCommittee("p")) AND p.established_on <= $1
            """, [at])
        let rule = settings.settings(.outcomeAwaitingCommittee)
        return try rows.map { row in
            let reference: String = try row.decode(3)
            return AlertMatch(
                subject: AlertSubject(
                    kind: .proposal, id: try row.decode(0), label: "Participant \(reference)",
                    pathwayId: try row.decode(1), participantId: try row.decode(2)),
                finding: AlertRules.outcomeAwaitingCommittee(
                    rule: try row.decodeEnum(4, table: "outcome_decisions", column: "rule"),
                    establishedOn: try row.decode(5), proposedOn: try row.decode(6), at: at, rule))
        }
    }
}
