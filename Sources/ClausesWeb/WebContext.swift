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

    init(context: AppRequestContext) throws {
        guard let viewer = context.viewer else {
            throw DomainError(.unauthorized, code: .unauthenticated, message: "Connectez-vous pour voir cette page.")
        }
        coreContext = context.coreContext
        signedIn = viewer
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

/// Pages for the staff who edit and validate (admin, facilitator): the review queue and imports. A
/// référent, a buyer or a company gets a 403 page inside the layout.
struct EditorContext: ChildRequestContext, PageContext {
    var coreContext: CoreRequestContextStorage
    let signedIn: Viewer

    init(context: SignedInContext) throws {
        try context.caller.requireEditor()
        coreContext = context.coreContext
        signedIn = context.signedIn
    }

    var viewer: Viewer? { signedIn }
    var caller: Caller { signedIn.caller }
}

/// Pages for the PLIE's own people (admin, facilitator, référent): a buyer or company account gets a 403
/// page inside the layout.
struct StaffContext: ChildRequestContext, PageContext {
    var coreContext: CoreRequestContextStorage
    let signedIn: Viewer

    init(context: SignedInContext) throws {
        try context.caller.requireStaff()
        coreContext = context.coreContext
        signedIn = context.signedIn
    }

    var viewer: Viewer? { signedIn }
    var caller: Caller { signedIn.caller }
}
