import ClausesCore
import Foundation
import Hummingbird

/// Participants (staff: admin, facilitator, référent, each seeing whom their role may): the list with its
/// search, the record page (every opening written to the audit log), creating and changing a record,
/// adding a proof and validating it (admin, facilitator).
struct ParticipantPages {
    let services: AppServices
    let flow: RecordForms

    var validityMonths: Int { services.config.ledger.eligibilityValidityMonths }

    func register(on staff: RouterGroup<StaffContext>) {
        staff.get(RouterPath(Web.participants.pattern)) { request, context in
            try await flow.pages.render(try await list(request, context.caller), request: request, context: context)
        }
        flow.register(staff, Web.newParticipant) { draft, target in
            try await formPage(nil, draft, target.caller)
        } save: { draft, _, target in
            guard let input = try await input(&draft, creating: true, target.caller) else { return nil }
            let created = try await services.ledger.participants.create(target.caller, input)
            return Web.participant.path(created.id, query: Notice.created.query())
        }
        staff.get(RouterPath(Web.participant.pattern)) { request, context in
            let id = try context.uuid("id")
            let page = try await record(id, context.caller)
            try await services.ledger.participants.recordOpened(context.caller, participantId: id)
            return try await flow.pages.render(page, request: request, context: context)
        }
        flow.register(staff, Web.editParticipant) { draft, target in
            let participant = try await services.ledger.participants.get(target.caller, id: try target.id())
            // The form shows the record's personal data: its opening is audited like the record page's.
            if draft == nil {
                try await services.ledger.participants.recordOpened(target.caller, participantId: participant.id)
            }
            return try await formPage(participant, draft, target.caller)
        } save: { draft, posted, target in
            guard let input = try await input(&draft, creating: false, target.caller) else { return nil }
            let saved = try await services.ledger.participants.update(
                target.caller, id: try target.id(), input, expected: posted.expected)
            return Web.participant.path(saved.id, query: Notice.saved.query())
        }
        flow.register(staff, Web.newProof) { draft, target in
            proofPage(try await services.ledger.participants.get(target.caller, id: try target.id()), draft)
        } save: { draft, _, target in
            let code: EligibilityCriterionCode? = draft.choice("code", required: true)
            let input = EligibilityCriterion.Input(
                code: code, proofKind: draft.text("proofKind"), proofDate: draft.date("proofDate", required: true),
                attestedBy: draft.text("attestedBy"), validUntil: draft.date("validUntil"))
            guard draft.isValid else { return nil }
            // A facilitatrice who checked the original validates it in the same step.
            let saved = try await services.ledger.participants.addCriterion(
                target.caller, participantId: try target.id(), input, validate: draft.flag("validate"))
            return Web.participant.path(saved.id, query: Notice.proofAdded.query())
        }
        staff.post(RouterPath(Web.validateProof.pattern)) { request, context in
            let id = try context.uuid("id")
            let criterion = try context.uuid("criterion")
            _ = try await flow.forms.record(from: request, context: context, dates: flow.dates)
            _ = try await services.ledger.participants.validateCriterion(
                context.caller, participantId: id, criterionId: criterion)
            return Response.afterPost(to: Web.participant.path(id, query: Notice.proofValidated.query()))
        }
    }

    // MARK: List

    struct ListPage: PageModel {
        static let template = "participants"
        struct Row: Codable, Sendable {
            let link: String
            let name: String
            let reference: String
            let commune: String
            let pathway: String
            let criteria: String
        }
        var title = "Participants"
        let controls: ListControls
        let items: [Row]
        let commune: String
        let criteria: [SelectOption]
        let referents: [SelectOption]
        let statuses: [SelectOption]
        let plies: [SelectOption]
        /// Admins and facilitators keep the PLIE records.
        let canEditPLIE: Bool
    }

    private func list(_ request: Request, _ caller: Caller) async throws -> ListPage {
        let params = try ListParams(request)
        let query = request.query
        var filter = ParticipantFilter()
        filter.referentUserId = try query.uuid("referent")
        filter.plieId = try query.uuid("plie")
        filter.pathwayStatus = try query.choice("parcours")
        filter.criterion = try query.choice("critere")
        filter.communeInsee = query.text("commune")
        let slice = try await services.ledger.participants.slice(caller, filter: filter, query: params.query)
        let today = services.clock.today
        let staff = try await services.users.staff(caller)
        let plies = try await services.ledger.plie.list(caller, page: PageRequest(limit: 500)).items
        let filters: [(String, String?)] = [
            ("commune", filter.communeInsee), ("critere", filter.criterion?.rawValue),
            ("referent", filter.referentUserId?.slug), ("parcours", filter.pathwayStatus?.rawValue),
            ("plie", filter.plieId?.slug),
        ]
        let any = SelectOption(value: "", label: "Tous", selected: false)
        return ListPage(
            controls: ListControls(
                slice, params: params, route: Web.participants, filters: filters,
                columns: [
                    ("Nom", "nom"), ("Référence", "reference"), ("Commune", "commune"), ("Parcours", nil),
                    ("Critères valides aujourd'hui", nil),
                ], noun: ("participant", "participants")),
            items: slice.items.map { person in
                let latest = person.pathways.last
                let verdict = eligibility(of: person.eligibilityFacts, at: today, validityMonths: validityMonths)
                return ListPage.Row(
                    link: Web.participant.path(person.id), name: "\(person.firstName) \(person.lastName.uppercased())",
                    reference: person.reference, commune: person.communeInsee ?? "—",
                    pathway: latest.map {
                        "\($0.plieName) · \($0.status.frenchLabel)" + ($0.referentLabel.map { " · \($0)" } ?? "")
                    } ?? "Aucun parcours",
                    criteria: verdict.eligible ? verdict.criteria.map(\.rawValue).joined(separator: ", ") : "Aucun")
            },
            commune: filter.communeInsee ?? "",
            criteria: [any]
                + EligibilityCriterionCode.allCases.map {
                    SelectOption(value: $0.rawValue, label: $0.frenchLabel, selected: $0 == filter.criterion)
                },
            referents: [any]
                + staff.map {
                    SelectOption(value: $0.id.slug, label: $0.label, selected: $0.id == filter.referentUserId)
                },
            statuses: [any]
                + PathwayStatus.allCases.map {
                    SelectOption(value: $0.rawValue, label: $0.frenchLabel, selected: $0 == filter.pathwayStatus)
                },
            plies: [any]
                + plies.map { SelectOption(value: $0.id.slug, label: $0.name, selected: $0.id == filter.plieId) },
            canEditPLIE: caller.canEditReferential)
    }

    // MARK: Record

    struct RecordPage: PageModel {
        static let template = "participant"
        static let hasForms = true
        struct Fact: Codable, Sendable {
            let label: String
            let value: String
        }
        struct Proof: Codable, Sendable {
            let label: String
            let proof: String
            let validation: String
            let standing: String
            let valid: Bool
            let validateAction: String?
        }
        struct PathwayView: Codable, Sendable {
            let heading: String
            let facts: [Fact]
            let reviews: [String]
            let extensions: [LinkedLine]
            let decisions: [String]
            let actions: [ActionLink]
        }
        /// A line with an optional link (a pending extension's decision form).
        struct LinkedLine: Codable, Sendable {
            let text: String
            let link: String?
            let linkLabel: String?
        }
        struct PlacementLine: Codable, Sendable {
            let code: String
            let lot: String
            let lotLink: String
            let company: String
            let period: String
            let weekly: String
            let hours: String
            let edit: String?
        }
        let title: String
        let reference: String
        let identity: [Fact]
        let eligibleToday: String
        let proofs: [Proof]
        let pathways: [PathwayView]
        let placements: [PlacementLine]
        let episodes: [LinkedLine]
        let candidates: [String]
        let openings: [String]
        let isAdmin: Bool
        let actions: [ActionLink]
    }

    private func record(_ id: UUID, _ caller: Caller) async throws -> RecordPage {
        let participants = services.ledger.participants
        let person = try await participants.get(caller, id: id)
        let today = services.clock.today
        let facts = person.eligibilityFacts
        let verdict = eligibility(of: facts, at: today, validityMonths: validityMonths)
        let editor = caller.canEditReferential
        let proofs = person.criteria.map { criterion in
            let standing = ProofStanding.of(criterion.proof, facts: facts, at: today, validityMonths: validityMonths)
            let standingText: String
            let valid: Bool
            switch standing {
            case .valid(let until):
                standingText = "Valide aujourd'hui" + (until.map { ", jusqu'au \($0.french)" } ?? "")
                valid = true
            case .invalid(let why):
                standingText = "Non valide aujourd'hui : \(why)"
                valid = false
            }
            return RecordPage.Proof(
                label: "\(criterion.code.rawValue) — \(criterion.code.frenchLabel)",
                proof: [
                    criterion.proofKind, "daté du \(criterion.proofDate.french)",
                    criterion.attestedBy.map { "attesté par \($0)" },
                    criterion.validUntil.map { "fin de validité \($0.french)" },
                ].compactMap { $0 }.joined(separator: ", "),
                validation: criterion.validated
                    ? "Validé par \(criterion.validatedByLabel ?? "—")"
                        + (criterion.validatedAt.map { ", le \(French.dateTime($0))" } ?? "") : "Pas encore validé",
                standing: standingText, valid: valid,
                validateAction: !criterion.validated && editor
                    ? Web.validateProof.path([id.slug, criterion.id.slug]) : nil)
        }
        var pathways: [RecordPage.PathwayView] = []
        for pathway in person.pathways.reversed() {
            let decisions = try await services.ledger.outcomes.decisions(caller, pathwayId: pathway.id)
            let mayWrite = editor || pathway.referentUserId == caller.userId
            var actions: [ActionLink] = []
            if mayWrite {
                actions.append(ActionLink(label: "Modifier", link: Web.editPathway.path(pathway.id), secondary: true))
                if pathway.status != .exited {
                    actions += [
                        ActionLink(label: "Point d'étape", link: Web.pathwayReview.path(pathway.id), secondary: true),
                        ActionLink(
                            label: "Demander une prolongation", link: Web.pathwayExtension.path(pathway.id),
                            secondary: true),
                        ActionLink(label: "Clôturer (sortie)", link: Web.pathwayExit.path(pathway.id), secondary: true),
                    ]
                }
            }
            pathways.append(
                RecordPage.PathwayView(
                    heading: "\(pathway.plieName) — \(pathway.status.frenchLabel)",
                    facts: [
                        .init(label: "Entrée", value: pathway.entryDate.french),
                        .init(label: "Référent", value: pathway.referentLabel ?? "—"),
                        .init(
                            label: "Sortie",
                            value: pathway.exitDate.map { date in
                                "\(date.french) — \(pathway.exitKind?.frenchLabel ?? "")"
                                    + (pathway.exitReason.map { " (\($0))" } ?? "")
                            } ?? "—"),
                        .init(label: "Durée atteinte le", value: Display.date(pathway.milestones?.lengthReachedOn)),
                        .init(label: "Prochain point d'étape", value: Display.date(pathway.milestones?.nextReviewDue)),
                    ],
                    reviews: pathway.reviews.map {
                        "\($0.reviewDate.french) — \($0.note ?? "sans note") (\($0.recordedByLabel))"
                    },
                    extensions: pathway.extensions.map { ext in
                        RecordPage.LinkedLine(
                            text:
                                "\(ext.months) mois demandés le \(ext.requestedOn.french) par \(ext.requestedByLabel) : \(ext.reason) — \(ext.status.frenchLabel)"
                                + (ext.decidedOn.map { " le \($0.french)" } ?? "")
                                + (ext.decisionNote.map { " (\($0))" } ?? ""),
                            link: ext.status == .requested && editor
                                ? Web.extensionDecision.path([pathway.id.slug, ext.id.slug]) : nil,
                            linkLabel: "Enregistrer la décision du comité")
                    },
                    decisions: decisions.map {
                        "\($0.rule.frenchLabel) établie le \($0.establishedOn.french) : \($0.decision.frenchLabel) (\($0.decidedByLabel), \(French.dateTime($0.decidedAt)))"
                            + ($0.note.map { " — \($0)" } ?? "")
                    }, actions: actions))
        }
        let placements = try await services.ledger.placements.all(caller, filter: PlacementFilter(participantId: id))
        var placementLines: [RecordPage.PlacementLine] = []
        for placement in placements {
            let reports = try await services.ledger.hours.list(caller, placementId: placement.id)
            let validated = reports.filter { $0.status == .validated }.reduce(Decimal(0)) { $0 + $1.workedHours }
            let declared = reports.filter { $0.status == .declared }.reduce(Decimal(0)) { $0 + $1.workedHours }
            placementLines.append(
                .init(
                    code: placement.code, lot: "\(placement.publicContractReference) · \(placement.lotLabel)",
                    lotLink: Web.lot.path(placement.lotId), company: placement.companyName,
                    period: "\(placement.startDate.french) → \(Display.date(placement.endDate))",
                    weekly: French.hours(placement.weeklyHours),
                    hours: "\(French.hours(validated)) validées"
                        + (declared > 0 ? ", \(French.hours(declared)) à valider" : ""),
                    edit: editor ? Web.editPlacement.path(placement.id) : nil))
        }
        let episodes = try await services.ledger.episodes.list(caller, participantId: id).map { episode in
            RecordPage.LinkedLine(
                text:
                    "\(episode.employerName) — \(episode.contractType.frenchLabel), \(episode.startDate.french) → \(Display.date(episode.endDate))",
                link: Web.editEpisode.path(episode.id), linkLabel: "Modifier")
        }
        // Every pathway the detection still reads (open, or exited within the configured months).
        let candidates = try await services.ledger.outcomes.candidates(
            caller, selection: .init(participantId: id), asOf: today
        ).map {
            "\($0.candidate.rule.frenchLabel), établie le \($0.candidate.establishedOn.french) : \($0.candidate.evidence)"
                + ($0.proposedBy.map { " — proposée au comité par \($0)" } ?? "")
        }
        let openings =
            caller.role == .admin
            ? try await participants.openings(caller, participantId: id, limit: 20).map {
                "\(French.dateTime($0.at)) — \($0.by)"
            } : []
        var actions = [
            ActionLink(label: "Modifier la fiche", link: Web.editParticipant.path(id), secondary: true),
            ActionLink(label: "Ajouter un justificatif", link: Web.newProof.path(id), secondary: true),
            ActionLink(label: "Ouvrir un parcours", link: Web.newPathway.path(id), secondary: true),
            ActionLink(label: "Ajouter un emploi hors clause", link: Web.newEpisode.path(id), secondary: true),
        ]
        if editor {
            actions.insert(
                ActionLink(label: "Placer sur un lot", link: Web.newPlacement.path(query: [("participant", id.slug)])),
                at: 0)
        }
        return RecordPage(
            title: "\(person.firstName) \(person.lastName.uppercased())", reference: person.reference,
            identity: [
                .init(label: "Né(e) le", value: Display.date(person.birthDate)),
                .init(label: "Sexe", value: person.sex ?? "—"),
                .init(label: "Commune (INSEE)", value: person.communeInsee ?? "—"),
                .init(label: "Quartier prioritaire", value: person.priorityArea?.frenchLabel ?? "—"),
                .init(label: "Niveau de qualification", value: person.qualificationLevel?.frenchLabel ?? "—"),
                .init(label: "Prescripteur", value: person.prescriber?.frenchLabel ?? "—"),
                .init(label: "Situation", value: person.labourMarketStatus?.frenchLabel ?? "—"),
                .init(label: "Téléphone", value: person.phone ?? "—"),
                .init(label: "Courriel", value: person.email ?? "—"),
                .init(
                    label: "Métiers visés (ROME)",
                    value: person.targetJobs.isEmpty ? "—" : person.targetJobs.joined(separator: ", ")),
                .init(label: "Disponible à partir du", value: Display.date(person.availableFrom)),
                .init(
                    label: "Contact partagé avec un employeur",
                    value: person.contactSharing.frenchLabel
                        + (person.contactConsentOn.map { " (accord du \($0.french))" } ?? "")),
            ],
            eligibleToday: verdict.eligible
                ? "Éligible aujourd'hui : " + verdict.criteria.map(\.frenchLabel).joined(separator: " ; ")
                : "Non éligible aujourd'hui : aucun critère valide.",
            proofs: proofs, pathways: pathways, placements: placementLines, episodes: episodes,
            candidates: candidates, openings: openings, isAdmin: caller.role == .admin, actions: actions)
    }

    // MARK: Create and edit

    private func formPage(_ person: Participant?, _ draft: FormDraft?, _ caller: Caller) async throws
        -> RecordFormPage
    {
        var values: [String: String] = [:]
        if let person {
            values = [
                "reference": person.reference, "lastName": person.lastName, "firstName": person.firstName,
                "birthDate": person.birthDate?.description ?? "", "sex": person.sex ?? "", "phone": person.phone ?? "",
                "email": person.email ?? "", "communeInsee": person.communeInsee ?? "",
                "priorityArea": person.priorityArea?.rawValue ?? "",
                "qualificationLevel": person.qualificationLevel?.rawValue ?? "",
                "prescriber": person.prescriber?.rawValue ?? "",
                "labourMarketStatus": person.labourMarketStatus?.rawValue ?? "",
                "targetJobs": person.targetJobs.joined(separator: " "), "skills": person.skills.joined(separator: " "),
                "drivingLicence": person.drivingLicence == true ? "on" : "",
                "vehicle": person.vehicle == true ? "on" : "",
                "maxTravelKm": person.maxTravelKm.map(String.init) ?? "",
                "availableFrom": person.availableFrom?.description ?? "",
                "contactSharing": person.contactSharing.rawValue,
                "contactConsentOn": person.contactConsentOn?.description ?? "",
            ]
        } else if caller.role == .referent, let me = caller.userId {
            values["referentUserId"] = me.slug
        }
        let draft = draft ?? flow.draft(values)
        var sections = [
            FormSection(
                legend: "Identité",
                fields: [
                    draft.input("reference", "Référence", required: true, hint: "Le numéro du dossier au PLIE"),
                    draft.input("lastName", "Nom", required: true), draft.input("firstName", "Prénom", required: true),
                    draft.date("birthDate", "Date de naissance"),
                    draft.select("sex", "Sexe", options: [("F", "Femme"), ("M", "Homme")], blank: "Non renseigné"),
                    draft.input("phone", "Téléphone", type: "tel"), draft.input("email", "Courriel", type: "email"),
                    draft.input("communeInsee", "Commune de résidence (code INSEE)"),
                    draft.select(
                        "priorityArea", "Quartier prioritaire", PriorityArea.self, label: \.frenchLabel,
                        blank: "Non renseigné"),
                ]),
            FormSection(
                legend: "Situation",
                fields: [
                    draft.select(
                        "qualificationLevel", "Niveau de qualification", QualificationLevel.self, label: \.frenchLabel,
                        blank: "Non renseigné"),
                    draft.select(
                        "prescriber", "Prescripteur", Prescriber.self, label: \.frenchLabel, blank: "Non renseigné"),
                    draft.select(
                        "labourMarketStatus", "Situation sur le marché du travail", LabourMarketStatus.self,
                        label: \.frenchLabel, blank: "Non renseignée"),
                    draft.input("targetJobs", "Métiers visés (codes ROME)", hint: "Séparés par des espaces"),
                    draft.input("skills", "Compétences (codes ROME)", hint: "Séparés par des espaces"),
                    draft.checkbox("drivingLicence", "Permis B"), draft.checkbox("vehicle", "Véhiculé(e)"),
                    draft.input("maxTravelKm", "Distance maximale de déplacement (km)", type: "number"),
                    draft.date("availableFrom", "Disponible à partir du"),
                    draft.select(
                        "contactSharing", "Contact que la personne accepte de partager avec un employeur",
                        ContactSharing.self, label: \.frenchLabel, blank: nil),
                    draft.date(
                        "contactConsentOn", "Date de son accord",
                        hint: "Par défaut, le jour où le partage est enregistré"),
                ]),
        ]
        if person == nil {
            let plies = try await services.ledger.plie.list(caller, page: PageRequest(limit: 500)).items
            let referents = try await services.users.referentChoices(caller)
            sections.append(
                FormSection(
                    legend: caller.role == .referent ? "Parcours PLIE (obligatoire)" : "Parcours PLIE (facultatif)",
                    fields: [
                        draft.select(
                            "plieId", "PLIE", options: plies.map { ($0.id.slug, $0.name) },
                            blank: "Aucun parcours pour l'instant"),
                        draft.date("entryDate", "Date d'entrée"),
                        draft.select(
                            "referentUserId", "Référent", options: referents.map { ($0.id.slug, $0.label) },
                            blank: caller.role == .referent ? nil : "Aucun"),
                    ]))
        }
        return RecordFormPage(
            title: person.map { "Modifier la fiche de \($0.firstName) \($0.lastName.uppercased())" }
                ?? "Nouveau participant",
            intro: "Données personnelles : ne saisissez que ce qui sert au suivi du parcours et aux mises à l'emploi.",
            back: person.map { (Web.participant.path($0.id), "Fiche du participant") } ?? (
                Web.participants.path(), "Participants"
            ),
            action: person.map { Web.editParticipant.path($0.id) } ?? Web.newParticipant.path(),
            version: person.map { RecordVersion($0.updatedAt) }, draft: draft, sections: sections,
            submit: person == nil ? "Créer la fiche" : "Enregistrer")
    }

    private func input(_ draft: inout FormDraft, creating: Bool, _ caller: Caller) async throws -> Participant.Input? {
        let codes = { (text: String) in
            text.split(whereSeparator: { $0 == " " || $0 == "," }).map { String($0).uppercased() }
        }
        var input = Participant.Input(
            reference: draft.text("reference", required: true), lastName: draft.text("lastName", required: true),
            firstName: draft.text("firstName", required: true), birthDate: draft.date("birthDate"),
            sex: draft.clearable("sex"), phone: draft.clearable("phone"), email: draft.clearable("email"),
            communeInsee: draft.clearable("communeInsee"), priorityArea: draft.choice("priorityArea"),
            qualificationLevel: draft.choice("qualificationLevel"), prescriber: draft.choice("prescriber"),
            labourMarketStatus: draft.choice("labourMarketStatus"), skills: codes(draft.clearable("skills")),
            targetJobs: codes(draft.clearable("targetJobs")), drivingLicence: draft.flag("drivingLicence"),
            vehicle: draft.flag("vehicle"), maxTravelKm: draft.integer("maxTravelKm"),
            availableFrom: draft.date("availableFrom"), contactSharing: draft.choice("contactSharing"),
            contactConsentOn: draft.date("contactConsentOn"))
        if !creating {
            input.clear = draft.emptied(Participant.Input.clearable.subtracting(["drivingLicence", "vehicle"]))
        }
        if creating {
            let plie = draft.uuid("plieId", required: caller.role == .referent)
            let entry = draft.date("entryDate", required: plie != nil)
            if let plie {
                input.pathway = Pathway.Input(
                    plieId: plie, entryDate: entry, referentUserId: draft.uuid("referentUserId"))
            }
        }
        return draft.isValid ? input : nil
    }

    // MARK: Proofs

    private func proofPage(_ person: Participant, _ draft: FormDraft?) -> RecordFormPage {
        let draft = draft ?? flow.draft(["proofDate": services.clock.today.description])
        let codes = EligibilityCriterionCode.allCases.filter { $0 != .PLIE }
        return RecordFormPage(
            title: "Justificatif d'éligibilité — \(person.firstName) \(person.lastName.uppercased())",
            intro:
                "Un justificatif compte une fois validé par la facilitatrice, pendant \(validityMonths) mois à partir de sa date (la décision RQTH et le PASS IAE jusqu'à leur fin). Le critère PLIE découle d'un parcours ouvert.",
            back: (Web.participant.path(person.id), "Fiche du participant"), action: Web.newProof.path(person.id),
            draft: draft,
            sections: [
                FormSection(
                    legend: nil,
                    fields: [
                        draft.select(
                            "code", "Critère",
                            options: codes.map { ($0.rawValue, "\($0.rawValue) — \($0.frenchLabel)") },
                            blank: "Choisir…", required: true),
                        draft.input(
                            "proofKind", "Nature du justificatif", hint: "Par exemple : attestation France Travail"),
                        draft.date("proofDate", "Date du justificatif", required: true),
                        draft.input("attestedBy", "Délivré par"),
                        draft.date("validUntil", "Fin de validité", hint: "RQTH et PASS IAE seulement"),
                        draft.checkbox(
                            "validate", "J'ai vu l'original : valider ce justificatif maintenant",
                            hint: "Facilitatrice ou administrateur seulement"),
                    ])
            ], submit: "Enregistrer le justificatif")
    }
}
