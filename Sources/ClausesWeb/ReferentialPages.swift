import ClausesCore
import Foundation
import Hummingbird

/// The dashboard, and the pages of buyers, operations, marchés, companies and lots with their balances.
struct ReferentialPages {
    let services: AppServices
    let pages: PageRenderer
    let reader: RequestReader

    func register(on web: RouterGroup<SignedInContext>) {
        web.get(RouterPath(Web.dashboard.pattern)) { request, context in
            try await pages.render(try await dashboard(context.caller), request: request, context: context)
        }
        web.get(RouterPath(Web.buyers.pattern)) { request, context in
            try await pages.render(try await buyers(request, context.caller), request: request, context: context)
        }
        web.get(RouterPath(Web.buyer.pattern)) { request, context in
            try await pages.render(
                try await buyer(try context.uuid("id"), request, context.caller), request: request, context: context)
        }
        web.get(RouterPath(Web.operation.pattern)) { request, context in
            try await pages.render(
                try await operation(try context.uuid("id"), request, context.caller), request: request,
                context: context)
        }
        web.get(RouterPath(Web.contracts.pattern)) { request, context in
            try await pages.render(try await contracts(request, context.caller), request: request, context: context)
        }
        web.get(RouterPath(Web.contract.pattern)) { request, context in
            try await pages.render(
                try await contract(try context.uuid("id"), request, context.caller), request: request,
                context: context)
        }
        web.get(RouterPath(Web.companies.pattern)) { request, context in
            try await pages.render(try await companies(request, context.caller), request: request, context: context)
        }
        web.get(RouterPath(Web.company.pattern)) { request, context in
            try await pages.render(
                try await company(try context.uuid("id"), request, context.caller), request: request, context: context)
        }
        web.get(RouterPath(Web.lots.pattern)) { request, context in
            try await pages.render(try await lots(request, context.caller), request: request, context: context)
        }
        web.get(RouterPath(Web.lot.pattern)) { request, context in
            try await pages.render(
                try await lot(try context.uuid("id"), request, context.caller), request: request, context: context)
        }
    }

    /// The « bilan au » date of a balance page (`au`), today by default.
    private func balanceDate(_ request: Request) throws(DomainError) -> LocalDate {
        try reader.pageDate(request, "au", label: "bilan au") ?? services.clock.today
    }

    // MARK: Dashboard

    struct DashboardPage: PageModel {
        static let template = "dashboard"
        /// The lots under way whose balance the dashboard computes: those that end first.
        static let lotLimit = 200
        /// The placements starting or ending this month the dashboard lists: the first by date.
        static let moveLimit = 100
        var title = "Tableau de bord"
        let today: String
        let behind: [UrgentLotRow]
        /// Said when more lots are under way than the dashboard computes.
        let bounded: String?
        let pending: LinkLine?
        let candidates: LinkLine?
        /// Staff: the current alerts they may see, by severity.
        let alerts: LinkLine?
        let moves: [LinkLine]
        /// Said when more placements start or end this month than the dashboard lists.
        let movesBounded: String?
        /// Buyers follow no placement.
        let showMoves: Bool
        let imports: [LinkLine]
        let monthLabel: String
        /// Admins and facilitators: the last imports.
        let isEditor: Bool
    }

    private func dashboard(_ caller: Caller) async throws -> DashboardPage {
        let today = services.clock.today
        let underWay = try await services.ledger.balances.lotsUnderWay(
            caller, at: today, limit: DashboardPage.lotLimit)
        let behind = underWay.lots.filter {
            [.behind, .nonCompliant].contains($0.balance.status) || $0.pendingHours > 0
        }
        var pending: LinkLine?
        var candidates: LinkLine?
        if caller.canEditReferential {
            let waiting = try await services.ledger.hours.pendingCount(caller)
            if waiting > 0 {
                pending = .init(
                    text: "\(waiting) relevé(s) d'heures à valider", detail: "les plus anciens d'abord",
                    link: Web.reviewQueue.path())
            }
        }
        let awaiting = try await services.ledger.dashboard.proposalsAwaitingCommittee(caller)
        if awaiting > 0 {
            candidates = .init(
                text: "\(awaiting) sortie(s) positive(s) proposée(s), en attente de la décision du comité",
                detail: "et les sorties détectées à proposer", link: Web.outcomes.path())
        } else if caller.role.isStaff {
            candidates = .init(
                text: "Sorties positives à proposer au comité", detail: "détectées selon le profil de chaque PLIE",
                link: Web.outcomes.path())
        }
        var alerts: LinkLine?
        if caller.role.isStaff {
            let counts = try await services.alerts.currentCounts(caller)
            let total = counts.values.reduce(0, +)
            alerts = .init(
                text: total == 0 ? "Aucune alerte en cours" : "\(total) alerte(s) en cours",
                detail: [AlertSeverity.critical, .warning, .info].compactMap { severity in
                    counts[severity].map(severity.frenchCount)
                }.joined(separator: " · "), link: Web.alerts.path())
        }
        let month = try await services.ledger.dashboard.moves(
            caller, month: today.yearMonth, limit: DashboardPage.moveLimit)
        let moves = month.moves.sorted { ($0.date, $0.code) < ($1.date, $1.code) }.map { move in
            LinkLine(
                text: "\(move.personName) — \(move.starts ? "début" : "fin") le \(move.date.french)",
                detail: "\(move.code) · \(move.lotLabel) · \(move.companyName)", link: Web.lot.path(move.lotId))
        }
        let imports = try await services.ledger.dashboard.recentImports(caller).map { record in
            LinkLine(
                text:
                    "\(record.kind.frenchLabel) : \(record.lines) ligne(s), \(record.created) créée(s), \(record.corrected) corrigée(s)",
                detail: "par \(record.by), le \(French.dateTime(record.at))"
                    + (record.awaitingValidation ? " · importées sans validation" : ""),
                link: record.awaitingValidation ? Web.reviewQueue.path() : Web.imports.path())
        }
        return DashboardPage(
            today: today.french, behind: behind.map(UrgentLotRow.init),
            bounded: underWay.underWay > underWay.lots.count
                ? "Calculé sur les \(underWay.lots.count) lots en cours qui finissent le plus tôt, sur \(French.number(Decimal(underWay.underWay), maxFraction: 0)) lots en cours : les autres se lisent dans les bilans de chaque donneur d'ordre."
                : nil,
            pending: pending, candidates: candidates, alerts: alerts,
            moves: moves,
            movesBounded: month.placements > DashboardPage.moveLimit
                ? "Les \(DashboardPage.moveLimit) premières mises à l'emploi par date, sur \(French.number(Decimal(month.placements), maxFraction: 0)) qui commencent ou finissent ce mois-ci."
                : nil,
            showMoves: caller.role != .buyer, imports: imports,
            monthLabel: French.month(today.yearMonth), isEditor: caller.canEditReferential)
    }

    // MARK: Buyers

    struct BuyersPage: PageModel {
        static let template = "buyers"
        struct Row: Codable, Sendable {
            let link: String
            let name: String
            let siret: String
        }
        var title = "Donneurs d'ordre"
        let controls: ListControls
        let items: [Row]
        var actions: [ActionLink] = []
    }

    private func buyers(_ request: Request, _ caller: Caller) async throws -> BuyersPage {
        let params = try ListParams(request)
        let slice = try await services.buyers.slice(caller, query: params.query)
        return BuyersPage(
            controls: ListControls(
                slice, params: params, route: Web.buyers, columns: [("Nom", "nom"), ("SIRET", "siret")],
                noun: ("donneur d'ordre", "donneurs d'ordre")),
            items: slice.items.map { .init(link: Web.buyer.path($0.id), name: $0.name, siret: $0.siret) },
            actions: caller.canEditReferential
                ? [ActionLink(label: "Nouveau donneur d'ordre", link: Web.newBuyer.path())] : [])
    }

    struct BuyerPage: PageModel {
        static let template = "buyer"
        let title: String
        let siret: String
        let summary: SummaryView
        /// The operations listed on the page; a buyer with more is told how many.
        static let operationLimit = 200
        let operations: [LinkLine]
        let operationsMore: String?
        let contracts: [LinkLine]
        let contractsCount: String
        let allContracts: String
        var actions: [ActionLink] = []
    }

    private func buyer(_ id: UUID, _ request: Request, _ caller: Caller) async throws -> BuyerPage {
        let buyer = try await services.buyers.get(caller, id: id)
        let at = try balanceDate(request)
        let contracts = try await services.publicContracts.slice(
            caller, filter: .init(buyerId: id), query: ListQuery(sort: "reference", limit: 20))
        let operations = try await services.operations.slice(
            caller, filter: .init(buyerId: id), query: ListQuery(limit: BuyerPage.operationLimit))
        let summary = try await services.ledger.balances.balance(of: .buyer(id), at: at, caller: caller)
        return BuyerPage(
            title: buyer.name, siret: buyer.siret, summary: SummaryView(summary),
            operations: operations.items.map {
                .init(text: $0.name, detail: $0.regime.frenchLabel, link: Web.operation.path($0.id))
            },
            operationsMore: operations.total > operations.items.count
                ? "Les \(operations.items.count) premières opérations, sur \(operations.total)." : nil,
            contracts: contracts.items.map {
                .init(text: $0.reference, detail: $0.object, link: Web.contract.path($0.id))
            },
            contractsCount: "\(contracts.total) marché(s)",
            allContracts: Web.contracts.path(query: [("acheteur", id.slug)]),
            actions: caller.canEditReferential
                ? [
                    ActionLink(label: "Nouveau marché", link: Web.newContract.path(id)),
                    ActionLink(label: "Nouvelle opération", link: Web.newOperation.path(id), secondary: true),
                    ActionLink(label: "Modifier", link: Web.editBuyer.path(id), secondary: true),
                    ActionLink(label: "Bilans et envois", link: Web.buyerReports.path(id), secondary: true),
                ] : caller.role == .buyer ? [ActionLink(label: "Bilans", link: Web.buyerReports.path(id))] : [])
    }

    struct OperationPage: PageModel {
        static let template = "operation"
        let title: String
        let regime: String
        let buyerLink: String
        let buyerName: String
        let summary: SummaryView
        var actions: [ActionLink] = []
    }

    private func operation(_ id: UUID, _ request: Request, _ caller: Caller) async throws -> OperationPage {
        let operation = try await services.operations.get(caller, id: id)
        let buyer = try await services.buyers.get(caller, id: operation.buyerId)
        let summary = try await services.ledger.balances.balance(
            of: .operation(id), at: try balanceDate(request), caller: caller)
        return OperationPage(
            title: operation.name, regime: operation.regime.frenchLabel, buyerLink: Web.buyer.path(buyer.id),
            buyerName: buyer.name, summary: SummaryView(summary),
            actions: caller.canEditReferential
                ? [
                    ActionLink(label: "Nouveau marché", link: Web.newContract.path(buyer.id)),
                    ActionLink(label: "Modifier", link: Web.editOperation.path(id), secondary: true),
                ] : [])
    }

    struct CompaniesPage: PageModel {
        static let template = "companies"
        struct Row: Codable, Sendable {
            let link: String
            let name: String
            let siret: String
            let kind: String
        }
        var title = "Entreprises"
        let controls: ListControls
        let items: [Row]
        var actions: [ActionLink] = []
    }

    private func companies(_ request: Request, _ caller: Caller) async throws -> CompaniesPage {
        let params = try ListParams(request)
        let slice = try await services.companies.slice(caller, query: params.query)
        return CompaniesPage(
            controls: ListControls(
                slice, params: params, route: Web.companies,
                columns: [("Raison sociale", "nom"), ("SIRET", "siret"), ("Type", "type")],
                noun: ("entreprise", "entreprises")),
            items: slice.items.map {
                .init(link: Web.company.path($0.id), name: $0.name, siret: $0.siret, kind: $0.kind.frenchLabel)
            },
            actions: caller.canEditReferential
                ? [ActionLink(label: "Nouvelle entreprise", link: Web.newCompany.path())] : [])
    }

    struct CompanyPage: PageModel {
        static let template = "company"
        let title: String
        let siret: String
        let kind: String
        let summary: SummaryView
        var actions: [ActionLink] = []
    }

    private func company(_ id: UUID, _ request: Request, _ caller: Caller) async throws -> CompanyPage {
        let company = try await services.companies.get(caller, id: id)
        let summary = try await services.ledger.balances.balance(
            of: .company(id), at: try balanceDate(request), caller: caller)
        return CompanyPage(
            title: company.name, siret: company.siret, kind: company.kind.frenchLabel, summary: SummaryView(summary),
            actions: caller.canEditReferential ? [ActionLink(label: "Modifier", link: Web.editCompany.path(id))] : [])
    }

    // MARK: Marchés

    struct ContractsPage: PageModel {
        static let template = "contracts"
        struct Row: Codable, Sendable {
            let link: String
            let reference: String
            let object: String
            let buyer: String
            let buyerLink: String
            let notified: String
        }
        var title = "Marchés"
        let controls: ListControls
        let items: [Row]
    }

    private func contracts(_ request: Request, _ caller: Caller) async throws -> ContractsPage {
        let params = try ListParams(request)
        let buyerId = try request.query.uuid("acheteur")
        let slice = try await services.publicContracts.slice(
            caller, filter: .init(buyerId: buyerId), query: params.query)
        let buyers = try await services.buyers.get(caller, ids: Array(Set(slice.items.map(\.buyerId))))
        let names = Dictionary(uniqueKeysWithValues: buyers.map { ($0.id, $0.name) })
        return ContractsPage(
            controls: ListControls(
                slice, params: params, route: Web.contracts, filters: [("acheteur", buyerId?.slug)],
                columns: [
                    ("Référence", "reference"), ("Objet", "objet"), ("Donneur d'ordre", nil),
                    ("Notifié le", "notification"),
                ], noun: ("marché", "marchés")),
            items: slice.items.map {
                .init(
                    link: Web.contract.path($0.id), reference: $0.reference, object: $0.object,
                    buyer: names[$0.buyerId] ?? "—", buyerLink: Web.buyer.path($0.buyerId),
                    notified: Display.date($0.notificationDate))
            })
    }

    struct ContractPage: PageModel {
        static let template = "contract"
        let title: String
        let object: String
        let buyerLink: String
        let buyerName: String
        let procedure: String
        let notified: String
        let duration: String
        let considerations: String
        let summary: SummaryView
        let lots: [LotRow]
        /// Said, with the full list's link, when the marché has more lots than the page lists.
        let lotsMore: String?
        let lotsLink: String
        var actions: [ActionLink] = []
    }

    private func contract(_ id: UUID, _ request: Request, _ caller: Caller) async throws -> ContractPage {
        let contract = try await services.publicContracts.get(caller, id: id)
        let buyer = try await services.buyers.get(caller, id: contract.buyerId)
        let lots = try await services.lots.slice(
            caller, filter: LotFilter(publicContractId: id), query: ListQuery(sort: "numero", limit: 100))
        let summary = try await services.ledger.balances.balance(
            of: .publicContract(id), at: try balanceDate(request), caller: caller)
        return ContractPage(
            title: contract.reference, object: contract.object, buyerLink: Web.buyer.path(buyer.id),
            buyerName: buyer.name, procedure: contract.procedure ?? "—",
            notified: Display.date(contract.notificationDate),
            duration: contract.durationMonths.map { "\($0) mois" } ?? "—",
            considerations: contract.socialConsiderations.isEmpty
                ? "—" : contract.socialConsiderations.joined(separator: ", "),
            summary: SummaryView(summary), lots: lots.items.map(LotRow.init),
            lotsMore: lots.total > lots.items.count
                ? "Les \(lots.items.count) premiers lots, sur \(lots.total) : voir la liste complète." : nil,
            lotsLink: Web.lots.path(query: [("marche", id.slug)]),
            actions: caller.canEditReferential
                ? [
                    ActionLink(label: "Nouveau lot", link: Web.newLot.path(id)),
                    ActionLink(label: "Modifier", link: Web.editContract.path(id), secondary: true),
                ] : [])
    }

    // MARK: Lots

    struct LotRow: Codable, Sendable {
        let link: String
        let contract: String
        let contractLink: String
        let number: Int
        let label: String
        let period: String
        let hours: String

        init(_ lot: Lot) {
            link = Web.lot.path(lot.id)
            contract = lot.publicContractReference
            contractLink = Web.contract.path(lot.publicContractId)
            number = lot.number
            label = lot.label
            period = "\(Display.date(lot.executionStart)) → \(Display.date(lot.executionEnd))"
            hours = lot.clause.map { French.hours($0.requiredHours) } ?? "—"
        }
    }

    struct LotsPage: PageModel {
        static let template = "lots"
        var title = "Lots"
        let controls: ListControls
        let items: [LotRow]
    }

    private func lots(_ request: Request, _ caller: Caller) async throws -> LotsPage {
        let params = try ListParams(request)
        var filter = LotFilter()
        filter.publicContractId = try request.query.uuid("marche")
        filter.buyerId = try request.query.uuid("acheteur")
        let slice = try await services.lots.slice(caller, filter: filter, query: params.query)
        return LotsPage(
            controls: ListControls(
                slice, params: params, route: Web.lots,
                filters: [("marche", filter.publicContractId?.slug), ("acheteur", filter.buyerId?.slug)],
                columns: [
                    ("Marché", "marche"), ("N°", "numero"), ("Intitulé", "intitule"), ("Exécution", "debut"),
                    ("Heures prescrites", "heures"),
                ], noun: ("lot", "lots")),
            items: slice.items.map(LotRow.init))
    }

    struct LotPage: PageModel {
        static let template = "lot"
        struct Clause: Codable, Sendable {
            let requiredHours: String
            let mode: String
            let rounding: String
            let explanation: String
            let warnings: [String]
        }
        struct Company: Codable, Sendable {
            let name: String
            /// The company's balance page, when the viewer may open it (a company opens its own only).
            let link: String?
            let kind: String
            let role: String
        }
        struct Pending: Codable, Sendable {
            let text: String
            /// The review queue for this lot (staff who validate).
            let link: String?
        }
        let title: String
        let number: Int
        let label: String
        let contractLink: String
        let contractReference: String
        let amount: String
        let period: String
        let rome: String
        let worksite: String
        let atISO: String
        /// Staff: who is in charge of the lot (its alerts go to them).
        let facilitator: String?
        let clause: Clause?
        let balance: LotBalanceView?
        let pending: Pending?
        let hoursLink: String
        /// Staff who edit and the employing company type hours; others do not see the link.
        let declaresHours: Bool
        let showPlacements: Bool
        let placements: [PlacementRow]
        let companies: [Company]
        var actions: [ActionLink] = []
    }

    /// The facilitator's name, « Personne » when none is set.
    private func facilitatorLabel(_ id: UUID?, _ caller: Caller) async throws -> String {
        guard let id else { return "Personne (choisissez-le dans « Modifier »)" }
        return try await services.users.staff(caller).first { $0.id == id }?.label ?? "Compte désactivé"
    }

    private func lot(_ id: UUID, _ request: Request, _ caller: Caller) async throws -> LotPage {
        let lot = try await services.lots.get(caller, id: id)
        // The lot's summary says whether it has a clause; any other failure must surface, not hide the clause.
        let clause = lot.clause == nil ? nil : try await services.clauses.get(caller, lotId: lot.id)
        let companies = try await services.lotCompanies.list(caller, lotId: lot.id)
        let at = try balanceDate(request)
        var balance: LotBalanceView?
        var pending: LotPage.Pending?
        if clause != nil {
            let lotBalance = try await services.ledger.balances.lotBalance(caller, lotId: lot.id, at: at)
            balance = LotBalanceView(lotBalance)
            if let count = lotBalance.pendingReports, count > 0, caller.canEditReferential {
                let queue = try await services.ledger.hours.queue(caller, lotId: lot.id, limit: 20, offset: 0)
                let who = queue.items.map { "\($0.personName) (\(French.month($0.report.month)))" }
                let more = queue.total > queue.items.count ? "…" : ""
                pending = .init(
                    text:
                        "\(count) relevé(s) en attente de validation (\(French.hours(lotBalance.pendingHours)), non comptés) : \(who.joined(separator: ", "))\(more).",
                    link: Web.reviewQueue.path(query: [("lot", lot.id.slug)]))
            } else if lotBalance.pendingHours > 0 {
                pending = .init(
                    text:
                        "\(French.hours(lotBalance.pendingHours)) en attente de validation par le facilitateur, non comptées.",
                    link: nil)
            }
        }
        var placements: [PlacementRow] = []
        if caller.role.isStaff {
            placements = try await services.ledger.placements.all(caller, filter: PlacementFilter(lotId: lot.id))
                .map(PlacementRow.init)
        }
        return LotPage(
            title: "Lot \(lot.number) — \(lot.label)", number: lot.number, label: lot.label,
            contractLink: Web.contract.path(lot.publicContractId), contractReference: lot.publicContractReference,
            amount: Display.euros(lot.amountExclVat),
            period: "\(Display.date(lot.executionStart)) → \(Display.date(lot.executionEnd))",
            rome: lot.romeCodes.isEmpty ? "—" : lot.romeCodes.joined(separator: ", "),
            worksite: lot.worksiteInsee ?? "—",
            atISO: at.description,
            facilitator: caller.role.isStaff
                ? try await facilitatorLabel(lot.facilitatorUserId, caller) : nil,

            clause: clause.map {
                .init(
                    requiredHours: French.hours($0.requiredHours), mode: $0.calibration.mode.frenchLabel,
                    rounding: $0.rounding.frenchLabel, explanation: $0.explanation, warnings: $0.warnings)
            },
            balance: balance, pending: pending,
            hoursLink: Web.lotHours.path(lot.id, query: [("mois", at.yearMonth.adding(months: -1).description)]),
            declaresHours: caller.declaresHours,
            showPlacements: caller.role.isStaff, placements: placements,
            companies: companies.map {
                .init(
                    name: $0.companyName,
                    link: caller.role == .company && caller.companyId != $0.companyId
                        ? nil : Web.company.path($0.companyId), kind: $0.companyKind.frenchLabel,
                    role: $0.role.frenchLabel)
            },
            actions: caller.canEditReferential
                ? [
                    ActionLink(
                        label: "Placer une personne", link: Web.newPlacement.path(query: [("lot", lot.id.slug)])),
                    ActionLink(
                        label: clause == nil ? "Définir la clause" : "Modifier la clause", link: Web.lotClause.path(id),
                        secondary: true),
                    ActionLink(label: "Ajouter une entreprise", link: Web.lotCompanyAdd.path(id), secondary: true),
                    ActionLink(label: "Modifier le lot", link: Web.editLot.path(id), secondary: true),
                    ActionLink(label: "Besoins de recrutement", link: Web.lotNeeds.path(id), secondary: true),
                ]
                : caller.role == .referent || caller.role == .company
                    ? [ActionLink(label: "Besoins de recrutement", link: Web.lotNeeds.path(id), secondary: true)] : [])
    }
}
