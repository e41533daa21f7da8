import ClausesCore
import Foundation
import Hummingbird

/// Matching (DOMAIN §7): a lot's staffing needs, a need's shortlist, the proposals and their answers, the
/// candidates proposed to a company, the trade autocomplete.
struct MatchingAPIRoutes {
    let services: AppServices
    let reader: RequestReader

    func register(on api: RouterGroup<APIContext>) {
        let matching = services.matching
        api.get("/lots/:id/needs") { _, context in
            try JSONBody.response(
                Items(items: try await matching.needs.list(context.caller, lotId: try context.uuid("id"))))
        }
        api.post("/lots/:id/needs") { request, context in
            let input = try await reader.json(StaffingNeed.Input.self, from: request)
            return try JSONBody.response(
                try await matching.needs.create(context.caller, lotId: try context.uuid("id"), input), status: .created)
        }
        api.get("/needs/:id") { _, context in
            try JSONBody.response(try await matching.needs.get(context.caller, id: try context.uuid("id")))
        }
        api.patch("/needs/:id") { request, context in
            let input = try await reader.json(StaffingNeed.Input.self, from: request)
            return try JSONBody.response(
                try await matching.needs.update(context.caller, id: try context.uuid("id"), input))
        }
        api.get("/needs/:id/shortlist") { request, context in
            let query = request.queryDictionary
            let limit = try query["limit"].map { text throws(DomainError) in
                guard let n = Int(text) else {
                    throw DomainError.invalid("limit", "« limit » doit être un entier (reçu « \(text) »).")
                }
                return n
            }
            let excluded = request.flag("excluded")
            return try JSONBody.response(
                try await matching.shortlists.shortlist(
                    context.caller, needId: try context.uuid("id"), asOf: try reader.date(request, "asOf"),
                    limit: limit ?? services.config.matching.shortlistLength, excluded: excluded))
        }
        api.get("/needs/:id/proposals") { _, context in
            try JSONBody.response(
                Items(items: try await matching.proposals.list(context.caller, needId: try context.uuid("id"))))
        }
        api.post("/needs/:id/proposals") { request, context in
            struct Body: Decodable { var participantId: UUID? }
            let body = try await reader.json(Body.self, from: request)
            return try JSONBody.response(
                try await matching.proposals.propose(
                    context.caller, needId: try context.uuid("id"), participantId: body.participantId),
                status: .created)
        }
        api.patch("/proposals/:id") { request, context in
            let decision = try await reader.json(NeedProposal.Decision.self, from: request)
            return try JSONBody.response(
                try await matching.proposals.decide(context.caller, id: try context.uuid("id"), decision))
        }
        api.get("/proposed-candidates") { _, context in
            try JSONBody.response(Items(items: try await matching.proposals.proposedToCompany(context.caller)))
        }
        api.get("/trades") { request, context in
            try context.caller.requireStaff()
            return try JSONBody.response(
                Items(items: try await matching.referenceData.searchTrades(request.queryDictionary["q"] ?? "")))
        }
    }
}
