import ClausesCore
import Foundation
import HTTPTypes
import Hummingbird

/// French pages: login, dashboard, buyers, marchés and lots with their clause.
struct PageRoutes {
    let services: AppServices
    let pages: PageRenderer
    let reader: RequestReader
    static let loginCookie = "clauses_login_csrf"
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")

    func register(on router: Router<AppRequestContext>) {
        router.get("/static/:file") { _, context in
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
        web.get("/connexion") { request, context in try await loginPage(request: request, context: context) }
        web.post("/connexion") { request, context in try await login(request: request, context: context) }
        web.post("/deconnexion") { request, context in
            _ = try await Form.checked(request, context: context, reader: reader)
            if let cookie = request.cookies[SessionMiddleware.cookieName]?.value {
                try await services.users.closeSession(cookie: cookie)
            }
            var response = Response.redirect(to: "/connexion")
            response.setCookie(
                Cookie(
                    name: SessionMiddleware.cookieName, value: "", maxAge: 0, path: "/",
                    secure: services.config.server.secureCookies, httpOnly: true, sameSite: .lax))
            return response
        }

        web.get("/") { _, context in try await dashboard(context: context) }
        web.get("/acheteurs") { request, context in
            let page = try await services.buyers.list(try context.requireCaller(), page: try request.pageRequest())
            let items = page.items.map { ["id": $0.id.uuidString.lowercased(), "name": $0.name, "siret": $0.siret] }
            return try pages.render(
                "buyers", title: "Donneurs d'ordre", model: ["items": items, "next": page.next as Any], context: context
            )
        }
        web.get("/acheteurs/:id") { _, context in try await buyerPage(context: context) }
        web.get("/marches") { request, context in
            let caller = try context.requireCaller()
            let page = try await services.publicContracts.list(caller, page: try request.pageRequest())
            let names = try await buyerNames(caller)
            let items = page.items.map { c -> [String: Any] in
                [
                    "id": c.id.uuidString.lowercased(), "reference": c.reference, "object": c.object,
                    "buyer": names[c.buyerId] ?? "", "notified": Display.date(c.notificationDate),
                ]
            }
            return try pages.render(
                "contracts", title: "Marchés", model: ["items": items, "next": page.next as Any], context: context)
        }
        web.get("/marches/:id") { _, context in try await contractPage(context: context) }
        web.get("/lots") { request, context in
            let caller = try context.requireCaller()
            let page = try await services.lots.list(caller, page: try request.pageRequest())
            let items = page.items.map { lot -> [String: Any] in
                var row = lotRow(lot)
                row["contract"] = lot.publicContractReference
                row["contractId"] = lot.publicContractId.uuidString.lowercased()
                return row
            }
            return try pages.render(
                "lots", title: "Lots", model: ["items": items, "next": page.next as Any], context: context)
        }
        web.get("/lots/:id") { request, context in try await lotPage(request: request, context: context) }
        LedgerPageRoutes(services: services, pages: pages, reader: reader).register(on: web)
        PathwayPageRoutes(services: services, pages: pages, reader: reader).register(on: web)
    }

    // MARK: Login

    /// The login form, with a one-time token both in the form and in a strict same-site cookie.
    private func loginPage(
        request: Request, context: AppRequestContext, error: DomainError? = nil, email: String = "",
        next: String? = nil
    ) async throws -> Response {
        if context.caller != nil && error == nil { return .redirect(to: "/") }
        let token = try await services.users.issueLoginFormToken(
            lifetimeMinutes: services.config.login.formLifetimeMinutes)
        let target = LocalPath.sanitized(next ?? request.uri.queryParameters["suite"].map(String.init))
        let status = error.map { HTTPResponse.Status(code: $0.kind.rawValue) } ?? .ok
        var response = try pages.render(
            "login", title: "Connexion",
            model: [
                "loginCsrf": token, "next": target, "error": error?.message as Any, "email": email,
            ], context: context, status: status)
        response.setCookie(
            Cookie(
                name: Self.loginCookie, value: token, maxAge: services.config.login.formLifetimeMinutes * 60,
                path: "/connexion", secure: services.config.server.secureCookies, httpOnly: true, sameSite: .strict))
        if let wait = error?.retryAfterSeconds { response.headers[.retryAfter] = String(wait) }
        return response
    }

    private func login(request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await Form.fields(request, reader: reader)
        let email = fields["email"] ?? ""
        let next = fields["suite"]
        guard let expected = request.cookies[Self.loginCookie]?.value, let given = fields["_login_csrf"],
            Form.constantTimeEqual(expected, given)
        else {
            return try await loginPage(
                request: request, context: context, error: Self.expiredForm, email: email, next: next)
        }
        let address = IPAddress.client(
            peer: context.peerAddress, forwardedFor: Self.forwardedFor.flatMap { request.headers[$0] },
            trustedProxies: Set(services.config.server.trustedProxies))
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
        var response = Response.redirect(to: LocalPath.sanitized(next))
        response.setCookie(
            Cookie(
                name: SessionMiddleware.cookieName, value: session.cookie,
                maxAge: services.config.server.sessionLifetimeHours * 3600, path: "/",
                secure: services.config.server.secureCookies, httpOnly: true, sameSite: .lax))
        return response
    }

    static let expiredForm = DomainError(.forbidden, code: .csrf, message: "Le formulaire a expiré : recommencez.")

    // MARK: Pages

    private func dashboard(context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let totals = try await ReferentialTotals.load(caller, pool: services.pool)
        return try pages.render(
            "dashboard", title: "Tableau de bord",
            model: [
                "buyers": totals.buyers, "contracts": totals.publicContracts, "lots": totals.lots,
                "requiredHours": French.hours(totals.requiredHours),
            ], context: context)
    }

    private func buyerNames(_ caller: Caller) async throws -> [UUID: String] {
        var names: [UUID: String] = [:]
        var cursor: String?
        repeat {
            let page = try await services.buyers.list(
                caller, page: PageRequest(limit: PageRequest.maximumLimit, cursor: cursor))
            for buyer in page.items { names[buyer.id] = buyer.name }
            cursor = page.next
        } while cursor != nil
        return names
    }

    private func buyerPage(context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let buyer = try await services.buyers.get(caller, id: try context.uuid("id"))
        let id = buyer.id.uuidString.lowercased()
        let contracts = try await services.publicContracts.list(
            caller, page: PageRequest(limit: PageRequest.maximumLimit), filter: .init(buyerId: buyer.id))
        let operations = try await services.operations.list(
            caller, page: PageRequest(limit: PageRequest.maximumLimit), filter: .init(buyerId: buyer.id))
        let summary = try await services.ledger.balances.balance(
            of: .buyer(buyer.id), at: services.clock.today, caller: caller)
        return try pages.render(
            "buyer", title: buyer.name,
            model: [
                "buyer": ["name": buyer.name, "siret": buyer.siret],
                "total": LedgerPages.aggregateModel(summary.aggregate),
                "urgentLots": summary.lots.map(LedgerPages.urgencyRow),
                "operations": operations.items.map { ["name": $0.name, "regime": $0.regime.frenchLabel] },
                "contracts": contracts.items.map {
                    [
                        "id": $0.id.uuidString.lowercased(), "reference": $0.reference, "object": $0.object,
                        "notified": Display.date($0.notificationDate),
                    ]
                },
            ], context: context)
    }

    private func contractPage(context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let contract = try await services.publicContracts.get(caller, id: try context.uuid("id"))
        let buyer = try await services.buyers.get(caller, id: contract.buyerId)
        let lots = try await services.lots.list(
            caller, page: PageRequest(limit: PageRequest.maximumLimit),
            filter: LotFilter(publicContractId: contract.id))
        return try pages.render(
            "contract", title: contract.reference,
            model: [
                "contract": ["reference": contract.reference, "object": contract.object],
                "buyerId": buyer.id.uuidString.lowercased(), "buyerName": buyer.name,
                "procedure": contract.procedure ?? "—", "notified": Display.date(contract.notificationDate),
                "duration": contract.durationMonths.map { "\($0) mois" } ?? "—",
                "considerations": contract.socialConsiderations.isEmpty
                    ? "—" : contract.socialConsiderations.joined(separator: ", "),
                "lots": lots.items.sorted { $0.number < $1.number }.map(lotRow),
            ], context: context)
    }

    private func lotRow(_ lot: Lot) -> [String: Any] {
        [
            "id": lot.id.uuidString.lowercased(), "number": lot.number, "label": lot.label,
            "amount": Display.euros(lot.amountExclVat), "period": period(lot),
            "hours": lot.clause.map { French.hours($0.requiredHours) } ?? "—",
        ]
    }

    private func period(_ lot: Lot) -> String {
        "\(Display.date(lot.executionStart)) → \(Display.date(lot.executionEnd))"
    }

    private func lotPage(request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let lot = try await services.lots.get(caller, id: try context.uuid("id"))
        // The lot's summary says whether it has a clause; any other failure must surface, not hide the clause.
        let clause = lot.clause == nil ? nil : try await services.clauses.get(caller, lotId: lot.id)
        let companies = try await services.lotCompanies.list(caller, lotId: lot.id)
        let at = try reader.date(request, "at") ?? services.clock.today
        var model: [String: Any] = [
            "lot": ["number": lot.number, "label": lot.label],
            "contractId": lot.publicContractId.uuidString.lowercased(),
            "contractReference": lot.publicContractReference,
            "amount": Display.euros(lot.amountExclVat), "period": period(lot),
            "rome": lot.romeCodes.isEmpty ? "—" : lot.romeCodes.joined(separator: ", "),
            "worksite": lot.worksiteInsee ?? "—",
            "companies": companies.map {
                ["name": $0.companyName, "kind": $0.companyKind.frenchLabel, "role": $0.role.frenchLabel]
            },
        ]
        if let clause {
            model["clause"] =
                [
                    "requiredHours": French.hours(clause.requiredHours), "mode": clause.calibration.mode.frenchLabel,
                    "rounding": clause.rounding.frenchLabel, "explanation": clause.explanation,
                    "warnings": clause.warnings,
                ] as [String: Any]
            let lotBalance = try await services.ledger.balances.lotBalance(caller, lotId: lot.id, at: at)
            model["balance"] = LedgerPages.balanceModel(lotBalance)
        }
        if caller.role != .buyer {
            let placements = try await services.ledger.placements.list(
                caller, page: PageRequest(limit: PageRequest.maximumLimit),
                filter: PlacementFilter(lotId: lot.id))
            model["placements"] = placements.items.map(LedgerPages.placementRow)
        }
        return try pages.render("lot", title: "Lot \(lot.number) — \(lot.label)", model: model, context: context)
    }
}
