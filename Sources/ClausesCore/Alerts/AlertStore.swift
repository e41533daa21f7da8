import Foundation
import PostgresClient

/// A stored alert as the API, the CLI and the pages show it. `data` holds the figures as decimal (or
/// date) strings; `summary` says them in French.
public struct Alert: Encodable, Sendable, Equatable {
    public struct Subject: Encodable, Sendable, Equatable {
        public let kind: AlertSubjectKind
        public let id: UUID
        /// The month of a missing report, the PLIE of a quota; null otherwise.
        public let key: String?
        public let label: String

        private enum Key: String, CodingKey { case kind, id, key, label }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(kind, forKey: .kind)
            try c.encode(id, forKey: .id)
            try c.encode(key, forKey: .key)
            try c.encode(label, forKey: .label)
        }
    }

    public let id: Int64
    public let rule: AlertRule
    public let subject: Subject
    public let state: AlertState
    public let severity: AlertSeverity
    public let openedOn: LocalDate
    public let updatedOn: LocalDate
    public let closedOn: LocalDate?
    public let snoozedUntil: LocalDate?
    public let data: [String: String]
    public let summary: String
    public let comment: String?
    public let actedByLabel: String?
    /// The page of the subject (relative to `server.base_url`).
    public let path: String

    private enum Key: String, CodingKey {
        case id, rule, subject, state, severity, openedOn, updatedOn, closedOn, snoozedUntil, data, summary, comment,
            actedByLabel, path
    }

    /// Every key written, absent values as null: a program reading `closedOn` finds it on each alert.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(id, forKey: .id)
        try c.encode(rule, forKey: .rule)
        try c.encode(subject, forKey: .subject)
        try c.encode(state, forKey: .state)
        try c.encode(severity, forKey: .severity)
        try c.encode(openedOn, forKey: .openedOn)
        try c.encode(updatedOn, forKey: .updatedOn)
        try c.encode(closedOn, forKey: .closedOn)
        try c.encode(snoozedUntil, forKey: .snoozedUntil)
        try c.encode(data, forKey: .data)
        try c.encode(summary, forKey: .summary)
        try c.encode(comment, forKey: .comment)
        try c.encode(actedByLabel, forKey: .actedByLabel)
        try c.encode(path, forKey: .path)
    }

    static let columns = """
        a.id, a.rule, a.subject_kind, a.subject_id, a.subject_key, a.subject_label, a.state, a.severity, a.opened_on,
        a.updated_on, a.closed_on, a.snoozed_until, a.data::text, a.summary, a.comment, a.acted_by_label, a.lot_id,
        a.participant_id
        """

    init(row: PostgresRow) throws {
        id = try row.decode(0)
        rule = try row.decodeEnum(1, table: "alerts", column: "rule")
        let kind: AlertSubjectKind = try row.decodeEnum(2, table: "alerts", column: "subject_kind")
        let key: String = try row.decode(4)
        subject = Subject(kind: kind, id: try row.decode(3), key: key.isEmpty ? nil : key, label: try row.decode(5))
        state = try row.decodeEnum(6, table: "alerts", column: "state")
        severity = try row.decodeEnum(7, table: "alerts", column: "severity")
        openedOn = try row.decode(8)
        updatedOn = try row.decode(9)
        closedOn = try row.decode(10)
        snoozedUntil = try row.decode(11)
        let json: String = try row.decode(12)
        data = try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
        summary = try row.decode(13)
        comment = try row.decode(14)
        actedByLabel = try row.decode(15)
        let lot: UUID? = try row.decode(16)
        let participant: UUID? = try row.decode(17)
        path = Self.path(rule: rule, subjectId: subject.id, key: key, lot: lot, participant: participant)
    }

    /// An alert's id as a path gives it: a positive integer, else 404 in French.
    public static func id(_ text: String?) throws(DomainError) -> Int64 {
        guard let text, let id = Int64(text), id > 0 else {
            throw DomainError.notFound("Alerte inconnue « \(text ?? "") ».")
        }
        return id
    }

    /// Where a person acts on the alert: the lot, its hour grid for the month, the person's record, the
    /// committee's list or the outcomes awaiting it.
    static func path(rule: AlertRule, subjectId: UUID, key: String, lot: UUID?, participant: UUID?) -> String {
        let id = { (value: UUID?) in value?.uuidString.lowercased() ?? "" }
        switch rule {
        case .lotBehind, .lotEndingSoon, .lotNonCompliant, .lotWithoutPlacement: return "/lots/\(id(subjectId))"
        case .missingHourReport: return "/lots/\(id(lot))/heures?mois=\(key)"
        case .proofExpiring, .pathwayReviewDue, .pathwayLengthReached, .pathwayReorientation:
            return "/participants/\(id(participant))"
        case .extensionQuotaExceeded: return "/comite"
        case .outcomeAwaitingCommittee: return "/sorties-positives"
        }
    }
}

/// Which alerts a list shows.
public struct AlertFilter: Sendable, Equatable {
    /// Closed ones too (the history).
    public var includeClosed = false
    public var states: [AlertState] = []
    public var severities: [AlertSeverity] = []
    public var rules: [AlertRule] = []
    public var subjectKind: AlertSubjectKind?
    public var subjectId: UUID?
    /// Only the alerts the caller follows (their lots, the pathways they hold).
    public var mine = false
    public var limit = 500

    public init() {}

    /// The filter a query string asks for: `state`, `severity`, `rule` (comma-separated lists),
    /// `subjectKind`, `subjectId`, `mine=true`, `all=true` (closed ones too), `limit` (1–5000).
    public init(query: [String: String]) throws(DomainError) {
        func list<E: InputEnum>(_ name: String, _ type: E.Type) throws(DomainError) -> [E] {
            guard let text = query[name], !text.isEmpty else { return [] }
            var values: [E] = []
            for item in text.split(separator: ",") {
                let raw = item.trimmingCharacters(in: .whitespaces)
                guard let value = E(rawValue: raw) else {
                    throw DomainError.invalid(
                        name,
                        "« \(name) » : valeur inconnue « \(raw) » (valeurs : \(E.allCases.map(\.rawValue).joined(separator: ", ")))."
                    )
                }
                values.append(value)
            }
            return values
        }
        func flag(_ name: String) throws(DomainError) -> Bool {
            switch query[name] {
            case nil, "", "false": return false
            case "true": return true
            case let text?: throw DomainError.invalid(name, "« \(name) » vaut true ou false (reçu « \(text) »).")
            }
        }
        states = try list("state", AlertState.self)
        severities = try list("severity", AlertSeverity.self)
        rules = try list("rule", AlertRule.self)
        subjectKind = try list("subjectKind", AlertSubjectKind.self).first
        if let text = query["subjectId"], !text.isEmpty {
            guard let id = UUID(uuidString: text) else {
                throw DomainError.invalid("subjectId", "« subjectId » n'est pas un identifiant (UUID) : « \(text) ».")
            }
            subjectId = id
        }
        mine = try flag("mine")
        includeClosed = try flag("all")
        if let text = query["limit"], !text.isEmpty {
            guard let value = Int(text), (1...5000).contains(value) else {
                throw DomainError.invalid("limit", "« limit » est un entier de 1 à 5000 (reçu « \(text) »).")
            }
            limit = value
        }
    }
}

/// Alerts as people see and act on them. Staff only: admins and facilitators see every alert; a référent
/// sees those about the people it follows, the pathways it holds and its own quota.
public struct AlertStore: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    /// The users who follow alert `a` (an alias of `alerts`): the facilitators of its lot, of the lot's
    /// operation and buyer, the référent of its pathway and the référent a quota is about.
    static func followers(_ a: String) -> String {
        """
        SELECT l.facilitator_user_id FROM lots l WHERE l.id = \(a).lot_id
        UNION SELECT o.facilitator_user_id FROM lots l JOIN public_contracts pc ON pc.id = l.public_contract_id
              JOIN operations o ON o.id = pc.operation_id WHERE l.id = \(a).lot_id
        UNION SELECT b.facilitator_user_id FROM lots l JOIN public_contracts pc ON pc.id = l.public_contract_id
              JOIN buyers b ON b.id = pc.buyer_id WHERE l.id = \(a).lot_id
        UNION SELECT pw.referent_user_id FROM pathways pw WHERE pw.id = \(a).pathway_id
        UNION SELECT \(a).referent_user_id
        """
    }

    /// What `caller` may see of alerts `a`, or nil for everything.
    static func scope(_ caller: Caller, _ a: String, _ sql: inout SQL) throws(DomainError) -> String? {
        switch caller.role {
        case .admin, .facilitator: return nil
        case .referent:
            guard let user = caller.userId else { return "false" }
            let me = sql.bind(user)
            return """
                (\(a).referent_user_id = \(me)
                 OR EXISTS (SELECT 1 FROM pathways pw WHERE pw.id = \(a).pathway_id AND pw.referent_user_id = \(me))
                 OR EXISTS (SELECT 1 FROM participants pa WHERE pa.id = \(a).participant_id
                            AND \(Scope.heldByReferent(participant: "pa", user: me))))
                """
        case .buyer, .company: throw DomainError.forbidden
        }
    }

    public func list(_ caller: Caller, _ filter: AlertFilter = AlertFilter()) async throws -> [Alert] {
        var sql = SQL("SELECT \(Alert.columns) FROM alerts a WHERE true")
        if let scope = try Self.scope(caller, "a", &sql) { sql.append("AND \(scope)") }
        if !filter.includeClosed && !filter.states.contains(.closed) { sql.append("AND a.state <> 'closed'") }
        if !filter.states.isEmpty {
            sql.append("AND a.state = ANY(\(sql.bind(PostgresTextArray(filter.states.map(\.rawValue))))::text[])")
        }
        if !filter.severities.isEmpty {
            sql.append(
                "AND a.severity = ANY(\(sql.bind(PostgresTextArray(filter.severities.map(\.rawValue))))::text[])")
        }
        if !filter.rules.isEmpty {
            sql.append("AND a.rule = ANY(\(sql.bind(PostgresTextArray(filter.rules.map(\.rawValue))))::text[])")
        }
        if let kind = filter.subjectKind { sql.append("AND a.subject_kind = \(sql.bind(kind.rawValue))") }
        if let id = filter.subjectId { sql.append("AND a.subject_id = \(sql.bind(id))") }
        if filter.mine {
            guard let user = caller.userId else { return [] }
            sql.append("AND \(sql.bind(user)) IN (\(Self.followers("a")))")
        }
        sql.append(
            """
            ORDER BY a.state = 'closed', CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                     a.opened_on, a.id LIMIT \(sql.bind(filter.limit))
            """)
        return try await pool.query(sql).map(Alert.init(row:))
    }

    /// How many current alerts the caller may see, by severity (the dashboard).
    public func currentCounts(_ caller: Caller) async throws -> [AlertSeverity: Int] {
        guard caller.role.isStaff else { return [:] }
        var sql = SQL("SELECT a.severity, count(*)::int FROM alerts a WHERE a.state IN ('open', 'acknowledged')")
        if let scope = try Self.scope(caller, "a", &sql) { sql.append("AND \(scope)") }
        sql.append("GROUP BY a.severity")
        var counts: [AlertSeverity: Int] = [:]
        for row in try await pool.query(sql) {
            counts[try row.decodeEnum(0, table: "alerts", column: "severity")] = try row.decode(1)
        }
        return counts
    }

    /// What a person does with an alert.
    public struct Action: Codable, Sendable {
        /// Snooze: until this date (after today); the alert wakes that day, or sooner if it gets worse.
        public var until: LocalDate?
        public var comment: String?

        public init(until: LocalDate? = nil, comment: String? = nil) {
            self.until = until
            self.comment = comment
        }
    }

    /// Acknowledges a current alert: it stays until its condition clears, and wakes if it gets worse.
    public func acknowledge(_ caller: Caller, id: Int64, _ action: Action) async throws -> Alert {
        try await act(caller, id: id, state: .acknowledged, until: nil, comment: action.comment)
    }

    /// Snoozes a current alert until a later date.
    public func snooze(_ caller: Caller, id: Int64, _ action: Action, today: LocalDate) async throws -> Alert {
        guard let until = action.until else {
            throw DomainError.invalid(
                "until", "« until » (date de fin de mise en sommeil) est obligatoire.", code: .missingField)
        }
        guard until > today else {
            throw DomainError.invalid(
                "until", "La mise en sommeil doit finir après aujourd'hui (\(today.french)) ; reçu le \(until.french).")
        }
        return try await act(caller, id: id, state: .snoozed, until: until, comment: action.comment)
    }

    private func act(_ caller: Caller, id: Int64, state: AlertState, until: LocalDate?, comment: String?) async throws
        -> Alert
    {
        try caller.requireStaff()
        let note = try Validate.optionalText(comment, existing: nil, field: "comment")
        return try await pool.withTransaction { connection in
            var sql = SQL("SELECT a.state FROM alerts a WHERE")
            sql.append("a.id = \(sql.bind(id))")
            if let scope = try Self.scope(caller, "a", &sql) { sql.append("AND \(scope)") }
            sql.append("FOR UPDATE")
            guard let row = try await connection.query(sql).first else {
                throw DomainError.notFound("L'alerte \(id) n'existe pas ou ne vous est pas accessible.")
            }
            let current: AlertState = try row.decodeEnum(0, table: "alerts", column: "state")
            guard current != .closed else {
                throw DomainError.conflict("L'alerte \(id) est close : sa condition a cessé.", code: .conflict)
            }
            try await connection.execute(
                """
                UPDATE alerts SET state = $2, snoozed_until = $3, comment = $4, acted_by = $5, acted_by_label = $6,
                                  acted_at = now()
                WHERE id = $1
                """, [id, state.rawValue, until, note, caller.userId, caller.label])
            try await Audit.record(
                .update, entity: "alert", id: String(id),
                changes: ["state": state.rawValue, "snoozedUntil": until?.description ?? "", "comment": note ?? ""],
                by: caller, on: connection)
            return try Alert(
                row: try await connection.query("SELECT \(Alert.columns) FROM alerts a WHERE a.id = $1", [id]).one())
        }
    }
}
