import Foundation

/// One page route: the pattern the router registers (`/lots/:id`) and the paths that links, forms and
/// redirects use, built from the same text.
struct WebRoute: Sendable {
    let pattern: String

    init(_ pattern: String) { self.pattern = pattern }

    /// The path with its `:parameter` segments filled in order, then the query (pairs with a nil value are
    /// left out, values percent-encoded).
    func path(_ values: [String] = [], query: [(String, String?)] = []) -> String {
        var remaining = values[...]
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            guard segment.hasPrefix(":"), let value = remaining.popFirst() else { return String(segment) }
            return Self.encoded(value)
        }
        let pairs = query.compactMap { name, value in value.map { "\(name)=\(Self.encoded($0))" } }
        let path = segments.joined(separator: "/")
        return pairs.isEmpty ? path : path + "?" + pairs.joined(separator: "&")
    }

    func path(_ id: UUID, query: [(String, String?)] = []) -> String { path([id.slug], query: query) }

    private static let unreserved = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}

extension UUID {
    /// The lower-case form the site's paths use.
    var slug: String { uuidString.lowercased() }
}

/// The site's fixed paths as templates read them (`{{links.lots}}`), from the route table.
struct SiteLinks: Sendable {
    let home = Web.dashboard.path()
    let login = Web.login.path()
    let logout = Web.logout.path()
    let stylesheet = Web.asset.path(["app.css"])
    let lots = Web.lots.path()
    let contracts = Web.contracts.path()
    let buyers = Web.buyers.path()
    let reviewQueue = Web.reviewQueue.path()
    let imports = Web.imports.path()
    let outcomes = Web.outcomes.path()
    let indicators = Web.indicators.path()
    let committee = Web.committee.path()
    let participants = Web.participants.path()
    let plies = Web.plies.path()
    let newPLIE = Web.newPLIE.path()
    let newParticipant = Web.newParticipant.path()
    let decisions = Web.decisions.path()
    let users = Web.users.path()
    let newUser = Web.newUser.path()
    let loginFailures = Web.loginFailures.path()
    let mail = Web.mail.path()

    static let shared = SiteLinks()
}

/// Every page of the site, in one table: the router registers these patterns, and page models, the
/// navigation and redirects build their links from them.
enum Web {
    static let login = WebRoute("/connexion")
    static let logout = WebRoute("/deconnexion")
    static let dashboard = WebRoute("/")
    static let asset = WebRoute("/static/:file")
    static let buyers = WebRoute("/acheteurs")
    static let buyer = WebRoute("/acheteurs/:id")
    static let operation = WebRoute("/operations/:id")
    static let contracts = WebRoute("/marches")
    static let contract = WebRoute("/marches/:id")
    static let company = WebRoute("/entreprises/:id")
    static let lots = WebRoute("/lots")
    static let lot = WebRoute("/lots/:id")
    static let lotHours = WebRoute("/lots/:id/heures")
    static let reviewQueue = WebRoute("/releves")
    static let imports = WebRoute("/imports")
    static let importTemplate = WebRoute("/imports/modele/:kind")
    static let outcomes = WebRoute("/sorties-positives")
    static let indicators = WebRoute("/indicateurs")
    static let indicatorsCSV = WebRoute("/indicateurs.csv")
    static let indicatorPeople = WebRoute("/indicateurs/personnes")
    static let committee = WebRoute("/comite")
    static let committeeCSV = WebRoute("/comite.csv")
    static let alerts = WebRoute("/alertes")
    static let acknowledgeAlert = WebRoute("/alertes/:id/prise-en-compte")
    static let snoozeAlert = WebRoute("/alertes/:id/sommeil")
    static let reports = WebRoute("/bilans")
    static let reportDocument = WebRoute("/bilans/document")
    static let buyerReports = WebRoute("/acheteurs/:id/bilans")
    static let newSubscription = WebRoute("/acheteurs/:id/abonnements")
    static let subscription = WebRoute("/abonnements/:id")
    static let sendSubscription = WebRoute("/abonnements/:id/envoi")
    static let lotNeeds = WebRoute("/lots/:id/besoins")
    static let need = WebRoute("/besoins/:id")
    static let needProposals = WebRoute("/besoins/:id/propositions")
    static let proposal = WebRoute("/propositions/:id")
    static let proposedCandidates = WebRoute("/candidats")

    // Record forms (the workbench): constant segments (`nouveau`) are matched before `:id`.
    static let newBuyer = WebRoute("/acheteurs/nouveau")
    static let editBuyer = WebRoute("/acheteurs/:id/modifier")
    static let newOperation = WebRoute("/acheteurs/:id/operations/nouvelle")
    static let editOperation = WebRoute("/operations/:id/modifier")
    static let newContract = WebRoute("/acheteurs/:id/marches/nouveau")
    static let editContract = WebRoute("/marches/:id/modifier")
    static let newLot = WebRoute("/marches/:id/lots/nouveau")
    static let editLot = WebRoute("/lots/:id/modifier")
    static let lotClause = WebRoute("/lots/:id/clause")
    static let lotCompanyAdd = WebRoute("/lots/:id/entreprises")
    static let companies = WebRoute("/entreprises")
    static let newCompany = WebRoute("/entreprises/nouvelle")
    static let editCompany = WebRoute("/entreprises/:id/modifier")
    static let plies = WebRoute("/plie")
    static let newPLIE = WebRoute("/plie/nouveau")
    static let editPLIE = WebRoute("/plie/:id/modifier")
    static let participants = WebRoute("/participants")
    static let newParticipant = WebRoute("/participants/nouveau")
    static let participant = WebRoute("/participants/:id")
    static let editParticipant = WebRoute("/participants/:id/modifier")
    static let newProof = WebRoute("/participants/:id/justificatifs")
    static let validateProof = WebRoute("/participants/:id/justificatifs/:criterion/valider")
    static let newPathway = WebRoute("/participants/:id/parcours")
    static let editPathway = WebRoute("/parcours/:id/modifier")
    static let pathwayReview = WebRoute("/parcours/:id/points-d-etape")
    static let pathwayExtension = WebRoute("/parcours/:id/prolongations")
    static let extensionDecision = WebRoute("/parcours/:id/prolongations/:extension")
    static let pathwayExit = WebRoute("/parcours/:id/sortie")
    static let newEpisode = WebRoute("/participants/:id/emplois")
    static let editEpisode = WebRoute("/emplois/:id/modifier")
    static let newPlacement = WebRoute("/mises-a-l-emploi/nouvelle")
    static let editPlacement = WebRoute("/mises-a-l-emploi/:id/modifier")
    static let outcomeDecision = WebRoute("/sorties-positives/decision")
    static let decisions = WebRoute("/comite/decisions")
    static let correctDecision = WebRoute("/comite/decisions/:id/corriger")
    static let account = WebRoute("/compte")
    static let accountPassword = WebRoute("/compte/mot-de-passe")
    static let accountTokens = WebRoute("/compte/jetons")
    static let accountDigest = WebRoute("/compte/resume-alertes")
    static let revokeToken = WebRoute("/compte/jetons/:id/revoquer")
    static let users = WebRoute("/admin/comptes")
    static let newUser = WebRoute("/admin/comptes/nouveau")
    static let editUser = WebRoute("/admin/comptes/:id/modifier")
    static let loginFailures = WebRoute("/admin/connexions-refusees")
    static let mail = WebRoute("/admin/courriels")
}
