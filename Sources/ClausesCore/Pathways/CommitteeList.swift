import Foundation
import PostgresClient

/// What a PLIE's committee works on in a month (DOMAIN §9): new entries, extensions awaiting a decision
/// (with the référent's quota where the profile sets one), exits, and positive-outcome candidates with
/// their evidence as of the month's last day.
public struct CommitteeList: Codable, Sendable, Equatable {
    public struct Person: Codable, Sendable, Equatable {
        public let pathwayId: UUID
        public let participantId: UUID
        public let reference: String
        public let name: String
        public let referentLabel: String?
    }

    public struct Entry: Codable, Sendable, Equatable {
        public let person: Person
        public let entryDate: LocalDate
    }

    public struct ExtensionRequest: Codable, Sendable, Equatable {
        public let person: Person
        public let extensionId: UUID
        public let entryDate: LocalDate
        public let lengthReachedOn: LocalDate?
        public let months: Int
        public let reason: String
        public let requestedOn: LocalDate
        /// The référent's quota today, when the profile sets one.
        public let quota: ExtensionQuota?
    }

    public struct Exit: Codable, Sendable, Equatable {
        public let person: Person
        public let exitDate: LocalDate
        public let exitKind: ExitKind
        public let exitReason: String?
    }

    public let plieId: UUID
    public let plieName: String
    public let profile: String
    public let committee: String
    public let month: YearMonth
    public let entries: [Entry]
    public let extensions: [ExtensionRequest]
    public let exits: [Exit]
    public let candidates: [PathwayOutcomeCandidate]

    /// One line as people read it (the page, the CSV): who, when, and the facts in French.
    public struct Line: Sendable, Equatable {
        public let reference: String
        public let name: String
        /// The référent, or who proposed an outcome; nil when nobody.
        public let referent: String?
        public let date: LocalDate
        public let detail: String
    }

    public var entryLines: [Line] {
        entries.map {
            Line(
                reference: $0.person.reference, name: $0.person.name, referent: $0.person.referentLabel,
                date: $0.entryDate, detail: "")
        }
    }

    public var extensionLines: [Line] {
        extensions.map {
            Line(
                reference: $0.person.reference, name: $0.person.name, referent: $0.person.referentLabel,
                date: $0.requestedOn,
                detail: "\($0.months) mois demandés"
                    + ($0.lengthReachedOn.map { " (durée atteinte le \($0.french))" } ?? "") + " : \($0.reason)"
                    + ($0.quota.map { " — quota du référent : \($0.french)" } ?? ""))
        }
    }

    public var exitLines: [Line] {
        exits.map {
            Line(
                reference: $0.person.reference, name: $0.person.name, referent: $0.person.referentLabel,
                date: $0.exitDate, detail: $0.exitKind.frenchLabel + ($0.exitReason.map { " : \($0)" } ?? ""))
        }
    }

    public var candidateLines: [Line] {
        candidates.map {
            Line(
                reference: $0.reference, name: $0.participantName, referent: $0.proposedBy.map { "proposée par \($0)" },
                date: $0.candidate.establishedOn,
                detail: "\($0.candidate.rule.frenchLabel) : \($0.candidate.evidence)"
                    + ($0.includesUnvalidatedHours ? " (comprend des heures pas encore validées)" : ""))
        }
    }
}

/// Builds the committee's monthly list for one PLIE. Staff only; a référent sees the people they follow.
public struct CommitteeService: Sendable {
    let pool: PostgresPool
    let profiles: PLIEProfiles
    let outcomes: OutcomeStore
    let clock: any CivilClock

    public init(pool: PostgresPool, profiles: PLIEProfiles, outcomes: OutcomeStore, clock: any CivilClock) {
        self.pool = pool
        self.profiles = profiles
        self.outcomes = outcomes
        self.clock = clock
    }

    public func list(_ caller: Caller, plieId: UUID, month: YearMonth) async throws -> CommitteeList {
        try caller.requireStaff()
        return try await pool.withConnection { connection in
            guard
                let plie = try await connection.query(
                    "SELECT \(PLIE.selectColumns) FROM \(PLIE.fromClause) WHERE pl.id = $1", [plieId]
                ).first.map(PLIE.init(row:))
            else {
                throw DomainError.notFound("Le PLIE \(plieId.uuidString.lowercased()) n'existe pas.")
            }
            let profile = try profiles.named(plie.profile, field: "profile")
            let first = month.firstDay
            let last = month.lastDay

            /// Pathways of the PLIE matching `condition` (over `pw`, `pa` and the `join`), `columns` from index 5.
            func people(
                _ condition: (inout SQL) -> String, columns: String, join: String = "", order: String
            ) async throws -> [(CommitteeList.Person, PostgresRow)] {
                var sql = SQL(
                    """
                    SELECT pw.id, pa.id, pa.reference, \(PersonName.fullSQL("pa")), coalesce(nullif(u.display_name, ''), u.email), \(columns)
                    FROM pathways pw JOIN participants pa ON pa.id = pw.participant_id
                    LEFT JOIN users u ON u.id = pw.referent_user_id \(join)
                    """)
                sql.append("WHERE pw.plie_id = \(sql.bind(plieId)) AND \(condition(&sql))")
                if let scope = try Scope.participants(caller, alias: "pa", &sql) { sql.append("AND \(scope)") }
                sql.append("ORDER BY \(order)")
                return try await connection.query(sql).map { row in
                    (
                        CommitteeList.Person(
                            pathwayId: try row.decode(0), participantId: try row.decode(1),
                            reference: try row.decode(2),
                            name: try row.decode(3), referentLabel: try row.decode(4)), row
                    )
                }
            }

            let entries = try await people(
                { "pw.entry_date BETWEEN \($0.bind(first)) AND \($0.bind(last))" }, columns: "pw.entry_date",
                order: "pw.entry_date, pa.reference"
            ).map { CommitteeList.Entry(person: $0.0, entryDate: try $0.1.decode(5)) }
            let exits = try await people(
                { "pw.exit_date BETWEEN \($0.bind(first)) AND \($0.bind(last))" },
                columns: "pw.exit_date, pw.exit_kind, pw.exit_reason",
                order: "pw.exit_date, pa.reference"
            ).map {
                CommitteeList.Exit(
                    person: $0.0, exitDate: try $0.1.decode(5),
                    exitKind: try $0.1.decodeEnum(6, table: "pathways", column: "exit_kind"),
                    exitReason: try $0.1.decode(7))
            }
            // Requests awaiting the committee, whatever the month they were made in.
            let requested = try await people(
                { _ in "e.status = 'requested'" },
                columns: """
                    pw.entry_date, e.id, e.months, e.reason, e.requested_on, pw.referent_user_id,
                    (SELECT coalesce(sum(a.months), 0)::int FROM pathway_extensions a WHERE a.pathway_id = pw.id AND a.status = 'accepted')
                    """,
                join: "JOIN pathway_extensions e ON e.pathway_id = pw.id", order: "e.requested_on, pa.reference")
            var extensions: [CommitteeList.ExtensionRequest] = []
            var quotas: [UUID: ExtensionQuota] = [:]
            for (person, row) in requested {
                let entry: LocalDate = try row.decode(5)
                var quota: ExtensionQuota?
                if let share = profile.extensionQuotaShare, let referent = try row.decode(10, as: UUID?.self) {
                    if quotas[referent] == nil {
                        quotas[referent] = try await PathwayStore.quota(
                            referent: referent, plieId: plieId, share: share, on: clock.today, connection: connection)
                    }
                    quota = quotas[referent]
                }
                let accepted: Int = try row.decode(11)
                extensions.append(
                    CommitteeList.ExtensionRequest(
                        person: person, extensionId: try row.decode(6), entryDate: entry,
                        lengthReachedOn: profile.pathwayMonths.map { entry.adding(months: $0 + accepted) },
                        months: try row.decode(7), reason: try row.decode(8), requestedOn: try row.decode(9),
                        quota: quota))
            }
            // Outcomes established by now: the current month's list shows nothing the future may undo.
            let candidates = try await outcomes.candidates(
                caller, selection: PathwaySelection(plieId: plieId), asOf: min(last, clock.today), pathwayId: nil,
                on: connection)
            return CommitteeList(
                plieId: plie.id, plieName: plie.name, profile: profile.name, committee: profile.committee,
                month: month, entries: entries, extensions: extensions, exits: exits, candidates: candidates)
        }
    }
}
