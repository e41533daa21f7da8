import ClausesCore
import Foundation
import Hummingbird

/// « Alertes »: the current alerts by severity, each linked to its subject, with acknowledging and
/// snoozing; staff only (a référent sees those about the people and pathways it follows).
struct AlertPages {
    let services: AppServices
    let pages: PageRenderer
    let forms: WebForms

    func register(on staff: RouterGroup<StaffContext>) {
        staff.get(RouterPath(Web.alerts.pattern)) { request, context in
            try await page(request: request, context: context)
        }
        staff.post(RouterPath(Web.acknowledgeAlert.pattern)) { request, context in
            try await act(request: request, context: context, snooze: false)
        }
        staff.post(RouterPath(Web.snoozeAlert.pattern)) { request, context in
            try await act(request: request, context: context, snooze: true)
        }
    }

    private func page(
        request: Request, context: StaffContext, failed: (id: Int64, message: String)? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var filter = AlertFilter()
        filter.mine = request.queryDictionary["suivies"] == "1"
        filter.limit = AlertsPage.limit
        let alerts = try await services.alerts.list(context.caller, filter)
        let groups = [AlertSeverity.critical, .warning, .info].map { severity in
            AlertsPage.Group(
                title: severity.frenchPlural, severity: severity.rawValue,
                rows: alerts.filter { $0.severity == severity }.map {
                    AlertsPage.Row($0, error: failed?.id == $0.id ? failed?.message : nil)
                })
        }.filter { !$0.rows.isEmpty }
        return try await pages.render(
            AlertsPage(
                groups: groups, count: alerts.count, mine: filter.mine,
                bounded: alerts.count >= AlertsPage.limit
                    ? "Les \(AlertsPage.limit) premières alertes, les plus graves et les plus anciennes d'abord." : nil,
                toggle: filter.mine ? Web.alerts.path() : Web.alerts.path(query: [("suivies", "1")]),
                today: services.clock.today.description),
            request: request, context: context, status: status)
    }

    private func act(request: Request, context: StaffContext, snooze: Bool) async throws -> Response {
        let id = try Alert.id(context.parameters.get("id"))
        let (_, draft) = try await forms.record(from: request, context: context, dates: services.config.input.dates)
        var fields = draft
        let action = AlertStore.Action(
            until: snooze ? fields.date("until") : nil, comment: fields.text("comment"))
        do {
            if let problem = fields.errors.first { throw DomainError.invalid(problem.key, problem.value) }
            if snooze {
                _ = try await services.alerts.snooze(context.caller, id: id, action, today: services.clock.today)
            } else {
                _ = try await services.alerts.acknowledge(context.caller, id: id, action)
            }
        } catch let error as DomainError where error.kind == .unprocessable {
            return try await page(
                request: request, context: context, failed: (id, error.message), status: .unprocessableContent)
        }
        return Response.afterPost(
            to: Web.alerts.path(query: (snooze ? Notice.alertSnoozed : Notice.alertAcknowledged).query()))
    }

    struct AlertsPage: PageModel {
        static let template = "alerts"
        static let hasForms = true
        static let limit = 500
        struct Row: Codable, Sendable {
            let rule: String
            let subject: String
            let link: String
            let summary: String
            let state: String
            let since: String
            let note: String?
            let acknowledgeAction: String?
            let snoozeAction: String
            let error: String?

            init(_ alert: Alert, error: String?) {
                rule = alert.rule.frenchLabel
                subject = alert.subject.label
                link = alert.path
                summary = alert.summary
                state =
                    switch alert.state {
                    case .snoozed: "En sommeil jusqu'au \(alert.snoozedUntil?.french ?? "?")"
                    default: alert.state.frenchLabel
                    }
                since = "depuis le \(alert.openedOn.french)"
                note = alert.comment.map { "« \($0) » — \(alert.actedByLabel ?? "")" }
                acknowledgeAction = alert.state == .open ? Web.acknowledgeAlert.path([String(alert.id)]) : nil
                snoozeAction = Web.snoozeAlert.path([String(alert.id)])
                self.error = error
            }
        }
        struct Group: Codable, Sendable {
            let title: String
            let severity: String
            let rows: [Row]
        }
        var title = "Alertes"
        let groups: [Group]
        let count: Int
        let mine: Bool
        let bounded: String?
        let toggle: String
        /// The earliest day a snooze may end (the date picker's minimum is tomorrow).
        let today: String
    }
}
