import ClausesCore
import Foundation
import Hummingbird

/// The matching pages (DOMAIN §7): a lot's staffing needs and the form for a new one, a need's shortlist
/// with every score part and the proposals' answers, and the candidates proposed to a company.
struct MatchingPages {
    let services: AppServices
    let pages: PageRenderer
    let forms: WebForms

    func register(on signedIn: RouterGroup<SignedInContext>) {
        signedIn.get(RouterPath(Web.lotNeeds.pattern)) { request, context in
            try await needsPage(lotId: try context.uuid("id"), request: request, context: context)
        }
        signedIn.get(RouterPath(Web.need.pattern)) { request, context in
            try await needPage(id: try context.uuid("id"), request: request, context: context)
        }
        signedIn.get(RouterPath(Web.proposedCandidates.pattern)) { request, context in
            let candidates = try await services.matching.proposals.proposedToCompany(context.caller)
            return try await pages.render(
                CandidatesPage(
                    title: "Candidats proposés",
                    candidates: candidates.map { candidate in
                        .init(
                            name: candidate.displayName,
                            contact: [candidate.phone, candidate.email].compactMap { $0 }.joined(separator: " · ")
                                .nonEmpty ?? "Pas de contact partagé : passez par le facilitateur",
                            need: "\(candidate.lotLabel) — \(candidate.trades.joined(separator: ", "))",
                            status: candidate.status.frenchLabel, when: French.dateTime(candidate.proposedAt))
                    }), request: request, context: context)
        }
    }

    func registerEditors(on editors: RouterGroup<EditorContext>) {
        editors.post(RouterPath(Web.lotNeeds.pattern)) { request, context in
            let lotId = try context.uuid("id")
            let (_, draft) = try await forms.record(from: request, context: context, dates: services.config.input.dates)
            var fields = draft
            let need: StaffingNeed
            do {
                need = try await services.matching.needs.create(
                    context.caller, lotId: lotId, try Self.needInput(&fields))
            } catch let error as DomainError where error.kind == .unprocessable {
                return try await needsPage(
                    lotId: lotId, request: request, context: context, failed: (fields.values, error.message))
            }
            return Response.afterPost(to: Web.need.path(need.id, query: Notice.needSaved.query()))
        }
        editors.post(RouterPath(Web.need.pattern)) { request, context in
            let id = try context.uuid("id")
            let (_, draft) = try await forms.record(from: request, context: context, dates: services.config.input.dates)
            var fields = draft
            let status: NeedStatus? = fields.choice("status", required: true)
            do {
                _ = try await services.matching.needs.update(context.caller, id: id, .init(status: status))
            } catch let error as DomainError where error.kind == .unprocessable {
                return try await needPage(id: id, request: request, context: context, failed: error.message)
            }
            return Response.afterPost(to: Web.need.path(id, query: Notice.needSaved.query()))
        }
        editors.post(RouterPath(Web.needProposals.pattern)) { request, context in
            let id = try context.uuid("id")
            let (_, draft) = try await forms.record(from: request, context: context, dates: services.config.input.dates)
            do {
                _ = try await services.matching.proposals.propose(
                    context.caller, needId: id,
                    participantId: draft.values["participantId"].flatMap { UUID(uuidString: $0) })
            } catch let error as DomainError where [.unprocessable, .conflict].contains(error.kind) {
                return try await needPage(id: id, request: request, context: context, failed: error.message)
            }
            return Response.afterPost(to: Web.need.path(id, query: Notice.proposed.query()))
        }
        editors.post(RouterPath(Web.proposal.pattern)) { request, context in
            let id = try context.uuid("id")
            let (_, draft) = try await forms.record(from: request, context: context, dates: services.config.input.dates)
            var fields = draft
            let status: ProposalStatus? = fields.choice("status", required: true)
            let needId = try await services.matching.proposals.get(context.caller, id: id).needId
            do {
                _ = try await services.matching.proposals.decide(
                    context.caller, id: id, .init(status: status, reason: fields.text("reason")))
            } catch let error as DomainError where [.unprocessable, .conflict].contains(error.kind) {
                return try await needPage(id: needId, request: request, context: context, failed: error.message)
            }
            return Response.afterPost(to: Web.need.path(needId, query: Notice.proposalDecided.query()))
        }
    }

    /// The need form's fields: ROME codes separated by spaces or commas, numbers in French.
    private static func needInput(_ fields: inout FormDraft) throws(DomainError) -> StaffingNeed.Input {
        let codes = fields.text("romeCodes", required: true)?
            .split(whereSeparator: { $0 == " " || $0 == "," || $0 == ";" }).map(String.init)
        var input = StaffingNeed.Input(
            romeCodes: codes, headcount: fields.integer("headcount"), totalHours: fields.decimal("totalHours"),
            weeklyHours: fields.decimal("weeklyHours"), plannedStart: fields.date("plannedStart", required: true),
            plannedEnd: fields.date("plannedEnd"), contractType: fields.choice("contractType", required: true),
            drivingLicenceRequired: fields.flag("drivingLicenceRequired"),
            vehicleRequired: fields.flag("vehicleRequired"), notes: fields.text("notes"))
        if input.headcount == nil { input.headcount = 1 }
        if let (field, problem) = fields.errors.first {
            throw DomainError.invalid(field, "« \(NeedsPage.label(field)) » : \(problem)")
        }
        return input
    }

    private func needsPage(
        lotId: UUID, request: Request, context: some CallerContext, failed: ([String: String], String)? = nil
    ) async throws -> Response {
        let caller = context.caller
        let lot = try await services.lots.get(caller, id: lotId)
        let needs = try await services.matching.needs.list(caller, lotId: lotId)
        let search = request.queryDictionary["metier"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let suggestions =
            caller.canEditReferential && !search.isEmpty
            ? try await services.matching.referenceData.searchTrades(search) : []
        let values = failed?.0 ?? [:]
        let model = NeedsPage(
            title: "Besoins de recrutement — lot \(lot.number)", lotLink: Web.lot.path(lotId),
            lotLabel: "\(lot.publicContractReference) — lot \(lot.number) : \(lot.label)",
            needs: needs.map {
                .init(
                    link: Web.need.path($0.id), trades: $0.trades.joined(separator: ", "), headcount: $0.headcount,
                    start: $0.plannedStart.french, contract: $0.contractType.frenchLabel, status: $0.status.frenchLabel)
            },
            editor: caller.canEditReferential, action: Web.lotNeeds.path(lotId), search: search,
            searched: !search.isEmpty, hasSuggestions: !suggestions.isEmpty,
            suggestions: suggestions.map {
                .init(code: $0.code, label: $0.label, romeLabel: $0.romeLabel, other: $0.label != $0.romeLabel)
            },
            formError: failed?.1,
            draft: .init(
                romeCodes: values["romeCodes"] ?? suggestions.first.map(\.code) ?? "",
                headcount: values["headcount"] ?? "1", weeklyHours: values["weeklyHours"] ?? "35",
                totalHours: values["totalHours"] ?? "",
                plannedStart: values["plannedStart"] ?? services.clock.today.adding(days: 14).description,
                plannedEnd: values["plannedEnd"] ?? "", licence: values["drivingLicenceRequired"] == "1",
                vehicle: values["vehicleRequired"] == "1", notes: values["notes"] ?? ""),
            contracts: EmploymentContractType.allCases.map {
                SelectOption(
                    value: $0.rawValue, label: $0.frenchLabel,
                    selected: $0.rawValue == (values["contractType"] ?? EmploymentContractType.cdd.rawValue))
            })
        return try await pages.render(
            model, request: request, context: context, status: failed == nil ? .ok : .unprocessableContent)
    }

    private func needPage(id: UUID, request: Request, context: some CallerContext, failed: String? = nil)
        async throws -> Response
    {
        let caller = context.caller
        let need = try await services.matching.needs.get(caller, id: id)
        guard caller.role.isStaff else { throw DomainError.forbidden }
        let showExcluded = request.queryDictionary["ecartees"] == "1"
        let list = try await services.matching.shortlists.shortlist(
            caller, needId: id, limit: services.config.matching.shortlistLength, excluded: showExcluded)
        let proposals = try await services.matching.proposals.list(caller, needId: id)
        let editor = caller.canEditReferential
        let excluded = list.excluded ?? []
        let hours = [
            need.weeklyHours.map { "\(French.number($0)) h par semaine" },
            need.totalHours.map { "\(French.hours($0)) en tout" },
        ].compactMap { $0 }.joined(separator: " · ")
        let requirements = [
            need.drivingLicenceRequired ? "permis de conduire" : nil, need.vehicleRequired ? "véhicule" : nil,
        ].compactMap { $0 }.joined(separator: ", ")
        let model = NeedPage(
            title: "Besoin : \(need.trades.joined(separator: ", "))", lotLink: Web.lot.path(need.lotId),
            lotLabel: need.lotLabel, needsLink: Web.lotNeeds.path(need.lotId), headcount: need.headcount,
            hired: need.hired, hours: hours, period: "\(need.plannedStart.french) → \(Display.date(need.plannedEnd))",
            contract: need.contractType.frenchLabel, requirements: requirements.isEmpty ? "aucune" : requirements,
            worksite: list.worksite.located
                ? "\(list.worksite.name ?? "") (\(list.worksite.insee ?? ""))"
                : (list.worksite.insee ?? "non renseignée"),
            worksiteWarning: list.worksite.located
                ? nil
                : "La commune du chantier n'est pas connue du référentiel des communes : les distances sont inconnues, personne n'est écarté pour la distance ni ne reçoit de points de distance.",
            status: need.status.frenchLabel, notes: need.notes, editor: editor,
            statusAction: Web.need.path(id),
            statuses: NeedStatus.allCases.map {
                SelectOption(value: $0.rawValue, label: $0.frenchLabel, selected: $0 == need.status)
            },
            formError: failed,
            proposals: proposals.map { proposal in
                .init(
                    person: proposal.participantName, personLink: Web.participant.path(proposal.participantId),
                    status: proposal.status.frenchLabel, placement: proposal.placementCode, reason: proposal.reason,
                    score: French.number(proposal.score, fixedFraction: 2), when: French.dateTime(proposal.proposedAt),
                    decidable: proposal.status == .proposed || proposal.status == .withdrawn,
                    action: Web.proposal.path(proposal.id),
                    choices: (proposal.status == .withdrawn
                        ? [ProposalStatus.proposed] : [.hired, .refused, .withdrawn])
                        .map { SelectOption(value: $0.rawValue, label: $0.frenchLabel, selected: false) })
            },
            judgedOn: list.judgedOn.french,
            kept: list.kept.map { "\($0) personne(s) passent les filtres" }
                ?? "Les mieux classées des personnes qui passent les filtres",
            candidates: list.candidates.map { candidate in
                .init(
                    name: candidate.name, reference: candidate.reference,
                    personLink: Web.participant.path(candidate.participantId),
                    participantId: candidate.participantId.slug,
                    score: French.number(candidate.score, fixedFraction: 2),
                    distance: candidate.distanceKm.map { "\(French.number($0)) km" } ?? "distance inconnue",
                    proposal: candidate.proposal?.status.frenchLabel,
                    proposeAction: editor && candidate.proposal == nil && need.status == .open
                        ? Web.needProposals.path(id) : nil,
                    parts: candidate.parts.map {
                        .init(
                            label: $0.part.frenchLabel, points: French.number($0.points, fixedFraction: 2),
                            detail: $0.detail)
                    })
            },
            showExcluded: showExcluded, excludedLink: Web.need.path(id, query: [("ecartees", "1")]),
            excluded: excluded.prefix(200).map { .init(name: $0.name, reference: $0.reference, reason: $0.reason) },
            excludedBounded: excluded.count > 200
                ? "Les 200 premières personnes écartées, sur \(excluded.count) (toutes : clauses match need --excluded)."
                : nil)
        return try await pages.render(
            model, request: request, context: context, status: failed == nil ? .ok : .unprocessableContent)
    }

    struct NeedsPage: PageModel {
        static let template = "needs"
        static let hasForms = true
        static func label(_ field: String) -> String {
            switch field {
            case "romeCodes": "Codes ROME"
            case "headcount": "Nombre de personnes"
            case "weeklyHours": "Heures par semaine"
            case "totalHours": "Nombre d'heures"
            case "plannedStart": "Début prévu"
            case "plannedEnd": "Fin prévue"
            default: "Contrat"
            }
        }
        struct Row: Codable, Sendable {
            let link: String
            let trades: String
            let headcount: Int
            let start: String
            let contract: String
            let status: String
        }
        struct Suggestion: Codable, Sendable {
            let code: String
            let label: String
            let romeLabel: String
            let other: Bool
        }
        struct Draft: Codable, Sendable {
            let romeCodes: String
            let headcount: String
            let weeklyHours: String
            let totalHours: String
            let plannedStart: String
            let plannedEnd: String
            let licence: Bool
            let vehicle: Bool
            let notes: String
        }
        let title: String
        let lotLink: String
        let lotLabel: String
        let needs: [Row]
        let editor: Bool
        let action: String
        let search: String
        let searched: Bool
        let hasSuggestions: Bool
        let suggestions: [Suggestion]
        let formError: String?
        let draft: Draft
        let contracts: [SelectOption]
    }

    struct NeedPage: PageModel {
        static let template = "need"
        static let hasForms = true
        struct Proposal: Codable, Sendable {
            let person: String
            let personLink: String
            let status: String
            let placement: String?
            let reason: String?
            let score: String
            let when: String
            let decidable: Bool
            let action: String
            let choices: [SelectOption]
        }
        struct Part: Codable, Sendable {
            let label: String
            let points: String
            let detail: String
        }
        struct Candidate: Codable, Sendable {
            let name: String
            let reference: String
            let personLink: String
            let participantId: String
            let score: String
            let distance: String
            let proposal: String?
            let proposeAction: String?
            let parts: [Part]
        }
        struct Excluded: Codable, Sendable {
            let name: String
            let reference: String
            let reason: String
        }
        let title: String
        let lotLink: String
        let lotLabel: String
        let needsLink: String
        let headcount: Int
        let hired: Int
        let hours: String
        let period: String
        let contract: String
        let requirements: String
        let worksite: String
        let worksiteWarning: String?
        let status: String
        let notes: String?
        let editor: Bool
        let statusAction: String
        let statuses: [SelectOption]
        let formError: String?
        let proposals: [Proposal]
        let judgedOn: String
        let kept: String
        let candidates: [Candidate]
        let showExcluded: Bool
        let excludedLink: String
        let excluded: [Excluded]
        let excludedBounded: String?
    }

    struct CandidatesPage: PageModel {
        static let template = "candidates"
        struct Row: Codable, Sendable {
            let name: String
            let contact: String
            let need: String
            let status: String
            let when: String
        }
        let title: String
        let candidates: [Row]
    }
}

extension String {
    /// nil when empty.
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
