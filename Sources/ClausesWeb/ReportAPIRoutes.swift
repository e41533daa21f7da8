import ClausesCore
import Foundation
import Hummingbird

/// Bilans under `/api/v1/reports/{scope}/{id}` (DOMAIN §8): JSON by default, or the HTML and CSV documents.
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
