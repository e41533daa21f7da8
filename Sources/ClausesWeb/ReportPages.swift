import ClausesCore
import Foundation
import Hummingbird

/// Bilans on the site (DOMAIN §8). `/acheteurs/{id}/bilans`: choose a scope of the buyer (all its marchés,
/// one operation, one marché) and a period, read the key figures, open the printable document or download
/// it as CSV or JSON. A buyer account sees only its own buyer and whole periods; staff who report (admin,
/// facilitator) may give dates, and edit the buyer's subscriptions below: who receives which bilan, how
/// often, the next mailing to preview, a mailing sent by hand, the mailings made.
struct ReportPages {
    let services: AppServices
    let pages: PageRenderer
    let forms: WebForms

    func register(on signedIn: RouterGroup<SignedInContext>) {
        signedIn.get(RouterPath(Web.reports.pattern)) { _, context in
            guard context.caller.role == .buyer, let buyerId = context.caller.buyerId else {
                return Response.redirect(to: Web.buyers.path(), type: .normal)
            }
            return Response.redirect(to: Web.buyerReports.path(buyerId), type: .normal)
        }
        signedIn.get(RouterPath(Web.buyerReports.pattern)) { request, context in
            try await page(buyerId: try context.uuid("id"), request: request, context: context)
        }
        signedIn.get(RouterPath(Web.reportDocument.pattern)) { request, context in
            let choice = try ReportChoice(
                request.queryDictionary, dates: services.config.input.dates, today: services.clock.today)
            let format = try ReportFormat.parse(request.queryDictionary["format"], field: "format", fallback: .html)
            let bilan = try await services.bilans.bilan(
                context.caller, scope: choice.scope, period: choice.period)
            return try ReportDownload.response(bilan, format: format, attachment: format != .html)
        }
    }

    func registerEditors(on editors: RouterGroup<EditorContext>) {
        editors.post(RouterPath(Web.newSubscription.pattern)) { request, context in
            let buyerId = try context.uuid("id")
            let (_, draft) = try await forms.record(from: request, context: context, dates: services.config.input.dates)
            var fields = draft
            do {
                _ = try await services.reportSubscriptions.create(context.caller, buyerId: buyerId, Self.input(&fields))
            } catch let error as DomainError where error.kind == .unprocessable {
                return try await page(
                    buyerId: buyerId, request: request, context: context, failed: (nil, error.message))
            }
            return Response.afterPost(to: Web.buyerReports.path(buyerId, query: Notice.subscriptionSaved.query()))
        }
        editors.post(RouterPath(Web.subscription.pattern)) { request, context in
            let id = try context.uuid("id")
            let existing = try await services.reportSubscriptions.get(context.caller, id: id)
            let (_, draft) = try await forms.record(from: request, context: context, dates: services.config.input.dates)
            var fields = draft
            do {
                _ = try await services.reportSubscriptions.update(context.caller, id: id, Self.input(&fields))
            } catch let error as DomainError where error.kind == .unprocessable {
                return try await page(
                    buyerId: existing.buyerId, request: request, context: context, failed: (id, error.message))
            }
            return Response.afterPost(
                to: Web.buyerReports.path(existing.buyerId, query: Notice.subscriptionSaved.query()))
        }
        editors.post(RouterPath(Web.sendSubscription.pattern)) { request, context in
            let id = try context.uuid("id")
            let subscription = try await services.reportSubscriptions.get(context.caller, id: id)
            _ = try await forms.record(from: request, context: context, dates: services.config.input.dates)
            try await services.reportMailer.sendNow(subscription, by: context.caller)
            services.mailCommitted()
            return Response.afterPost(to: Web.buyerReports.path(subscription.buyerId, query: Notice.reportSent.query()))
        }
    }

    /// A subscription form's fields: scope (`kind:id`), recipients, frequency, the two format boxes, active.
    private static func input(_ fields: inout FormDraft) throws(DomainError) -> ReportSubscription.Input {
        let target = ScopeValue.parts(fields.text("scope", required: true) ?? "")
        let frequency = fields.text("frequency", required: true)
        let recipients = fields.text("recipients", required: true)
        if let problem = fields.errors.first {
            throw DomainError.invalid(problem.key, "« \(label(problem.key)) » : \(problem.value)")
        }
        return ReportSubscription.Input(
            scope: target.kind, scopeId: target.id.flatMap(UUID.init(uuidString:)),
            recipients: recipients.map { [$0] }, frequency: frequency,
            formats: ["html", "csv"].filter { fields.values[$0] == "1" }, active: fields.values["active"] == "1")
    }

    private static func label(_ field: String) -> String {
        switch field {
        case "scope": "Périmètre"
        case "recipients": "Destinataires"
        default: "Fréquence"
        }
    }

    private func page(
        buyerId: UUID, request: Request, context: some CallerContext, failed: (UUID?, String)? = nil
    ) async throws -> Response {
        let caller = context.caller
        let buyer = try await services.buyers.get(caller, id: buyerId)
        let today = services.clock.today
        let query = request.queryDictionary
        let operations = try await services.operations.slice(
            caller, filter: .init(buyerId: buyerId), query: ListQuery(sort: "name", limit: 200)
        ).items
        let contracts = try await services.publicContracts.slice(
            caller, filter: .init(buyerId: buyerId), query: ListQuery(sort: "reference", limit: 500)
        ).items
        let scopes: [(value: String, label: String)] =
            [(ScopeValue.of(.buyer(buyerId)), "Tous les marchés de \(buyer.name)")]
            + operations.map { (ScopeValue.of(.operation($0.id)), "Opération : \($0.name)") }
            + contracts.map { (ScopeValue.of(.publicContract($0.id)), "Marché \($0.reference) — \($0.object)") }
        var choice = ReportChoice(scope: .buyer(buyerId), period: .sinceStart(through: today))
        var preview: ReportsPage.Preview?
        var error: String?
        do {
            if !query.isEmpty && query["fait"] == nil {
                choice = try ReportChoice(query, dates: services.config.input.dates, today: today)
            }
            let bilan = try await services.bilans.bilan(caller, scope: choice.scope, period: choice.period)
            preview = .init(
                bilan,
                documents: { format in Web.reportDocument.path(query: choice.query + [("format", format.rawValue)]) })
        } catch let refusal as DomainError where refusal.kind == .unprocessable {
            error = refusal.message
        }
        // Staff may also give dates: the select's empty choice stands for them.
        let periods: [(value: String, label: String)] =
            (caller.canEditReferential ? [("", "Les dates ci-dessous")] : [])
            + ReportPeriod.wholePeriods(today: today).map { ($0.code, $0.french) }
        let chosenPeriod = choice.period.isWhole ? choice.period.code : ""
        var model = ReportsPage(
            title: "Bilans — \(buyer.name)", buyerLink: Web.buyer.path(buyerId), buyerName: buyer.name,
            scopes: ReportsPage.options(scopes, selected: ScopeValue.of(choice.scope)),
            periods: ReportsPage.options(periods, selected: chosenPeriod),
            staff: caller.canEditReferential, action: Web.buyerReports.path(buyerId),
            threshold: services.config.reports.secrecyThreshold,
            from: choice.period.isWhole ? nil : choice.period.from?.description,
            to: choice.period.isWhole ? nil : choice.period.to.description, preview: preview, error: error)
        if caller.canEditReferential {
            let subscriptions = try await services.reportSubscriptions.list(caller, buyerId: buyerId)
            model.subscriptions = subscriptions.map { subscription in
                ReportsPage.Subscription(
                    subscription, scopes: scopes, next: services.reportMailer.next(subscription, today: today),
                    error: failed?.0 == subscription.id ? failed?.1 : nil)
            }
            model.newError = failed.flatMap { $0.0 == nil ? $0.1 : nil }
            let labels = Dictionary(uniqueKeysWithValues: subscriptions.map { ($0.id, $0.scopeLabel) })
            model.mailings = try await services.reportSubscriptions.mailings(caller, buyerId: buyerId).map {
                .init(
                    when: French.dateTime($0.sentAt), scope: labels[$0.subscriptionId] ?? "?", period: $0.periodCode,
                    recipients: $0.recipients.joined(separator: ", "), by: $0.sentBy + ($0.manual ? " (à la main)" : "")
                )
            }
            model.newAction = Web.newSubscription.path(buyerId)
            model.scopeOptions = ReportsPage.options(scopes, selected: nil)
        }
        return try await pages.render(
            model, request: request, context: context, status: failed == nil ? .ok : .unprocessableContent)
    }

    struct ReportsPage: PageModel {
        static let template = "reports"
        static let hasForms = true
        /// A select's options, `selected` marked.
        static func options(_ pairs: [(value: String, label: String)], selected: String?) -> [SelectOption] {
            pairs.map { SelectOption(value: $0.value, label: $0.label, selected: $0.value == selected) }
        }
        struct Figure: Codable, Sendable {
            let label: String
            let value: String
        }
        struct LotRow: Codable, Sendable {
            let name: String
            let required: String
            let credited: String
            let status: String
            let people: String
        }
        struct Preview: Codable, Sendable {
            let heading: String
            let lotsBounded: String?
            let figures: [Figure]
            let lots: [LotRow]
            let html: String
            let csv: String
            let json: String

            init(_ bilan: Bilan, documents: (ReportFormat) -> String) {
                heading = "\(bilan.scopeLabel) — \(bilan.period.french) (heures au \(bilan.at.french))"
                let h = bilan.hours
                figures = [
                    .init(label: "Heures prescrites", value: French.hours(h.requiredHours)),
                    .init(label: "Heures valorisées", value: French.hours(h.creditedHours)),
                    .init(label: "Dont sur la période", value: French.hours(h.creditedInPeriod)),
                    .init(label: "Heures restantes", value: French.hours(h.remainingHours)),
                    .init(label: "Taux de réalisation", value: h.completionRate.map { French.percent($0) } ?? "—"),
                    .init(label: "Situation", value: h.status.frenchLabel),
                    .init(label: "Personnes", value: bilan.people.total.french(.page)),
                    .init(label: "Contrats", value: bilan.employmentContracts.total.french(.page)),
                ]
                lots = bilan.lots.prefix(50).map {
                    LotRow(
                        name: "\($0.contractReference) lot \($0.lotNumber) — \($0.lotLabel)",
                        required: French.hours($0.hours.requiredHours), credited: French.hours($0.hours.creditedHours),
                        status: $0.hours.status.frenchLabel, people: $0.people.total.french(.page))
                }
                lotsBounded =
                    bilan.lots.count > 50
                    ? "Les 50 premiers lots, sur \(bilan.lots.count) : tous figurent dans le bilan à imprimer." : nil
                html = documents(.html)
                csv = documents(.csv)
                json = documents(.json)
            }
        }
        struct Subscription: Codable, Sendable {
            let scope: String
            let recipients: String
            let frequency: String
            let next: String
            /// Named apart from the page's `preview`: a nil value would fall through to it in the template.
            let nextLink: String?
            let active: Bool
            let html: Bool
            let csv: Bool
            let scopes: [SelectOption]
            let frequencies: [SelectOption]
            let action: String
            let sendAction: String
            let rowError: String?

            init(
                _ s: ReportSubscription, scopes: [(value: String, label: String)],
                next: (period: ReportPeriod, on: LocalDate)?, error: String?
            ) {
                scope = s.scopeLabel
                recipients = s.recipients.joined(separator: ", ")
                frequency = s.frequency.frenchLabel
                self.next =
                    !s.active
                    ? "Abonnement suspendu."
                    : next.map { "Prochain envoi le \($0.on.french) : bilan \($0.period.french)." }
                        ?? "Envoi le lendemain de la fin de chaque lot du périmètre."
                nextLink = next.map {
                    Web.reportDocument.path(query: ReportChoice(scope: s.reportScope, period: $0.period).query)
                }
                active = s.active
                html = s.formats.contains(.html)
                csv = s.formats.contains(.csv)
                self.scopes = ReportsPage.options(scopes, selected: ScopeValue.of(s.reportScope))
                frequencies = ReportsPage.options(
                    ReportFrequency.allCases.map { ($0.rawValue, $0.frenchLabel) }, selected: s.frequency.rawValue)
                action = Web.subscription.path(s.id)
                sendAction = Web.sendSubscription.path(s.id)
                rowError = error
            }
        }
        struct Mailing: Codable, Sendable {
            let when: String
            let scope: String
            let period: String
            let recipients: String
            let by: String
        }
        let title: String
        let buyerLink: String
        let buyerName: String
        let scopes: [SelectOption]
        let periods: [SelectOption]
        let staff: Bool
        let action: String
        /// Counts below it are shown « < threshold ».
        let threshold: Int
        let from: String?
        let to: String?
        let preview: Preview?
        let error: String?
        var subscriptions: [Subscription] = []
        var mailings: [Mailing] = []
        var newAction: String?
        var newError: String?
        var scopeOptions: [SelectOption] = []
        var frequencies = ReportsPage.options(
            ReportFrequency.allCases.map { ($0.rawValue, $0.frenchLabel) }, selected: nil)
    }
}

/// The scope and period a bilan page or document link names: `perimetre` and `cible` (the scope),
/// then `periode` (a whole period) or `du` and `au` (dates, staff only: the service refuses them to a buyer).
struct ReportChoice {
    let scope: ReportScope
    let period: ReportPeriod

    init(scope: ReportScope, period: ReportPeriod) {
        self.scope = scope
        self.period = period
    }

    init(_ query: [String: String], dates: DateWindow, today: LocalDate) throws(DomainError) {
        // The page's select sends both as one value (`ScopeValue`); a link names them apart.
        let parts = query["portee"].map(ScopeValue.parts) ?? (kind: query["perimetre"], id: query["cible"])
        let kind = try ReportScope.Kind.parse(parts.kind, field: "périmètre")
        guard let text = parts.id, let id = UUID(uuidString: text) else {
            throw DomainError.invalid("cible", "Choisissez le marché, l'opération ou le donneur d'ordre du bilan.")
        }
        scope = ReportScope(kind: kind, id: id)
        let from = try query["du"].flatMap { $0.isEmpty ? nil : $0 }.map { t throws(DomainError) in
            try dates.parse(t, field: "du")
        }
        let to = try query["au"].flatMap { $0.isEmpty ? nil : $0 }.map { t throws(DomainError) in
            try dates.parse(t, field: "au")
        }
        // A whole period chosen wins; its select's empty choice (« les dates ci-dessous ») takes the dates.
        if let code = query["periode"].flatMap({ $0.isEmpty ? nil : $0 }) {
            period = try ReportPeriod.parse(code, today: today, field: "période")
        } else {
            period = try ReportPeriod.resolve(period: nil, year: nil, from: from, to: to, today: today)
        }
    }

    /// The link's query naming this choice.
    var query: [(String, String?)] {
        [("perimetre", scope.kind.rawValue), ("cible", scope.id.slug)]
            + (period.isWhole
                ? [("periode", period.code)] : [("du", period.from?.description), ("au", period.to.description)])
    }
}

/// A report scope as one value of a form's select: `kind:id` (`contract:0b5e…`).
enum ScopeValue {
    static func of(_ scope: ReportScope) -> String { "\(scope.kind.rawValue):\(scope.id.slug)" }

    /// The kind and the id as typed, for the usual refusals when either is wrong or missing.
    static func parts(_ text: String) -> (kind: String?, id: String?) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        return (parts.first, parts.count == 2 ? parts[1] : nil)
    }
}
