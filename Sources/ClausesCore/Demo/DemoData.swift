import Foundation
import PostgresClient

/// A believable, fictional dataset on the territories of the seed protocols (Istres-Ouest Provence,
/// Pays de Martigues, Pays d'Aix, Nord-Ouest Essonne): buyers, operations, marchés, lots in building,
/// cleaning, green spaces and services, a clause per calibration mode, companies and demo accounts.
/// Every name is invented and marked « démo ».
public enum DemoData {
    public static let password = "demo-clauses"
    public static let facilitatorEmail = "facilitatrice@demo.clauses.fr"

    /// Loads the dataset; refuses a database that already holds buyers.
    public static func load(_ services: AppServices) async throws {
        let pool = services.pool
        let count = try await pool.query("SELECT count(*) FROM buyers").scalar(Int.self) ?? 0
        guard count == 0 else {
            throw DomainError.conflict(
                "La base contient déjà des données : le jeu de démonstration ne se charge que dans une base vide.",
                code: .notEmpty)
        }
        let caller = Caller.system("demo load")
        try await loadReferenceData(services.matching.referenceData)
        let (buyers, operations, contracts, lots) = (
            services.buyers, services.operations, services.publicContracts, services.lots
        )
        let (companies, clauses, roles) = (services.companies, services.clauses, services.lotCompanies)

        var company: [String: UUID] = [:]
        for (key, name, kind, base) in [
            ("batir", "Bâtir Provence Construction (démo)", .ordinary, "8012345670001"),
            ("peinture", "Couleurs de l'Étang Peinture (démo)", .ordinary, "8012345680001"),
            ("proprete", "Clair Net Services (démo)", .ordinary, "8012345690001"),
            ("paysage", "Paysages du Delta (démo)", .ordinary, "8012345700001"),
            ("etti", "Tremplin Intérim Insertion (démo)", .ETTI, "8012345710001"),
            ("aci", "Jardins Solidaires de l'Étang (démo)", .ACI, "8012345720001"),
            ("geiq", "GEIQ Bâtiment Sud (démo)", .GEIQ, "8012345730001"),
            ("essonne", "Essonne Rénovation Habitat (démo)", .ordinary, "8012345740001"),
        ] as [(String, String, CompanyKind, String)] {
            company[key] = try await companies.create(caller, .init(siret: siret(base), name: name, kind: kind)).id
        }

        struct LotSpec {
            let number: Int, label: String, amount: Decimal, start: String, end: String, rome: [String], insee: String
            let calibration: CalibrationInput, contractor: String, partner: (String, LotRole)?
        }
        struct ContractSpec {
            let reference: String, object: String, procedure: String, notified: String, months: Int, lots: [LotSpec]
        }
        struct BuyerSpec {
            let name: String, base: String, operation: (String, OperationRegime, String)?, contracts: [ContractSpec]
        }
        func d(_ s: String) -> Decimal { Decimal(string: s)! }
        let territory: [BuyerSpec] = [
            BuyerSpec(
                name: "Habitat Ouest Provence, office public (démo)", base: "2013000010001",
                operation: ("NPNRU Quartier des Salins (démo)", .anru, "13047"),
                contracts: [
                    ContractSpec(
                        reference: "HOP-2026-014", object: "Réhabilitation de 120 logements, résidence Les Salins",
                        procedure: "Procédure adaptée", notified: "2026-01-12", months: 18,
                        lots: [
                            LotSpec(
                                number: 1, label: "Gros œuvre", amount: d("1000000"), start: "2026-02-01",
                                end: "2027-07-31",
                                rome: ["F1703", "F1701"], insee: "13047",
                                calibration: .standard(
                                    amount: d("1000000"), labourShare: d("0.50"), rate: d("0.05"), hourlyCost: 30),
                                contractor: "batir", partner: ("etti", .subcontractor)),
                            LotSpec(
                                number: 2, label: "Peinture et revêtements", amount: d("420000"), start: "2026-06-01",
                                end: "2027-05-31",
                                rome: ["F1606"], insee: "13047",
                                calibration: .standard(
                                    amount: d("420000"), labourShare: d("0.70"), rate: d("0.07"), hourlyCost: 28),
                                contractor: "peinture", partner: ("geiq", .coContractor)),
                        ])
                ]),
            BuyerSpec(
                name: "Ville de Martigues-sur-Étang (démo)", base: "2013000020001", operation: nil,
                contracts: [
                    ContractSpec(
                        reference: "VME-2025-207", object: "Entretien des espaces verts communaux",
                        procedure: "Appel d'offres ouvert", notified: "2025-09-01", months: 36,
                        lots: [
                            LotSpec(
                                number: 1, label: "Espaces verts secteur nord", amount: d("360000"),
                                start: "2025-10-01", end: "2028-09-30",
                                rome: ["A1203"], insee: "13056",
                                calibration: .fixed(hours: 1800), contractor: "paysage",
                                partner: ("aci", .subcontractor)),
                            LotSpec(
                                number: 2, label: "Espaces verts secteur sud", amount: d("290000"), start: "2025-10-01",
                                end: "2028-09-30",
                                rome: ["A1203"], insee: "13056",
                                calibration: .shareOfWorkedHours(rate: d("0.10"), workedHours: 9000), contractor: "aci",
                                partner: nil),
                        ])
                ]),
            BuyerSpec(
                name: "Communauté du Pays d'Aix, services techniques (démo)", base: "2013000030001", operation: nil,
                contracts: [
                    ContractSpec(
                        reference: "CPA-2026-031", object: "Nettoyage des locaux administratifs",
                        procedure: "Appel d'offres ouvert", notified: "2026-03-02", months: 36,
                        lots: [
                            LotSpec(
                                number: 1, label: "Nettoyage des bâtiments du centre", amount: d("300000"),
                                start: "2026-04-01", end: "2029-03-31",
                                rome: ["K2204"], insee: "13001",
                                calibration: .cleaningPACT(
                                    turnover: d("300000"), months: 36, rate: d("0.05"),
                                    transferredMonthlyHours: d("200"), coefficient: 25),
                                contractor: "proprete", partner: nil),
                            LotSpec(
                                number: 2, label: "Accueil et services aux usagers", amount: d("150000"),
                                start: "2026-04-01", end: "2028-03-31",
                                rome: ["M1601"], insee: "13001",
                                calibration: .perInvoicedAmount(per: 2000, invoiced: d("150000")),
                                contractor: "proprete", partner: nil),
                        ])
                ]),
            BuyerSpec(
                name: "Syndicat intercommunal Nord-Ouest Essonne (démo)", base: "2091000040001",
                operation: ("Rénovation du groupe scolaire des Avelines (démo)", .free, "91692"),
                contracts: [
                    ContractSpec(
                        reference: "SINOE-2026-005", object: "Rénovation énergétique du groupe scolaire",
                        procedure: "Procédure adaptée", notified: "2026-02-16", months: 12,
                        lots: [
                            LotSpec(
                                number: 1, label: "Isolation et menuiseries", amount: d("640000"), start: "2026-03-01",
                                end: "2027-02-28",
                                rome: ["F1613", "F1607"], insee: "91692",
                                calibration: .standard(
                                    amount: d("640000"), labourShare: d("0.45"), rate: d("0.06"), hourlyCost: 29),
                                contractor: "essonne", partner: ("etti", .subcontractor))
                        ])
                ]),
        ]

        var firstBuyer: UUID?
        var lotIds: [String: UUID] = [:]
        for spec in territory {
            let buyer = try await buyers.create(caller, .init(siret: siret(spec.base), name: spec.name))
            firstBuyer = firstBuyer ?? buyer.id
            var operationId: UUID?
            if let (name, regime, insee) = spec.operation {
                operationId = try await operations.create(
                    caller, .init(buyerId: buyer.id, name: name, regime: regime, communeInsee: insee)
                ).id
            }
            for c in spec.contracts {
                let contract = try await contracts.create(
                    caller,
                    .init(
                        buyerId: buyer.id, operationId: operationId, reference: c.reference, object: c.object,
                        procedure: c.procedure,
                        notificationDate: LocalDate(iso: c.notified), durationMonths: c.months,
                        socialConsiderations: ["Clause sociale"]))
                for l in c.lots {
                    let lot = try await lots.create(
                        caller,
                        .init(
                            publicContractId: contract.id, number: l.number, label: l.label, amountExclVat: l.amount,
                            executionStart: LocalDate(iso: l.start), executionEnd: LocalDate(iso: l.end),
                            romeCodes: l.rome, worksiteInsee: l.insee))
                    lotIds["\(c.reference)/\(l.number)"] = lot.id
                    _ = try await clauses.put(caller, lotId: lot.id, .init(calibration: l.calibration))
                    _ = try await roles.assign(
                        caller, lotId: lot.id, .init(companyId: company[l.contractor], role: .contractor))
                    if let (partner, role) = l.partner {
                        _ = try await roles.assign(
                            caller, lotId: lot.id, .init(companyId: company[partner], role: role))
                    }
                }
            }
        }

        let users = services.users
        var referentId: UUID?
        var facilitatorId: UUID?
        for (email, name, role, buyer, companyId) in [
            ("admin@demo.clauses.fr", "Administratrice démo", .admin, nil, nil),
            (facilitatorEmail, "Camille Facilitatrice (démo)", .facilitator, nil, nil),
            ("referent@demo.clauses.fr", "Sami Référent (démo)", .referent, nil, nil),
            ("acheteur@demo.clauses.fr", "Acheteur Habitat Ouest Provence (démo)", .buyer, firstBuyer, nil),
            ("entreprise@demo.clauses.fr", "Bâtir Provence (démo)", .company, nil, company["batir"]),
        ] as [(String, String, Role, UUID?, UUID?)] {
            let user = try await users.create(
                caller,
                .init(
                    email: email, displayName: name, role: role, password: password,
                    buyerId: buyer, companyId: companyId))
            if role == .referent { referentId = user.id }
            if role == .facilitator { facilitatorId = user.id }
        }
        // Camille is in charge of every demo lot: the alerts on them go to her.
        for lot in lotIds.values {
            _ = try await lots.update(caller, id: lot, .init(facilitatorUserId: facilitatorId))
        }
        try await loadLedger(
            services.ledger, caller: caller, lots: lotIds, companies: company, referentId: referentId,
            today: services.clock.today)
        try await loadNeeds(
            services, caller: caller, lots: lotIds, buyer: firstBuyer, referentId: referentId,
            today: services.clock.today)
        // The alerts of the demo territory at once, rather than at the `alerts` job's next slot.
        _ = try await services.alertScanner.scan(at: services.clock.today, now: services.clock.now)
        // The first buyer receives its monthly bilan; started last month, so last month's is due at once
        // (`clauses job run reports`).
        if let firstBuyer {
            _ = try await services.reportSubscriptions.create(
                caller, buyerId: firstBuyer,
                .init(
                    scope: ReportScope.Kind.buyer.rawValue, scopeId: firstBuyer,
                    recipients: ["direction.habitat@demo.clauses.fr"], frequency: ReportFrequency.monthly.rawValue),
                startsOn: services.clock.today.yearMonth.adding(months: -1).firstDay)
        }
    }

    /// Participants (invented people), their proofs, placements on the demo lots and monthly hours up to
    /// last month (validated, the last month left to validate), so that balances move and one participant
    /// reaches the 624 h positive-outcome rule.
    static func loadLedger(
        _ ledger: LedgerServices, caller: Caller, lots: [String: UUID], companies: [String: UUID],
        referentId: UUID?, today: LocalDate
    ) async throws {
        struct PersonSpec {
            let reference: String, first: String, last: String, sex: String, birth: String, commune: String
            let area: PriorityArea
            /// A proof to record besides the pathway (nil: the open pathway is the only criterion).
            let criterion: EligibilityCriterionCode?, proof: String, validated: Bool
            /// The PLIE and entry date of the pathway, and its exit when it ended.
            let plie: String, entry: String
            var exit: (String, ExitKind)? = nil
        }
        struct PlacementSpec {
            let person: String, lot: String, company: String, mode: ExecutionMode, contract: EmploymentContractType
            let start: String, end: String?, weekly: Decimal, monthly: Decimal, training: Decimal
        }
        let people: [PersonSpec] = [
            .init(
                reference: "DEMO-001", first: "Nadia", last: "Rouvière", sex: "F", birth: "1984-05-12",
                commune: "13047", area: .qpv, criterion: .RSA, proof: "2026-01-05", validated: true, plie: "istres",
                entry: "2025-12-01"),
            .init(
                reference: "DEMO-002", first: "Karim", last: "Delorme-Vidal", sex: "M", birth: "1979-11-02",
                commune: "13047", area: .qpv, criterion: .DELD, proof: "2026-01-20", validated: true, plie: "istres",
                entry: "2025-06-02"),
            .init(
                reference: "DEMO-003", first: "Julie", last: "Marchetto", sex: "F", birth: "2004-02-28",
                commune: "13056", area: .none, criterion: .YOUTH, proof: "2026-04-10", validated: true,
                plie: "istres", entry: "2026-04-01"),
            .init(
                reference: "DEMO-004", first: "Thierry", last: "Ngoma-Laval", sex: "M", birth: "1970-07-19",
                commune: "13056", area: .tva, criterion: .SENIOR, proof: "2025-09-15", validated: true,
                plie: "istres", entry: "2024-09-02"),
            .init(
                reference: "DEMO-005", first: "Awa", last: "Diarrassou", sex: "F", birth: "1991-09-30",
                commune: "91692", area: .qpv, criterion: nil, proof: "2026-02-15", validated: true, plie: "no91",
                entry: "2026-02-15"),
            .init(
                reference: "DEMO-006", first: "Lucas", last: "Moreau-Tessier", sex: "M", birth: "1998-12-01",
                commune: "13001", area: .none, criterion: .REASONED_OPINION, proof: "2026-10-20", validated: false,
                plie: "aix", entry: "2026-10-05"),
            .init(
                reference: "DEMO-007", first: "Sonia", last: "Barrère", sex: "F", birth: "1987-03-08",
                commune: "13047", area: .qpv, criterion: .RSA, proof: "2024-11-04", validated: true, plie: "istres",
                entry: "2024-11-04", exit: ("2026-03-31", .employmentCDI)),
            .init(
                reference: "DEMO-008", first: "Mehdi", last: "Castellan", sex: "M", birth: "1969-01-22",
                commune: "13047", area: .none, criterion: .DELD, proof: "2024-06-10", validated: true, plie: "istres",
                entry: "2024-06-10", exit: ("2026-05-29", .qualifyingTraining)),
            .init(
                reference: "DEMO-009", first: "Inès", last: "Fabre-Okafor", sex: "F", birth: "1995-06-14",
                commune: "13056", area: .qpv, criterion: .RSA, proof: "2025-02-03", validated: true, plie: "istres",
                entry: "2025-02-03", exit: ("2026-07-15", .droppedOut)),
        ]
        let placements: [PlacementSpec] = [
            .init(
                person: "DEMO-001", lot: "HOP-2026-014/1", company: "batir", mode: .directHire, contract: .cddChantier,
                start: "2026-02-09", end: "2026-12-31", weekly: 35, monthly: 148, training: 0),
            .init(
                person: "DEMO-002", lot: "HOP-2026-014/1", company: "etti", mode: .insertionTempWork,
                contract: .ettiAssignment,
                start: "2026-03-02", end: "2026-09-30", weekly: 35, monthly: 146.5, training: 0),
            .init(
                person: "DEMO-003", lot: "HOP-2026-014/2", company: "geiq", mode: .geiq, contract: .professionalisation,
                start: "2026-06-01", end: "2027-05-31", weekly: 35, monthly: 112, training: 35),
            .init(
                person: "DEMO-004", lot: "VME-2025-207/1", company: "aci", mode: .siaeSubcontracting, contract: .cddi,
                start: "2025-10-01", end: "2026-09-30", weekly: 26, monthly: 110, training: 0),
            .init(
                person: "DEMO-005", lot: "SINOE-2026-005/1", company: "essonne", mode: .directHire, contract: .cdi,
                start: "2026-03-16", end: nil, weekly: 35, monthly: 15167 / 100, training: 0),
        ]
        var plie: [String: UUID] = [:]
        for (key, name, profile, communes) in [
            ("istres", "PLIE Istres Ouest Provence (démo)", "istres-ouest-provence-2020", ["13047", "13056"]),
            ("aix", "PLIE du Pays d'Aix (démo)", "pays-d-aix", ["13001"]),
            ("no91", "Atout PLIE Nord-Ouest 91 (démo)", "nord-ouest-91", ["91692"]),
        ] {
            plie[key] = try await ledger.plie.create(caller, .init(name: name, profile: profile, communes: communes)).id
        }
        var participant: [String: UUID] = [:]
        for spec in people {
            var p = try await ledger.participants.create(
                caller,
                .init(
                    reference: spec.reference, lastName: spec.last, firstName: spec.first,
                    birthDate: LocalDate(iso: spec.birth), sex: spec.sex, communeInsee: spec.commune,
                    priorityArea: spec.area, prescriber: .franceTravail, labourMarketStatus: .jobSeeker,
                    pathway: Pathway.Input(
                        plieId: plie[spec.plie], entryDate: LocalDate(iso: spec.entry), referentUserId: referentId)))
            if let criterion = spec.criterion {
                p = try await ledger.participants.addCriterion(
                    caller, participantId: p.id,
                    .init(
                        code: criterion, proofKind: "Attestation (démo)",
                        proofDate: LocalDate(iso: spec.proof), attestedBy: "France Travail (démo)"),
                    today: max(today, LocalDate(iso: spec.proof) ?? today))
                if spec.validated {
                    p = try await ledger.participants.validateCriterion(
                        caller, participantId: p.id, criterionId: p.criteria[0].id)
                }
            }
            if let (date, kind) = spec.exit, let pathway = p.pathways.first {
                _ = try await ledger.pathways.exit(
                    caller, id: pathway.id, .init(exitDate: LocalDate(iso: date), exitKind: kind))
            }
            participant[spec.reference] = p.id
        }
        // Work outside clauses, and an extension awaiting the committee.
        if let karim = participant["DEMO-002"] {
            _ = try await ledger.episodes.create(
                caller, participantId: karim,
                .init(
                    employerName: "Intérim Étang de Berre (démo)", contractType: .temporaryWork,
                    startDate: LocalDate(iso: "2026-01-05"), endDate: LocalDate(iso: "2026-02-27"), weeklyHours: 35,
                    source: "Relevé de missions transmis par la personne",
                    monthlyHours: [
                        .init(month: YearMonth(year: 2026, month: 1) ?? today.yearMonth, hours: 140),
                        .init(month: YearMonth(year: 2026, month: 2) ?? today.yearMonth, hours: 133),
                    ]))
        }
        if let thierry = participant["DEMO-004"],
            let pathway = try await ledger.pathways.list(caller, participantId: thierry).first
        {
            _ = try await ledger.pathways.requestExtension(
                caller, id: pathway.id,
                .init(months: 6, reason: "Fin de contrat CDDI en septembre ; entrée en formation qualifiante prévue."))
        }
        let lastMonth = today.yearMonth.adding(months: -1)
        for spec in placements {
            guard let person = participant[spec.person], let lot = lots[spec.lot], let company = companies[spec.company]
            else { continue }
            let placement = try await ledger.placements.create(
                caller,
                .init(
                    participantId: person, lotId: lot, companyId: company, executionMode: spec.mode,
                    contractType: spec.contract,
                    startDate: LocalDate(iso: spec.start), endDate: spec.end.flatMap { LocalDate(iso: $0) },
                    weeklyHours: spec.weekly))
            let end = min(placement.endDate?.yearMonth ?? lastMonth, lastMonth)
            for (i, month) in placement.startDate.yearMonth.through(end).enumerated() {
                // A little variation from month to month; the first month is partial.
                let worked = i == 0 ? (spec.monthly / 2).rounded0 : spec.monthly - Decimal(i % 3) * 7
                _ = try await ledger.hours.declare(
                    caller,
                    HourDeclaration(
                        placementId: placement.id, month: month, workedHours: worked,
                        trainingHours: i == 0 ? 0 : spec.training),
                    validate: month < end, today: today)
            }
        }
    }

    /// The extract of the ROME codes and communes committed with the demo (`scripts/refdata-extract.py`).
    public static func loadReferenceData(_ store: ReferenceDataStore) async throws {
        func file(_ name: String) -> (name: String, data: Data) {
            (name, Data((EmbeddedRefdata.files.first { $0.name == name }?.text ?? "").utf8))
        }
        _ = try await store.importFiles(.rome, [file("rome-codes.csv"), file("rome-appellations.csv")])
        _ = try await store.importFiles(.communes, [file("communes.csv")])
    }

    /// Job seekers of the Istres PLIE with trades, mobility and availability, the first buyer's diversity
    /// goal, and two staffing needs, so that a shortlist shows at once.
    static func loadNeeds(
        _ services: AppServices, caller: Caller, lots: [String: UUID], buyer: UUID?, referentId: UUID?,
        today: LocalDate
    ) async throws {
        let ledger = services.ledger
        if let buyer {
            _ = try await services.buyers.update(
                caller, id: buyer,
                .init(
                    diversityGoals: [.women],
                    diversityBasis:
                        "délibération du conseil d'administration du 14 mars 2026 sur la mixité des métiers du bâtiment (démo)"
                ))
        }
        let plie = try await ledger.plie.list(caller, page: PageRequest(limit: 50)).items.first {
            $0.name.hasPrefix("PLIE Istres")
        }?.id
        struct SeekerSpec {
            let reference: String, first: String, last: String, sex: String, birth: String, commune: String
            let area: PriorityArea, skills: [String], targets: [String], licence: Bool, vehicle: Bool, range: Int?
            let entry: Int, rsa: Bool, project: Bool, sharing: ContactSharing
        }
        let seekers: [SeekerSpec] = [
            .init(
                reference: "DEMO-010", first: "Yasmine", last: "Benali", sex: "F", birth: "1990-03-17",
                commune: "13047",
                area: .qpv, skills: ["F1703"], targets: ["F1703"], licence: true, vehicle: false, range: 20,
                entry: -14, rsa: true, project: true, sharing: .phoneEmail),
            .init(
                reference: "DEMO-011", first: "Bruno", last: "Lecomte", sex: "M", birth: "1972-10-05", commune: "13056",
                area: .none, skills: ["F1701"], targets: ["F1703"], licence: true, vehicle: true, range: 30,
                entry: -16, rsa: false, project: false, sharing: .phone),
            .init(
                reference: "DEMO-012", first: "Fatou", last: "Sissoko", sex: "F", birth: "1999-07-21", commune: "13063",
                area: .qpv, skills: [], targets: ["F1606"], licence: false, vehicle: false, range: 15,
                entry: -3, rsa: false, project: false, sharing: .email),
            .init(
                reference: "DEMO-013", first: "Olivier", last: "Garnier", sex: "M", birth: "1985-01-30",
                commune: "13001",
                area: .none, skills: ["F1703"], targets: [], licence: true, vehicle: true, range: 10,
                entry: -8, rsa: true, project: true, sharing: .none),
            .init(
                reference: "DEMO-014", first: "Mathieu", last: "Roux", sex: "M", birth: "1994-11-11", commune: "13047",
                area: .tva, skills: ["A1203"], targets: ["A1203"], licence: true, vehicle: false, range: nil,
                entry: -6, rsa: false, project: true, sharing: .phone),
            .init(
                reference: "DEMO-015", first: "Leïla", last: "Haddad", sex: "F", birth: "1981-06-02", commune: "13063",
                area: .qpv, skills: ["K2204"], targets: ["F1703"], licence: true, vehicle: true, range: 25,
                entry: -10, rsa: true, project: false, sharing: .phoneEmail),
        ]
        for spec in seekers {
            let entry = today.adding(months: spec.entry)
            var person = try await ledger.participants.create(
                caller,
                .init(
                    reference: spec.reference, lastName: spec.last, firstName: spec.first,
                    birthDate: LocalDate(iso: spec.birth), sex: spec.sex,
                    phone: "06 00 00 00 \(spec.reference.suffix(2))",
                    email:
                        "\(spec.first.lowercased().folding(options: .diacriticInsensitive, locale: nil)).demo@example.org",
                    communeInsee: spec.commune, priorityArea: spec.area, prescriber: .franceTravail,
                    labourMarketStatus: .jobSeeker,
                    pathway: Pathway.Input(plieId: plie, entryDate: entry, referentUserId: referentId),
                    skills: spec.skills, targetJobs: spec.targets, drivingLicence: spec.licence, vehicle: spec.vehicle,
                    maxTravelKm: spec.range, availableFrom: entry, contactSharing: spec.sharing))
            if spec.rsa {
                person = try await ledger.participants.addCriterion(
                    caller, participantId: person.id,
                    .init(
                        code: .RSA, proofKind: "Attestation CAF (démo)", proofDate: today.adding(months: -2),
                        attestedBy: "CAF des Bouches-du-Rhône (démo)"), today: today)
                person = try await ledger.participants.validateCriterion(
                    caller, participantId: person.id, criterionId: person.criteria[0].id)
            }
            if spec.project, let pathway = person.pathways.first {
                _ = try await ledger.pathways.update(
                    caller, id: pathway.id, .init(projectValidatedOn: max(entry, today.adding(months: -1))))
            }
        }
        let needs = services.matching.needs
        if let grosOeuvre = lots["HOP-2026-014/1"] {
            _ = try await needs.create(
                caller, lotId: grosOeuvre,
                .init(
                    romeCodes: ["F1703"], headcount: 2, weeklyHours: 35, plannedStart: today.adding(days: 14),
                    plannedEnd: today.adding(months: 4), contractType: .cddChantier,
                    notes: "Deux maçons ou aides-maçons pour la reprise des façades (démo)."))
        }
        if let greenSpaces = lots["VME-2025-207/1"] {
            _ = try await needs.create(
                caller, lotId: greenSpaces,
                .init(
                    romeCodes: ["A1203"], headcount: 1, weeklyHours: 24, plannedStart: today.adding(days: 21),
                    plannedEnd: today.adding(months: 6), contractType: .cddi, drivingLicenceRequired: true))
        }
    }

    /// A valid SIRET (Luhn) from 13 digits: the 14th is the check digit.
    static func siret(_ base: String) -> String {
        for check in 0...9 where SIRET.isValid(base + String(check)) { return base + String(check) }
        return base + "0"
    }
}

extension Decimal {
    /// Rounded to the whole hour, half up.
    fileprivate var rounded0: Decimal { French.round(self, scale: 0) }
}
