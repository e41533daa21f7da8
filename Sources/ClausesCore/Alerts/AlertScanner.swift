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

    public func scan(at: LocalDate, now: Date) async throws -> AlertScanResult {
        try await pool.withTransaction(isolation: .repeatableRead) { connection in
            try await connection.execute("SET LOCAL jit = off")
            var matches: [AlertMatch] = []
            var result = AlertScanResult()
            let lots = try await lotMatches(at: at, on: connection)
            matches += lots.matches
            result.lotsComputed = lots.computed
            if enabled(.missingHourReport) { matches += try await reportMatches(at: at, on: connection) }
            if enabled(.proofExpiring) { matches += try await eligibilityMatches(at: at, on: connection) }
            matches += try await pathwayMatches(at: at, on: connection)
            if enabled(.extensionQuotaExceeded) { matches += try await quotaMatches(at: at, on: connection) }
            if enabled(.outcomeAwaitingCommittee) { matches += try await proposalMatches(at: at, on: connection) }
            try await reconcile(matches, at: at, now: now, into: &result, on: connection)
            return result
        }
    }

    private func enabled(_ rule: AlertRule) -> Bool { settings.settings(rule).enabled }

    // MARK: Lots

    private func lotMatches(at: LocalDate, on connection: PostgresConnection) async throws -> (
        matches: [AlertMatch], computed: Int
    ) {
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
        guard !conditions.isEmpty else { return ([], 0) }
        let countedModes = ExecutionMode.allCases.filter { countingDefaults.rule(for: $0).countWorkedHours }
        let siae = ExecutionMode.allCases.filter(\.isSIAEPurchase)
        let modeArray = { (modes: [ExecutionMode]) in PostgresTextArray(modes.map(\.rawValue)) }
        // Reports summed per placement first: one parallel pass over hour_reports, then small joins.
        let prefilter = """
            WITH per_placement AS (
                SELECT h.placement_id, sum(h.worked_hours) AS worked,
                       sum(coalesce(h.attested_insertion_hours, h.worked_hours)) AS attested
                FROM hour_reports h
                WHERE h.current AND h.status = 'validated' AND h.month <= \(sql.bind(at.yearMonth.firstDay))
                GROUP BY h.placement_id
            ), lower AS (
                SELECT p.lot_id, sum(CASE WHEN p.execution_mode = ANY(\(sql.bind(modeArray(siae)))::text[]) THEN pp.attested ELSE pp.worked END) AS hours
                FROM placements p
                JOIN per_placement pp ON pp.placement_id = p.id
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
        var matches: [AlertMatch] = []
        for start in stride(from: 0, to: ids.count, by: Self.lotChunk) {
            let chunk = Array(ids[start..<min(start + Self.lotChunk, ids.count)])
            for lot in try await balances.compute(.system("alerts"), lots: .ids(chunk), at: at, on: connection) {
                matches += lotFindings(lot.balance, penalty: penalties[lot.balance.lotId] ?? nil, at: at)
            }
        }
        return (matches, ids.count)
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
                    start: balance.executionStart, end: balance.executionEnd, placements: lot.placementCount, at: at,
                    settings.settings(.lotWithoutPlacement)))
        }
        let subject = AlertSubject(
            kind: .lot, id: lot.lotId, label: "\(lot.publicContractReference) · lot \(lot.lotNumber) — \(lot.lotLabel)",
            lotId: lot.lotId)
        return findings.compactMap { $0.map { AlertMatch(subject: subject, finding: $0) } }
    }

    // MARK: Placements

    private func reportMatches(at: LocalDate, on connection: PostgresConnection) async throws -> [AlertMatch] {
        let rule = settings.settings(.missingHourReport)
        guard let window = AlertRules.reportWindow(at: at, rule) else { return [] }
        let rows = try await connection.query(
            """
            SELECT p.id, p.code, p.lot_id, p.participant_id, p.start_date, p.end_date,
                   (SELECT string_agg((date_part('year', h.month) * 12 + date_part('month', h.month) - 1)::int::text, ',')
                    FROM hour_reports h
                    WHERE h.placement_id = p.id AND h.current AND h.status <> 'rejected' AND h.month BETWEEN $1 AND $2)
            FROM placements p
            WHERE p.start_date <= $3 AND (p.end_date IS NULL OR p.end_date >= $1)
            """, [window.first.firstDay, window.last.firstDay, window.last.lastDay])
        var matches: [AlertMatch] = []
        for row in rows {
            let months: String? = try row.decode(6)
            let reported = Set((months ?? "").split(separator: ",").compactMap { Int($0).map(YearMonth.init(index:)) })
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
        return matches
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
        let facts = try await Self.eligibilityFacts(of: people, on: connection)
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

    /// What eligibility reads about these people, in three set-based queries.
    static func eligibilityFacts(of people: [UUID], on connection: PostgresConnection) async throws -> [UUID:
        EligibilityFacts]
    {
        let ids = PostgresTextArray(people.map { $0.uuidString.lowercased() })
        var facts: [UUID: EligibilityFacts] = [:]
        for row in try await connection.query(
            "SELECT id, birth_date FROM participants WHERE id = ANY($1::uuid[])", [ids])
        {
            facts[try row.decode(0)] = EligibilityFacts(proofs: [], birthDate: try row.decode(1))
        }
        for row in try await connection.query(
            """
            SELECT participant_id, code, proof_date, validated_at IS NOT NULL, valid_until FROM eligibility_criteria
            WHERE participant_id = ANY($1::uuid[])
            """, [ids])
        {
            facts[try row.decode(0)]?.proofs.append(
                CriterionProof(
                    code: try row.decodeEnum(1, table: "eligibility_criteria", column: "code"),
                    proofDate: try row.decode(2), validated: try row.decode(3), validUntil: try row.decode(4)))
        }
        for row in try await connection.query(
            "SELECT participant_id, entry_date, exit_date FROM pathways WHERE participant_id = ANY($1::uuid[])", [ids])
        {
            facts[try row.decode(0)]?.pathways.append(PathwaySpan(entry: try row.decode(1), exit: try row.decode(2)))
        }
        return facts
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
        let rows = try await connection.query(
            """
            SELECT pw.referent_user_id, pw.plie_id, pl.name, pl.profile, coalesce(nullif(u.display_name, ''), u.email),
                   count(*)::int,
                   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM pathway_extensions e
                                                  WHERE e.pathway_id = pw.id AND e.status = 'accepted'))::int
            FROM pathways pw JOIN plie pl ON pl.id = pw.plie_id JOIN users u ON u.id = pw.referent_user_id
            WHERE pw.status <> 'exited' AND pw.entry_date <= $1
            GROUP BY 1, 2, 3, 4, 5
            """, [at])
        var matches: [AlertMatch] = []
        for row in rows {
            guard let share = try profiles.named(try row.decode(3), field: "profile").extensionQuotaShare else {
                continue
            }
            let quota = ExtensionQuota(fileActive: try row.decode(5), share: share, extended: try row.decode(6))
            guard let finding = AlertRules.extensionQuotaExceeded(quota, settings.settings(.extensionQuotaExceeded))
            else { continue }
            let referent: UUID = try row.decode(0)
            let plie: UUID = try row.decode(1)
            matches.append(
                AlertMatch(
                    subject: AlertSubject(
                        kind: .referent, id: referent, key: plie.uuidString.lowercased(),
                        label: "\(try row.decode(4, as: String.self)) (\(try row.decode(2, as: String.self)))",
                        referentUserId: referent), finding: finding))
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

    // MARK: Lifecycle

    private struct Current {
        let id: Int64
        let state: AlertState
        let severity: AlertSeverity
        let data: String
        let summary: String
        let label: String
        let snoozedUntil: LocalDate?
    }

    /// Opens what is new, updates what changed (a rise in severity wakes an acknowledged or snoozed alert,
    /// and so does the end of a snooze), closes what cleared; mails at once the alerts that open (or rise
    /// to) critical under a rule with `mail_at_once`.
    private func reconcile(
        _ matches: [AlertMatch], at: LocalDate, now: Date, into result: inout AlertScanResult,
        on connection: PostgresConnection
    ) async throws {
        var current: [AlertIdentity: Current] = [:]
        for row in try await connection.query(
            """
            SELECT id, rule, subject_kind, subject_id, subject_key, state, severity, data::text, summary, subject_label,
                   snoozed_until
            FROM alerts WHERE state <> 'closed'
            """)
        {
            let identity = AlertIdentity(
                rule: try row.decodeEnum(1, table: "alerts", column: "rule"),
                kind: try row.decodeEnum(2, table: "alerts", column: "subject_kind"), id: try row.decode(3),
                key: try row.decode(4))
            current[identity] = Current(
                id: try row.decode(0), state: try row.decodeEnum(5, table: "alerts", column: "state"),
                severity: try row.decodeEnum(6, table: "alerts", column: "severity"), data: try row.decode(7),
                summary: try row.decode(8), label: try row.decode(9), snoozedUntil: try row.decode(10))
        }
        var inserts: [(AlertMatch, String)] = []
        var updates: [(Int64, AlertMatch, String, rose: Bool, wake: Bool)] = []
        var seen: Set<AlertIdentity> = []
        for match in matches {
            let identity = match.identity
            guard seen.insert(identity).inserted else { continue }
            let data = try match.finding.dataJSON()
            guard let existing = current[identity] else {
                inserts.append((match, data))
                continue
            }
            let rose = match.finding.severity > existing.severity
            let wake =
                (existing.state == .snoozed && (rose || (existing.snoozedUntil.map { $0 <= at } ?? true)))
                || (existing.state == .acknowledged && rose)
            if rose || wake || match.finding.severity != existing.severity || !Self.sameJSON(data, existing.data)
                || match.finding.summary != existing.summary || match.subject.label != existing.label
            {
                updates.append((existing.id, match, data, rose, wake))
            }
        }
        let closing = current.filter { !seen.contains($0.key) }.map(\.value.id)

        let text = { (values: [String]) in PostgresTextArray(values) }
        let uuid = { (value: UUID?) in value?.uuidString.lowercased() ?? "" }
        var critical: [Int64] = []
        if !inserts.isEmpty {
            let rows = try await connection.query(
                """
                INSERT INTO alerts (rule, subject_kind, subject_id, subject_key, subject_label, lot_id, pathway_id,
                                    participant_id, referent_user_id, severity, data, summary, opened_on, opened_at, updated_on)
                SELECT t.rule, t.kind, t.id::uuid, t.key, t.label, nullif(t.lot, '')::uuid, nullif(t.pathway, '')::uuid,
                       nullif(t.participant, '')::uuid, nullif(t.referent, '')::uuid, t.severity, t.data::jsonb, t.summary,
                       $13, $14, $13
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                            $9::text[], $10::text[], $11::text[], $12::text[])
                     AS t(rule, kind, id, key, label, lot, pathway, participant, referent, severity, data, summary)
                RETURNING id, rule, severity
                """,
                [
                    text(inserts.map { $0.0.finding.rule.rawValue }), text(inserts.map { $0.0.subject.kind.rawValue }),
                    text(inserts.map { uuid($0.0.subject.id) }), text(inserts.map { $0.0.subject.key }),
                    text(inserts.map { $0.0.subject.label }), text(inserts.map { uuid($0.0.subject.lotId) }),
                    text(inserts.map { uuid($0.0.subject.pathwayId) }),
                    text(inserts.map { uuid($0.0.subject.participantId) }),
                    text(inserts.map { uuid($0.0.subject.referentUserId) }),
                    text(inserts.map { $0.0.finding.severity.rawValue }), text(inserts.map(\.1)),
                    text(inserts.map { $0.0.finding.summary }), at, now,
                ])
            for row in rows {
                let rule: AlertRule = try row.decodeEnum(1, table: "alerts", column: "rule")
                let severity: AlertSeverity = try row.decodeEnum(2, table: "alerts", column: "severity")
                if severity == .critical && settings.settings(rule).mailAtOnce { critical.append(try row.decode(0)) }
            }
        }
        if !updates.isEmpty {
            try await connection.execute(
                """
                UPDATE alerts a SET severity = t.severity, data = t.data::jsonb, summary = t.summary, subject_label = t.label,
                       updated_on = $8,
                       worsened_at = CASE WHEN t.rose THEN $9 ELSE a.worsened_at END,
                       state = CASE WHEN t.wake THEN 'open' ELSE a.state END,
                       snoozed_until = CASE WHEN t.wake THEN NULL ELSE a.snoozed_until END
                FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::boolean[])
                     AS t(id, severity, data, summary, label, rose, wake)
                WHERE a.id = t.id
                """,
                [
                    text(updates.map { String($0.0) }), text(updates.map { $0.1.finding.severity.rawValue }),
                    text(updates.map(\.2)), text(updates.map { $0.1.finding.summary }),
                    text(updates.map { $0.1.subject.label }), text(updates.map { String($0.rose) }),
                    text(updates.map { String($0.wake) }), at, now,
                ])
            for update in updates where update.rose && update.1.finding.severity == .critical {
                if settings.settings(update.1.finding.rule).mailAtOnce { critical.append(update.0) }
            }
        }
        if !closing.isEmpty {
            try await connection.execute(
                """
                UPDATE alerts SET state = 'closed', closed_on = $2, updated_on = $2
                WHERE id = ANY($1::bigint[])
                """, [text(closing.map(String.init)), at])
        }
        result.opened = inserts.count
        result.updated = updates.count
        result.closed = closing.count
        result.current = current.count - closing.count + inserts.count
        if !critical.isEmpty {
            result.mailed = try await mail.mailAtOnce(critical, now: now, outbox: outbox, on: connection)
        }
    }

    /// Stored jsonb comes back normalised (keys sorted, spacing of its own): compare as objects.
    static func sameJSON(_ a: String, _ b: String) -> Bool {
        guard let x = try? JSONSerialization.jsonObject(with: Data(a.utf8)) as? [String: String],
            let y = try? JSONSerialization.jsonObject(with: Data(b.utf8)) as? [String: String]
        else { return false }
        return x == y
    }
}
