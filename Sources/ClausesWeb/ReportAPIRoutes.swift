import ClausesCore
import Foundation
import Hummingbird

/// Bilans under `/api/v1/reports/{scope}/{id}` (DOMAIN §8): JSON by default, or the HTML and CSV documents; a
/// buyer's mailing subscriptions and the mailings made (admin and facilitators).
struct ReportAPIRoutes {
    let services: AppServices
    let reader: RequestReader

    func register(on api: RouterGroup<APIContext>) {
        api.get("/reports/:scope/:id") { request, context in
            let query = request.queryDictionary
            let kind = try ReportScope.Kind.parse(context.parameters.get("scope"), field: "scope")
            let format = try ReportFormat.parse(query["format"], field: "format", fallback: .json)
            let period = try ReportPeriod.resolve(
                period: query["period"], year: query["year"], from: try reader.date(request, "from"),
                to: try reader.date(request, "to"), today: services.clock.today)
            let bilan = try await services.bilans.bilan(
                context.caller, scope: ReportScope(kind: kind, id: try context.uuid("id")), period: period)
            return try ReportDownload.response(bilan, format: format, attachment: format != .json)
        }
        let subscriptions = services.reportSubscriptions
        api.get("/buyers/:id/report-subscriptions") { _, context in
            try JSONBody.response(
                Items(items: try await subscriptions.list(context.caller, buyerId: try context.uuid("id"))))
        }
        api.post("/buyers/:id/report-subscriptions") { request, context in
            let input = try await reader.json(ReportSubscription.Input.self, from: request)
            return try JSONBody.response(
                try await subscriptions.create(context.caller, buyerId: try context.uuid("id"), input), status: .created
            )
        }
        api.get("/buyers/:id/report-mailings") { _, context in
            try JSONBody.response(
                Items(items: try await subscriptions.mailings(context.caller, buyerId: try context.uuid("id"))))
        }
        api.patch("/report-subscriptions/:id") { request, context in
            let input = try await reader.json(ReportSubscription.Input.self, from: request)
            return try JSONBody.response(
                try await subscriptions.update(context.caller, id: try context.uuid("id"), input))
        }
        api.post("/report-subscriptions/:id/send") { _, context in
            let subscription = try await subscriptions.get(context.caller, id: try context.uuid("id"))
            let mailing = try await services.reportMailer.sendNow(subscription, by: context.caller)
            services.mailCommitted()
            return try JSONBody.response(mailing, status: .created)
        }
    }
}

/// A bilan's document as an HTTP answer: its content type and, for a download, its file name.
enum ReportDownload {
    static func response(_ bilan: Bilan, format: ReportFormat, attachment: Bool) throws -> Response {
        var headers: HTTPFields = [.contentType: format.contentType]
        if format == .html { headers[.contentSecurityPolicy] = SecurityHeadersMiddleware.standaloneDocument }
        if attachment { headers[.contentDisposition] = "attachment; filename=\"\(bilan.fileName(format))\"" }
        return Response(
            status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: try bilan.document(format))))
    }
}
