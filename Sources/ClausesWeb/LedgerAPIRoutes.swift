import ClausesCore
import Foundation
import Hummingbird

/// The hour ledger under `/api/v1`: participants and their eligibility, placements, monthly hour
/// reports, balances and CSV imports (pathways and outcomes: `PathwayAPIRoutes`).
struct LedgerAPIRoutes {
    let services: AppServices
    let reader: RequestReader
    var ledger: LedgerServices { services.ledger }

    func register(on api: RouterGroup<APIContext>) {
        let participants = ledger.participants
        let placements = ledger.placements
        let hours = ledger.hours
        api.get("/participants") { request, context in
            try JSONBody.response(
                try await participants.list(
                    context.caller, page: try request.pageRequest(),
                    filter: ParticipantFilter(query: request.query)))
        }
        api.post("/participants") { request, context in
            let input = try await reader.json(Participant.Input.self, from: request)
            return try JSONBody.response(
                try await participants.create(context.caller, input), status: .created)
        }
        api.get("/participants/:id") { _, context in
            try JSONBody.response(try await participants.get(context.caller, id: try context.uuid("id")))
        }
        api.patch("/participants/:id") { request, context in
            let input = try await reader.json(Participant.Input.self, from: request)
            return try JSONBody.response(
                try await participants.update(context.caller, id: try context.uuid("id"), input))
        }
        api.post("/participants/:id/criteria") { request, context in
            let input = try await reader.json(EligibilityCriterion.Input.self, from: request)
            return try JSONBody.response(
                try await participants.addCriterion(
                    context.caller, participantId: try context.uuid("id"), input),
                status: .created)
        }
        api.post("/participants/:id/criteria/:criterionId/validate") { _, context in
            try JSONBody.response(
                try await participants.validateCriterion(
                    context.caller, participantId: try context.uuid("id"),
                    criterionId: try context.uuid("criterionId")))
        }
        api.get("/participants/:id/eligibility") { request, context in
            try JSONBody.response(
                try await participants.eligibility(
                    context.caller, participantId: try context.uuid("id"),
                    at: try reader.date(request, "at") ?? services.clock.today))
        }
        // A company reads its placements in the company view (no criteria, no eligibility).
        api.get("/placements") { request, context in
            let caller = context.caller
            let page = try request.pageRequest()
            let filter = try PlacementFilter(query: request.query, today: services.clock.today)
            if caller.role == .company {
                return try JSONBody.response(try await placements.companyList(caller, page: page, filter: filter))
            }
            return try JSONBody.response(try await placements.list(caller, page: page, filter: filter))
        }
        api.post("/placements") { request, context in
            let input = try await reader.json(Placement.Input.self, from: request)
            return try JSONBody.response(
                try await placements.create(context.caller, input), status: .created)
        }
        api.get("/placements/:id") { _, context in
            let caller = context.caller
            let id = try context.uuid("id")
            if caller.role == .company { return try JSONBody.response(try await placements.companyGet(caller, id: id)) }
            return try JSONBody.response(try await placements.get(caller, id: id))
        }
        api.patch("/placements/:id") { request, context in
            let input = try await reader.json(Placement.Input.self, from: request)
            return try JSONBody.response(
                try await placements.update(context.caller, id: try context.uuid("id"), input))
        }
        api.get("/placements/:id/hour-reports") { request, context in
            let caller = context.caller
            let id = try context.uuid("id")
            let reports =
                request.queryDictionary["history"] == "true"
                ? try await hours.history(caller, placementId: id) : try await hours.list(caller, placementId: id)
            return try JSONBody.response(Items(items: reports))
        }
        api.post("/hour-reports") { request, context in
            let declaration = try await reader.json(HourDeclaration.self, from: request)
            let result = try await hours.declare(
                context.caller, declaration, replace: request.flag("replace"),
                confirmPlausible: request.flag("confirm"), validate: request.flag("validate"))
            return try JSONBody.response(result, status: .created)
        }
        api.get("/hour-reports/pending") { _, context in
            try JSONBody.response(Items(items: try await hours.pending(context.caller)))
        }
        api.post("/hour-reports/:id/validate") { _, context in
            try JSONBody.response(
                try await hours.validate(context.caller, reportId: try context.uuid("id")))
        }
        api.post("/hour-reports/:id/reject") { request, context in
            struct Body: Decodable { let reason: String }
            let body = try await reader.json(Body.self, from: request)
            return try JSONBody.response(
                try await hours.reject(
                    context.caller, reportId: try context.uuid("id"), reason: body.reason))
        }

        api.get("/lots/:id/balance") { request, context in
            try JSONBody.response(
                try await ledger.balances.lotBalance(
                    context.caller, lotId: try context.uuid("id"),
                    at: try reader.date(request, "at") ?? services.clock.today))
        }
        for (path, subject) in [
            ("public-contracts", BalanceSubject.publicContract), ("buyers", BalanceSubject.buyer),
            ("operations", BalanceSubject.operation), ("companies", BalanceSubject.company),
        ] {
            api.get("/\(path)/:id/balance") { request, context in
                let summary = try await ledger.balances.balance(
                    of: subject(try context.uuid("id")), at: try reader.date(request, "at") ?? services.clock.today,
                    caller: context.caller)
                return try await GroupBalance(summary).response()
            }
        }

        api.post("/imports/hours") { request, context in
            let data = try await reader.csv(request)
            let report = try await ledger.imports.importHours(
                data: data, caller: context.caller, replace: request.flag("replace"),
                confirmPlausible: request.flag("confirm"), dryRun: request.flag("dryRun"),
                validate: request.flag("validate"))
            return try JSONBody.response(report, status: Self.status(of: report))
        }
        api.post("/imports/participants") { request, context in
            let data = try await reader.csv(request)
            let report = try await ledger.imports.importParticipants(
                data: data, caller: context.caller, dryRun: request.flag("dryRun"),
                validateCriteria: request.flag("validateCriteria"))
            return try JSONBody.response(report, status: Self.status(of: report))
        }
    }

    /// 200 when written or a dry run passed, 422 when refused, 409 when figures need confirmation.
    static func status(of report: ImportReport) -> HTTPResponse.Status {
        switch report.status {
        case .written, .dryRun: .ok
        case .rejected: .unprocessableContent
        case .confirmationRequired: .conflict
        }
    }
}

extension Request {
    /// A boolean query flag (`?replace=true`).
    func flag(_ name: String) -> Bool {
        ["true", "1", "oui", "yes"].contains(queryDictionary[name]?.lowercased() ?? "")
    }
}

/// A balance over several lots as the API returns it: each lot's figures without its month-by-month
/// credit detail (`GET /lots/{id}/balance` has it), so a 1,000-lot buyer stays a small answer.
struct GroupBalance {
    struct LotLine: Encodable, Sendable {
        let lotId: UUID
        let lotNumber: Int
        let lotLabel: String
        let publicContractId: UUID
        let publicContractReference: String
        let contractorId: UUID?
        let contractorName: String?
        let calibrationMode: String
        let placementCount: Int?
        let balance: Balance
        let pendingHours: Decimal
    }

    /// Every field but the lots.
    struct Header: Encodable {
        let subject: String
        let subjectId: UUID
        let at: LocalDate
        let aggregate: BalanceAggregate
        let months: [MonthTotal]
        let pendingHours: Decimal
    }

    let header: Header
    let lots: [LotLine]

    init(_ summary: BalanceSummary) {
        header = Header(
            subject: summary.subject, subjectId: summary.subjectId, at: summary.at, aggregate: summary.aggregate,
            months: summary.months, pendingHours: summary.pendingHours)
        lots = summary.lots.map {
            LotLine(
                lotId: $0.lotId, lotNumber: $0.lotNumber, lotLabel: $0.lotLabel, publicContractId: $0.publicContractId,
                publicContractReference: $0.publicContractReference, contractorId: $0.contractorId,
                contractorName: $0.contractorName, calibrationMode: $0.calibrationMode,
                placementCount: $0.placementCount, balance: $0.balance, pendingHours: $0.pendingHours)
        }
    }

    /// The answer, its lots encoded in parallel (for a large buyer the encoder costs as much as the count):
    /// the header's fields, then `"lots"` appended before the closing brace.
    func response() async throws -> Response {
        var data = try JSONCoding.encode(header)
        data.removeLast()
        data.append(contentsOf: Data(",\"lots\":".utf8))
        data.append(try await JSONCoding.encodeArray(lots))
        data.append(UInt8(ascii: "}"))
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
