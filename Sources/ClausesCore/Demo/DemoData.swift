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
    public static func load(pool: PostgresPool, bcryptCost: UInt8 = 10) async throws {
        let count = try await pool.query("SELECT count(*) FROM buyers").scalar(Int.self) ?? 0
        guard count == 0 else {
            throw DomainError.conflict("La base contient déjà des données : le jeu de démonstration ne se charge que dans une base vide.", code: "not_empty")
        }
        let caller = Caller.system("demo load")
        let buyers = EntityStore<Buyer>(pool: pool), operations = EntityStore<Operation>(pool: pool)
        let contracts = EntityStore<PublicContract>(pool: pool), lots = EntityStore<Lot>(pool: pool)
        let companies = EntityStore<Company>(pool: pool)
        let clauses = InsertionClauseStore(pool: pool, defaultRounding: .halfUp)
        let roles = LotCompanyStore(pool: pool)

        var company: [String: UUID] = [:]
        for (key, name, kind, base) in [
            ("batir", "Bâtir Provence Construction (démo)", "ordinary", "8012345670001"),
            ("peinture", "Couleurs de l'Étang Peinture (démo)", "ordinary", "8012345680001"),
            ("proprete", "Clair Net Services (démo)", "ordinary", "8012345690001"),
            ("paysage", "Paysages du Delta (démo)", "ordinary", "8012345700001"),
            ("etti", "Tremplin Intérim Insertion (démo)", "ETTI", "8012345710001"),
            ("aci", "Jardins Solidaires de l'Étang (démo)", "ACI", "8012345720001"),
            ("geiq", "GEIQ Bâtiment Sud (démo)", "GEIQ", "8012345730001"),
            ("essonne", "Essonne Rénovation Habitat (démo)", "ordinary", "8012345740001"),
        ] {
            company[key] = try await companies.create(caller, .init(siret: siret(base), name: name, kind: kind)).id
        }

        struct LotSpec {
            let number: Int, label: String, amount: Decimal, start: String, end: String, rome: [String], insee: String
            let calibration: CalibrationInput, contractor: String, partner: (String, String)?
        }
        struct ContractSpec {
            let reference: String, object: String, procedure: String, notified: String, months: Int, lots: [LotSpec]
        }
        struct BuyerSpec {
            let name: String, base: String, operation: (String, String, String)?, contracts: [ContractSpec]
        }
        func d(_ s: String) -> Decimal { Decimal(string: s)! }
        let territory: [BuyerSpec] = [
            BuyerSpec(name: "Habitat Ouest Provence, office public (démo)", base: "2013000010001",
                      operation: ("NPNRU Quartier des Salins (démo)", "anru", "13047"), contracts: [
                ContractSpec(reference: "HOP-2026-014", object: "Réhabilitation de 120 logements, résidence Les Salins",
                             procedure: "Procédure adaptée", notified: "2026-01-12", months: 18, lots: [
                    LotSpec(number: 1, label: "Gros œuvre", amount: d("1000000"), start: "2026-02-01", end: "2027-07-31",
                            rome: ["F1703", "F1701"], insee: "13047",
                            calibration: .standard(amount: d("1000000"), labourShare: d("0.50"), rate: d("0.05"), hourlyCost: 30),
                            contractor: "batir", partner: ("etti", "subcontractor")),
                    LotSpec(number: 2, label: "Peinture et revêtements", amount: d("420000"), start: "2026-06-01", end: "2027-05-31",
                            rome: ["F1606"], insee: "13047",
                            calibration: .standard(amount: d("420000"), labourShare: d("0.70"), rate: d("0.07"), hourlyCost: 28),
                            contractor: "peinture", partner: ("geiq", "co_contractor")),
                ]),
            ]),
            BuyerSpec(name: "Ville de Martigues-sur-Étang (démo)", base: "2013000020001", operation: nil, contracts: [
                ContractSpec(reference: "VME-2025-207", object: "Entretien des espaces verts communaux",
                             procedure: "Appel d'offres ouvert", notified: "2025-09-01", months: 36, lots: [
                    LotSpec(number: 1, label: "Espaces verts secteur nord", amount: d("360000"), start: "2025-10-01", end: "2028-09-30",
                            rome: ["A1203"], insee: "13056",
                            calibration: .fixed(hours: 1800), contractor: "paysage", partner: ("aci", "subcontractor")),
                    LotSpec(number: 2, label: "Espaces verts secteur sud", amount: d("290000"), start: "2025-10-01", end: "2028-09-30",
                            rome: ["A1203"], insee: "13056",
                            calibration: .shareOfWorkedHours(rate: d("0.10"), workedHours: 9000), contractor: "aci", partner: nil),
                ]),
            ]),
            BuyerSpec(name: "Communauté du Pays d'Aix, services techniques (démo)", base: "2013000030001", operation: nil, contracts: [
                ContractSpec(reference: "CPA-2026-031", object: "Nettoyage des locaux administratifs",
                             procedure: "Appel d'offres ouvert", notified: "2026-03-02", months: 36, lots: [
                    LotSpec(number: 1, label: "Nettoyage des bâtiments du centre", amount: d("300000"), start: "2026-04-01", end: "2029-03-31",
                            rome: ["K2204"], insee: "13001",
                            calibration: .cleaningPACT(turnover: d("300000"), months: 36, rate: d("0.05"), transferredMonthlyHours: d("200"), coefficient: 25),
                            contractor: "proprete", partner: nil),
                    LotSpec(number: 2, label: "Accueil et services aux usagers", amount: d("150000"), start: "2026-04-01", end: "2028-03-31",
                            rome: ["M1601"], insee: "13001",
                            calibration: .perInvoicedAmount(per: 2000, invoiced: d("150000")), contractor: "proprete", partner: nil),
                ]),
            ]),
            BuyerSpec(name: "Syndicat intercommunal Nord-Ouest Essonne (démo)", base: "2091000040001",
                      operation: ("Rénovation du groupe scolaire des Avelines (démo)", "free", "91692"), contracts: [
                ContractSpec(reference: "SINOE-2026-005", object: "Rénovation énergétique du groupe scolaire",
                             procedure: "Procédure adaptée", notified: "2026-02-16", months: 12, lots: [
                    LotSpec(number: 1, label: "Isolation et menuiseries", amount: d("640000"), start: "2026-03-01", end: "2027-02-28",
                            rome: ["F1613", "F1607"], insee: "91692",
                            calibration: .standard(amount: d("640000"), labourShare: d("0.45"), rate: d("0.06"), hourlyCost: 29),
                            contractor: "essonne", partner: ("etti", "subcontractor")),
                ]),
            ]),
        ]

        var firstBuyer: UUID?
        for spec in territory {
            let buyer = try await buyers.create(caller, .init(siret: siret(spec.base), name: spec.name))
            firstBuyer = firstBuyer ?? buyer.id
            var operationId: UUID?
            if let (name, regime, insee) = spec.operation {
                operationId = try await operations.create(caller, .init(buyerId: buyer.id, name: name, regime: regime, communeInsee: insee)).id
            }
            for c in spec.contracts {
                let contract = try await contracts.create(caller, .init(
                    buyerId: buyer.id, operationId: operationId, reference: c.reference, object: c.object, procedure: c.procedure,
                    notificationDate: LocalDate(iso: c.notified), durationMonths: c.months, socialConsiderations: ["Clause sociale"]))
                for l in c.lots {
                    let lot = try await lots.create(caller, .init(
                        publicContractId: contract.id, number: l.number, label: l.label, amountExclVat: l.amount,
                        executionStart: LocalDate(iso: l.start), executionEnd: LocalDate(iso: l.end), romeCodes: l.rome, worksiteInsee: l.insee))
                    _ = try await clauses.put(caller, lotId: lot.id, .init(calibration: l.calibration))
                    _ = try await roles.assign(caller, lotId: lot.id, .init(companyId: company[l.contractor], role: "contractor"))
                    if let (partner, role) = l.partner {
                        _ = try await roles.assign(caller, lotId: lot.id, .init(companyId: company[partner], role: role))
                    }
                }
            }
        }

        let users = UserStore(pool: pool, bcryptCost: bcryptCost)
        for (email, name, role, buyer, companyId) in [
            ("admin@demo.clauses.fr", "Administratrice démo", "admin", nil, nil),
            (facilitatorEmail, "Camille Facilitatrice (démo)", "facilitator", nil, nil),
            ("referent@demo.clauses.fr", "Sami Référent (démo)", "referent", nil, nil),
            ("acheteur@demo.clauses.fr", "Acheteur Habitat Ouest Provence (démo)", "buyer", firstBuyer, nil),
            ("entreprise@demo.clauses.fr", "Bâtir Provence (démo)", "company", nil, company["batir"]),
        ] as [(String, String, String, UUID?, UUID?)] {
            _ = try await users.create(caller, .init(email: email, displayName: name, role: role, password: password,
                                                     buyerId: buyer, companyId: companyId))
        }
    }

    /// A valid SIRET (Luhn) from 13 digits: the 14th is the check digit.
    static func siret(_ base: String) -> String {
        for check in 0...9 where SIRET.isValid(base + String(check)) { return base + String(check) }
        return base + "0"
    }
}
