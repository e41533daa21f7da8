import ClausesTestSupport
import Foundation
import Testing

@testable import ClausesCore

func ldate(_ s: String) -> LocalDate { LocalDate(iso: s)! }
func lmonth(_ s: String) -> YearMonth { YearMonth(text: s)! }
func ldec(_ s: String) -> Decimal { Decimal(string: s, locale: Locale(identifier: "en_US_POSIX"))! }

/// The DomainError `body` throws (records an issue when it throws nothing or something else).
func ledgerError(_ body: () async throws -> Void) async -> DomainError? {
    do {
        try await body()
        Issue.record("expected a DomainError")
        return nil
    } catch let error as DomainError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// A migrated database with a buyer, a marché, a lot carrying a clause, a contractor, a second company,
/// and accounts of every role; fictional names only.
struct LedgerFixture {
    let db: TestDatabase
    let services: AppServices
    var ledger: LedgerServices { services.ledger }
    let config: Config
    let staff = Caller.system("test ledger")
    let buyerId: UUID
    let contractId: UUID
    let lotId: UUID
    let companyId: UUID
    let otherCompanyId: UUID
    let referentId: UUID
    let otherReferentId: UUID
    /// A PLIE under the Istres profile.
    let plieId: UUID

    var pool: PostgresPool { db.pool }
    var referent: Caller { Caller(userId: referentId, role: .referent, label: "referente@test") }
    var otherReferent: Caller { Caller(userId: otherReferentId, role: .referent, label: "referent2@test") }
    var company: Caller { Caller(userId: nil, role: .company, companyId: companyId, label: "entreprise@test") }
    var otherCompany: Caller { Caller(userId: nil, role: .company, companyId: otherCompanyId, label: "autre@test") }
    var buyer: Caller { Caller(userId: nil, role: .buyer, buyerId: buyerId, label: "acheteur@test") }

    static func make(requiredHours: Decimal = 1000, lotStart: String = "2026-01-01", lotEnd: String = "2026-12-31")
        async throws -> LedgerFixture
    {
        let db = try await TestDatabase.create(poolSize: 4)
        let config = Config()
        let staff = Caller.system("test ledger")
        let buyer = try await EntityStore<Buyer>(pool: db.pool).create(
            staff, .init(siret: DemoData.siret("2013000990001"), name: "Office test (démo)"))
        let contract = try await EntityStore<PublicContract>(pool: db.pool).create(
            staff,
            .init(
                buyerId: buyer.id, reference: "TEST-2026-001", object: "Réhabilitation test",
                socialConsiderations: ["Clause sociale"]))
        let company = try await EntityStore<Company>(pool: db.pool).create(
            staff, .init(siret: DemoData.siret("8019999990001"), name: "Bâtisseurs Test (démo)"))
        let other = try await EntityStore<Company>(pool: db.pool).create(
            staff, .init(siret: DemoData.siret("8019999980001"), name: "Intérim Test (démo)", kind: .ETTI))
        let lot = try await Self.lot(
            db.pool, contract: contract.id, number: 1, required: requiredHours, start: lotStart, end: lotEnd,
            contractor: company.id)
        var users: [UUID] = []
        for email in ["referente@test.fr", "referent2@test.fr"] {
            users.append(
                try await db.pool.query(
                    "INSERT INTO users (email, role, password_hash) VALUES ($1, 'referent', 'x') RETURNING id", [email]
                ).scalar(UUID.self)!)
        }
        let plie = try await PLIEStore(pool: db.pool, profiles: config.profiles).create(
            staff, .init(name: "PLIE Test (démo)", profile: "istres-ouest-provence-2020"))
        return LedgerFixture(
            db: db, services: AppServices(config: config, pool: db.pool, bcryptCost: 4), config: config,
            buyerId: buyer.id,
            contractId: contract.id, lotId: lot, companyId: company.id, otherCompanyId: other.id,
            referentId: users[0], otherReferentId: users[1], plieId: plie.id)
    }

    static func lot(
        _ pool: PostgresPool, contract: UUID, number: Int, required: Decimal, start: String, end: String,
        contractor: UUID
    ) async throws -> UUID {
        let staff = Caller.system("test ledger")
        let lot = try await EntityStore<Lot>(pool: pool).create(
            staff,
            .init(
                publicContractId: contract, number: number, label: "Lot \(number)", executionStart: ldate(start),
                executionEnd: ldate(end)))
        _ = try await InsertionClauseStore(pool: pool, defaultRounding: .halfUp).put(
            staff, lotId: lot.id, .init(calibration: .fixed(hours: required)))
        _ = try await LotCompanyStore(pool: pool).assign(
            staff, lotId: lot.id, .init(companyId: contractor, role: .contractor))
        return lot.id
    }

    /// A participant with validated (or not) proofs; with a référent or an entry date, also a pathway
    /// in the fixture's PLIE (entered on `pathwayEntry`, default 1 January 2025).
    func participant(
        _ reference: String, first: String = "Samira", last: String = "Benali", referent: UUID? = nil,
        pathwayEntry: String? = nil,
        criteria: [(EligibilityCriterionCode, String, Bool)] = [(.RSA, "2026-01-10", true)],
        sex: String = "F", birthDate: String? = nil, priorityArea: PriorityArea? = nil
    ) async throws -> Participant {
        let pathway =
            referent != nil || pathwayEntry != nil
            ? Pathway.Input(plieId: plieId, entryDate: ldate(pathwayEntry ?? "2025-01-01"), referentUserId: referent)
            : nil
        var p = try await ledger.participants.create(
            staff,
            .init(
                reference: reference, lastName: last, firstName: first, birthDate: birthDate.map(ldate), sex: sex,
                priorityArea: priorityArea, pathway: pathway))
        for (code, date, validated) in criteria {
            p = try await ledger.participants.addCriterion(
                staff, participantId: p.id, .init(code: code, proofDate: ldate(date)),
                today: ldate("2026-11-23"))
            if validated {
                let criterion = p.criteria.first { $0.code == code && $0.proofDate == ldate(date) }!
                p = try await ledger.participants.validateCriterion(
                    staff, participantId: p.id, criterionId: criterion.id)
            }
        }
        return p
    }

    func placement(
        _ participant: Participant, lot: UUID? = nil, company: UUID? = nil, mode: ExecutionMode = .directHire,
        contract: EmploymentContractType = .cdd, start: String = "2026-03-01", end: String? = "2026-08-31",
        weekly: Decimal = 35, nonCounting: Bool? = nil
    ) async throws -> Placement {
        try await ledger.placements.create(
            staff,
            .init(
                participantId: participant.id, lotId: lot ?? lotId, companyId: company ?? companyId,
                executionMode: mode,
                contractType: contract, startDate: ldate(start), endDate: end.map(ldate), weeklyHours: weekly,
                nonCounting: nonCounting))
    }

    func declare(
        _ placement: Placement, _ month: String, worked: Decimal, training: Decimal = 0, by caller: Caller? = nil,
        replace: Bool = false, confirm: Bool = false, validate: Bool = false
    ) async throws -> DeclarationResult {
        try await ledger.hours.declare(
            caller ?? staff,
            HourDeclaration(
                placementCode: placement.code, month: lmonth(month), workedHours: worked,
                trainingHours: training),
            replace: replace, confirmPlausible: confirm, validate: validate, today: ldate("2026-11-23"))
    }

    func count(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) async throws -> Int {
        try await pool.query(sql, parameters).scalar(Int.self) ?? 0
    }

    func close() async {
        await services.shutdown()
        await db.pool.shutdown()
    }
}
