import ClausesCore
import Foundation
import Hummingbird

/// « Mon compte » for everyone signed in (change one's password, which ends one's other sessions; create
/// and revoke one's own API tokens), and the admins' pages: accounts (create, role, deactivate) and the
/// failed-login record.
struct AccountPages {
    let services: AppServices
    let flow: RecordForms

    func register(on signedIn: RouterGroup<SignedInContext>) {
        signedIn.get(RouterPath(Web.account.pattern)) { request, context in
            try await flow.pages.render(
                try await accountPage(context.signedIn.user), request: request, context: context)
        }
        signedIn.post(RouterPath(Web.accountPassword.pattern)) { request, context in
            let user = context.signedIn.user
            let (_, read) = try await flow.forms.record(from: request, context: context, dates: flow.dates)
            var draft = read
            let current = draft.values["current"] ?? ""
            let new = draft.values["new"] ?? ""
            if current.isEmpty { draft.errors["current"] = "Ce champ est obligatoire." }
            if new != (draft.values["confirm"] ?? "") {
                draft.errors["confirm"] = "Les deux saisies du nouveau mot de passe diffèrent."
            }
            if draft.isValid {
                do {
                    try await services.changePassword(
                        user, current: current, new: new,
                        keeping: request.cookies[SessionMiddleware.cookieName]?.value ?? "",
                        address: PageRoutes.clientAddress(request, peer: context.peerAddress, config: services.config))
                    return Response.afterPost(to: Web.account.path(query: Notice.passwordChanged.query()))
                } catch let refusal as DomainError where refusal.kind == .unprocessable {
                    draft.errors[refusal.field ?? "new"] = refusal.message
                }
            }
            // Passwords are never typed back into a page.
            draft.values = [:]
            return try await flow.pages.render(
                try await accountPage(user, password: draft), request: request, context: context,
                status: .unprocessableContent)
        }
        signedIn.post(RouterPath(Web.accountTokens.pattern)) { request, context in
            let user = context.signedIn.user
            let (_, read) = try await flow.forms.record(from: request, context: context, dates: flow.dates)
            var draft = read
            do {
                let issued = try await services.users.createOwnToken(user, name: draft.text("name", required: true))
                // Shown once, on this answer only: it is not kept, and a redirect could not carry it.
                return try await flow.pages.render(
                    try await accountPage(user, issued: issued.token), request: request, context: context)
            } catch let refusal as DomainError where refusal.kind == .unprocessable {
                draft.errors["name"] = draft.errors["name"] ?? refusal.message
            }
            return try await flow.pages.render(
                try await accountPage(user, token: draft), request: request, context: context,
                status: .unprocessableContent)
        }
        signedIn.post(RouterPath(Web.accountDigest.pattern)) { request, context in
            let user = context.signedIn.user
            let (_, read) = try await flow.forms.record(from: request, context: context, dates: flow.dates)
            var draft = read
            guard let frequency: DigestFrequency = draft.choice("frequency", required: true) else {
                return try await flow.pages.render(
                    try await accountPage(user, digest: draft), request: request, context: context,
                    status: .unprocessableContent)
            }
            try await services.users.setDigestFrequency(of: user, frequency)
            return Response.afterPost(to: Web.account.path(query: Notice.saved.query()))
        }
        signedIn.post(RouterPath(Web.revokeToken.pattern)) { request, context in
            _ = try await flow.forms.record(from: request, context: context, dates: flow.dates)
            try await services.users.revokeOwnToken(context.signedIn.user, tokenId: try context.uuid("id"))
            return Response.afterPost(to: Web.account.path(query: Notice.tokenRevoked.query()))
        }
    }

    func registerAdmin(on admins: RouterGroup<AdminContext>) {
        admins.get(RouterPath(Web.users.pattern)) { request, context in
            let users = try await services.users.list(context.caller)
            return try await flow.pages.render(
                UsersPage(
                    rows: users.map {
                        .init(
                            email: $0.email, name: $0.displayName, role: $0.role.frenchLabel,
                            state: $0.active ? "Actif" : "Désactivé", edit: Web.editUser.path($0.id))
                    }), request: request, context: context)
        }
        flow.register(admins, Web.newUser) { draft, target in
            try await userPage(nil, draft, target.caller)
        } save: { draft, _, target in
            let input = UserStore.NewUser(
                email: draft.text("email", required: true), displayName: draft.text("displayName"),
                role: draft.choice("role", required: true), password: draft.values["password"],
                buyerId: draft.uuid("buyerId"), companyId: draft.uuid("companyId"))
            guard draft.isValid else { return nil }
            _ = try await services.users.create(target.caller, input)
            return Web.users.path(query: Notice.created.query())
        }
        flow.register(admins, Web.editUser) { draft, target in
            try await userPage(try await services.users.get(target.caller, id: try target.id()), draft, target.caller)
        } save: { draft, posted, target in
            let role: Role? = draft.choice("role", required: true)
            let buyer = draft.uuid("buyerId")
            let company = draft.uuid("companyId")
            guard draft.isValid, let role else { return nil }
            _ = try await services.users.update(
                target.caller, id: try target.id(), role: role, buyerId: buyer, companyId: company,
                active: draft.flag("active"), expected: posted.expected)
            return Web.users.path(query: Notice.saved.query())
        }
        admins.get(RouterPath(Web.loginFailures.pattern)) { request, context in
            let failures = try await services.loginFailures.recent(context.caller, limit: 200)
            return try await flow.pages.render(
                LoginFailuresPage(
                    rows: failures.map {
                        .init(at: French.dateTime($0.attemptedAt), email: $0.email, address: $0.address)
                    }), request: request, context: context)
        }
    }

    // MARK: Account

    struct AccountPage: PageModel {
        static let template = "account"
        static let hasForms = true
        struct Token: Codable, Sendable {
            let name: String
            let prefix: String
            let created: String
            let used: String
            let revoked: String?
            let revoke: String?
        }
        var title = "Mon compte"
        let email: String
        let name: String
        let role: String
        let password: [FormSection]
        let token: [FormSection]
        let issued: String?
        let tokens: [Token]
        let passwordAction: String
        let tokenAction: String
        /// Staff only: the digest's frequency.
        let digest: [FormSection]
        let digestAction: String
    }

    private func accountPage(
        _ user: User, password: FormDraft? = nil, token: FormDraft? = nil, digest: FormDraft? = nil,
        issued: String? = nil
    ) async throws -> AccountPage {
        let password = password ?? flow.draft()
        let token = token ?? flow.draft()
        var digestSection: [FormSection] = []
        if user.role.isStaff {
            var shown = digest
            if shown == nil {
                shown = flow.draft(["frequency": try await services.users.digestFrequency(of: user).rawValue])
            }
            digestSection = [
                FormSection(
                    legend: "Résumé des alertes par courriel",
                    fields: [
                        (shown ?? flow.draft()).select(
                            "frequency", "Fréquence", DigestFrequency.self, label: \.frenchLabel, required: true,
                            hint: "Le résumé liste les alertes que vous suivez ; jamais un jour férié")
                    ])
            ]
        }
        return AccountPage(
            email: user.email, name: user.displayName.isEmpty ? "—" : user.displayName, role: user.role.frenchLabel,
            password: [
                FormSection(
                    legend: "Changer mon mot de passe",
                    fields: [
                        password.input("current", "Mot de passe actuel", type: "password", required: true),
                        password.input(
                            "new", "Nouveau mot de passe", type: "password", required: true,
                            hint:
                                "\(PasswordPolicy.minimumLength) caractères au moins ; vos autres sessions seront fermées"
                        ),
                        password.input(
                            "confirm", "Nouveau mot de passe, une seconde fois", type: "password", required: true),
                    ])
            ],
            token: [
                FormSection(
                    legend: "Nouveau jeton d'API",
                    fields: [
                        token.input(
                            "name", "Nom du jeton", required: true,
                            hint: "Pour le reconnaître : « tableur du service », « script d'import »…")
                    ])
            ],
            issued: issued,
            tokens: try await services.users.tokens(of: user).map { t in
                AccountPage.Token(
                    name: t.name, prefix: t.prefix + "…", created: French.dateTime(t.createdAt),
                    used: t.lastUsedAt.map(French.dateTime) ?? "jamais",
                    revoked: t.revokedAt.map { "révoqué le \(French.dateTime($0))" },
                    revoke: t.revokedAt == nil ? Web.revokeToken.path(t.id) : nil)
            },
            passwordAction: Web.accountPassword.path(), tokenAction: Web.accountTokens.path(),
            digest: digestSection, digestAction: Web.accountDigest.path())
    }

    // MARK: Admin

    struct UsersPage: PageModel {
        static let template = "users"
        struct Row: Codable, Sendable {
            let email: String
            let name: String
            let role: String
            let state: String
            let edit: String
        }
        var title = "Comptes"
        let rows: [Row]
    }

    struct LoginFailuresPage: PageModel {
        static let template = "login-failures"
        struct Row: Codable, Sendable {
            let at: String
            let email: String
            let address: String
        }
        var title = "Connexions refusées"
        let rows: [Row]
    }

    private func userPage(_ account: (user: User, version: RecordVersion)?, _ draft: FormDraft?, _ caller: Caller)
        async throws -> RecordFormPage
    {
        let user = account?.user
        var draft =
            draft
            ?? flow.draft(
                user.map {
                    [
                        "role": $0.role.rawValue, "buyerId": $0.buyerId?.slug ?? "",
                        "companyId": $0.companyId?.slug ?? "",
                        "active": $0.active ? "on" : "",
                    ]
                } ?? ["role": Role.facilitator.rawValue])
        // A password typed is never drawn back into the page.
        draft.values["password"] = nil
        let buyers = try await services.buyers.slice(caller, query: ListQuery(sort: "nom", limit: 1000))
        let companies = try await services.companies.slice(caller, query: ListQuery(sort: "nom", limit: 1000))
        var fields: [FormField] = []
        if user == nil {
            fields += [
                draft.input("email", "Adresse électronique", type: "email", required: true),
                draft.input("displayName", "Nom affiché"),
                draft.input(
                    "password", "Mot de passe initial", type: "password", required: true,
                    hint:
                        "\(PasswordPolicy.minimumLength) caractères au moins ; la personne le changera dans « Mon compte »"
                ),
            ]
        }
        fields += [
            draft.select("role", "Rôle", Role.self, label: \.frenchLabel, required: true),
            draft.select(
                "buyerId", "Donneur d'ordre (compte « donneur d'ordre »)",
                options: buyers.items.map { ($0.id.slug, $0.name) },
                blank: "—"),
            draft.select(
                "companyId", "Entreprise (compte « entreprise »)",
                options: companies.items.map { ($0.id.slug, $0.name) },
                blank: "—"),
        ]
        if user != nil {
            fields.append(
                draft.checkbox("active", "Compte actif", hint: "Décocher ferme ses sessions et bloque ses jetons"))
        }
        return RecordFormPage(
            title: user.map { "Compte \($0.email)" } ?? "Nouveau compte",
            back: (Web.users.path(), "Comptes"), action: user.map { Web.editUser.path($0.id) } ?? Web.newUser.path(),
            version: account?.version, draft: draft, sections: [FormSection(legend: nil, fields: fields)],
            submit: user == nil ? "Créer le compte" : "Enregistrer")
    }
}
