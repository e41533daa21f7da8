import ClausesCore
import Foundation
import Hummingbird

/// What a list page was asked for: search words (`q`), a sort column (`tri`, `ordre=desc`) and a page.
struct ListParams: Sendable {
    static let pageSize = 50
    let search: String
    let sort: String?
    let descending: Bool
    let page: Int

    init(_ request: Request) throws(DomainError) {
        let query = request.queryDictionary
        search = query["q"]?.trimmingCharacters(in: .whitespaces) ?? ""
        sort = query["tri"]
        descending = query["ordre"] == "desc"
        if let text = query["page"], !text.isEmpty {
            guard let page = Int(text), page >= 1, page <= 100_000 else {
                throw DomainError.invalid("page", "« \(text) » n'est pas un numéro de page (1, 2, 3…).")
            }
            self.page = page
        } else {
            page = 1
        }
    }

    var query: ListQuery {
        ListQuery(
            search: search.isEmpty ? nil : search, sort: sort, descending: descending, limit: Self.pageSize,
            offset: (page - 1) * Self.pageSize)
    }
}

/// A list's search field, sortable column headers, count and page links, for its template.
struct ListControls: Codable, Sendable {
    struct Header: Codable, Sendable {
        let label: String
        /// The link that sorts by this column (nil: not sortable).
        let href: String?
        /// `ascending`, `descending` or `none`, for `aria-sort`.
        let ariaSort: String
        let arrow: String
    }

    struct Field: Codable, Sendable {
        let name: String
        let value: String
    }

    let search: String
    /// The page's filters, kept by the search form.
    let hidden: [Field]
    let headers: [Header]
    let count: String
    let previous: String?
    let next: String?
    /// « Page 2 sur 5 » when there is more than one page.
    let pageLabel: String?

    /// `filters` are the page's other query parameters, kept by every link.
    init<Item>(
        _ slice: ListSlice<Item>, params: ListParams, route: WebRoute, filters: [(String, String?)] = [],
        columns: [(label: String, key: String?)], noun: (one: String, many: String)
    ) {
        search = params.search
        hidden = filters.compactMap { name, value in value.map { Field(name: name, value: $0) } }
        let base: [(String, String?)] = filters + [("q", params.search.isEmpty ? nil : params.search)]
        let sortQuery: [(String, String?)] = [("tri", params.sort), ("ordre", params.descending ? "desc" : nil)]
        headers = columns.map { column in
            guard let key = column.key else {
                return Header(label: column.label, href: nil, ariaSort: "none", arrow: "")
            }
            let current = params.sort == key
            let nextDescending = current && !params.descending
            let state = current ? (params.descending ? "descending" : "ascending") : "none"
            return Header(
                label: column.label,
                href: route.path(query: base + [("tri", key), ("ordre", nextDescending ? "desc" : nil)]),
                ariaSort: state, arrow: current ? (params.descending ? " ↓" : " ↑") : "")
        }
        let pages = max(1, (slice.total + ListParams.pageSize - 1) / ListParams.pageSize)
        let n = { (value: Int) in French.number(Decimal(value), maxFraction: 0) }
        let nouns = slice.total == 1 ? noun.one : noun.many
        count =
            if slice.total == 0 {
                "Aucun \(noun.one)."
            } else if slice.items.isEmpty {
                "Cette page est au-delà de la fin de la liste (\(n(slice.total)) \(nouns) en tout)."
            } else if slice.total <= ListParams.pageSize {
                "\(n(slice.total)) \(nouns)"
            } else {
                "\(n(slice.offset + 1)) à \(n(slice.offset + slice.items.count)) sur \(n(slice.total)) \(nouns)"
            }
        previous =
            params.page > 1 ? route.path(query: base + sortQuery + [("page", String(params.page - 1))]) : nil
        next = params.page < pages ? route.path(query: base + sortQuery + [("page", String(params.page + 1))]) : nil
        pageLabel = pages > 1 ? "Page \(params.page) sur \(pages)" : nil
    }
}
