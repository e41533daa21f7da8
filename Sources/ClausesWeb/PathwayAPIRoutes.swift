import ClausesCore
import Foundation
import Hummingbird

/// PLIE, pathways, employment episodes, positive outcomes, indicators and the committee's list under
/// `/api/v1`.
struct PathwayAPIRoutes {
    let services: AppServices
    let reader: RequestReader
    var ledger: LedgerServices { services.ledger }

    func register(on api: RouterGroup<APIContext>) {
        registerPLIE(on: api)
        registerPathways(on: api)
        registerOutcomes(on: api)
        registerIndicators(on: api)
    }

    private func registerPLIE(on api: RouterGroup<APIContext>) {
        let plie = ledger.plie
        api.get("/plie-profiles") { _, context in
            try context.caller.requireStaff()
            return try JSONBody.response(Items(items: services.config.profiles.all))
        }
        api.get("/plie") { request, context in
            try JSONBody.response(try await plie.list(context.caller, page: try request.pageRequest()))
        }
        api.post("/plie") { request, context in
            let input = try await reader.json(PLIE.Input.self, from: request)
            return try JSONBody.response(try await plie.create(context.caller, input), status: .created)
        }
        api.get("/plie/:id") { _, context in
            try JSONBody.response(try await plie.get(context.caller, id: try context.uuid("id")))
        }
        api.patch("/plie/:id") { request, context in
            let input = try await reader.json(PLIE.Input.self, from: request)
            return try JSONBody.response(
                try await plie.update(context.caller, id: try context.uuid("id"), input))
        }
        api.get("/plie/:id/committee") { request, context in
            try context.caller.requireStaff()
            let list = try await ledger.committee.list(
                context.caller, plieId: try context.uuid("id"), month: try month(request))
            if request.queryDictionary["format"] == "csv" {
                return CSVResponse.response(list.csv, fileName: "comite-\(list.month).csv")
            }
            return try JSONBody.response(list)
        }
    }

    private func registerPathways(on api: RouterGroup<APIContext>) {
        let pathways = ledger.pathways
        let episodes = ledger.episodes
        api.get("/participants/:id/pathways") { _, context in
            try JSONBody.response(
                Items(
                    items: try await pathways.list(context.caller, participantId: try context.uuid("id"))))
        }
        api.post("/participants/:id/pathways") { request, context in
            let input = try await reader.json(Pathway.Input.self, from: request)
            return try JSONBody.response(
                try await pathways.open(context.caller, participantId: try context.uuid("id"), input),
                status: .created)
        }
        api.get("/pathways/:id") { _, context in
            try JSONBody.response(try await pathways.get(context.caller, id: try context.uuid("id")))
        }
        api.patch("/pathways/:id") { request, context in
            let input = try await reader.json(Pathway.Input.self, from: request)
            return try JSONBody.response(
                try await pathways.update(context.caller, id: try context.uuid("id"), input))
        }
        api.post("/pathways/:id/exit") { request, context in
            let input = try await reader.json(Pathway.Exit.self, from: request)
            return try JSONBody.response(
                try await pathways.exit(context.caller, id: try context.uuid("id"), input))
        }
        api.post("/pathways/:id/reviews") { request, context in
            let input = try await reader.json(PathwayReview.Input.self, from: request)
            return try JSONBody.response(
                try await pathways.addReview(context.caller, id: try context.uuid("id"), input),
                status: .created)
        }
        api.post("/pathways/:id/extensions") { request, context in
            let input = try await reader.json(PathwayExtension.Request.self, from: request)
            return try JSONBody.response(
                try await pathways.requestExtension(context.caller, id: try context.uuid("id"), input),
                status: .created)
        }
        api.post("/pathways/:id/extensions/:extensionId/decision") { request, context in
            let input = try await reader.json(PathwayExtension.Decision.self, from: request)
            return try JSONBody.response(
                try await pathways.decideExtension(
                    context.caller, id: try context.uuid("id"),
                    extensionId: try context.uuid("extensionId"), input))
        }
        api.get("/participants/:id/employment-episodes") { _, context in
            try JSONBody.response(
                Items(
                    items: try await episodes.list(context.caller, participantId: try context.uuid("id"))))
        }
        api.post("/participants/:id/employment-episodes") { request, context in
            let input = try await reader.json(EmploymentEpisode.Input.self, from: request)
            return try JSONBody.response(
                try await episodes.create(context.caller, participantId: try context.uuid("id"), input),
                status: .created)
        }
        api.patch("/employment-episodes/:id") { request, context in
            let input = try await reader.json(EmploymentEpisode.Input.self, from: request)
            return try JSONBody.response(
                try await episodes.update(context.caller, id: try context.uuid("id"), input))
        }
    }

    private func registerOutcomes(on api: RouterGroup<APIContext>) {
        let outcomes = ledger.outcomes
        api.get("/outcomes/candidates") { request, context in
            try JSONBody.response(
                Items(
                    items: try await outcomes.candidates(
                        context.caller, selection: try selection(request),
                        asOf: try reader.date(request, "asOf") ?? services.clock.today)))
        }
        api.get("/pathways/:id/outcome-decisions") { _, context in
            try JSONBody.response(
                Items(
                    items: try await outcomes.decisions(context.caller, pathwayId: try context.uuid("id")))
            )
        }
        api.post("/pathways/:id/outcome-decisions") { request, context in
            struct Body: Decodable {
                let rule: OutcomeRule
                let establishedOn: LocalDate
                let decision: OutcomeDecisionValue
                let note: String?
            }
            let body = try await reader.json(Body.self, from: request)
            return try JSONBody.response(
                try await outcomes.record(
                    context.caller, pathwayId: try context.uuid("id"), rule: body.rule,
                    establishedOn: body.establishedOn, decision: body.decision, note: body.note,
                    asOf: services.clock.today), status: .created)
        }
    }

    private func registerIndicators(on api: RouterGroup<APIContext>) {
        let indicators = ledger.indicators
        api.get("/indicators") { request, context in
            try context.caller.requireStaff()
            let query = try IndicatorQuery(request, reader: reader, services: services)
            let report = try await indicators.report(
                context.caller, profile: query.profile, plieId: query.plieId, period: query.period)
            if request.queryDictionary["format"] == "csv" {
                return CSVResponse.response(report.csv, fileName: "indicateurs-\(report.profile).csv")
            }
            return try JSONBody.response(report)
        }
        api.get("/indicators/:indicator/people") { request, context in
            try context.caller.requireStaff()
            let query = try IndicatorQuery(request, reader: reader, services: services)
            let name = try context.parameters.require("indicator")
            guard let indicator = IndicatorId(text: name) else {
                throw DomainError.notFound("Indicateur inconnu « \(name) ».")
            }
            return try JSONBody.response(
                Items(
                    items: try await indicators.people(
                        context.caller, indicator: indicator, profile: query.profile,
                        plieId: query.plieId, period: query.period)))
        }
    }

    /// `?plie=ID` or `?profile=NAME` (checked against the configured profiles).
    private func selection(_ request: Request) throws(DomainError) -> PathwaySelection {
        let query = request.query
        let profile = query.text("profile")
        if let profile { _ = try services.config.profiles.named(profile, field: "profile") }
        return PathwaySelection(plieId: try query.uuid("plie"), profile: profile)
    }

    /// `?month=YYYY-MM`, else the current month.
    private func month(_ request: Request) throws(DomainError) -> YearMonth {
        guard let text = request.queryDictionary["month"] else { return services.clock.today.yearMonth }
        guard let month = YearMonth(text: text) else {
            throw DomainError.invalid("month", "« month » doit être un mois AAAA-MM (reçu « \(text) »).")
        }
        return month
    }
}

/// The profile, PLIE and period of an indicators request: `?profile=NAME` (required), `?plie=ID`,
/// `?year=YYYY` or `?from=…&to=…` (default: the current year).
struct IndicatorQuery {
    let profile: String
    let plieId: UUID?
    let period: IndicatorPeriod

    init(_ request: Request, reader: RequestReader, services: AppServices) throws(DomainError) {
        let query = request.query
        guard let profile = query.text("profile") else {
            throw DomainError.invalid(
                "profile",
                "« profile » est obligatoire (profils : \(services.config.profiles.all.map(\.name).joined(separator: ", "))).",
                code: .missingField)
        }
        self.profile = try services.config.profiles.named(profile, field: "profile").name
        plieId = try query.uuid("plie")
        var year: Int?
        if let text = query.text("year") {
            guard let value = Int(text) else {
                throw DomainError.invalid("year", "« year » doit être une année, par exemple 2026 (reçu « \(text) »).")
            }
            year = value
        }
        period = try IndicatorPeriod.resolve(
            year: year, from: try reader.date(request, "from"), to: try reader.date(request, "to"),
            today: services.clock.today)
    }
}

/// A CSV download for spreadsheets.
enum CSVResponse {
    static func response(_ text: String, fileName: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(fileName)\"",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
