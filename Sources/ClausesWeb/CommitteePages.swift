import ClausesCore
import Foundation
import Hummingbird

/// The committee's decisions on positive outcomes: each recorded after a confirmation page showing the
/// facts, with an optional note (a référent proposes, admins and facilitators record the decision); the
/// list of past decisions; a decision corrected with its reason, the first one kept beside it. Staff.
struct CommitteePages {
    let services: AppServices
    let flow: RecordForms

    func register(on staff: RouterGroup<StaffContext>) {
        flow.register(staff, Web.outcomeDecision) { draft, target in
            try await decisionPage(try Subject(target.request, dates: flow.dates), draft, target.caller)
        } save: { draft, _, target in
            let subject = try Subject(target.request, dates: flow.dates)
            let decision: OutcomeDecisionValue? =
                target.caller.canEditReferential ? draft.choice("decision", required: true) : .proposed
            guard draft.isValid, let decision else { return nil }
            let recorded = try await services.ledger.outcomes.record(
                target.caller, pathwayId: subject.pathwayId, rule: subject.rule, establishedOn: subject.established,
                decision: decision, note: draft.text("note"), asOf: services.clock.today)
            return Web.outcomes.path(
                query: (recorded.decision == .proposed ? Notice.outcomeProposed : .outcomeDecided).query())
        }
        staff.get(RouterPath(Web.decisions.pattern)) { request, context in
            try await flow.pages.render(
                try await decisionsPage(request, context.caller), request: request, context: context)
        }
        flow.register(staff, Web.correctDecision) { draft, target in
            try await correctionPage(try target.id(), draft, target.caller)
        } save: { draft, _, target in
            let decision: OutcomeDecisionValue? = draft.choice("decision", required: true)
            let reason = draft.text("reason", required: true)
            guard draft.isValid, let decision else { return nil }
            _ = try await services.ledger.outcomes.correct(
                target.caller, decisionId: try target.id(), to: decision, reason: reason)
            return Web.decisions.path(query: Notice.decisionCorrected.query())
        }
    }

    /// The candidate a decision is about, named by the outcomes page's link.
    struct Subject: Sendable {
        let pathwayId: UUID
        let rule: OutcomeRule
        let established: LocalDate

        init(_ request: Request, dates: DateWindow) throws(DomainError) {
            let query = request.query
            guard let pathway = try query.uuid("parcours"), let rule = query.text("regle").flatMap(OutcomeRule.init),
                let established = query.text("etablie")
            else {
                throw DomainError.notFound("Sortie positive inconnue : repartez de la liste des sorties positives.")
            }
            pathwayId = pathway
            self.rule = rule
            self.established = try dates.parse(established, field: "etablie")
        }

        var path: String {
            Web.outcomeDecision.path(
                query: [("parcours", pathwayId.slug), ("regle", rule.rawValue), ("etablie", established.description)])
        }
    }

    private func decisionPage(_ subject: Subject, _ draft: FormDraft?, _ caller: Caller) async throws
        -> RecordFormPage
    {
        let candidates = try await services.ledger.outcomes.candidates(
            caller, asOf: services.clock.today, pathwayId: subject.pathwayId)
        guard
            let found = candidates.first(where: {
                $0.candidate.rule == subject.rule && $0.candidate.establishedOn == subject.established
            })
        else {
            throw DomainError.conflict(
                "Cette sortie positive n'est plus à décider : les faits ont changé ou une décision a déjà été prise.")
        }
        let draft = draft ?? flow.draft([:])
        var fields: [FormField] = []
        if caller.canEditReferential {
            fields.append(
                draft.select(
                    "decision", "Décision du comité",
                    options: [
                        (OutcomeDecisionValue.accepted.rawValue, "Retenue : sortie positive validée"),
                        (OutcomeDecisionValue.refused.rawValue, "Non retenue"),
                    ], blank: "Choisir…", required: true))
        }
        fields.append(
            draft.textarea("note", "Note (facultative)", hint: "Ce que le comité a dit, gardé avec la décision"))
        return RecordFormPage(
            title: caller.canEditReferential
                ? "Décision du comité — \(found.participantName)" : "Proposer au comité — \(found.participantName)",
            intro:
                "\(found.candidate.rule.frenchLabel), établie le \(found.candidate.establishedOn.french) (\(found.plieName)) : \(found.candidate.evidence)"
                + (found.includesUnvalidatedHours ? " Comprend des heures pas encore validées." : "")
                + (found.proposedBy.map { " Proposée au comité par \($0)." } ?? ""),
            back: (Web.outcomes.path(), "Sorties positives"), action: subject.path, draft: draft,
            sections: [FormSection(legend: nil, fields: fields)],
            submit: caller.canEditReferential ? "Confirmer la décision" : "Confirmer la proposition")
    }

    struct DecisionsPage: PageModel {
        static let template = "decisions"
        struct Row: Codable, Sendable {
            let person: String
            let personLink: String
            let plie: String
            let rule: String
            let decision: String
            let decided: String
            let note: String?
            let correction: String?
            let correct: String?
        }
        var title = "Décisions du comité"
        let controls: ListControls
        let rows: [Row]
    }

    private func decisionsPage(_ request: Request, _ caller: Caller) async throws -> DecisionsPage {
        let params = try ListParams(request)
        let plieId = try request.query.uuid("plie")
        let slice = try await services.ledger.outcomes.committeeDecisions(
            caller, plieId: plieId, limit: ListParams.pageSize, offset: params.query.offset)
        return DecisionsPage(
            controls: ListControls(
                slice, params: params, route: Web.decisions, filters: [("plie", plieId?.slug)],
                columns: [
                    ("Personne", nil), ("Sortie positive", nil), ("Décision", nil), ("Enregistrée", nil),
                    ("Suite", nil),
                ], noun: ("décision", "décisions")),
            rows: slice.items.map { item in
                let d = item.decision
                return DecisionsPage.Row(
                    person: "\(item.personName) (\(item.reference))", personLink: Web.participant.path(d.participantId),
                    plie: item.plieName, rule: "\(d.rule.frenchLabel), établie le \(d.establishedOn.french)",
                    decision: d.decision.frenchLabel,
                    decided: "\(d.decidedByLabel), le \(French.dateTime(d.decidedAt))", note: d.note,
                    correction: d.correctedAt.map { at in
                        "Corrigée le \(French.dateTime(at)) par \(d.correctedByLabel ?? "—") (d'abord « \(d.firstDecision?.frenchLabel ?? "—") ») : \(d.correctionReason ?? "")"
                    },
                    correct: caller.canEditReferential ? Web.correctDecision.path(d.id) : nil)
            })
    }

    private func correctionPage(_ id: UUID, _ draft: FormDraft?, _ caller: Caller) async throws -> RecordFormPage {
        try caller.requireEditor()
        let draft = draft ?? flow.draft([:])
        return RecordFormPage(
            title: "Corriger une décision du comité",
            intro:
                "Pour une décision mal enregistrée : la décision corrigée remplace la première dans les indicateurs ; la première, la date et le motif restent dans l'historique.",
            back: (Web.decisions.path(), "Décisions du comité"), action: Web.correctDecision.path(id), draft: draft,
            sections: [
                FormSection(
                    legend: nil,
                    fields: [
                        draft.select(
                            "decision", "Décision corrigée",
                            options: [
                                (OutcomeDecisionValue.accepted.rawValue, OutcomeDecisionValue.accepted.frenchLabel),
                                (OutcomeDecisionValue.refused.rawValue, OutcomeDecisionValue.refused.frenchLabel),
                            ], blank: "Choisir…", required: true),
                        draft.textarea("reason", "Motif de la correction", required: true),
                    ])
            ], submit: "Corriger la décision")
    }
}
