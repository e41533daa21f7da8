import ClausesCore
import Hummingbird
import Logging

/// Per-request state: who is calling (set by the auth middlewares) and the web session's CSRF token.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller?
    public var user: User?
    public var csrfToken: String?

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// Uploads (CSV imports) may be a few megabytes.
    public var maxUploadSize: Int { 32 * 1024 * 1024 }

    /// The caller, or 401 when the middleware found none.
    public func requireCaller() throws(DomainError) -> Caller {
        guard let caller else {
            throw DomainError(.unauthorized, code: "unauthenticated", message: "Authentification requise.")
        }
        return caller
    }
}
