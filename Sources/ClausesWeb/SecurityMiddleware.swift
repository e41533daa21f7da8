import ClausesCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PostgresClient

/// Headers every answer carries, pages above all: the content-security policy (this site's own files
/// only, no inline script or style; an answer that sets its own keeps it, see `standaloneDocument`), no framing, no MIME sniffing, no referrer outside the site, no
/// caching of anything but the static files, and HSTS when cookies are marked secure (served over HTTPS).
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let strictTransport: Bool

    static let policy: ContentSecurityPolicy = [
        .defaultSrc(.self), .scriptSrc(.self), .styleSrc(.self), .imgSrc(.self), .objectSrc(.none),
        .baseURI(.none), .formAction(.self), .frameAncestors(.none),
    ]

    /// A self-contained document the site serves (a bilan, made to be mailed and opened from a disk too):
    /// its own inline style and nothing else, no script, no other resource, no form.
    static let standaloneDocument =
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// Header names HTTPTypes does not predefine (both are valid tokens, so none is dropped).
    static let framingAndReferrer: [(HTTPField.Name, String)] = [
        ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
    ]
    .compactMap { name, value in HTTPField.Name(name).map { ($0, value) } }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = Self.policy.description
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        for (name, value) in Self.framingAndReferrer { response.headers[name] = value }
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        if strictTransport { response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains" }
        return response
    }
}

/// One log line per request: method, path without its query string (a search can hold a person's
/// name, a mistaken URL a token), status and duration. The request id comes with the logger.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        do {
            // Slow statements of this request are logged with its request id.
            let response = try await QueryLogging.$logger.withValue(context.logger) { try await next(request, context) }
            log(request, context, status: Int(response.status.code), since: start)
            return response
        } catch {
            log(
                request, context, status: (error as? any HTTPResponseError).map { Int($0.status.code) } ?? 500,
                since: start)
            throw error
        }
    }

    private func log(_ request: Request, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        let milliseconds = start.duration(to: .now) / .milliseconds(1)
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(status)",
                "duration_ms": "\(String(format: "%.1f", milliseconds))",
            ])
    }
}

/// Query parameters typed by people (searches, dates) carry no control character: refused in French
/// before any route reads them.
struct QueryTextMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        for (name, value) in request.uri.queryParameters {
            try TextInput.check(String(name), field: String(name), multiLine: false)
            try TextInput.check(String(value), field: String(name), multiLine: false)
        }
        return try await next(request, context)
    }
}
