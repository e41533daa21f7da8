import Foundation
import PostgresClient

/// PLIE pathways: opened, followed (reviews, extensions) and exited (DOMAIN §6).
/// - Read: whoever may read the participant (`Scope.participants`).
/// - Open, change, exit, review, request an extension: admin and facilitator on any pathway; a référent
///   on the pathways they hold (and they open pathways only for themselves).
/// - Decide an extension: admin and facilitator, on the committee's list; beyond the quota only an admin,
///   with a reason.
public struct PathwayStore: Sendable {
    let pool: PostgresPool
    let profiles: PLIEProfiles
    let clock: any CivilClock

    public init(pool: PostgresPool, profiles: PLIEProfiles, clock: any CivilClock) {
        self.pool = pool
        self.profiles = profiles
        self.clock = clock
    }

    // MARK: Reading

    public func list(_ caller: Caller, participantId: UUID) async throws -> [Pathway] {
        try await pool.withConnection { connection in
            try await ParticipantStore.requireVisible(caller, participantId: participantId, lock: false, on: connection)
            var sql = try select(caller)
            sql.append("AND pw.participant_id = \(sql.bind(participantId)) ORDER BY pw.entry_date, pw.id")
            let pathways = try await connection.query(sql).map(Pathway.init(row:))
            return try await detailed(pathways, on: connection)
        }
    }

    public func get(_ caller: Caller, id: UUID) async throws -> Pathway {
        try await pool.withConnection { try await get(caller, id: id, on: $0) }
    }

    func get(_ caller: Caller, id: UUID, on connection: PostgresConnection, lock: Bool = false) async throws
        -> Pathway
    {
        var sql = try select(caller)
        sql.append("AND pw.id = \(sql.bind(id))")
        if lock { sql.append("FOR UPDATE OF pw") }
        guard let row = try await connection.query(sql).first else {
            throw DomainError.notFound(
                "Le parcours \(id.uuidString.lowercased()) n'existe pas ou ne vous est pas accessible.")
        }
        return try await detailed([try Pathway(row: row)], on: connection)[0]
    }

    private func select(_ caller: Caller) throws(DomainError) -> SQL {
        var sql = SQL(
            "SELECT \(Pathway.columns) FROM \(Pathway.from) JOIN participants pa ON pa.id = pw.participant_id WHERE true"
        )
        if let predicate = try Scope.participants(caller, alias: "pa", &sql) { sql.append("AND \(predicate)") }
        return sql
    }

    /// Adds reviews, extensions and milestones.
    private func detailed(_ pathways: [Pathway], on connection: PostgresConnection) async throws -> [Pathway] {
        guard !pathways.isEmpty else { return [] }
        let ids = PostgresTextArray(pathways.map { $0.id.uuidString.lowercased() })
        var reviews: [UUID: [PathwayReview]] = [:]
        for row in try await connection.query(
            """
            SELECT pathway_id, id, review_date, note, recorded_by_label FROM pathway_reviews
            WHERE pathway_id = ANY($1::uuid[]) ORDER BY review_date
            """, [ids])
        {
            reviews[try row.decode(0), default: []].append(
                PathwayReview(
                    id: try row.decode(1), reviewDate: try row.decode(2), note: try row.decode(3),
                    recordedByLabel: try row.decode(4)))
        }
        var extensions: [UUID: [PathwayExtension]] = [:]
        for row in try await connection.query(
            """
            SELECT pathway_id, id, months, reason, requested_on, requested_by_label, status, decided_on, decided_by_label,
                   decision_note, file_active, quota_share, extended, override_reason
            FROM pathway_extensions WHERE pathway_id = ANY($1::uuid[]) ORDER BY requested_on, created_at
            """, [ids])
        {
            var quota: ExtensionQuota?
            if let fileActive = try row.decode(10, as: Int?.self), let share = try row.numeric(11),
                let extended = try row.decode(12, as: Int?.self)
            {
                quota = ExtensionQuota(fileActive: fileActive, share: share, extended: extended)
            }
            extensions[try row.decode(0), default: []].append(
                PathwayExtension(
                    id: try row.decode(1), months: try row.decode(2), reason: try row.decode(3),
                    requestedOn: try row.decode(4), requestedByLabel: try row.decode(5),
                    status: try row.decodeEnum(6, table: "pathway_extensions", column: "status"),
                    decidedOn: try row.decode(7), decidedByLabel: try row.decode(8), decisionNote: try row.decode(9),
                    quota: quota, overrideReason: try row.decode(13)))
        }
        return try pathways.map { pathway in
            var pathway = pathway
            pathway.reviews = reviews[pathway.id] ?? []
            pathway.extensions = extensions[pathway.id] ?? []
            let profile = try profiles.named(pathway.profile, field: "profile")
            pathway.milestones = PathwayMilestones.of(
                profile: profile, entry: pathway.entryDate,
                extensionMonths: pathway.extensions.filter { $0.status == .accepted }.reduce(0) { $0 + $1.months },
                reviews: pathway.reviews.map(\.reviewDate), exited: pathway.status == .exited)
            return pathway
        }
    }

    /// Every pathway of these participants (already scoped by the caller's query), by participant.
    func of(participants ids: [UUID], on connection: PostgresConnection) async throws -> [UUID: [Pathway]] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await connection.query(
            "SELECT \(Pathway.columns) FROM \(Pathway.from) WHERE pw.participant_id = ANY($1::uuid[]) ORDER BY pw.entry_date, pw.id",
            [PostgresTextArray(ids.map { $0.uuidString.lowercased() })])
        let pathways = try await detailed(try rows.map(Pathway.init(row:)), on: connection)
        return Dictionary(grouping: pathways, by: \.participantId)
    }

    // MARK: Writing

    /// A référent writes only the pathways they hold.
    private func requireWriter(_ caller: Caller, of pathway: Pathway) throws(DomainError) {
        switch caller.role {
        case .admin, .facilitator: return
        case .referent where pathway.referentUserId != nil && pathway.referentUserId == caller.userId: return
        default: throw DomainError.forbidden
        }
    }

    /// Opens a pathway for a participant (an entry, or a re-entry after an exit).
    public func open(_ caller: Caller, participantId: UUID, _ input: Pathway.Input) async throws -> Pathway {
        try await pool.withTransaction { connection in
            try await ParticipantStore.requireVisible(caller, participantId: participantId, lock: true, on: connection)
            let id = try await insert(caller, participantId: participantId, input, on: connection)
            return try await get(caller, id: id, on: connection)
        }
    }

    /// Inserts a pathway inside the caller's transaction (also used when a participant is created with
    /// their first pathway); the participant's row is locked by the caller.
    func insert(_ caller: Caller, participantId: UUID, _ input: Pathway.Input, on connection: PostgresConnection)
        async throws -> UUID
    {
        guard [.admin, .facilitator, .referent].contains(caller.role) else { throw DomainError.forbidden }
        let plieId = try Validate.required(input.plieId, existing: nil, field: "plieId")
        let entry = try Validate.required(input.entryDate, existing: nil, field: "entryDate")
        var referent = input.referentUserId
        if caller.role == .referent {
            guard referent == nil || referent == caller.userId else { throw DomainError.forbidden }
            referent = caller.userId
        }
        guard
            let profileName = try await connection.query("SELECT profile FROM plie WHERE id = $1", [plieId]).scalar(
                String.self)
        else {
            throw DomainError.invalid("plieId", "« plieId » ne désigne aucun PLIE existant.", code: .unknownReference)
        }
        _ = try profiles.named(profileName, field: "profile")
        if let open = try await connection.query(
            "SELECT entry_date FROM pathways WHERE participant_id = $1 AND plie_id = $2 AND status <> 'exited'",
            [participantId, plieId]
        ).scalar(LocalDate.self) {
            throw DomainError.conflict(
                "Cette personne a déjà un parcours ouvert dans ce PLIE (entrée le \(open.french)) : clôturez-le avant d'en ouvrir un autre.",
                field: "plieId", code: .pathwayOpen)
        }
        if let lastExit = try await connection.query(
            "SELECT max(exit_date) FROM pathways WHERE participant_id = $1 AND plie_id = $2", [participantId, plieId]
        ).scalar(LocalDate?.self) ?? nil, entry <= lastExit {
            throw DomainError.invalid(
                "entryDate",
                "L'entrée du \(entry.french) précède la sortie du parcours précédent dans ce PLIE (\(lastExit.french)) : une nouvelle entrée suit la sortie."
            )
        }
        let id = try await translating {
            try await connection.query(
                """
                INSERT INTO pathways (participant_id, plie_id, entry_date, referent_user_id) VALUES ($1, $2, $3, $4)
                RETURNING id
                """, [participantId, plieId, entry, referent]
            ).one().decode(0, as: UUID.self)
        }
        try await Audit.record(
            .create, entity: "pathway", id: id.uuidString.lowercased(),
            changes: [
                "participantId": participantId.uuidString.lowercased(), "plieId": plieId.uuidString.lowercased(),
                "entryDate": entry.description, "referentUserId": referent?.uuidString.lowercased() ?? NSNull(),
            ], by: caller, on: connection)
        return id
    }

    /// Changes the entry date, the référent or the status (`active` / `suspended`; `active` on an exited
    /// pathway reopens it and clears its exit, for an exit recorded by mistake).
    public func update(_ caller: Caller, id: UUID, _ input: Pathway.Input, expected: RecordVersion? = nil)
        async throws -> Pathway
    {
        try await pool.withTransaction { connection in
            let existing = try await get(caller, id: id, on: connection, lock: true)
            try RecordVersion.check(expected, current: existing.updatedAt, noun: "le parcours")
            try requireWriter(caller, of: existing)
            if input.plieId.map({ $0 != existing.plieId }) == true {
                throw DomainError.invalid(
                    "plieId", "Un parcours ne change pas de PLIE : clôturez-le et ouvrez-en un dans l'autre PLIE.")
            }
            if caller.role == .referent, let referent = input.referentUserId, referent != caller.userId {
                throw DomainError.forbidden
            }
            let cleared = try Validate.cleared(input.clear, allowed: Pathway.Input.clearable)
            // A référent keeps the pathways they hold: handing one over is the facilitateur's.
            if caller.role == .referent, cleared.contains("referentUserId") { throw DomainError.forbidden }
            let status = input.status ?? existing.status
            if input.status == .exited {
                throw DomainError.invalid(
                    "status", "Une sortie s'enregistre avec sa date et son motif (POST /pathways/{id}/exit).")
            }
            let entry = input.entryDate ?? existing.entryDate
            let project = Validate.kept(
                input.projectValidatedOn, "projectValidatedOn", existing: existing.projectValidatedOn, cleared: cleared)
            if let project, project < entry || project > clock.today {
                throw DomainError.invalid(
                    "projectValidatedOn",
                    "La validation du projet professionnel (\(project.french)) doit suivre l'entrée en parcours et ne pas être à venir."
                )
            }
            let reopening = existing.status == .exited && status != .exited
            if !reopening, let exit = existing.exitDate, exit < entry {
                throw DomainError.invalid(
                    "entryDate", "L'entrée (\(entry.french)) ne peut pas suivre la sortie (\(exit.french)).")
            }
            // Pathways of one person in one PLIE follow each other: no overlap with the one before, and only
            // the latest may be reopened.
            let others = try await connection.query(
                """
                SELECT max(exit_date) FILTER (WHERE entry_date < $3), bool_or(entry_date > $3)
                FROM pathways WHERE participant_id = $1 AND plie_id = $2 AND id <> $4
                """, [existing.participantId, existing.plieId, existing.entryDate, id]
            ).one()
            if let previousExit = try others.decode(0, as: LocalDate?.self), entry <= previousExit {
                throw DomainError.invalid(
                    "entryDate",
                    "L'entrée du \(entry.french) précède la sortie du parcours précédent dans ce PLIE (\(previousExit.french))."
                )
            }
            if reopening, try others.decode(1, as: Bool?.self) == true {
                throw DomainError.conflict(
                    "Un parcours plus récent existe dans ce PLIE : seul le dernier parcours peut être rouvert.",
                    field: "status", code: .pathwayOpen)
            }
            try await translating {
                try await connection.execute(
                    """
                    UPDATE pathways SET entry_date = $2, referent_user_id = $3, status = $4,
                        exit_date = CASE WHEN $5 THEN NULL ELSE exit_date END,
                        exit_kind = CASE WHEN $5 THEN NULL ELSE exit_kind END,
                        exit_reason = CASE WHEN $5 THEN NULL ELSE exit_reason END, project_validated_on = $6,
                        updated_at = now()
                    WHERE id = $1
                    """,
                    [
                        id, entry,
                        Validate.kept(
                            input.referentUserId, "referentUserId", existing: existing.referentUserId, cleared: cleared),
                        status.rawValue, reopening, project,
                    ])
            }
            return try await audited(existing, caller: caller, on: connection)
        }
    }

    /// Records the exit: its date (the pathway's last day), kind and reason.
    public func exit(_ caller: Caller, id: UUID, _ input: Pathway.Exit) async throws -> Pathway {
        let date = try Validate.required(input.exitDate, existing: nil, field: "exitDate")
        guard let kind = input.exitKind else {
            throw DomainError.invalid(
                "exitKind", "Le motif de sortie (« exitKind ») est obligatoire pour clôturer un parcours.",
                code: .missingField)
        }
        guard kind != .employmentUnspecified else {
            throw DomainError.invalid(
                "exitKind",
                "Précisez le type d'emploi de la sortie (CDI, CDD de 6 mois et plus, alternance, contrat aidé, intérim, création d'entreprise) : « employment_unspecified » est réservé aux sorties reprises d'avant."
            )
        }
        let reason = try Validate.optionalText(input.exitReason, existing: nil, field: "exitReason", maxLength: 2000)
        return try await pool.withTransaction { connection in
            let existing = try await get(caller, id: id, on: connection, lock: true)
            try requireWriter(caller, of: existing)
            guard existing.status != .exited else {
                throw DomainError.conflict(
                    "Ce parcours est déjà clôturé (sortie le \(existing.exitDate?.french ?? "?")).", field: "exitDate")
            }
            guard date >= existing.entryDate else {
                throw DomainError.invalid(
                    "exitDate",
                    "La sortie du \(date.french) précède l'entrée dans le parcours (\(existing.entryDate.french)).")
            }
            try await connection.execute(
                """
                UPDATE pathways SET status = 'exited', exit_date = $2, exit_kind = $3, exit_reason = $4, updated_at = now()
                WHERE id = $1
                """, [id, date, kind.rawValue, reason])
            return try await audited(existing, caller: caller, on: connection)
        }
    }

    /// The référent's extension quota today for this pathway's PLIE (profiles with a quota; nil otherwise or
    /// without a référent), shown before the committee's decision is recorded.
    public func currentQuota(_ caller: Caller, pathwayId: UUID) async throws -> ExtensionQuota? {
        try await pool.withConnection { connection in
            let pathway = try await get(caller, id: pathwayId, on: connection)
            let profile = try profiles.named(pathway.profile, field: "profile")
            guard let share = profile.extensionQuotaShare, let referent = pathway.referentUserId else { return nil }
            return try await Self.quota(
                referent: referent, plieId: pathway.plieId, share: share, on: clock.today, connection: connection)
        }
    }

    /// Records a point d'étape.
    public func addReview(_ caller: Caller, id: UUID, _ input: PathwayReview.Input) async throws -> Pathway {
        let date = try Validate.required(input.reviewDate, existing: nil, field: "reviewDate")
        let note = try Validate.optionalText(input.note, existing: nil, field: "note", maxLength: 4000)
        return try await pool.withTransaction { connection in
            let existing = try await get(caller, id: id, on: connection, lock: true)
            try requireWriter(caller, of: existing)
            guard date >= existing.entryDate, existing.exitDate.map({ date <= $0 }) ?? true else {
                throw DomainError.invalid(
                    "reviewDate", "Le point d'étape du \(date.french) est en dehors du parcours.")
            }
            let reviewId = try await translating {
                try await connection.query(
                    """
                    INSERT INTO pathway_reviews (pathway_id, review_date, note, recorded_by, recorded_by_label)
                    VALUES ($1, $2, $3, $4, $5) RETURNING id
                    """, [id, date, note, caller.userId, caller.label]
                ).one().decode(0, as: UUID.self)
            }
            try await Audit.record(
                .create, entity: "pathway_review", id: reviewId.uuidString.lowercased(),
                changes: ["pathwayId": id.uuidString.lowercased(), "reviewDate": date.description], by: caller,
                on: connection)
            return try await get(caller, id: id, on: connection)
        }
    }

    /// The référent asks the committee for an extension.
    public func requestExtension(_ caller: Caller, id: UUID, _ input: PathwayExtension.Request) async throws
        -> Pathway
    {
        let months = try Validate.required(
            try Validate.integer(input.months, existing: nil, field: "months", in: 1...36), existing: nil,
            field: "months")
        let reason = try Validate.text(input.reason, existing: nil, field: "reason", maxLength: 2000)
        return try await pool.withTransaction { connection in
            let existing = try await get(caller, id: id, on: connection, lock: true)
            try requireWriter(caller, of: existing)
            guard existing.status != .exited else {
                throw DomainError.conflict("Un parcours clôturé ne se prolonge pas.", field: "months")
            }
            let extensionId = try await translating {
                try await connection.query(
                    """
                    INSERT INTO pathway_extensions (pathway_id, months, reason, requested_on, requested_by, requested_by_label)
                    VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
                    """, [id, months, reason, clock.today, caller.userId, caller.label]
                ).one().decode(0, as: UUID.self)
            }
            try await Audit.record(
                .create, entity: "pathway_extension", id: extensionId.uuidString.lowercased(),
                changes: ["pathwayId": id.uuidString.lowercased(), "months": months, "reason": reason], by: caller,
                on: connection)
            return try await get(caller, id: id, on: connection)
        }
    }

    /// The committee's decision on an extension, recorded by a facilitator or an admin. Under a quota
    /// profile, accepting checks the référent's quota on the decision date; beyond it only an admin may
    /// accept, with a reason. The quota figures are kept with the decision.
    public func decideExtension(
        _ caller: Caller, id: UUID, extensionId: UUID, _ input: PathwayExtension.Decision
    ) async throws -> Pathway {
        try caller.requireEditor()
        let decision = try Validate.required(input.decision, existing: nil, field: "decision")
        guard decision != .requested else {
            throw DomainError.invalid("decision", "« decision » doit valoir « accepted » ou « refused ».")
        }
        let note = try Validate.optionalText(input.note, existing: nil, field: "note", maxLength: 2000)
        let override = try Validate.optionalText(
            input.overrideReason, existing: nil, field: "overrideReason", maxLength: 2000)
        let today = clock.today
        return try await pool.withTransaction { connection in
            let existing = try await get(caller, id: id, on: connection, lock: true)
            guard existing.extensions.contains(where: { $0.id == extensionId && $0.status == .requested }) else {
                throw DomainError.notFound(
                    "Ce parcours n'a pas de demande de prolongation \(extensionId.uuidString.lowercased()) en attente.")
            }
            let profile = try profiles.named(existing.profile, field: "profile")
            var quota: ExtensionQuota?
            if let share = profile.extensionQuotaShare, let referent = existing.referentUserId {
                // Decisions on one référent's quota wait for each other.
                try await connection.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('extension-quota:' || $1::text))", [referent])
                quota = try await Self.quota(
                    referent: referent, plieId: existing.plieId, share: share, on: today, connection: connection)
            }
            // A pathway already extended is already counted: extending it again takes no more of the quota.
            let alreadyExtended = existing.extensions.contains { $0.status == .accepted }
            if decision == .accepted, !alreadyExtended, let quota, !quota.allowsOneMore {
                guard caller.role == .admin, override != nil else {
                    throw DomainError.conflict(
                        "Quota de prolongations atteint pour ce référent : \(quota.french). "
                            + "Seul un administrateur peut accorder une prolongation au-delà, avec un motif (« overrideReason »).",
                        field: "decision", code: .extensionQuota)
                }
            }
            try await connection.execute(
                """
                UPDATE pathway_extensions SET status = $2, decided_on = $3, decided_by = $4, decided_by_label = $5,
                    decision_note = $6, file_active = $7, quota_share = $8, extended = $9, override_reason = $10
                WHERE id = $1
                """,
                [
                    extensionId, decision.rawValue, today, caller.userId, caller.label, note, quota?.fileActive,
                    quota?.share, quota?.extended,
                    decision == .accepted && !alreadyExtended && quota?.allowsOneMore == false ? override : nil,
                ])
            try await Audit.record(
                .update, entity: "pathway_extension", id: extensionId.uuidString.lowercased(),
                changes: [
                    "status": ["from": "requested", "to": decision.rawValue],
                    "overrideReason": override ?? NSNull(),
                ], by: caller, on: connection)
            return try await get(caller, id: id, on: connection)
        }
    }

    // MARK: Helpers

    /// A référent's extension quota in one PLIE on a date (DOMAIN §6): their open pathways there, and how
    /// many of them already have an accepted extension.
    static func quota(
        referent: UUID, plieId: UUID, share: Decimal, on date: LocalDate, connection: PostgresConnection
    ) async throws -> ExtensionQuota {
        let files = try await referentFiles(referent: referent, plieId: plieId, on: date, connection: connection)
        return ExtensionQuota(fileActive: files.first?.open ?? 0, share: share, extended: files.first?.extended ?? 0)
    }

    /// A référent's file in one PLIE on a date: its open pathways and those already extended.
    struct ReferentFile {
        let referent: UUID, referentLabel: String, plieId: UUID, plieName: String, profile: String
        let open: Int, extended: Int
    }

    /// The files the extension quota is judged on (DOMAIN §6): every référent in every PLIE, or one of
    /// each when given.
    static func referentFiles(
        referent: UUID? = nil, plieId: UUID? = nil, on date: LocalDate, connection: PostgresConnection
    ) async throws -> [ReferentFile] {
        try await connection.query(
            """
            SELECT pw.referent_user_id, coalesce(nullif(u.display_name, ''), u.email), pw.plie_id, pl.name, pl.profile,
                   count(*)::int,
                   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM pathway_extensions e
                                                  WHERE e.pathway_id = pw.id AND e.status = 'accepted'))::int
            FROM pathways pw JOIN plie pl ON pl.id = pw.plie_id JOIN users u ON u.id = pw.referent_user_id
            WHERE pw.status <> 'exited' AND pw.entry_date <= $1
              AND ($2::uuid IS NULL OR pw.referent_user_id = $2) AND ($3::uuid IS NULL OR pw.plie_id = $3)
            GROUP BY 1, 2, 3, 4, 5
            """, [date, referent, plieId]
        ).map { row in
            ReferentFile(
                referent: try row.decode(0), referentLabel: try row.decode(1), plieId: try row.decode(2),
                plieName: try row.decode(3), profile: try row.decode(4), open: try row.decode(5),
                extended: try row.decode(6))
        }
    }

    private func audited(_ existing: Pathway, caller: Caller, on connection: PostgresConnection) async throws
        -> Pathway
    {
        let updated = try await get(caller, id: existing.id, on: connection)
        try await Audit.updated(
            from: existing, to: updated, entity: "pathway", id: existing.id,
            omitting: ["reviews", "extensions", "milestones", "referentLabel"], by: caller, on: connection)
        return updated
    }

    func translating<T>(_ body: () async throws -> T) async throws -> T {
        try await ConstraintMessages.translating(
            [
                "pathways_one_open": ("plieId", "Cette personne a déjà un parcours ouvert dans ce PLIE."),
                "pathways_referent_user_id_fkey": (
                    "referentUserId", "« referentUserId » ne désigne aucun utilisateur existant."
                ),
                "pathway_reviews_once": ("reviewDate", "Un point d'étape est déjà enregistré à cette date."),
                "pathway_extensions_one_pending": (
                    "months", "Une demande de prolongation de ce parcours attend déjà la décision du comité."
                ),
            ], body)
    }
}
