import ClausesCore
import Foundation
import Hummingbird
import Logging
import PostgresClient

/// Turns every error into a response: domain errors keep their status and French message; database
/// outages become 503; anything unexpected is logged once with the request id and answered with a bare 500.
/// API paths get JSON, pages get the HTML error page inside the layout, with the menu of the person
/// signed in (the session is read here when the error came before the session middleware, as for an
/// unknown address).
struct ErrorMiddleware: RouterMiddleware {
    let pages: PageRenderer
    let users: UserStore

    func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let domain = Self.domainError(error, logger: context.logger)
            var response: Response
            if request.uri.path.hasPrefix("/api/") || request.uri.path.hasPrefix("/healthz")
                || request.uri.path.hasPrefix("/readyz")
            {
                response = try Self.json(domain)
            } else if domain.kind == .unauthorized {
                // Back to the same page after signing in, its query included (the month of a grid…).
                let page = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                return Response.redirect(to: Web.login.path(query: [("suite", page)]))
            } else {
                var context = context
                if context.user == nil, let cookie = request.cookies[SessionMiddleware.cookieName]?.value,
                    let session = try? await users.session(cookie: cookie)
                {
                    context.user = session.user
                    context.csrfToken = session.csrfToken
                }
                response = try await pages.render(
                    ErrorPage(domain), request: request, context: context,
                    status: HTTPResponse.Status(code: domain.kind.rawValue))
            }
            if let wait = domain.retryAfterSeconds { response.headers[.retryAfter] = String(wait) }
            return response
        }
    }

    static func domainError(_ error: any Error, logger: Logger) -> DomainError {
        switch error {
        case let domain as DomainError:
            return domain
        case let postgres as PostgresError:
            let translated = ConstraintMessages.translate(postgres)
            if let domain = translated as? DomainError { return domain }
            logger.error("database error", metadata: ErrorLogging.metadata(postgres))
            return internalError
        case let http as HTTPError:
            // Hummingbird's own errors (unknown route, body too large…) get a French message.
            let (kind, code, message): (DomainError.Kind, ErrorCode, String) =
                switch http.status.code {
                case 404: (.notFound, .notFound, "Page ou ressource introuvable.")
                case 405: (.methodNotAllowed, .methodNotAllowed, "Méthode non autorisée pour cette adresse.")
                case 413: (.payloadTooLarge, .payloadTooLarge, "Requête trop volumineuse.")
                default: (.badRequest, .badRequest, "Requête refusée (HTTP \(http.status.code)).")
                }
            return DomainError(kind, code: code, message: message)
        default:
            logger.error("unexpected error", metadata: ErrorLogging.metadata(error))
            return internalError
        }
    }

    static let internalError = DomainError(
        .internalError, code: .internalError, message: "Erreur interne du serveur.")

    static func json(_ error: DomainError) throws -> Response {
        struct Body: Encodable {
            struct Detail: Encodable {
                let code: String
                let message: String
                let field: String?
            }
            let error: Detail
        }
        let status = HTTPResponse.Status(code: error.kind.rawValue)
        return try JSONBody.response(
            Body(error: .init(code: error.code.rawValue, message: error.message, field: error.field)), status: status)
    }
}
