import ClausesCore
import Foundation
import Hummingbird

/// Alerts under `/api/v1/alerts`: the list with its filters, acknowledging and snoozing one.
struct AlertAPIRoutes {
    let services: AppServices
    let reader: RequestReader

    func register(on api: RouterGroup<APIContext>) {
        let alerts = services.alerts
        api.get("/alerts") { request, context in
            try context.caller.requireStaff()
            let filter = try AlertFilter(query: request.queryDictionary)
            return try JSONBody.response(Items(items: try await alerts.list(context.caller, filter)))
        }
        api.post("/alerts/:alertId/acknowledge") { request, context in
            let action = try await reader.json(AlertStore.Action.self, from: request)
            return try JSONBody.response(
                try await alerts.acknowledge(
                    context.caller, id: try Alert.id(context.parameters.get("alertId")), action))
        }
        api.post("/alerts/:alertId/snooze") { request, context in
            let action = try await reader.json(AlertStore.Action.self, from: request)
            return try JSONBody.response(
                try await alerts.snooze(
                    context.caller, id: try Alert.id(context.parameters.get("alertId")), action,
                    today: services.clock.today))
        }
    }
}
