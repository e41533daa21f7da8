import ClausesCore
import Foundation
import Hummingbird

/// The daily loop: a lot's monthly hours typed like a spreadsheet (`/lots/{id}/heures`, staff and the
/// employing company), and « Relevés à valider » (`/releves`, admins and facilitators).
struct HourPages {
    let services: AppServices
    let pages: PageRenderer
    let reader: RequestReader
    let forms: WebForms

    func register(on web: RouterGroup<SignedInContext>) {
        web.get(RouterPath(Web.lotHours.pattern)) { request, context in
            let lotId = try context.uuid("id")
            let month = try month(request.queryDictionary["mois"])
            return try await pages.render(
                try await gridPage(context.caller, lotId: lotId, month: month, companyId: try company(request)),
                request: request, context: context)
        }
        web.post(RouterPath(Web.lotHours.pattern)) { request, context in
            try await saveGrid(request: request, context: context)
        }
    }

    func registerEditors(on editors: RouterGroup<EditorContext>) {
        editors.get(RouterPath(Web.reviewQueue.pattern)) { request, context in
            try await pages.render(
                try await queuePage(
                    context.caller, lotId: try request.query.uuid("lot"), params: try ListParams(request)),
                request: request, context: context)
        }
        editors.post(RouterPath(Web.reviewQueue.pattern)) { request, context in
            try await review(request: request, context: context)
        }
    }

    private func month(_ text: String?) throws(DomainError) -> YearMonth {
        guard let text, !text.isEmpty else { return services.clock.today.yearMonth.adding(months: -1) }
        guard let month = YearMonth(text: text), services.config.input.dates.range.contains(month.firstDay) else {
            throw DomainError.invalid("mois", "« \(text) » n'est pas un mois accepté (par exemple 2026-10).")
        }
        return month
    }

    private func company(_ request: Request) throws(DomainError) -> UUID? { try request.query.uuid("entreprise") }

    // MARK: Grid

    struct GridPage: PageModel {
        static let template = "hours"
        static let hasForms = true
        struct Row: Codable, Sendable {
            let placementId: String
            let code: String
            let person: String
            let company: String
            let period: String
            let weekly: String
            let worked: String
            let training: String
            let seen: String
            let status: String
            let statusClass: String
            let rejection: String?
            let error: String?
        }
        let title: String
        let lotLink: String
        let lotLabel: String
        let action: String
        let month: String
        /// « d'octobre 2026 », « de novembre 2026 ».
        let ofMonth: String
        let previous: String
        let next: String?
        let companies: [SelectOption]
        let severalCompanies: Bool
        let rows: [Row]
        /// Staff who edit may record checked timesheets as validated; a company's hours are declared.
        let canValidate: Bool
        let validate: Bool
        let confirm: Bool
        let problem: String?
    }

    /// A row's `seen` field: the report the grid showed, as `id:status` (empty: none).
    enum SeenField {
        static func text(_ seen: SeenReport?) -> String { seen.map { "\($0.id.slug):\($0.status.rawValue)" } ?? "" }

        static func parse(_ text: String) -> SeenReport? {
            let parts = text.split(separator: ":")
            guard parts.count == 2, let id = UUID(uuidString: String(parts[0])),
                let status = HourReportStatus(rawValue: String(parts[1]))
            else { return nil }
            return SeenReport(id: id, status: status)
        }
    }

    /// What was typed in a row, kept on the page when the grid is refused.
    struct Typed {
        let worked: String
        let training: String
        let seen: String
    }

    private func gridPage(
        _ caller: Caller, lotId: UUID, month: YearMonth, companyId: UUID?, typed: [UUID: Typed] = [:],
        errors: [UUID: DomainError] = [:], validate: Bool = false, confirm: Bool = false, problem: String? = nil
    ) async throws -> GridPage {
        try caller.requireDeclarer()
        // The whole month's grid: its companies fill the filter; the rows shown are the chosen company's.
        let grid = try await services.ledger.hours.grid(caller, lotId: lotId, month: month)
        let lot = grid.lot
        var companies: [UUID: String] = [:]
        for row in grid.rows { companies[row.companyId] = row.companyName }
        let shownRows = grid.rows.filter { row in companyId.map { $0 == row.companyId } ?? true }
        let figure = { (value: Decimal) in French.number(value, maxFraction: 2) }
        let rows = shownRows.map { row -> GridPage.Row in
            let kept = typed[row.placementId]
            // A rejected report's figures are not typed back in: saving the grid would declare them again.
            let current = row.current?.status == .rejected ? nil : row.current
            return GridPage.Row(
                placementId: row.placementId.slug, code: row.code, person: row.personName, company: row.companyName,
                period: "\(row.startDate.french) → \(Display.date(row.endDate))", weekly: French.hours(row.weeklyHours),
                worked: kept?.worked ?? current.map { figure($0.worked) } ?? "",
                training: kept?.training ?? current.map { $0.training > 0 ? figure($0.training) : "" } ?? "",
                // A row refused as stale now carries what is current: sent again, it replaces it knowingly.
                seen: errors[row.placementId]?.code == .staleForm
                    ? SeenField.text(row.current?.seen) : kept?.seen ?? SeenField.text(row.current?.seen),
                status: row.current?.status.frenchLabel ?? "Rien de déclaré",
                statusClass: row.current?.status.rawValue ?? "none",
                rejection: row.current.flatMap { report in
                    report.rejectionReason.map {
                        "\(French.hours(report.worked)) refusées. Motif : \($0). Saisissez les heures corrigées."
                    }
                },
                error: errors[row.placementId]?.message)
        }
        // A refusal about a placement the grid does not show (not running that month) is said above it.
        let shown = Set(shownRows.map(\.placementId))
        let unseen = errors.filter { !shown.contains($0.key) }.map(\.value.message).sorted()
        let problem = problem.map { ([$0] + unseen).joined(separator: " ") }
        let today = services.clock.today.yearMonth
        let query = { (m: YearMonth) in [("mois", m.description), ("entreprise", companyId?.slug)] }
        return GridPage(
            title: "Heures \(French.ofMonth(month)) — lot \(lot.number)", lotLink: Web.lot.path(lotId),
            lotLabel: "Lot \(lot.number) — \(lot.label) (\(lot.publicContractReference))",
            action: Web.lotHours.path(lotId, query: query(month)), month: month.description,
            ofMonth: French.ofMonth(month), previous: Web.lotHours.path(lotId, query: query(month.adding(months: -1))),
            next: month < today ? Web.lotHours.path(lotId, query: query(month.adding(months: 1))) : nil,
            companies: companies.sorted { $0.value < $1.value }.map {
                .init(value: $0.key.slug, label: $0.value, selected: $0.key == companyId)
            },
            severalCompanies: companies.count > 1, rows: rows, canValidate: caller.canEditReferential,
            validate: validate, confirm: confirm,
            problem: problem)
    }

    struct GridForm: PostedForm {
        struct Row: Decodable {
            let worked: String?
            let training: String?
            let seen: String?
        }
        let _csrf: String
        let _once: String
        let rows: [String: Row]?
        let validate: String?
        let confirm: String?
    }

    private func saveGrid(request: Request, context: SignedInContext) async throws -> Response {
        let caller = context.caller
        let lotId = try context.uuid("id")
        let month = try month(request.queryDictionary["mois"])
        let companyId = try company(request)
        let form = try await forms.decode(GridForm.self, from: request, context: context)
        var typed: [UUID: Typed] = [:]
        var errors: [UUID: DomainError] = [:]
        var entries: [HourGridEntry] = []
        for (key, row) in form.rows ?? [:] {
            guard let placementId = UUID(uuidString: key) else { continue }
            let worked = row.worked?.trimmingCharacters(in: .whitespaces) ?? ""
            let training = row.training?.trimmingCharacters(in: .whitespaces) ?? ""
            let seen = row.seen ?? ""
            typed[placementId] = Typed(worked: worked, training: training, seen: seen)
            if worked.isEmpty && training.isEmpty { continue }
            do {
                entries.append(
                    HourGridEntry(
                        placementId: placementId, worked: try Self.hours(worked, noun: "heures travaillées"),
                        training: try Self.hours(training, noun: "heures de formation"), seen: SeenField.parse(seen)))
            } catch {
                errors[placementId] = error
            }
        }
        let validate = form.validate != nil && caller.canEditReferential
        let confirm = form.confirm != nil
        func refused(_ problem: String) async throws -> Response {
            try await pages.render(
                try await gridPage(
                    caller, lotId: lotId, month: month, companyId: companyId, typed: typed, errors: errors,
                    validate: validate, confirm: confirm, problem: problem),
                request: request, context: context, status: .unprocessableContent)
        }
        if !errors.isEmpty {
            return try await refused("Rien n'a été enregistré : corrigez les lignes signalées.")
        }
        let result: HourGridResult
        do {
            result = try await services.ledger.hours.saveGrid(
                caller, lotId: lotId, month: month, entries: entries, confirmPlausible: confirm, validate: validate)
        } catch let refusal as HourGridRefusal {
            for (id, problem) in refusal.problems { errors[id] = problem }
            let implausible = refusal.problems.values.contains { $0.code == .implausibleHours }
            return try await refused(
                "Rien n'a été enregistré : corrigez les lignes signalées"
                    + (implausible ? " (ou cochez « Confirmer les heures au-dessus du plafond plausible »)." : "."))
        }
        return .afterPost(
            to: Web.lotHours.path(
                lotId,
                query: [("mois", month.description), ("entreprise", companyId?.slug)]
                    + Notice.hoursSaved.query(count: result.changed)))
    }

    /// Hours typed in a cell: empty is 0; a French or plain decimal, not negative, two decimals at most.
    static func hours(_ text: String, noun: String) throws(DomainError) -> Decimal {
        guard !text.isEmpty else { return 0 }
        guard let value = try? FrenchNumber.parseDecimal(text, field: noun) else {
            throw DomainError.invalid(noun, "« \(text) » : les \(noun) s'écrivent en chiffres (par exemple 151,67).")
        }
        if let problem = FieldRules.hoursProblem(value) {
            throw DomainError.invalid(noun, "« \(text) » : \(problem).")
        }
        return value
    }

    // MARK: Review queue

    struct QueuePage: PageModel {
        static let template = "review-queue"
        static let hasForms = true
        struct Row: Codable, Sendable {
            let id: String
            let person: String
            let month: String
            let lot: String
            let lotLink: String
            let company: String
            let worked: String
            let training: String?
            let declaredBy: String
            let reason: String
            let error: String?
        }
        var title = "Relevés à valider"
        let action: String
        let lotFilter: String?
        let allLink: String
        let controls: ListControls
        let rows: [Row]
        let bulkReason: String
        let bulkError: String?
    }

    private func queuePage(
        _ caller: Caller, lotId: UUID?, params: ListParams, reasons: [String: String] = [:],
        errors: [String: String] = [:], bulkReason: String = "", bulkError: String? = nil
    ) async throws -> QueuePage {
        let queue = try await services.ledger.hours.queue(
            caller, lotId: lotId, limit: ListParams.pageSize, offset: params.query.offset)
        let lotName = try await lotId.asyncMap { try await services.lots.get(caller, id: $0) }
        let slice = ListSlice(items: queue.items, total: queue.total, offset: params.query.offset)
        return QueuePage(
            action: Web.reviewQueue.path(query: [("lot", lotId?.slug), ("page", String(params.page))]),
            lotFilter: lotName.map { "lot \($0.number) — \($0.label) (\($0.publicContractReference))" },
            allLink: Web.reviewQueue.path(),
            controls: ListControls(
                slice, params: params, route: Web.reviewQueue, filters: [("lot", lotId?.slug)],
                columns: [
                    ("Cocher", nil), ("Personne", nil), ("Mois", nil), ("Lot et employeur", nil), ("Heures", nil),
                    ("Déclaré par", nil), ("Décision", nil),
                ], noun: ("relevé à valider", "relevés à valider")),
            rows: queue.items.map { item in
                let id = item.report.id.slug
                return QueuePage.Row(
                    id: id, person: item.personName, month: French.month(item.report.month),
                    lot: "\(item.contractReference) · \(item.lotLabel)", lotLink: Web.lot.path(item.lotId),
                    company: item.companyName, worked: French.hours(item.report.workedHours),
                    training: item.report.trainingHours > 0 ? French.hours(item.report.trainingHours) : nil,
                    declaredBy: "\(item.report.declaredByLabel), le \(French.dateTime(item.report.declaredAt))",
                    reason: reasons[id] ?? "", error: errors[id])
            },
            bulkReason: bulkReason, bulkError: bulkError)
    }

    enum BulkAction: String {
        case validate, reject
    }

    struct QueueForm: PostedForm {
        let _csrf: String
        let _once: String
        /// The reports ticked for a bulk action.
        let ids: [String]?
        /// `validate` or `reject` for the ticked reports.
        let bulk: String?
        let reason: String?
        /// One report's own buttons.
        let validateOne: String?
        let rejectOne: String?
        let reasons: [String: String]?
    }

    private func review(request: Request, context: EditorContext) async throws -> Response {
        let caller = context.caller
        let lotId = try request.query.uuid("lot")
        let params = try ListParams(request)
        let form = try await forms.decode(QueueForm.self, from: request, context: context)
        let reasons = form.reasons ?? [:]
        func refused(errors: [String: String] = [:], bulkError: String? = nil) async throws -> Response {
            try await pages.render(
                try await queuePage(
                    caller, lotId: lotId, params: params, reasons: reasons, errors: errors,
                    bulkReason: form.reason ?? "", bulkError: bulkError),
                request: request, context: context, status: .unprocessableContent)
        }
        let ids: [String]
        let status: HourReportStatus
        var reason: String?
        if let one = form.validateOne {
            (ids, status) = ([one], .validated)
        } else if let one = form.rejectOne {
            (ids, status) = ([one], .rejected)
            reason = reasons[one]?.trimmingCharacters(in: .whitespacesAndNewlines)
            if reason?.isEmpty ?? true {
                return try await refused(errors: [one: "Indiquez le motif du refus : le déclarant le lira."])
            }
        } else {
            guard let bulk = form.bulk.flatMap(BulkAction.init(rawValue:)) else {
                return try await refused(bulkError: "Choisissez « Valider » ou « Refuser » pour les relevés cochés.")
            }
            ids = form.ids ?? []
            guard !ids.isEmpty else { return try await refused(bulkError: "Cochez au moins un relevé.") }
            status = bulk == .reject ? .rejected : .validated
            if status == .rejected {
                reason = form.reason?.trimmingCharacters(in: .whitespacesAndNewlines)
                if reason?.isEmpty ?? true {
                    return try await refused(
                        bulkError: "Indiquez le motif du refus des relevés cochés : les déclarants le liront.")
                }
            }
        }
        let reportIds = try ids.map { text throws(DomainError) in
            guard let id = UUID(uuidString: text) else { throw DomainError.notFound("Relevé inconnu « \(text) ».") }
            return id
        }
        do {
            _ = try await services.ledger.hours.review(caller, reportIds: reportIds, to: status, reason: reason)
        } catch let refusal as DomainError where refusal.kind == .conflict || refusal.kind == .unprocessable {
            return try await refused(bulkError: "Rien n'a été enregistré : \(refusal.message)")
        }
        let notice = status == .validated ? Notice.reportsValidated : .reportsRejected
        return .afterPost(
            to: Web.reviewQueue.path(query: [("lot", lotId?.slug)] + notice.query(count: reportIds.count)))
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
