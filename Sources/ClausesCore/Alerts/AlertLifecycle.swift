import Foundation
import PostgresClient

/// The lifecycle of stored alerts during one scan (DOMAIN §9): each batch of findings is reconciled as it
/// comes (so a territory's findings are never all held at once): a finding without a current alert opens
/// one; a current alert whose figures, severity or label changed is updated, and a rise in severity wakes it
/// if acknowledged or snoozed (the end of a snooze wakes it too); the ids of the alerts found are kept in a
/// temporary table keyed by id, and at the end every current alert not among them is closed.
struct AlertLifecycle {
    let connection: PostgresConnection
    let settings: AlertSettings
    let at: LocalDate
    let now: Date
    private(set) var result = AlertScanResult()
    /// Alerts that opened, or rose, critical under a rule with `mail_at_once`.
    private(set) var toMail: [Int64] = []

    init(connection: PostgresConnection, settings: AlertSettings, at: LocalDate, now: Date) async throws {
        self.connection = connection
        self.settings = settings
        self.at = at
        self.now = now
        try await connection.execute("CREATE TEMPORARY TABLE alert_scan_seen (id bigint PRIMARY KEY) ON COMMIT DROP")
    }

    private struct Current {
        let id: Int64
        let state: AlertState
        let severity: AlertSeverity
        let fingerprint: Int64
        let snoozedUntil: LocalDate?
    }

    /// FNV-1a (64 bits) of what a person reads of an alert: its severity, figures, sentence and label.
    static func fingerprint(_ match: AlertMatch, data: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in [match.finding.severity.rawValue, data, match.finding.summary, match.subject.label] {
            for byte in part.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            hash = (hash ^ 0x1f) &* 0x100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    private static func text(_ values: [String]) -> PostgresTextArray { PostgresTextArray(values) }
    private static func uuid(_ value: UUID?) -> String { value?.uuidString.lowercased() ?? "" }

    mutating func apply(_ batch: [AlertMatch]) async throws {
        var seen: Set<AlertIdentity> = []
        let matches = batch.filter { seen.insert($0.identity).inserted }
        guard !matches.isEmpty else { return }
        var current: [AlertIdentity: Current] = [:]
        for row in try await connection.query(
            """
            SELECT a.id, a.rule, a.subject_kind, a.subject_id, a.subject_key, a.state, a.severity, a.fingerprint,
                   a.snoozed_until
            FROM alerts a
            WHERE a.state <> 'closed' AND a.subject_id = ANY($1::uuid[]) AND a.rule = ANY($2::text[])
            """,
            [
                Self.text(Array(Set(matches.map { Self.uuid($0.subject.id) }))),
                Self.text(Array(Set(matches.map { $0.finding.rule.rawValue }))),
            ])
        {
            let identity = AlertIdentity(
                rule: try row.decodeEnum(1, table: "alerts", column: "rule"),
                kind: try row.decodeEnum(2, table: "alerts", column: "subject_kind"), id: try row.decode(3),
                key: try row.decode(4))
            current[identity] = Current(
                id: try row.decode(0), state: try row.decodeEnum(5, table: "alerts", column: "state"),
                severity: try row.decodeEnum(6, table: "alerts", column: "severity"), fingerprint: try row.decode(7),
                snoozedUntil: try row.decode(8))
        }
        var inserts: [(match: AlertMatch, data: String, fingerprint: Int64)] = []
        var updates: [(id: Int64, match: AlertMatch, data: String, fingerprint: Int64, rose: Bool, wake: Bool)] = []
        for match in matches {
            let data = match.finding.dataJSON
            let fingerprint = Self.fingerprint(match, data: data)
            guard let existing = current[match.identity] else {
                inserts.append((match, data, fingerprint))
                continue
            }
            let rose = match.finding.severity > existing.severity
            let snoozeOver = existing.snoozedUntil.map { $0 <= at } ?? true
            let wake =
                (existing.state == .snoozed && (rose || snoozeOver)) || (existing.state == .acknowledged && rose)
            if wake || fingerprint != existing.fingerprint {
                updates.append((existing.id, match, data, fingerprint, rose, wake))
            }
        }
        let opened = try await insert(inserts)
        try await update(updates)
        let found = matches.compactMap { current[$0.identity]?.id } + opened
        try await connection.execute(
            "INSERT INTO alert_scan_seen SELECT unnest($1::bigint[])", [Self.text(found.map(String.init))])
    }

    /// Opens alerts; returns their ids.
    private mutating func insert(_ inserts: [(match: AlertMatch, data: String, fingerprint: Int64)]) async throws
        -> [Int64]
    {
        guard !inserts.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            INSERT INTO alerts (rule, subject_kind, subject_id, subject_key, subject_label, lot_id, pathway_id,
                                participant_id, referent_user_id, severity, data, summary, fingerprint, opened_on, opened_at,
                                updated_on)
            SELECT t.rule, t.kind, t.id::uuid, t.key, t.label, nullif(t.lot, '')::uuid, nullif(t.pathway, '')::uuid,
                   nullif(t.participant, '')::uuid, nullif(t.referent, '')::uuid, t.severity, t.data::jsonb, t.summary,
                   t.fingerprint, $13, $14, $13
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                        $9::text[], $10::text[], $11::text[], $12::text[], $15::bigint[])
                 AS t(rule, kind, id, key, label, lot, pathway, participant, referent, severity, data, summary, fingerprint)
            RETURNING id, rule, severity
            """,
            [
                Self.text(inserts.map { $0.match.finding.rule.rawValue }),
                Self.text(inserts.map { $0.match.subject.kind.rawValue }),
                Self.text(inserts.map { Self.uuid($0.match.subject.id) }),
                Self.text(inserts.map { $0.match.subject.key }),
                Self.text(inserts.map { $0.match.subject.label }),
                Self.text(inserts.map { Self.uuid($0.match.subject.lotId) }),
                Self.text(inserts.map { Self.uuid($0.match.subject.pathwayId) }),
                Self.text(inserts.map { Self.uuid($0.match.subject.participantId) }),
                Self.text(inserts.map { Self.uuid($0.match.subject.referentUserId) }),
                Self.text(inserts.map { $0.match.finding.severity.rawValue }), Self.text(inserts.map(\.data)),
                Self.text(inserts.map { $0.match.finding.summary }), at, now,
                Self.text(inserts.map { String($0.fingerprint) }),
            ])
        var ids: [Int64] = []
        for row in rows {
            let id: Int64 = try row.decode(0)
            let rule: AlertRule = try row.decodeEnum(1, table: "alerts", column: "rule")
            let severity: AlertSeverity = try row.decodeEnum(2, table: "alerts", column: "severity")
            if severity == .critical && settings.settings(rule).mailAtOnce { toMail.append(id) }
            ids.append(id)
        }
        result.opened += inserts.count
        return ids
    }

    private mutating func update(
        _ updates: [(id: Int64, match: AlertMatch, data: String, fingerprint: Int64, rose: Bool, wake: Bool)]
    ) async throws {
        guard !updates.isEmpty else { return }
        try await connection.execute(
            """
            UPDATE alerts a SET severity = t.severity, data = t.data::jsonb, summary = t.summary, subject_label = t.label,
                   fingerprint = t.fingerprint, updated_on = $8,
                   worsened_at = CASE WHEN t.rose THEN $9 ELSE a.worsened_at END,
                   state = CASE WHEN t.wake THEN 'open' ELSE a.state END,
                   snoozed_until = CASE WHEN t.wake THEN NULL ELSE a.snoozed_until END
            FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::boolean[],
                        $10::bigint[])
                 AS t(id, severity, data, summary, label, rose, wake, fingerprint)
            WHERE a.id = t.id
            """,
            [
                Self.text(updates.map { String($0.id) }), Self.text(updates.map { $0.match.finding.severity.rawValue }),
                Self.text(updates.map(\.data)), Self.text(updates.map { $0.match.finding.summary }),
                Self.text(updates.map { $0.match.subject.label }), Self.text(updates.map { String($0.rose) }),
                Self.text(updates.map { String($0.wake) }), at, now, Self.text(updates.map { String($0.fingerprint) }),
            ])
        for update in updates where update.rose && update.match.finding.severity == .critical {
            if settings.settings(update.match.finding.rule).mailAtOnce { toMail.append(update.id) }
        }
        result.updated += updates.count
    }

    /// Closes every current alert no batch found, and counts the alerts still current.
    mutating func closeUnseen() async throws -> AlertScanResult {
        result.closed = try await connection.query(
            """
            WITH closed AS (
                UPDATE alerts a SET state = 'closed', closed_on = $1, updated_on = $1
                WHERE a.state <> 'closed' AND NOT EXISTS (SELECT 1 FROM alert_scan_seen s WHERE s.id = a.id)
                RETURNING 1)
            SELECT count(*)::int FROM closed
            """, [at]
        ).one().decode(0)
        result.current = try await connection.query("SELECT count(*)::int FROM alerts WHERE state <> 'closed'")
            .one().decode(0)
        return result
    }
}
