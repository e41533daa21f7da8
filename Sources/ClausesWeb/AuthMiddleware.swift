import ClausesCore
import Foundation
import Hummingbird

/// API callers authenticate with `Authorization: Bearer <token>`; a missing or unknown token is a 401.
struct BearerAuthMiddleware: RouterMiddleware {
    let users: UserStore

    func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw DomainError(
                .unauthorized, code: .unauthenticated,
                message: "Authentification requise : en-tête « Authorization: Bearer <jeton> » manquant.")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let user = try await users.user(forToken: token) else {
            throw DomainError(
                .unauthorized, code: .invalidToken,
                message: "Jeton d'API inconnu, révoqué ou rattaché à un compte désactivé.")
        }
        context.caller = user.caller
        context.user = user
        context.logger[metadataKey: "user_id"] = .string(user.id.uuidString.lowercased())
        return try await next(request, context)
    }
}

/// Pages read the session cookie; pages that need a person redirect to the login page when there is none.
struct SessionMiddleware: RouterMiddleware {
    static let cookieName = "clauses_session"
    let users: UserStore

    func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let cookie = request.cookies[Self.cookieName]?.value, let session = try await users.session(cookie: cookie) {
            context.caller = session.user.caller
            context.user = session.user
            context.csrfToken = session.csrfToken
            context.logger[metadataKey: "user_id"] = .string(session.user.id.uuidString.lowercased())
        }
        return try await next(request, context)
    }
}
