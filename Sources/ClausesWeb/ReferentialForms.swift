import ClausesCore
import Foundation
import Hummingbird

/// Creating and changing buyers, operations, marchés, lots (with the clause calculator), companies and
/// their roles on a lot: admins and facilitators (`EditorContext`).
struct ReferentialForms {
    let services: AppServices
    let flow: RecordForms

    func register(on editors: RouterGroup<EditorContext>) {
        flow.register(editors, Web.newBuyer) { draft, _ in
            try await buyerPage(nil, draft)
        } save: { draft, posted, target in
            guard let input = buyerInput(&draft) else { return nil }
            return Web.buyer.path(
                try await services.buyers.create(target.caller, input).id, query: Notice.created.query())
        }
        flow.register(editors, Web.editBuyer) { draft, target in
            try await buyerPage(try await services.buyers.get(target.caller, id: try target.id()), draft)
        } save: { draft, posted, target in
            guard let input = buyerInput(&draft) else { return nil }
            let saved = try await services.buyers.update(
                target.caller, id: try target.id(), input, expected: posted.expected)
            return Web.buyer.path(saved.id, query: Notice.saved.query())
        }
        flow.register(editors, Web.newOperation) { draft, target in
            try await operationPage(
                buyer: try await services.buyers.get(target.caller, id: try target.id()), nil, draft)
        } save: { draft, posted, target in
            guard let input = operationInput(&draft, buyerId: try target.id()) else { return nil }
            return Web.operation.path(
                try await services.operations.create(target.caller, input).id, query: Notice.created.query())
        }
        flow.register(editors, Web.editOperation) { draft, target in
            let operation = try await services.operations.get(target.caller, id: try target.id())
            return try await operationPage(
                buyer: try await services.buyers.get(target.caller, id: operation.buyerId), operation, draft)
        } save: { draft, posted, target in
            guard let input = operationInput(&draft, buyerId: nil) else { return nil }
            let saved = try await services.operations.update(
                target.caller, id: try target.id(), input, expected: posted.expected)
            return Web.operation.path(saved.id, query: Notice.saved.query())
        }
        flow.register(editors, Web.newContract) { draft, target in
            try await contractPage(
                buyer: try await services.buyers.get(target.caller, id: try target.id()), nil, draft, target.caller)
        } save: { draft, posted, target in
            guard let input = contractInput(&draft, buyerId: try target.id()) else { return nil }
            return Web.contract.path(
                try await services.publicContracts.create(target.caller, input).id, query: Notice.created.query())
        }
        flow.register(editors, Web.editContract) { draft, target in
            let contract = try await services.publicContracts.get(target.caller, id: try target.id())
            return try await contractPage(
                buyer: try await services.buyers.get(target.caller, id: contract.buyerId), contract, draft,
                target.caller)
        } save: { draft, posted, target in
            guard let input = contractInput(&draft, buyerId: nil) else { return nil }
            let saved = try await services.publicContracts.update(
                target.caller, id: try target.id(), input, expected: posted.expected)
            return Web.contract.path(saved.id, query: Notice.saved.query())
        }
        flow.register(editors, Web.newLot) { draft, target in
            try await lotPage(
                contract: try await services.publicContracts.get(target.caller, id: try target.id()), nil, draft,
                target.caller)
        } save: { draft, posted, target in
            guard let input = lotInput(&draft, contractId: try target.id()) else { return nil }
            // A new lot goes on to its clause: the calculator is the next thing a facilitatrice does.
            return Web.lotClause.path(
                try await services.lots.create(target.caller, input).id, query: Notice.created.query())
        }
        flow.register(editors, Web.editLot) { draft, target in
            let lot = try await services.lots.get(target.caller, id: try target.id())
            return try await lotPage(
                contract: try await services.publicContracts.get(target.caller, id: lot.publicContractId), lot, draft,
                target.caller)
        } save: { draft, posted, target in
            guard let input = lotInput(&draft, contractId: nil) else { return nil }
            let saved = try await services.lots.update(
                target.caller, id: try target.id(), input, expected: posted.expected)
            return Web.lot.path(saved.id, query: Notice.saved.query())
        }
        flow.register(editors, Web.lotClause, fieldNames: ClauseCalculator.fieldNames) { draft, target in
            try await clausePage(lotId: try target.id(), draft, target.caller)
        } save: { draft, posted, target in
            guard let input = ClauseCalculator.input(&draft), !posted.isPreview else { return nil }
            let lotId = try target.id()
            _ = try await services.clauses.put(target.caller, lotId: lotId, input, expected: posted.expected)
            return Web.lot.path(lotId, query: Notice.clauseSaved.query())
        }
        flow.register(editors, Web.lotCompanyAdd) { draft, target in
            try await lotCompanyPage(
                lot: try await services.lots.get(target.caller, id: try target.id()), draft, target.caller)
        } save: { draft, _, target in
            let company: UUID? = draft.uuid("companyId", required: true)
            let role: LotRole? = draft.choice("role", required: true)
            guard draft.isValid, let company, let role else { return nil }
            let lotId = try target.id()
            _ = try await services.lotCompanies.assign(
                target.caller, lotId: lotId, .init(companyId: company, role: role))
            return Web.lot.path(lotId, query: Notice.saved.query())
        }
        flow.register(editors, Web.newCompany) { draft, _ in
            try companyPage(nil, draft)
        } save: { draft, posted, target in
            guard let input = companyInput(&draft) else { return nil }
            return Web.company.path(
                try await services.companies.create(target.caller, input).id, query: Notice.created.query())
        }
        flow.register(editors, Web.editCompany) { draft, target in
            try companyPage(try await services.companies.get(target.caller, id: try target.id()), draft)
        } save: { draft, posted, target in
            guard let input = companyInput(&draft) else { return nil }
            let saved = try await services.companies.update(
                target.caller, id: try target.id(), input, expected: posted.expected)
            return Web.company.path(saved.id, query: Notice.saved.query())
        }
    }

    /// The PLIE the service serves, each with its profile of `config.toml`.
    func registerPLIE(on editors: RouterGroup<EditorContext>) {
        editors.get(RouterPath(Web.plies.pattern)) { request, context in
            let plies = try await services.ledger.plie.list(context.caller, page: PageRequest(limit: 500)).items
            let profiles = services.config.profiles
            return try await flow.pages.render(
                PLIEListPage(
                    rows: plies.map {
                        .init(
                            name: $0.name, profile: profiles.named($0.profile)?.label ?? $0.profile,
                            communes: $0.communes.isEmpty ? "—" : $0.communes.joined(separator: ", "),
                            edit: Web.editPLIE.path($0.id))
                    }), request: request, context: context)
        }
        flow.register(editors, Web.newPLIE) { draft, _ in
            plieForm(nil, draft)
        } save: { draft, _, target in
            guard let input = plieInput(&draft) else { return nil }
            _ = try await services.ledger.plie.create(target.caller, input)
            return Web.plies.path(query: Notice.created.query())
        }
        flow.register(editors, Web.editPLIE) { draft, target in
            plieForm(try await services.ledger.plie.get(target.caller, id: try target.id()), draft)
        } save: { draft, posted, target in
            guard let input = plieInput(&draft) else { return nil }
            _ = try await services.ledger.plie.update(
                target.caller, id: try target.id(), input, expected: posted.expected)
            return Web.plies.path(query: Notice.saved.query())
        }
    }

    struct PLIEListPage: PageModel {
        static let template = "plies"
        struct Row: Codable, Sendable {
            let name: String
            let profile: String
            let communes: String
            let edit: String
        }
        var title = "PLIE"
        let rows: [Row]
    }

    private func plieForm(_ plie: PLIE?, _ draft: FormDraft?) -> RecordFormPage {
        let draft =
            draft
            ?? flow.draft(
                plie.map { ["name": $0.name, "profile": $0.profile, "communes": $0.communes.joined(separator: " ")] }
                    ?? [:])
        return RecordFormPage(
            title: plie.map { "Modifier — \($0.name)" } ?? "Nouveau PLIE",
            intro:
                "Le profil (règles de parcours, sorties positives, objectifs) se règle dans config.toml ; chaque PLIE en choisit un.",
            back: (Web.plies.path(), "PLIE"), action: plie.map { Web.editPLIE.path($0.id) } ?? Web.newPLIE.path(),
            version: plie.map { RecordVersion($0.updatedAt) }, draft: draft,
            sections: [
                FormSection(
                    legend: nil,
                    fields: [
                        draft.input("name", "Nom", required: true),
                        draft.select(
                            "profile", "Profil", options: services.config.profiles.all.map { ($0.name, $0.label) },
                            blank: "Choisir…", required: true),
                        draft.input("communes", "Communes couvertes (codes INSEE)", hint: "Séparés par des espaces"),
                    ])
            ], submit: "Enregistrer")
    }

    private func plieInput(_ draft: inout FormDraft) -> PLIE.Input? {
        let input = PLIE.Input(
            name: draft.text("name", required: true), profile: draft.text("profile", required: true),
            communes: draft.clearable("communes").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init))
        return draft.isValid ? input : nil
    }

    // MARK: Buyers

    private func buyerPage(_ buyer: Buyer?, _ draft: FormDraft?) async throws -> RecordFormPage {
        let draft =
            draft
            ?? flow.draft(
                buyer.map {
                    [
                        "siret": $0.siret, "name": $0.name, "diversityBasis": $0.diversityBasis ?? "",
                        "women": $0.diversityGoals.contains(.women) ? "on" : "",
                        "seniors": $0.diversityGoals.contains(.seniors) ? "on" : "",
                    ]
                } ?? [:])
        return RecordFormPage(
            title: buyer.map { "Modifier — \($0.name)" } ?? "Nouveau donneur d'ordre",
            back: buyer.map { (Web.buyer.path($0.id), $0.name) } ?? (Web.buyers.path(), "Donneurs d'ordre"),
            action: buyer.map { Web.editBuyer.path($0.id) } ?? Web.newBuyer.path(),
            version: buyer.map { RecordVersion($0.updatedAt) }, draft: draft,
            sections: [
                FormSection(
                    legend: nil,
                    fields: [
                        draft.input(
                            "name", "Nom", required: true, hint: "Par exemple : Métropole Aix-Marseille-Provence"),
                        draft.input("siret", "SIRET", required: true, hint: "14 chiffres, espaces acceptés"),
                    ]),
                FormSection(
                    legend: "Objectifs de mixité (action positive, avec leur fondement écrit)",
                    fields: [
                        draft.checkbox("women", "Femmes"), draft.checkbox("seniors", "Seniors (50 ans et plus)"),
                        draft.input(
                            "diversityBasis", "Fondement",
                            hint: "Délibération, clause du marché… : la présélection le cite à chaque point donné"),
                    ]),
            ], submit: "Enregistrer")
    }

    private func buyerInput(_ draft: inout FormDraft) -> Buyer.Input? {
        let goals = [DiversityGoal.women, .seniors].filter { draft.flag($0.rawValue) }
        let input = Buyer.Input(
            siret: draft.text("siret", required: true), name: draft.text("name", required: true),
            diversityGoals: goals, diversityBasis: draft.text("diversityBasis") ?? "")
        return draft.isValid ? input : nil
    }

    // MARK: Operations

    private func operationPage(buyer: Buyer, _ operation: ClausesCore.Operation?, _ draft: FormDraft?) async throws
        -> RecordFormPage
    {
        let draft =
            draft
            ?? flow.draft(
                operation.map {
                    ["name": $0.name, "regime": $0.regime.rawValue, "communeInsee": $0.communeInsee ?? ""]
                }
                    ?? ["regime": OperationRegime.free.rawValue])
        return RecordFormPage(
            title: operation.map { "Modifier — \($0.name)" } ?? "Nouvelle opération de \(buyer.name)",
            back: operation.map { (Web.operation.path($0.id), $0.name) } ?? (Web.buyer.path(buyer.id), buyer.name),
            action: operation.map { Web.editOperation.path($0.id) } ?? Web.newOperation.path(buyer.id),
            version: operation.map { RecordVersion($0.updatedAt) }, draft: draft,
            sections: [
                FormSection(
                    legend: nil,
                    fields: [
                        draft.input("name", "Nom de l'opération", required: true),
                        draft.select("regime", "Régime", OperationRegime.self, label: \.frenchLabel, required: true),
                        draft.input("communeInsee", "Commune (code INSEE)", hint: "5 caractères, par exemple 13047"),
                    ])
            ], submit: "Enregistrer")
    }

    private func operationInput(_ draft: inout FormDraft, buyerId: UUID?) -> ClausesCore.Operation.Input? {
        let input = ClausesCore.Operation.Input(
            buyerId: buyerId, name: draft.text("name", required: true), regime: draft.choice("regime", required: true),
            communeInsee: draft.clearable("communeInsee"))
        return draft.isValid ? input : nil
    }

    // MARK: Marchés

    private func contractPage(buyer: Buyer, _ contract: PublicContract?, _ draft: FormDraft?, _ caller: Caller)
        async throws -> RecordFormPage
    {
        var values: [String: String] = [:]
        if let contract {
            values = [
                "reference": contract.reference, "object": contract.object, "procedure": contract.procedure ?? "",
                "operationId": contract.operationId?.slug ?? "",
                "notificationDate": contract.notificationDate?.description ?? "",
                "durationMonths": contract.durationMonths.map(String.init) ?? "",
            ]
            for (index, value) in PublicContract.socialConsiderationValues.enumerated()
            where contract.socialConsiderations.contains(value) {
                values["social\(index)"] = "on"
            }
        }
        let draft = draft ?? flow.draft(values)
        let operations = try await services.operations.slice(
            caller, filter: .init(buyerId: buyer.id), query: ListQuery(sort: nil, limit: 500))
        return RecordFormPage(
            title: contract.map { "Modifier le marché \($0.reference)" } ?? "Nouveau marché de \(buyer.name)",
            back: contract.map { (Web.contract.path($0.id), $0.reference) } ?? (Web.buyer.path(buyer.id), buyer.name),
            action: contract.map { Web.editContract.path($0.id) } ?? Web.newContract.path(buyer.id),
            version: contract.map { RecordVersion($0.updatedAt) }, draft: draft,
            sections: [
                FormSection(
                    legend: nil,
                    fields: [
                        draft.input(
                            "reference", "Référence", required: true, hint: "Le numéro du marché chez l'acheteur"),
                        draft.textarea("object", "Objet", required: true),
                        draft.select(
                            "operationId", "Opération", options: operations.items.map { ($0.id.slug, $0.name) },
                            blank: "Aucune"),
                        draft.input("procedure", "Procédure", hint: "Par exemple : Appel d'offres ouvert"),
                        draft.date("notificationDate", "Date de notification"),
                        draft.input("durationMonths", "Durée (mois)", type: "number"),
                    ]),
                FormSection(
                    legend: "Considérations sociales (DECP)",
                    fields: PublicContract.socialConsiderationValues.enumerated().map {
                        draft.checkbox("social\($0.offset)", $0.element)
                    }),
            ], submit: "Enregistrer")
    }

    private func contractInput(_ draft: inout FormDraft, buyerId: UUID?) -> PublicContract.Input? {
        var input = PublicContract.Input()
        input.buyerId = buyerId
        input.reference = draft.text("reference", required: true)
        input.object = draft.text("object", required: true)
        input.operationId = draft.uuid("operationId")
        input.procedure = draft.clearable("procedure")
        input.notificationDate = draft.date("notificationDate")
        input.durationMonths = draft.integer("durationMonths")
        input.clear = draft.emptied(PublicContract.Input.clearable)
        input.socialConsiderations = PublicContract.socialConsiderationValues.enumerated().filter {
            draft.flag("social\($0.offset)")
        }.map(\.element)
        return draft.isValid ? input : nil
    }

    // MARK: Lots

    private func lotPage(contract: PublicContract, _ lot: Lot?, _ draft: FormDraft?, _ caller: Caller) async throws
        -> RecordFormPage
    {
        let facilitators = try await services.users.staff(caller).filter { [.admin, .facilitator].contains($0.role) }
        let draft =
            draft
            ?? flow.draft(
                lot.map {
                    [
                        "number": String($0.number), "label": $0.label,
                        "amountExclVat": $0.amountExclVat.map { French.number($0, maxFraction: 2) } ?? "",
                        "executionStart": $0.executionStart?.description ?? "",
                        "executionEnd": $0.executionEnd?.description ?? "",
                        "romeCodes": $0.romeCodes.joined(separator: " "), "worksiteInsee": $0.worksiteInsee ?? "",
                        "facilitatorUserId": $0.facilitatorUserId?.slug ?? "",
                    ]
                } ?? ["facilitatorUserId": caller.userId?.slug ?? ""])
        return RecordFormPage(
            title: lot.map { "Modifier le lot \($0.number) — \($0.label)" }
                ?? "Nouveau lot du marché \(contract.reference)",
            back: lot.map { (Web.lot.path($0.id), "Lot \($0.number)") } ?? (
                Web.contract.path(contract.id), contract.reference
            ),
            action: lot.map { Web.editLot.path($0.id) } ?? Web.newLot.path(contract.id),
            version: lot.map { RecordVersion($0.updatedAt) }, draft: draft,
            sections: [
                FormSection(
                    legend: nil,
                    fields: [
                        draft.input("number", "Numéro du lot", type: "number", required: true),
                        draft.input("label", "Intitulé", required: true, hint: "Par exemple : Gros œuvre"),
                        draft.input("amountExclVat", "Montant HT (€)", hint: "Par exemple : 1 250 000,00"),
                        draft.date("executionStart", "Début d'exécution"),
                        draft.date("executionEnd", "Fin d'exécution"),
                        draft.input(
                            "romeCodes", "Métiers (codes ROME)",
                            hint: "Séparés par des espaces, par exemple F1703 F1602"),
                        draft.input("worksiteInsee", "Commune du chantier (code INSEE)"),
                        draft.select(
                            "facilitatorUserId", "Facilitateur en charge",
                            options: facilitators.map { ($0.id.slug, $0.label) }, blank: "Personne",
                            hint: "Il reçoit les alertes du lot (retard, relevés manquants…)"),
                    ])
            ], submit: lot == nil ? "Créer le lot et définir sa clause" : "Enregistrer")
    }

    private func lotInput(_ draft: inout FormDraft, contractId: UUID?) -> Lot.Input? {
        let start = draft.date("executionStart")
        let end = draft.date("executionEnd")
        if let start, let end, end < start {
            draft.errors["executionEnd"] = "La fin d'exécution (\(end.french)) précède le début (\(start.french))."
        }
        var input = Lot.Input(
            publicContractId: contractId, number: draft.integer("number", required: true),
            label: draft.text("label", required: true), amountExclVat: draft.decimal("amountExclVat"),
            executionStart: start, executionEnd: end,
            romeCodes: draft.clearable("romeCodes").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init),
            worksiteInsee: draft.clearable("worksiteInsee"), facilitatorUserId: draft.uuid("facilitatorUserId"))
        input.clear = draft.emptied(Lot.Input.clearable)
        return draft.isValid ? input : nil
    }

    // MARK: Clause

    private func clausePage(lotId: UUID, _ draft: FormDraft?, _ caller: Caller) async throws -> RecordFormPage {
        let lot = try await services.lots.get(caller, id: lotId)
        let clause = lot.clause == nil ? nil : try await services.clauses.get(caller, lotId: lotId)
        var shown = draft ?? flow.draft(ClauseCalculator.values(clause, lot: lot))
        let preview = ClauseCalculator.preview(&shown, defaultRounding: services.config.calibrationRounding)
        return RecordFormPage(
            title: "Clause d'insertion — lot \(lot.number) (\(lot.publicContractReference))",
            intro:
                "Choisissez le mode de calcul prévu au marché et remplissez ses données ; « Calculer » montre la formule et le résultat sans rien enregistrer.",
            back: (Web.lot.path(lotId), "Lot \(lot.number) — \(lot.label)"), action: Web.lotClause.path(lotId),
            version: clause.map { RecordVersion($0.updatedAt) } ?? .absent, draft: shown,
            sections: ClauseCalculator.sections(shown), submit: "Enregistrer la clause", previewButton: "Calculer",
            preview: preview, script: "clause.js")
    }

    // MARK: Companies

    private func lotCompanyPage(lot: Lot, _ draft: FormDraft?, _ caller: Caller) async throws -> RecordFormPage {
        let draft = draft ?? flow.draft(["role": LotRole.contractor.rawValue])
        let companies = try await services.companies.slice(caller, query: ListQuery(sort: "nom", limit: 1000))
        return RecordFormPage(
            title: "Entreprise du lot \(lot.number) — \(lot.label)",
            intro: "Une entreprise absente de la liste se crée d'abord (menu Entreprises).",
            back: (Web.lot.path(lot.id), "Lot \(lot.number)"), action: Web.lotCompanyAdd.path(lot.id), draft: draft,
            sections: [
                FormSection(
                    legend: nil,
                    fields: [
                        draft.select(
                            "companyId", "Entreprise",
                            options: companies.items.map { ($0.id.slug, "\($0.name) — \($0.siret)") },
                            blank: "Choisir…", required: true),
                        draft.select("role", "Rôle sur le lot", LotRole.self, label: \.frenchLabel, required: true),
                    ])
            ], submit: "Enregistrer")
    }

    private func companyPage(_ company: Company?, _ draft: FormDraft?) throws -> RecordFormPage {
        let draft =
            draft
            ?? flow.draft(
                company.map { ["siret": $0.siret, "name": $0.name, "kind": $0.kind.rawValue] }
                    ?? ["kind": CompanyKind.ordinary.rawValue])
        return RecordFormPage(
            title: company.map { "Modifier — \($0.name)" } ?? "Nouvelle entreprise",
            back: company.map { (Web.company.path($0.id), $0.name) } ?? (Web.companies.path(), "Entreprises"),
            action: company.map { Web.editCompany.path($0.id) } ?? Web.newCompany.path(),
            version: company.map { RecordVersion($0.updatedAt) }, draft: draft,
            sections: [
                FormSection(
                    legend: nil,
                    fields: [
                        draft.input("name", "Raison sociale", required: true),
                        draft.input("siret", "SIRET", required: true, hint: "14 chiffres, espaces acceptés"),
                        draft.select("kind", "Type", CompanyKind.self, label: \.frenchLabel, required: true),
                    ])
            ], submit: "Enregistrer")
    }

    private func companyInput(_ draft: inout FormDraft) -> Company.Input? {
        let input = Company.Input(
            siret: draft.text("siret", required: true), name: draft.text("name", required: true),
            kind: draft.choice("kind", required: true))
        return draft.isValid ? input : nil
    }
}
