import ClausesCore
import Foundation
import Hummingbird
import Mustache

/// A page's model: a `Codable` struct its template reads (`{{#page}}…{{/page}}`), with its title.
protocol PageModel: Codable, Sendable {
    /// The template's name under `Templates/`, without `.mustache`.
    static var template: String { get }
    /// Pages with forms get a one-time token (`{{once}}`) so a form sent twice does its work once.
    static var hasForms: Bool { get }
    var title: String { get }
}

extension PageModel {
    static var hasForms: Bool { false }
}

/// Renders French pages: a page model through its template inside the shared layout (navigation, the
/// notice of the form just sent, the CSRF token).
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let forms: FormStore

    public init(forms: FormStore) throws {
        var library = MustacheLibrary()
        for file in EmbeddedAssets.files where file.name.hasSuffix(".mustache") {
            try library.register(file.text, named: String(file.name.dropLast(".mustache".count)))
        }
        self.library = library
        self.forms = forms
    }

    /// The text of an embedded static file (CSS, JS), by name.
    static func asset(_ name: String) -> String? { EmbeddedAssets.files.first { $0.name == name }?.text }

    /// What a page template sees: its model under `page`, the session's CSRF token and the form token.
    struct Scope<Model: PageModel> {
        let page: Model
        let csrf: String
        let once: String
        let links: SiteLinks
    }

    struct Layout {
        struct Person {
            let email: String
            let role: String
        }
        let title: String
        let body: String
        let csrf: String
        let user: Person?
        let nav: [Navigation.Link]
        let notice: String?
        let links: SiteLinks
    }

    func render<Model: PageModel>(
        _ model: Model, request: Request, context: some PageContext, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let viewer = context.viewer
        var once = ""
        if Model.hasForms, let viewer { once = try await forms.issueToken(for: viewer.user.id) }
        let scope = Scope(page: model, csrf: viewer?.csrfToken ?? "", once: once, links: .shared)
        guard let body = library.render(scope, withTemplate: Model.template) else {
            throw DomainError(
                .internalError, code: .templateMissing, message: "Modèle de page introuvable : \(Model.template)")
        }
        let layout = Layout(
            title: model.title, body: body, csrf: viewer?.csrfToken ?? "",
            user: viewer.map { Layout.Person(email: $0.user.email, role: $0.user.role.frenchLabel) },
            nav: viewer.map { Navigation.links(for: $0.user.role, path: request.uri.path) } ?? [],
            notice: Notice.from(request), links: .shared)
        guard let html = library.render(layout, withTemplate: "layout") else {
            throw DomainError(.internalError, code: .templateMissing, message: "Modèle de page introuvable : layout")
        }
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}

/// The error page, inside the layout with the menu: a title and a sentence a person understands.
struct ErrorPage: PageModel {
    static let template = "error"
    let title: String
    let message: String

    init(_ error: DomainError) {
        title =
            switch error.kind {
            case .notFound: "Page introuvable"
            case .forbidden: "Accès refusé"
            case .internalError: "Erreur interne"
            case .unavailable: "Service indisponible"
            case .conflict: "Déjà fait ou modifié entre-temps"
            default: "Demande refusée"
            }
        message = error.message
    }
}

/// The main menu, by role: staff see the daily loop, buyers their marchés, companies their lots.
enum Navigation {
    struct Link: Codable {
        let label: String
        let href: String
        let current: Bool
    }

    static func links(for role: Role, path: String) -> [Link] {
        var items: [(String, WebRoute)] = [("Tableau de bord", Web.dashboard)]
        if role.isStaff { items.append(("Alertes", Web.alerts)) }
        switch role {
        case .admin, .facilitator:
            items += [
                ("Relevés à valider", Web.reviewQueue), ("Participants", Web.participants), ("Lots", Web.lots),
                ("Marchés", Web.contracts),
                ("Donneurs d'ordre", Web.buyers), ("Entreprises", Web.companies), ("Importer", Web.imports),
                ("Sorties positives", Web.outcomes),
                ("Indicateurs", Web.indicators), ("Comité", Web.committee),
            ]
        case .referent:
            items += [
                ("Participants", Web.participants), ("Lots", Web.lots), ("Marchés", Web.contracts),
                ("Entreprises", Web.companies), ("Sorties positives", Web.outcomes),
                ("Indicateurs", Web.indicators), ("Comité", Web.committee),
            ]
        case .buyer:
            items += [("Bilans", Web.reports), ("Marchés", Web.contracts), ("Lots", Web.lots)]
        case .company:
            items += [("Lots", Web.lots), ("Candidats proposés", Web.proposedCandidates)]
        }
        if role == .admin { items.append(("Comptes", Web.users)) }
        items.append(("Mon compte", Web.account))
        return items.map { label, route in
            let href = route.path()
            let current = href == "/" ? path == "/" : path == href || path.hasPrefix(href + "/")
            return Link(label: label, href: href, current: current)
        }
    }
}

/// What a successful form post tells the page it redirects to (`?fait=…&n=…`): a fixed list, so a link
/// cannot make the site say anything else.
enum Notice: String {
    case hoursSaved = "heures-enregistrees"
    case reportsValidated = "releves-valides"
    case reportsRejected = "releves-refuses"
    case outcomeProposed = "sortie-proposee"
    case outcomeDecided = "decision-enregistree"
    case created = "cree"
    case saved = "enregistre"
    case clauseSaved = "clause-enregistree"
    case proofAdded = "justificatif-ajoute"
    case proofValidated = "justificatif-valide"
    case placementCreated = "mise-a-l-emploi-creee"
    case decisionCorrected = "decision-corrigee"
    case passwordChanged = "mot-de-passe-change"
    case tokenRevoked = "jeton-revoque"
    case alertAcknowledged = "alerte-prise-en-compte"
    case alertSnoozed = "alerte-en-sommeil"
    case subscriptionSaved = "abonnement-enregistre"
    case reportSent = "bilan-envoye"
    case needSaved = "besoin-enregistre"
    case proposed = "candidat-propose"
    case proposalDecided = "reponse-enregistree"

    func french(count: Int?) -> String {
        let n = count ?? 0
        switch self {
        case .hoursSaved:
            return n == 0 ? "Rien à enregistrer : aucune heure n'a changé." : "\(n) relevé(s) enregistré(s)."
        case .reportsValidated: return "\(n) relevé(s) validé(s) : ils comptent désormais dans les bilans."
        case .reportsRejected: return "\(n) relevé(s) refusé(s) ; le motif sera lu par le déclarant."
        case .outcomeProposed: return "Sortie positive proposée au comité."
        case .outcomeDecided: return "Décision du comité enregistrée."
        case .created: return "Fiche créée."
        case .saved: return "Modifications enregistrées."
        case .clauseSaved: return "Clause enregistrée : les heures prescrites sont recalculées."
        case .proofAdded: return "Justificatif enregistré."
        case .proofValidated: return "Justificatif validé : il compte désormais pour l'éligibilité."
        case .placementCreated: return "Mise à l'emploi créée, avec les critères d'éligibilité valides à son début."
        case .decisionCorrected: return "Décision corrigée ; la première reste dans l'historique."
        case .passwordChanged: return "Mot de passe changé ; vos autres sessions sont fermées."
        case .tokenRevoked: return "Jeton révoqué : il ne donne plus accès à l'API."
        case .alertAcknowledged: return "Alerte prise en compte : elle reste ouverte tant que sa condition dure."
        case .alertSnoozed:
            return "Alerte mise en sommeil : elle se réveillera à la date choisie, ou plus tôt si elle s'aggrave."
        case .subscriptionSaved: return "Abonnement enregistré."
        case .reportSent: return "Bilan mis en envoi : il part avec les prochains courriels."
        case .needSaved: return "Besoin enregistré : la présélection ci-dessous en tient compte."
        case .proposed: return "Candidature proposée à l'entreprise ; le score du moment est conservé."
        case .proposalDecided: return "Réponse de l'entreprise enregistrée."
        }
    }

    /// The query a redirect carries.
    func query(count: Int? = nil) -> [(String, String?)] { [("fait", rawValue), ("n", count.map(String.init))] }

    static func from(_ request: Request) -> String? {
        let query = request.queryDictionary
        guard let notice = query["fait"].flatMap(Notice.init(rawValue:)) else { return nil }
        return notice.french(count: query["n"].flatMap(Int.init))
    }
}

/// Figures that may be missing on pages (an em dash then), through `French`.
enum Display {
    static func euros(_ value: Decimal?) -> String {
        value.map { French.euros($0, cents: true) } ?? "—"
    }
    static func date(_ value: LocalDate?) -> String { value?.french ?? "—" }
}
