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
}
