import ClausesCore
import Hummingbird

/// The person a page is shown to, with the session's CSRF token its forms carry.
struct Viewer: Sendable {
    let user: User
    let csrfToken: String
    var caller: Caller { user.caller }
}

/// A request context pages can be rendered for: a viewer when someone is signed in.
protocol PageContext: RequestContext {
    var viewer: Viewer? { get }
}

extension AppRequestContext: PageContext {
    var viewer: Viewer? {
        guard let user, let csrfToken else { return nil }
        return Viewer(user: user, csrfToken: csrfToken)
    }
}

/// The context of every page behind the login: built from the session the middleware found, or a 401
/// (which the error middleware turns into the login page). A handler behind it always has a caller.
struct SignedInContext: ChildRequestContext, PageContext {
    var coreContext: CoreRequestContextStorage
    let signedIn: Viewer
    /// The connection's peer (the client, or the reverse proxy), for the password change's throttle.
    let peerAddress: String?

    init(context: AppRequestContext) throws {
        guard let viewer = context.viewer else {
            throw DomainError(.unauthorized, code: .unauthenticated, message: "Connectez-vous pour voir cette page.")
        }
        coreContext = context.coreContext
        signedIn = viewer
        peerAddress = context.peerAddress
    }

    var viewer: Viewer? { signedIn }
    var caller: Caller { signedIn.caller }
}

/// The context of every API route: the bearer middleware found the caller (a request without a valid
/// token was answered 401 before), so a handler behind it always has one.
struct APIContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let user: User

    init(context: AppRequestContext) throws {
        guard let user = context.user else {
            throw DomainError(.unauthorized, code: .unauthenticated, message: "Authentification requise.")
        }
        coreContext = context.coreContext
        self.user = user
    }

    var caller: Caller { user.caller }
}

/// Who may open a group of pages, checked once when the request reaches the group.
protocol RoleGate {
    static func check(_ caller: Caller) throws(DomainError)
}

/// The PLIE's own people (admin, facilitator, référent): outcomes, indicators, the committee.
enum StaffGate: RoleGate {
    static func check(_ caller: Caller) throws(DomainError) { try caller.requireStaff() }
}

/// The staff who edit and validate (admin, facilitator): the review queue and imports.
enum EditorGate: RoleGate {
    static func check(_ caller: Caller) throws(DomainError) { try caller.requireEditor() }
}

/// A signed-in page that only some roles may open: anyone else gets a 403 page inside the layout,
/// before any form on it is read.
struct GatedContext<Gate: RoleGate>: ChildRequestContext, PageContext {
    var coreContext: CoreRequestContextStorage
    let signedIn: Viewer

    init(context: SignedInContext) throws {
        try Gate.check(context.caller)
        coreContext = context.coreContext
        signedIn = context.signedIn
    }

    var viewer: Viewer? { signedIn }
    var caller: Caller { signedIn.caller }
}

/// Admins only: accounts and the failed-login record.
enum AdminGate: RoleGate {
    static func check(_ caller: Caller) throws(DomainError) {
        guard caller.role == .admin else { throw DomainError.forbidden }
    }
}

typealias StaffContext = GatedContext<StaffGate>
typealias AdminContext = GatedContext<AdminGate>
typealias EditorContext = GatedContext<EditorGate>
