import ClausesCore
import Foundation
import Hummingbird

/// A participant's PLIE pathways (open, change, points d'étape, extension requests and the committee's
/// decision with the référent's quota, exit) and employment outside clauses. Staff; the stores check
/// who may write what (a référent their own pathways, the committee's decisions admins and facilitators).
struct PathwayForms {
    let services: AppServices
    let flow: RecordForms

    private var pathways: PathwayStore { services.ledger.pathways }
    private var episodes: EmploymentEpisodeStore { services.ledger.episodes }

    func register(on staff: RouterGroup<StaffContext>) {
        flow.register(staff, Web.newPathway) { draft, target in
            try await openPage(try await person(target), draft, target.caller)
        } save: { draft, _, target in
            let input = Pathway.Input(
                plieId: draft.uuid("plieId", required: true), entryDate: draft.date("entryDate", required: true),
                referentUserId: draft.uuid("referentUserId"))
            guard draft.isValid else { return nil }
            let opened = try await pathways.open(target.caller, participantId: try target.id(), input)
            return Web.participant.path(opened.participantId, query: Notice.created.query())
        }
        flow.register(staff, Web.editPathway) { draft, target in
            try await editPage(try await pathway(target), draft, target.caller)
        } save: { draft, posted, target in
            let status: PathwayStatus? = draft.choice("status", required: true)
            // « Sorti (inchangé) » keeps an exit; only « En parcours » reopens it.
            var input = Pathway.Input(
                entryDate: draft.date("entryDate", required: true), referentUserId: draft.uuid("referentUserId"),
                status: status == .exited ? nil : status, projectValidatedOn: draft.date("projectValidatedOn"))
            input.clear = draft.emptied(Pathway.Input.clearable)
            guard draft.isValid else { return nil }
            let saved = try await pathways.update(
                target.caller, id: try target.id(), input, expected: posted.expected)
            return Web.participant.path(saved.participantId, query: Notice.saved.query())
        }
        flow.register(staff, Web.pathwayReview) { draft, target in
            let pathway = try await pathway(target)
            let draft = draft ?? flow.draft(["reviewDate": services.clock.today.description])
            return page(
                pathway, "Point d'étape", action: Web.pathwayReview, draft: draft,
                fields: [
                    draft.date("reviewDate", "Date du point d'étape", required: true), draft.textarea("note", "Note"),
                ],
                submit: "Enregistrer le point d'étape")
        } save: { draft, _, target in
            let input = PathwayReview.Input(
                reviewDate: draft.date("reviewDate", required: true), note: draft.text("note"))
            guard draft.isValid else { return nil }
            let saved = try await pathways.addReview(target.caller, id: try target.id(), input)
            return Web.participant.path(saved.participantId, query: Notice.saved.query())
        }
        flow.register(staff, Web.pathwayExtension) { draft, target in
            let pathway = try await pathway(target)
            let draft = draft ?? flow.draft(["months": "6"])
            return page(
                pathway, "Demande de prolongation", action: Web.pathwayExtension, draft: draft,
                intro: "La demande va sur la liste du comité du mois ; le comité décide.",
                fields: [
                    draft.input("months", "Durée demandée (mois)", type: "number", required: true),
                    draft.textarea("reason", "Motif", required: true),
                ], submit: "Envoyer la demande au comité")
        } save: { draft, _, target in
            let input = PathwayExtension.Request(
                months: draft.integer("months", required: true), reason: draft.text("reason", required: true))
            guard draft.isValid else { return nil }
            let saved = try await pathways.requestExtension(target.caller, id: try target.id(), input)
            return Web.participant.path(saved.participantId, query: Notice.saved.query())
        }
        flow.register(staff, Web.extensionDecision) { draft, target in
            try await decisionPage(
                try await pathway(target), extensionId: try target.id("extension"), draft, target.caller)
        } save: { draft, _, target in
            let input = PathwayExtension.Decision(
                decision: draft.choice("decision", required: true), note: draft.text("note"),
                overrideReason: draft.text("overrideReason"))
            guard draft.isValid else { return nil }
            let saved = try await pathways.decideExtension(
                target.caller, id: try target.id(), extensionId: try target.id("extension"), input)
            return Web.participant.path(saved.participantId, query: Notice.saved.query())
        }
        flow.register(staff, Web.pathwayExit) { draft, target in
            let pathway = try await pathway(target)
            let draft = draft ?? flow.draft(["exitDate": services.clock.today.description])
            return page(
                pathway, "Sortie du parcours", action: Web.pathwayExit, draft: draft,
                intro: "Entré(e) le \(pathway.entryDate.french). La date de sortie est le dernier jour du parcours.",
                fields: [
                    draft.date("exitDate", "Date de sortie", required: true),
                    draft.select(
                        "exitKind", "Motif de sortie",
                        options: ExitKind.allCases.filter { $0 != .employmentUnspecified }.map {
                            ($0.rawValue, $0.frenchLabel)
                        }, blank: "Choisir…", required: true),
                    draft.textarea("exitReason", "Précisions"),
                ], submit: "Clôturer le parcours")
        } save: { draft, _, target in
            let input = Pathway.Exit(
                exitDate: draft.date("exitDate", required: true), exitKind: draft.choice("exitKind", required: true),
                exitReason: draft.text("exitReason"))
            guard draft.isValid else { return nil }
            let saved = try await pathways.exit(target.caller, id: try target.id(), input)
            return Web.participant.path(saved.participantId, query: Notice.saved.query())
        }
        flow.register(staff, Web.newEpisode) { draft, target in
            let person = try await person(target)
            return episodePage(
                participantId: person.id, name: "\(person.firstName) \(person.lastName.uppercased())", nil, draft)
        } save: { draft, _, target in
            guard let input = episodeInput(&draft) else { return nil }
            let saved = try await episodes.create(target.caller, participantId: try target.id(), input)
            return Web.participant.path(saved.participantId, query: Notice.created.query())
        }
        flow.register(staff, Web.editEpisode) { draft, target in
            let episode = try await episodes.get(target.caller, id: try target.id())
            let person = try await services.ledger.participants.get(target.caller, id: episode.participantId)
            return episodePage(
                participantId: person.id, name: "\(person.firstName) \(person.lastName.uppercased())", episode, draft)
        } save: { draft, posted, target in
            guard let input = episodeInput(&draft) else { return nil }
            let saved = try await episodes.update(
                target.caller, id: try target.id(), input, expected: posted.expected)
            return Web.participant.path(saved.participantId, query: Notice.saved.query())
        }
    }

    private func person(_ target: FormTarget) async throws -> Participant {
        try await services.ledger.participants.get(target.caller, id: try target.id())
    }

    private func pathway(_ target: FormTarget) async throws -> Pathway {
        try await pathways.get(target.caller, id: try target.id())
    }

    /// A short form about one pathway, back to its participant's record.
    private func page(
        _ pathway: Pathway, _ title: String, action: WebRoute, draft: FormDraft, intro: String? = nil,
        fields: [FormField], submit: String
    ) -> RecordFormPage {
        RecordFormPage(
            title: "\(title) — parcours \(pathway.plieName) du \(pathway.entryDate.french)", intro: intro,
            back: (Web.participant.path(pathway.participantId), "Fiche du participant"),
            action: action.path(pathway.id), draft: draft, sections: [FormSection(legend: nil, fields: fields)],
            submit: submit)
    }

    /// The référent select: any staff member, or a référent themself only (no « Aucun »).
    private func referentField(_ draft: FormDraft, _ caller: Caller) async throws -> FormField {
        draft.select(
            "referentUserId", "Référent",
            options: try await services.users.referentChoices(caller).map { ($0.id.slug, $0.label) },
            blank: caller.role == .referent ? nil : "Aucun")
    }

    private func openPage(_ person: Participant, _ draft: FormDraft?, _ caller: Caller) async throws -> RecordFormPage {
        let draft =
            draft
            ?? flow.draft([
                "entryDate": services.clock.today.description,
                "referentUserId": caller.role == .referent ? caller.userId?.slug ?? "" : "",
            ])
        let plies = try await services.ledger.plie.list(caller, page: PageRequest(limit: 500)).items
        return RecordFormPage(
            title: "Ouvrir un parcours — \(person.firstName) \(person.lastName.uppercased())",
            intro:
                "Un seul parcours ouvert par personne et par PLIE ; un parcours ouvert rend la personne éligible (critère PLIE).",
            back: (Web.participant.path(person.id), "Fiche du participant"), action: Web.newPathway.path(person.id),
            draft: draft,
            sections: [
                FormSection(
                    legend: nil,
                    fields: [
                        draft.select(
                            "plieId", "PLIE", options: plies.map { ($0.id.slug, $0.name) }, blank: "Choisir…",
                            required: true),
                        draft.date("entryDate", "Date d'entrée", required: true),
                        try await referentField(draft, caller),
                    ])
            ], submit: "Ouvrir le parcours")
    }

    private func editPage(_ pathway: Pathway, _ draft: FormDraft?, _ caller: Caller) async throws -> RecordFormPage {
        let draft =
            draft
            ?? flow.draft([
                "entryDate": pathway.entryDate.description, "referentUserId": pathway.referentUserId?.slug ?? "",
                "status": pathway.status == .exited ? PathwayStatus.exited.rawValue : pathway.status.rawValue,
                "projectValidatedOn": pathway.projectValidatedOn?.description ?? "",
            ])
        var statuses = [PathwayStatus.active, .suspended].map { ($0.rawValue, $0.frenchLabel) }
        if pathway.status == .exited { statuses.append((PathwayStatus.exited.rawValue, "Sorti (inchangé)")) }
        return RecordFormPage(
            title: "Parcours \(pathway.plieName) du \(pathway.entryDate.french)",
            intro: pathway.status == .exited
                ? "Choisir « En parcours » rouvre un parcours clôturé par erreur et efface sa sortie." : nil,
            back: (Web.participant.path(pathway.participantId), "Fiche du participant"),
            action: Web.editPathway.path(pathway.id), version: RecordVersion(pathway.updatedAt), draft: draft,
            sections: [
                FormSection(
                    legend: nil,
                    fields: [
                        draft.date("entryDate", "Date d'entrée", required: true),
                        try await referentField(draft, caller),
                        draft.select("status", "État", options: statuses, required: true),
                        draft.date(
                            "projectValidatedOn", "Projet professionnel validé le",
                            hint: "Par le référent ; la présélection des besoins en tient compte"),
                    ])
            ], submit: "Enregistrer")
    }

    private func decisionPage(_ pathway: Pathway, extensionId: UUID, _ draft: FormDraft?, _ caller: Caller)
        async throws -> RecordFormPage
    {
        try caller.requireEditor()
        guard let request = pathway.extensions.first(where: { $0.id == extensionId }) else {
            throw DomainError.notFound("Cette demande de prolongation n'existe pas.")
        }
        let quota = try await pathways.currentQuota(caller, pathwayId: pathway.id)
        let draft = draft ?? flow.draft([:])
        var fields = [
            draft.select(
                "decision", "Décision du comité",
                options: [
                    (ExtensionStatus.accepted.rawValue, "Accordée"), (ExtensionStatus.refused.rawValue, "Refusée"),
                ],
                blank: "Choisir…", required: true),
            draft.textarea("note", "Note"),
        ]
        if caller.role == .admin, quota?.allowsOneMore == false {
            fields.append(
                draft.textarea(
                    "overrideReason", "Motif pour accorder au-delà du quota", hint: "Administrateur seulement"))
        }
        return RecordFormPage(
            title: "Décision du comité sur la prolongation",
            intro:
                "\(request.months) mois demandés le \(request.requestedOn.french) par \(request.requestedByLabel) : \(request.reason). "
                + (quota.map {
                    "Quota du référent aujourd'hui : \($0.french)." + ($0.allowsOneMore ? "" : " Quota atteint.")
                }
                    ?? "Ce PLIE n'a pas de quota de prolongations."),
            back: (Web.participant.path(pathway.participantId), "Fiche du participant"),
            action: Web.extensionDecision.path([pathway.id.slug, extensionId.slug]), draft: draft,
            sections: [FormSection(legend: nil, fields: fields)], submit: "Enregistrer la décision")
    }

    private func episodePage(participantId: UUID, name: String, _ episode: EmploymentEpisode?, _ draft: FormDraft?)
        -> RecordFormPage
    {
        let draft =
            draft
            ?? flow.draft(
                episode.map {
                    [
                        "employerName": $0.employerName, "contractType": $0.contractType.rawValue,
                        "startDate": $0.startDate.description, "endDate": $0.endDate?.description ?? "",
                        "weeklyHours": $0.weeklyHours.map { French.number($0, maxFraction: 2) } ?? "",
                        "reducedHoursAgreed": $0.reducedHoursAgreed ? "on" : "", "source": $0.source ?? "",
                    ]
                } ?? [:])
        return RecordFormPage(
            title: episode == nil
                ? "Emploi hors clause — \(name)" : "Modifier l'emploi chez \(episode?.employerName ?? "")",
            intro: "Un emploi trouvé hors des clauses compte pour les sorties positives du PLIE.",
            back: (Web.participant.path(participantId), "Fiche du participant"),
            action: episode.map { Web.editEpisode.path($0.id) } ?? Web.newEpisode.path(participantId),
            version: episode.map { RecordVersion($0.updatedAt) }, draft: draft,
            sections: [
                FormSection(
                    legend: nil,
                    fields: [
                        draft.input("employerName", "Employeur", required: true),
                        draft.select(
                            "contractType", "Contrat", EmploymentContractType.self, label: \.frenchLabel,
                            blank: "Choisir…",
                            required: true),
                        draft.date("startDate", "Début", required: true), draft.date("endDate", "Fin"),
                        draft.input("weeklyHours", "Heures par semaine"),
                        draft.checkbox("reducedHoursAgreed", "Temps partiel accordé (durée réduite convenue)"),
                        draft.input("source", "Source de l'information", hint: "Par exemple : bulletin de salaire"),
                    ])
            ], submit: "Enregistrer")
    }

    private func episodeInput(_ draft: inout FormDraft) -> EmploymentEpisode.Input? {
        let start = draft.date("startDate", required: true)
        let end = draft.date("endDate")
        if let start, let end, end < start {
            draft.errors["endDate"] = "La fin (\(end.french)) précède le début (\(start.french))."
        }
        var input = EmploymentEpisode.Input(
            employerName: draft.text("employerName", required: true),
            contractType: draft.choice("contractType", required: true),
            startDate: start, endDate: end, weeklyHours: draft.decimal("weeklyHours"),
            reducedHoursAgreed: draft.flag("reducedHoursAgreed"), source: draft.clearable("source"))
        input.clear = draft.emptied(EmploymentEpisode.Input.clearable)
        return draft.isValid ? input : nil
    }
}
