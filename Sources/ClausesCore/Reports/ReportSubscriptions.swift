import Foundation
import Mailer
import PostgresClient

/// How often a subscription's bilan is mailed.
public enum ReportFrequency: String, InputEnum {
    case monthly, quarterly
    case lotEnd = "lot_end"

    public var frenchLabel: String {
        switch self {
        case .monthly: "Chaque mois (le mois écoulé)"
        case .quarterly: "Chaque trimestre (le trimestre écoulé)"
        case .lotEnd: "À la fin de chaque lot (depuis le début)"
        }
    }
}

/// A buyer's subscription to a scope's bilan: who receives it, how often, in which formats.
public struct ReportSubscription: Sendable, Encodable, Equatable {
    public let id: UUID
    public let buyerId: UUID
    public let scope: ReportScope.Kind
    public let scopeId: UUID
    public let scopeLabel: String
    public let recipients: [String]
    public let frequency: ReportFrequency
    public let formats: [ReportFormat]
    public let active: Bool
    /// Periods and lots ended before this date are never mailed.
    public let startsOn: LocalDate

    public var reportScope: ReportScope { ReportScope(kind: scope, id: scopeId) }

    /// What a person types or a program sends to create or change a subscription.
    public struct Input: Sendable, Decodable {
        public var scope: String?
        public var scopeId: UUID?
        /// Addresses, or one text with addresses separated by commas, semicolons or spaces (a page's field).
        public var recipients: [String]?
        public var frequency: String?
        public var formats: [String]?
        public var active: Bool?

        public init(
            scope: String? = nil, scopeId: UUID? = nil, recipients: [String]? = nil, frequency: String? = nil,
            formats: [String]? = nil, active: Bool? = nil
        ) {
            self.scope = scope
            self.scopeId = scopeId
            self.recipients = recipients
            self.frequency = frequency
            self.formats = formats
            self.active = active
        }
    }
}

/// A bilan sent, to whom.
public struct ReportMailing: Sendable, Encodable, Equatable {
    public let subscriptionId: UUID
    public let periodCode: String
    public let manual: Bool
    public let recipients: [String]
    public let sentBy: String
    public let sentAt: Date
}

/// The subscriptions of buyers and the mailings made: read and edited by admin and facilitators only.
public struct ReportSubscriptionStore: Sendable {
    let pool: PostgresPool
    let clock: any CivilClock

    private static let select = """
        SELECT s.id, s.buyer_id, s.scope_kind, s.scope_id,
               COALESCE((SELECT pc.reference || ' — ' || pc.object FROM public_contracts pc WHERE pc.id = s.scope_id),
                        (SELECT o.name FROM operations o WHERE o.id = s.scope_id),
                        (SELECT b.name FROM buyers b WHERE b.id = s.scope_id), '?'),
               s.recipients, s.frequency, s.formats, s.active, s.starts_on
        FROM report_subscriptions s
        """

    public func list(_ caller: Caller, buyerId: UUID) async throws -> [ReportSubscription] {
        try caller.requireEditor()
        return try await pool.query("\(Self.select) WHERE s.buyer_id = $1 ORDER BY s.created_at, s.id", [buyerId])
            .map(Self.decode)
    }

    /// Every active subscription (the job).
    func active() async throws -> [ReportSubscription] {
        try await pool.query("\(Self.select) WHERE s.active ORDER BY s.created_at, s.id").map(Self.decode)
    }

    public func get(_ caller: Caller, id: UUID) async throws -> ReportSubscription {
        try caller.requireEditor()
        guard let row = try await pool.query("\(Self.select) WHERE s.id = $1", [id]).first else {
            throw DomainError.notFound("L'abonnement \(id.uuidString.lowercased()) n'existe pas.")
        }
        return try Self.decode(row)
    }

    /// `startsOn`: periods ended before it are never mailed; today by default (the demo data starts earlier).
    public func create(
        _ caller: Caller, buyerId: UUID, _ input: ReportSubscription.Input, startsOn: LocalDate? = nil
    ) async throws -> ReportSubscription {
        try caller.requireEditor()
        let fields = try Self.validated(input, existing: nil)
        let id = try await pool.withTransaction { connection -> UUID in
            try await Self.requireScope(fields.scope, of: buyerId, on: connection)
            let row = try await connection.query(
                SQL.insert(
                    into: "report_subscriptions",
                    [
                        ("buyer_id", buyerId), ("scope_kind", fields.scope.kind.rawValue),
                        ("scope_id", fields.scope.id),
                        ("recipients", PostgresTextArray(fields.recipients)), ("frequency", fields.frequency.rawValue),
                        ("formats", PostgresTextArray(fields.formats.map(\.rawValue))), ("active", fields.active),
                        ("starts_on", startsOn ?? clock.today), ("created_by_label", caller.label),
                    ]))
            guard let id: UUID = try row.first?.decode(0) else { throw PostgresError(.decoding, "no id returned") }
            return id
        }
        return try await get(caller, id: id)
    }

    public func update(_ caller: Caller, id: UUID, _ input: ReportSubscription.Input) async throws
        -> ReportSubscription
    {
        let existing = try await get(caller, id: id)
        let fields = try Self.validated(input, existing: existing)
        // A new scope or frequency, or a subscription switched back on, starts today: no backlog is mailed.
        let restarts =
            fields.scope != existing.reportScope || fields.frequency != existing.frequency
            || (fields.active && !existing.active)
        try await pool.withTransaction { connection in
            try await Self.requireScope(fields.scope, of: existing.buyerId, on: connection)
            try await connection.query(
                SQL.update(
                    "report_subscriptions",
                    [
                        ("scope_kind", fields.scope.kind.rawValue), ("scope_id", fields.scope.id),
                        ("recipients", PostgresTextArray(fields.recipients)), ("frequency", fields.frequency.rawValue),
                        ("formats", PostgresTextArray(fields.formats.map(\.rawValue))), ("active", fields.active),
                        ("starts_on", restarts ? clock.today : existing.startsOn),
                    ], id: id))
        }
        return try await get(caller, id: id)
    }

    /// The mailings of a buyer's subscriptions, latest first.
    public func mailings(_ caller: Caller, buyerId: UUID, limit: Int = 50) async throws -> [ReportMailing] {
        try caller.requireEditor()
        return try await pool.query(
            """
            SELECT m.subscription_id, m.period_code, m.manual, m.recipients, m.sent_by_label, m.sent_at
            FROM report_mailings m JOIN report_subscriptions s ON s.id = m.subscription_id
            WHERE s.buyer_id = $1 ORDER BY m.sent_at DESC, m.id LIMIT $2
            """, [buyerId, limit]
        ).map { row in
            ReportMailing(
                subscriptionId: try row.decode(0), periodCode: try row.decode(1), manual: try row.decode(2),
                recipients: try row.decode(3, as: PostgresTextArray.self).values, sentBy: try row.decode(4),
                sentAt: try row.decode(5))
        }
    }

    struct Fields {
        var scope: ReportScope
        var recipients: [String]
        var frequency: ReportFrequency
        var formats: [ReportFormat]
        var active: Bool
    }

    /// The input checked, over the existing values; French refusals naming the field.
    static func validated(_ input: ReportSubscription.Input, existing: ReportSubscription?) throws(DomainError)
        -> Fields
    {
        let kind = try Validate.choice(
            input.scope, existing: existing?.scope, field: "scope", as: ReportScope.Kind.self)
        guard let scopeId = input.scopeId ?? existing?.scopeId else {
            throw DomainError.invalid("scopeId", "« scopeId » est obligatoire.", code: .missingField)
        }
        let recipients =
            input.recipients.map { $0.flatMap(splitAddresses) } ?? existing?.recipients ?? []
        guard !recipients.isEmpty else {
            throw DomainError.invalid(
                "recipients", "Indiquez au moins un destinataire du bilan.", code: .missingField)
        }
        for address in recipients {
            if let problem = MailAddress.problem(address) {
                throw DomainError.invalid("recipients", "Destinataire « \(address) » : \(problem).")
            }
        }
        let frequency = try Validate.choice(
            input.frequency, existing: existing?.frequency, field: "frequency", as: ReportFrequency.self)
        var formats: [ReportFormat] = existing?.formats ?? [.html, .csv]
        if let given = input.formats {
            formats = []
            for text in given {
                guard let format = ReportFormat(rawValue: text), format != .json else {
                    throw DomainError.invalid(
                        "formats", "« formats » : format « \(text) » non proposé en pièce jointe (html, csv).")
                }
                if !formats.contains(format) { formats.append(format) }
            }
            guard !formats.isEmpty else {
                throw DomainError.invalid("formats", "Choisissez au moins un format joint (html, csv).")
            }
        }
        return Fields(
            scope: ReportScope(kind: kind, id: scopeId), recipients: Array(Set(recipients)).sorted(),
            frequency: frequency, formats: formats, active: input.active ?? existing?.active ?? true)
    }

    /// `a@x.fr, b@y.fr; c@z.fr` → three addresses, lower-cased.
    static func splitAddresses(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == ";" || $0.isWhitespace }).map { $0.lowercased() }
    }

    /// The scope must belong to the buyer: a marché or operation of its own, or the buyer itself.
    private static func requireScope(_ scope: ReportScope, of buyerId: UUID, on connection: PostgresConnection)
        async throws
    {
        let table =
            switch scope {
            case .publicContract: "public_contracts WHERE id = $1 AND buyer_id = $2"
            case .operation: "operations WHERE id = $1 AND buyer_id = $2"
            case .buyer: "buyers WHERE id = $1 AND id = $2"
            }
        guard try await !connection.query("SELECT 1 FROM \(table)", [scope.id, buyerId]).isEmpty else {
            throw DomainError.invalid(
                "scopeId",
                "\(scope.kind.definite) \(scope.id.uuidString.lowercased()) n'appartient pas à ce donneur d'ordre ou n'existe pas."
            )
        }
    }

    private static func decode(_ row: PostgresRow) throws -> ReportSubscription {
        ReportSubscription(
            id: try row.decode(0), buyerId: try row.decode(1),
            scope: try row.decodeEnum(2, table: "report_subscriptions", column: "scope_kind"),
            scopeId: try row.decode(3),
            scopeLabel: try row.decode(4), recipients: try row.decode(5, as: PostgresTextArray.self).values,
            frequency: try row.decodeEnum(6, table: "report_subscriptions", column: "frequency"),
            formats: try row.decode(7, as: PostgresTextArray.self).values.map { text in
                guard let format = ReportFormat(rawValue: text) else {
                    throw PostgresRow.unknownValue(text, table: "report_subscriptions", column: "formats")
                }
                return format
            }, active: try row.decode(8), startsOn: try row.decode(9))
    }

}
