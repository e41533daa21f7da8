import ClausesCore
import Foundation
import HTTPTypes
import Hummingbird

/// The French pages. Public: login, logout, static files. Behind the login (`SignedInContext`): the
/// dashboard, buyers, operations, marchés, companies and lots with their balances, a lot's monthly hours.
/// Staff only (`StaffContext`): the review queue, imports, outcomes, indicators, the committee.
struct PageRoutes {
    let services: AppServices
    let pages: PageRenderer
    let reader: RequestReader
    var forms: WebForms { WebForms(reader: reader, forms: services.forms) }
    var recordForms: RecordForms { RecordForms(pages: pages, forms: forms, dates: reader.dates) }
    static let loginCookie = "clauses_login_csrf"
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")

    func register(on router: Router<AppRequestContext>) {
        router.get(RouterPath(Web.asset.pattern)) { _, context in
            let name = context.parameters.get("file") ?? ""
            guard let text = PageRenderer.asset(name), name.hasSuffix(".css") || name.hasSuffix(".js") else {
                throw HTTPError(.notFound)
            }
            let type = name.hasSuffix(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8"
            return Response(
                status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }

        let web = router.group().add(middleware: SessionMiddleware(users: services.users))
        web.get(RouterPath(Web.login.pattern)) { request, context in
            try await loginPage(request: request, context: context)
        }
        web.post(RouterPath(Web.login.pattern)) { request, context in
            try await login(request: request, context: context)
        }
        web.post(RouterPath(Web.logout.pattern)) { request, context in
            let fields = try await FormFields.read(request, reader: reader)
            guard let expected = context.csrfToken, let given = fields["_csrf"],
                FormFields.constantTimeEqual(expected, given)
            else { throw FormFields.expired }
            if let cookie = request.cookies[SessionMiddleware.cookieName]?.value {
                try await services.users.closeSession(cookie: cookie)
            }
            var response = Response.redirect(to: Web.login.path(), type: .normal)
            response.setCookie(
                Cookie(
                    name: SessionMiddleware.cookieName, value: "", maxAge: 0, path: "/",
                    secure: services.config.server.secureCookies, httpOnly: true, sameSite: .lax))
            return response
        }

        let signedIn = web.group(context: SignedInContext.self)
        let referential = ReferentialPages(services: services, pages: pages, reader: reader)
        referential.register(on: signedIn)
        HourPages(services: services, pages: pages, reader: reader, forms: forms).register(on: signedIn)
        let reportPages = ReportPages(services: services, pages: pages, forms: forms)
        reportPages.register(on: signedIn)
        let matchingPages = MatchingPages(services: services, pages: pages, forms: forms)
        matchingPages.register(on: signedIn)

        let accounts = AccountPages(services: services, flow: recordForms)
        accounts.register(on: signedIn)
        let admins = signedIn.group(context: AdminContext.self)
        accounts.registerAdmin(on: admins)
        MailPages(services: services, pages: pages).register(on: admins)

        let editors = signedIn.group(context: EditorContext.self)
        HourPages(services: services, pages: pages, reader: reader, forms: forms).registerEditors(on: editors)
        let ledgerPages = LedgerPageRoutes(services: services, pages: pages, reader: reader, forms: forms)
        ledgerPages.registerImports(on: editors)
        let referentialForms = ReferentialForms(services: services, flow: recordForms)
        referentialForms.register(on: editors)
        referentialForms.registerPLIE(on: editors)
        PlacementForms(services: services, flow: recordForms).register(on: editors)
        reportPages.registerEditors(on: editors)
        matchingPages.registerEditors(on: editors)

        let staff = signedIn.group(context: StaffContext.self)
        ledgerPages.registerOutcomes(on: staff)
        PathwayPageRoutes(services: services, pages: pages, reader: reader).register(on: staff)
        ParticipantPages(services: services, flow: recordForms).register(on: staff)
        PathwayForms(services: services, flow: recordForms).register(on: staff)
        CommitteePages(services: services, flow: recordForms).register(on: staff)
        AlertPages(services: services, pages: pages, forms: forms).register(on: staff)
    }

    // MARK: Login

    struct LoginPage: PageModel {
        static let template = "login"
        var title = "Connexion"
        let loginCsrf: String
        let next: String
        let error: String?
        let email: String
    }

    /// The login form, with a one-time token both in the form and in a strict same-site cookie.
    private func loginPage(
        request: Request, context: AppRequestContext, error: DomainError? = nil, email: String = "",
        next: String? = nil
    ) async throws -> Response {
        if context.caller != nil && error == nil { return .redirect(to: Web.dashboard.path()) }
        let token = try await services.users.issueLoginFormToken(
            lifetimeMinutes: services.config.login.formLifetimeMinutes)
        let target = LocalPath.sanitized(next ?? request.uri.queryParameters["suite"].map(String.init))
        let status = error.map { HTTPResponse.Status(code: $0.kind.rawValue) } ?? .ok
        var response = try await pages.render(
            LoginPage(loginCsrf: token, next: target, error: error?.message, email: email), request: request,
            context: context, status: status)
        response.setCookie(
            Cookie(
                name: Self.loginCookie, value: token, maxAge: services.config.login.formLifetimeMinutes * 60,
                path: Web.login.path(), secure: services.config.server.secureCookies, httpOnly: true,
                sameSite: .strict))
        if let wait = error?.retryAfterSeconds { response.headers[.retryAfter] = String(wait) }
        return response
    }

    private func login(request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await FormFields.read(request, reader: reader)
        let email = fields["email"] ?? ""
        let next = fields["suite"]
        guard let expected = request.cookies[Self.loginCookie]?.value, let given = fields["_login_csrf"],
            FormFields.constantTimeEqual(expected, given)
        else {
            return try await loginPage(
                request: request, context: context, error: Self.expiredForm, email: email, next: next)
        }
        let address = Self.clientAddress(request, peer: context.peerAddress, config: services.config)
        let user: User
        do {
            user = try await services.logIn(
                email: email, password: fields["password"] ?? "", formToken: given, address: address)
        } catch let refusal as DomainError {
            // The reason only: the address typed is never logged.
            context.logger.notice("login refused", metadata: ["reason": "\(refusal.code)"])
            return try await loginPage(request: request, context: context, error: refusal, email: email, next: next)
        }
        let session = try await services.users.openSession(
            for: user, lifetimeHours: services.config.server.sessionLifetimeHours)
        var response = Response.redirect(to: LocalPath.sanitized(next), type: .normal)
        response.setCookie(
            Cookie(
                name: SessionMiddleware.cookieName, value: session.cookie,
                maxAge: services.config.server.sessionLifetimeHours * 3600, path: "/",
                secure: services.config.server.secureCookies, httpOnly: true, sameSite: .lax))
        return response
    }

    /// The client's address: the peer, or what a trusted reverse proxy says it forwarded.
    static func clientAddress(_ request: Request, peer: String?, config: Config) -> String {
        IPAddress.client(
            peer: peer, forwardedFor: forwardedFor.flatMap { request.headers[$0] },
            trustedProxies: Set(config.server.trustedProxies))
    }

    static let expiredForm = DomainError(.forbidden, code: .csrf, message: "Le formulaire a expiré : recommencez.")
}

extension Response {
    /// The answer to a successful form: see the page again (303), with what was done.
    static func afterPost(to path: String) -> Response { .redirect(to: path, type: .normal) }
}
