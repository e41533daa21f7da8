import ClausesCore
import Foundation
import Hummingbird

/// The JSON API under `/api/v1`, described in `openapi.yaml`.
struct APIRoutes {
    let services: AppServices
    let reader: RequestReader

    func register(on router: Router<AppRequestContext>) {
        router.get("/api/v1/openapi") { _, _ in
            guard let text = PageRenderer.asset("openapi.yaml") else { throw HTTPError(.notFound) }
            return Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        let api = router.group("/api/v1").add(middleware: BearerAuthMiddleware(users: services.users))
            .group(context: APIContext.self)
        api.get("/me") { _, context in try JSONBody.response(context.user) }
        entity(api, "buyers", services.buyers)
        entity(api, "operations", services.operations)
        entity(api, "public-contracts", services.publicContracts)
        entity(api, "lots", services.lots)
        entity(api, "companies", services.companies)

        api.get("/lots/:id/clause") { _, context in
            try JSONBody.response(
                try await services.clauses.get(context.caller, lotId: try context.uuid("id")))
        }
        api.put("/lots/:id/clause") { request, context in
            let input = try await reader.json(InsertionClause.Input.self, from: request)
            return try JSONBody.response(
                try await services.clauses.put(context.caller, lotId: try context.uuid("id"), input))
        }
        api.get("/lots/:id/companies") { _, context in
            try JSONBody.response(
                Items(
                    items: try await services.lotCompanies.list(
                        context.caller, lotId: try context.uuid("id"))))
        }
        api.post("/lots/:id/companies") { request, context in
            let input = try await reader.json(LotCompany.Input.self, from: request)
            let items = try await services.lotCompanies.assign(
                context.caller, lotId: try context.uuid("id"), input)
            return try JSONBody.response(Items(items: items), status: .created)
        }
        api.post("/calibrate") { request, context in
            struct Body: Decodable {
                let calibration: CalibrationInput
                let rounding: String?
            }
            let body = try await reader.json(Body.self, from: request)
            let rounding =
                try body.rounding.map { (text: String) throws(DomainError) in try Rounding.parse(text) }
                ?? services.config.calibrationRounding
            return try JSONBody.response(
                CalibrationReport(
                    try calibrate(body.calibration, rounding: rounding), input: body.calibration, rounding: rounding))
        }
        api.get("/users") { _, context in
            try JSONBody.response(Items(items: try await services.users.list(context.caller)))
        }
        LedgerAPIRoutes(services: services, reader: reader).register(on: api)
        PathwayAPIRoutes(services: services, reader: reader).register(on: api)
        AlertAPIRoutes(services: services, reader: reader).register(on: api)
        ReportAPIRoutes(services: services, reader: reader).register(on: api)
        MatchingAPIRoutes(services: services, reader: reader).register(on: api)
        api.get("/login-failures") { request, context in
            let limit = try request.pageRequest().limit
            return try JSONBody.response(
                Items(items: try await services.loginFailures.recent(context.caller, limit: limit)))
        }
        api.post("/users") { request, context in
            let input = try await reader.json(UserStore.NewUser.self, from: request)
            return try JSONBody.response(
                try await services.users.create(context.caller, input), status: .created)
        }
    }

    /// List (paginated), create, read and update routes of one referential resource.
    private func entity<E: StoredEntity>(_ api: RouterGroup<APIContext>, _ path: String, _ store: EntityStore<E>) {
        api.get("/\(path)") { request, context in
            try JSONBody.response(
                try await store.list(
                    context.caller, page: try request.pageRequest(), filter: E.Filter(query: request.query)
                ))
        }
        api.post("/\(path)") { request, context in
            let input = try await reader.json(E.Input.self, from: request)
            return try JSONBody.response(try await store.create(context.caller, input), status: .created)
        }
        api.get("/\(path)/:id") { _, context in
            try JSONBody.response(try await store.get(context.caller, id: try context.uuid("id")))
        }
        api.patch("/\(path)/:id") { request, context in
            let input = try await reader.json(E.Input.self, from: request)
            return try JSONBody.response(
                try await store.update(context.caller, id: try context.uuid("id"), input))
        }
    }
}
