import ClausesCore
import Foundation
import Hummingbird

/// Placing a person on a lot (from the lot or from the person's record), with the eligibility check shown
/// before saving — which criteria are valid at the start, or why none is — and changing or ending a
/// placement. Admins and facilitators.
struct PlacementForms {
    let services: AppServices
    let flow: RecordForms

    private var validityMonths: Int { services.config.ledger.eligibilityValidityMonths }

    func register(on editors: RouterGroup<EditorContext>) {
        flow.register(editors, Web.newPlacement) { draft, target in
            try await newPage(try Fixed(target.request), draft, target.caller)
        } save: { draft, posted, target in
            let fixed = try Fixed(target.request)
            // « Vérifier » reads nothing else: the page shows the eligibility check of what is typed.
            guard !posted.isPreview, let input = try await input(&draft, fixed, target.caller) else { return nil }
            let placement = try await services.ledger.placements.create(target.caller, input)
            return fixed.lotId != nil
                ? Web.lot.path(placement.lotId, query: Notice.placementCreated.query())
                : Web.participant.path(placement.participantId, query: Notice.placementCreated.query())
        }
        flow.register(editors, Web.editPlacement) { draft, target in
            editPage(try await services.ledger.placements.get(target.caller, id: try target.id()), draft)
        } save: { draft, posted, target in
            var input = Placement.Input()
            input.endDate = draft.date("endDate")
            input.weeklyHours = draft.decimal("weeklyHours", required: true).map(FlexibleDecimal.init)
            input.contractType = draft.choice("contractType", required: true)
            input.reducedHoursAgreed = draft.flag("reducedHoursAgreed")
            input.onClauseOperation = draft.flag("onClauseOperation")
            input.clear = draft.emptied(Placement.Input.clearable)
            guard draft.isValid else { return nil }
            let placement = try await services.ledger.placements.update(
                target.caller, id: try target.id(), input, expected: posted.expected)
            return Web.participant.path(placement.participantId, query: Notice.saved.query())
        }
    }

    /// What the link that opened the form fixed: the lot (from a lot's page) or the person (from a record).
    struct Fixed: Sendable {
        let lotId: UUID?
        let participantId: UUID?

        init(_ request: Request) throws(DomainError) {
            lotId = try request.query.uuid("lot")
            participantId = try request.query.uuid("participant")
        }

        var query: [(String, String?)] { [("lot", lotId?.slug), ("participant", participantId?.slug)] }
    }

    private func newPage(_ fixed: Fixed, _ draft: FormDraft?, _ caller: Caller) async throws -> RecordFormPage {
        var draft =
            draft
            ?? flow.draft([
                "startDate": services.clock.today.description, "executionMode": ExecutionMode.directHire.rawValue,
                "weeklyHours": "35", "onClauseOperation": "on",
            ])
        let lot = try await (fixed.lotId ?? draft.values["lotId"].flatMap(UUID.init(uuidString:))).asyncMap {
            try await services.lots.get(caller, id: $0)
        }
        let person = try await fixed.participantId.asyncMap {
            try await services.ledger.participants.get(caller, id: $0)
        }
        var fields: [FormField] = []
        if fixed.participantId == nil {
            fields.append(
                draft.input(
                    "reference", "Référence du participant", required: true,
                    hint: "Le numéro de son dossier, tel qu'il figure dans la liste des participants"))
        }
        if fixed.lotId == nil {
            let lots = try await services.lots.slice(caller, query: ListQuery(sort: "marche", limit: 500))
            fields.append(
                draft.select(
                    "lotId", "Lot",
                    options: lots.items.map {
                        ($0.id.slug, "\($0.publicContractReference) · lot \($0.number) — \($0.label)")
                    },
                    blank: "Choisir…", required: true,
                    hint: lots.total > lots.items.count
                        ? "Les \(lots.items.count) premiers lots : pour un autre, partez de la page du lot (« Placer une personne »)."
                        : nil))
        }
        let companies = try await lot.asyncMap { try await services.lotCompanies.list(caller, lotId: $0.id) } ?? []
        fields += [
            draft.select(
                "companyId", "Employeur",
                options: companies.map { ($0.companyId.slug, "\($0.companyName) (\($0.role.frenchLabel))") },
                blank: lot == nil ? "Choisissez d'abord le lot, puis « Vérifier »" : "Choisir…", required: true),
            draft.select("executionMode", "Modalité", ExecutionMode.self, label: \.frenchLabel, required: true),
            draft.select(
                "contractType", "Contrat", EmploymentContractType.self, label: \.frenchLabel, blank: "Choisir…",
                required: true),
            draft.date("startDate", "Début", required: true), draft.date("endDate", "Fin prévue"),
            draft.input("weeklyHours", "Heures par semaine", required: true),
            draft.checkbox("reducedHoursAgreed", "Durée réduite convenue"),
            draft.checkbox("onClauseOperation", "Sur l'opération du marché"),
        ]
        let preview = try await eligibilityPreview(&draft, fixed, caller)
        let who = person.map { "\($0.firstName) \($0.lastName.uppercased())" }
        return RecordFormPage(
            title: "Mise à l'emploi" + (who.map { " de \($0)" } ?? "")
                + (lot.map { " sur le lot \($0.number) — \($0.label)" } ?? ""),
            intro:
                "« Vérifier » montre l'éligibilité de la personne au jour du début (DOMAIN §5) sans rien enregistrer ; les critères valides ce jour-là sont gardés avec la mise à l'emploi.",
            back: lot.flatMap { fixed.lotId == nil ? nil : (Web.lot.path($0.id), "Lot \($0.number)") }
                ?? person.map { (Web.participant.path($0.id), "Fiche du participant") } ?? (Web.lots.path(), "Lots"),
            action: Web.newPlacement.path(query: fixed.query), draft: draft,
            sections: [FormSection(legend: nil, fields: fields)], submit: "Créer la mise à l'emploi",
            previewButton: "Vérifier l'éligibilité", preview: preview)
    }

    /// The person the form names: fixed by the link, or typed as a reference.
    private func participant(_ draft: inout FormDraft, _ fixed: Fixed, _ caller: Caller) async throws -> Participant? {
        if let id = fixed.participantId { return try await services.ledger.participants.get(caller, id: id) }
        guard let reference = draft.text("reference", required: true) else { return nil }
        do {
            return try await services.ledger.participants.get(caller, reference: reference)
        } catch let error as DomainError where error.kind == .notFound {
            draft.errors["reference"] = error.message
            return nil
        }
    }

    /// Who is eligible at the start, on which criteria, or why not: each proof's standing that day.
    private func eligibilityPreview(_ draft: inout FormDraft, _ fixed: Fixed, _ caller: Caller) async throws
        -> RecordFormPage.Preview?
    {
        guard fixed.participantId != nil || !(draft.values["reference"] ?? "").isEmpty,
            !(draft.values["startDate"] ?? "").isEmpty
        else { return nil }
        var trial = draft
        guard let person = try await participant(&trial, fixed, caller), let start = trial.date("startDate") else {
            draft.errors.merge(trial.errors) { $1 }
            return nil
        }
        let facts = person.eligibilityFacts
        let verdict = eligibility(of: facts, at: start, validityMonths: validityMonths)
        let name = "\(person.firstName) \(person.lastName.uppercased())"
        if verdict.eligible {
            return .init(
                heading: "\(name) est éligible le \(start.french)",
                lines: verdict.criteria.map { "\($0.rawValue) — \($0.frenchLabel)" }
                    + (verdict.validUntil.map { ["Au moins un critère reste valide jusqu'au \($0.french)."] } ?? []),
                good: true)
        }
        let reasons = ineligibilityReasons(of: facts, at: start, validityMonths: validityMonths)
        return .init(
            heading: "\(name) n'est pas éligible le \(start.french)",
            lines: (reasons.isEmpty
                ? ["Aucun justificatif enregistré, et aucun parcours PLIE ouvert à cette date."] : reasons)
                + ["Ajoutez et validez un justificatif sur sa fiche, ou ouvrez son parcours PLIE."],
            good: false)
    }

    private func input(_ draft: inout FormDraft, _ fixed: Fixed, _ caller: Caller) async throws -> Placement.Input? {
        let person = try await participant(&draft, fixed, caller)
        var input = Placement.Input()
        input.participantId = person?.id
        input.lotId = fixed.lotId ?? draft.uuid("lotId", required: true)
        input.companyId = draft.uuid("companyId", required: true)
        input.executionMode = draft.choice("executionMode", required: true)
        input.contractType = draft.choice("contractType", required: true)
        input.startDate = draft.date("startDate", required: true)
        input.endDate = draft.date("endDate")
        if let start = input.startDate, let end = input.endDate, end < start {
            draft.errors["endDate"] = "La fin (\(end.french)) précède le début (\(start.french))."
        }
        input.weeklyHours = draft.decimal("weeklyHours", required: true).map(FlexibleDecimal.init)
        input.reducedHoursAgreed = draft.flag("reducedHoursAgreed")
        input.onClauseOperation = draft.flag("onClauseOperation")
        return draft.isValid ? input : nil
    }

    private func editPage(_ placement: Placement, _ draft: FormDraft?) -> RecordFormPage {
        let draft =
            draft
            ?? flow.draft([
                "endDate": placement.endDate?.description ?? "",
                "weeklyHours": French.number(placement.weeklyHours, maxFraction: 2),
                "contractType": placement.contractType.rawValue,
                "reducedHoursAgreed": placement.reducedHoursAgreed ? "on" : "",
                "onClauseOperation": placement.onClauseOperation ? "on" : "",
            ])
        return RecordFormPage(
            title: "Mise à l'emploi \(placement.code) — \(placement.participantName)",
            intro:
                "Sur \(placement.publicContractReference) · \(placement.lotLabel), chez \(placement.companyName), depuis le \(placement.startDate.french). Pour y mettre fin, indiquez son dernier jour. Le début, la personne, le lot et l'employeur ne changent pas : terminez-la et créez-en une autre.",
            back: (Web.participant.path(placement.participantId), "Fiche du participant"),
            action: Web.editPlacement.path(placement.id), version: RecordVersion(placement.updatedAt), draft: draft,
            sections: [
                FormSection(
                    legend: nil,
                    fields: [
                        draft.date("endDate", "Fin (dernier jour)"),
                        draft.input("weeklyHours", "Heures par semaine", required: true),
                        draft.select(
                            "contractType", "Contrat", EmploymentContractType.self, label: \.frenchLabel, required: true
                        ),
                        draft.checkbox("reducedHoursAgreed", "Durée réduite convenue"),
                        draft.checkbox("onClauseOperation", "Sur l'opération du marché"),
                    ])
            ], submit: "Enregistrer")
    }
}
