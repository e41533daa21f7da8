import ClausesCore
import Foundation
import Hummingbird

/// `/indicateurs` (a profile's figures against its targets, the people behind each figure, CSV) and
/// `/comite` (a PLIE's monthly committee list, printable, CSV). Page models are typed structs; the
/// templates read their fields.
struct PathwayPageRoutes {
    let services: AppServices
    let pages: PageRenderer
    let reader: RequestReader

    func register(on web: RouterGroup<StaffContext>) {
        web.get(RouterPath(Web.indicators.pattern)) { request, context in
            try await indicatorsPage(request: request, context: context)
        }
        web.get(RouterPath(Web.indicatorsCSV.pattern)) { request, context in
            let (profile, period) = try query(request)
            let report = try await services.ledger.indicators.report(
                context.caller, profile: profile, plieId: try plie(request), period: period)
            return CSVResponse.response(report.csv, fileName: "indicateurs-\(report.profile).csv")
        }
        web.get(RouterPath(Web.indicatorPeople.pattern)) { request, context in
            try await peoplePage(request: request, context: context)
        }
        web.get(RouterPath(Web.committee.pattern)) { request, context in
            try await committeePage(request: request, context: context)
        }
        web.get(RouterPath(Web.committeeCSV.pattern)) { request, context in
            let list = try await committee(request: request, context: context)
            return CSVResponse.response(list.csv, fileName: "comite-\(list.month).csv")
        }
    }

    // MARK: Indicators

    struct IndicatorRow: Codable, Sendable {
        let label: String
        let definition: String
        let figure: String
        let fraction: String
        let hasFraction: Bool
        let target: String
        let status: String
        let statusClass: String
        /// The bar: the figure's share of the scale and the target's place on it, as SVG widths (0–100).
        let hasBar: Bool
        let barWidth: String
        let targetX: String
        let barLabel: String
        let note: String
        let hasNote: Bool
        let peopleLink: String
    }

    struct IndicatorsPage: PageModel {
        static let template = "indicators"
        var title = "Indicateurs du PLIE"
        let profiles: [SelectOption]
        let year: String
        let profileLabel: String
        let periodLabel: String
        let rows: [IndicatorRow]
        let csvLink: String
    }

    private func query(_ request: Request) throws(DomainError) -> (String, IndicatorPeriod) {
        let parameters = request.query
        let profile = parameters.text("profil") ?? services.config.profiles.all[0].name
        _ = try services.config.profiles.named(profile, field: "profil")
        var year: Int?
        if let text = parameters.text("annee") {
            guard let value = Int(text) else {
                throw DomainError.invalid("annee", "« \(text) » n'est pas une année (par exemple 2026).")
            }
            year = value
        }
        let period = try IndicatorPeriod.resolve(
            year: year, from: try reader.pageDate(request, "du", label: "du"),
            to: try reader.pageDate(request, "au", label: "au"),
            today: services.clock.today)
        return (profile, period)
    }

    private func plie(_ request: Request) throws(DomainError) -> UUID? { try request.query.uuid("plie") }

    /// The query that names a profile, a period and maybe a PLIE, kept by the page's links.
    private func baseQuery(profile: String, period: IndicatorPeriod, plieId: UUID?) -> [(String, String?)] {
        let dates: [(String, String?)] =
            period.isCalendarYear
            ? [("annee", String(period.from.year))] : [("du", period.from.description), ("au", period.to.description)]
        return [("profil", profile)] + dates + [("plie", plieId?.slug)]
    }

    private func indicatorsPage(request: Request, context: StaffContext) async throws -> Response {
        let (profile, period) = try query(request)
        let report = try await services.ledger.indicators.report(
            context.caller, profile: profile, plieId: try plie(request), period: period)
        let base = baseQuery(profile: profile, period: period, plieId: try plie(request))
        let page = IndicatorsPage(
            profiles: services.config.profiles.all.map {
                SelectOption(value: $0.name, label: $0.label, selected: $0.name == profile)
            },
            year: String(period.from.year), profileLabel: report.profileLabel, periodLabel: period.french,
            rows: report.items.map { row($0, base: base) }, csvLink: Web.indicatorsCSV.path(query: base))
        return try await pages.render(page, request: request, context: context)
    }

    private func figure(_ value: Decimal?, unit: IndicatorKind.Unit) -> String {
        guard let value else { return "—" }
        switch unit {
        case .share: return French.percent(value, maxFraction: 1)
        case .hours: return French.hours(value)
        case .ratio: return French.number(value, maxFraction: 1)
        case .count: return French.number(value, maxFraction: 0)
        }
    }

    private func row(_ item: Indicator, base: [(String, String?)]) -> IndicatorRow {
        let target = item.target.map { "≥ " + figure($0, unit: item.unit) } ?? "—"
        // Shares on a 0–100 % scale; other figures against their target, when there is one.
        var bar: (width: Decimal, target: Decimal)?
        if let value = item.value {
            if item.unit == .share {
                bar = (min(value, 1) * 100, (item.target ?? 0) * 100)
            } else if let goal = item.target, goal > 0 {
                let scale = max(value, goal)
                bar = (value / scale * 100, goal / scale * 100)
            }
        }
        return IndicatorRow(
            label: item.label, definition: item.definition, figure: figure(item.value, unit: item.unit),
            fraction: item.denominator.map {
                "\(French.number(item.numerator, maxFraction: 2)) / \(French.number($0, maxFraction: 2))"
            } ?? "",
            hasFraction: item.denominator != nil, target: target, status: item.status.frenchLabel,
            statusClass: item.status.rawValue, hasBar: bar != nil,
            barWidth: bar.map { French.number($0.width, .json, maxFraction: 1) } ?? "0",
            targetX: bar.map { French.number($0.target, .json, maxFraction: 1) } ?? "0",
            barLabel: "\(figure(item.value, unit: item.unit)) pour un objectif \(target)",
            note: item.note ?? "", hasNote: item.note != nil,
            peopleLink: Web.indicatorPeople.path(query: [("indicateur", "\(item.indicator)")] + base))
    }

    struct PeoplePage: PageModel {
        static let template = "indicator-people"
        let title: String
        let periodLabel: String
        let people: [Person]
        let hasPeople: Bool
        let back: String

        struct Person: Codable, Sendable {
            let reference: String
            let name: String
            let detail: String
        }
    }

    private func peoplePage(request: Request, context: StaffContext) async throws -> Response {
        let (profile, period) = try query(request)
        let name = request.query.text("indicateur") ?? ""
        guard let indicator = IndicatorId(text: name) else {
            throw DomainError.notFound("Indicateur inconnu « \(name) ».")
        }
        let plieId = try plie(request)
        let people = try await services.ledger.indicators.people(
            context.caller, indicator: indicator, profile: profile, plieId: plieId, period: period)
        let page = PeoplePage(
            title: indicator.frenchLabel, periodLabel: period.french,
            people: people.map { .init(reference: $0.reference, name: $0.name, detail: $0.detail ?? "") },
            hasPeople: !people.isEmpty,
            back: Web.indicators.path(query: baseQuery(profile: profile, period: period, plieId: plieId)))
        return try await pages.render(page, request: request, context: context)
    }

    // MARK: Committee

    struct CommitteePage: PageModel {
        static let template = "committee"
        var title = "Liste du comité"
        let plies: [SelectOption]
        let month: String
        let monthLabel: String
        let plieName: String
        let committee: String
        let entries: [Line]
        let extensions: [Line]
        let exits: [Line]
        let candidates: [Line]
        let hasEntries: Bool
        let hasExtensions: Bool
        let hasExits: Bool
        let hasCandidates: Bool
        let csvLink: String

        struct Line: Codable, Sendable {
            let reference: String
            let name: String
            let referent: String
            let date: String
            let detail: String

            init(_ line: CommitteeList.Line) {
                reference = line.reference
                name = line.name
                referent = line.referent ?? "—"
                date = line.date.french
                detail = line.detail
            }
        }
    }

    private func committee(request: Request, context: StaffContext) async throws -> CommitteeList {
        let caller = context.caller
        let month = try request.query.text("mois").map { text throws(DomainError) in
            guard let month = YearMonth(text: text) else {
                throw DomainError.invalid("mois", "« \(text) » n'est pas un mois (AAAA-MM).")
            }
            return month
        }
        var plieId = try request.query.uuid("plie")
        if plieId == nil { plieId = try await firstPLIE(caller) }
        guard let plieId else {
            throw DomainError.notFound("Aucun PLIE n'est enregistré.")
        }
        return try await services.ledger.committee.list(
            caller, plieId: plieId, month: month ?? services.clock.today.yearMonth)
    }

    private func firstPLIE(_ caller: Caller) async throws -> UUID? {
        try await services.ledger.plie.list(caller, page: PageRequest(limit: 1)).items.first?.id
    }

    private func committeePage(request: Request, context: StaffContext) async throws -> Response {
        let list = try await committee(request: request, context: context)
        let plies = try await services.ledger.plie.list(context.caller, page: PageRequest(limit: 500))
        let page = CommitteePage(
            plies: plies.items.map {
                SelectOption(value: $0.id.uuidString.lowercased(), label: $0.name, selected: $0.id == list.plieId)
            },
            month: list.month.description, monthLabel: French.month(list.month), plieName: list.plieName,
            committee: list.committee,
            entries: list.entryLines.map(CommitteePage.Line.init),
            extensions: list.extensionLines.map(CommitteePage.Line.init),
            exits: list.exitLines.map(CommitteePage.Line.init),
            candidates: list.candidateLines.map(CommitteePage.Line.init),
            hasEntries: !list.entries.isEmpty, hasExtensions: !list.extensions.isEmpty, hasExits: !list.exits.isEmpty,
            hasCandidates: !list.candidates.isEmpty,
            csvLink: Web.committeeCSV.path(query: [("plie", list.plieId.slug), ("mois", list.month.description)]))
        return try await pages.render(page, request: request, context: context)
    }
}
