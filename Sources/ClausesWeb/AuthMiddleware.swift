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

/// Form posts from pages: URL-encoded fields within the JSON body limit, no control character in any
/// field (line breaks and tabs only in multi-line ones), with the session's CSRF token checked.
enum Form {
    static func fields(_ request: Request, reader: RequestReader) async throws -> [String: String] {
        let buffer = try await reader.body(request, limit: reader.jsonLimit)
        let fields = parse(String(buffer: buffer))
        for (name, value) in fields {
            try TextInput.check(name, field: name, multiLine: false)
            try TextInput.check(value, field: name)
        }
        return fields
    }

    static func parse(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if let key = parts.first { out[key] = parts.count > 1 ? parts[1] : "" }
        }
        return out
    }

    /// Fields of a form sent by a signed-in person, refused when the CSRF token does not match.
    static func checked(_ request: Request, context: AppRequestContext, reader: RequestReader) async throws -> [String:
        String]
    {
        let fields = try await fields(request, reader: reader)
        guard let expected = context.csrfToken, let given = fields["_csrf"], constantTimeEqual(expected, given) else {
            throw DomainError(
                .forbidden, code: .csrf,
                message:
                    "Le formulaire a expiré ou ne vient pas de cette application : rechargez la page et recommencez.")
        }
        return fields
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
