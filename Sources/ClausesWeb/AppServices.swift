import ClausesCore
import Logging
import PostgresClient

/// Everything the routes need, built once at start-up.
public struct AppServices: Sendable {
    public let config: Config
    public let pool: PostgresPool
    public let users: UserStore
    public let buyers: EntityStore<Buyer>
    public let operations: EntityStore<Operation>
    public let publicContracts: EntityStore<PublicContract>
    public let lots: EntityStore<Lot>
    public let companies: EntityStore<Company>
    public let clauses: InsertionClauseStore
    public let lotCompanies: LotCompanyStore
    public let ledger: LedgerServices

    public init(config: Config, pool: PostgresPool, bcryptCost: UInt8 = 11) {
        self.config = config
        self.pool = pool
        users = UserStore(pool: pool, bcryptCost: bcryptCost)
        buyers = EntityStore(pool: pool)
        operations = EntityStore(pool: pool)
        publicContracts = EntityStore(pool: pool)
        lots = EntityStore(pool: pool)
        companies = EntityStore(pool: pool)
        clauses = InsertionClauseStore(pool: pool, defaultRounding: config.calibrationRounding)
        lotCompanies = LotCompanyStore(pool: pool)
        ledger = LedgerServices(pool: pool, config: config)
    }
}
