import Foundation
import PostgresClient

/// Every ledger store, built from the configuration.
public struct LedgerServices: Sendable {
    public let participants: ParticipantStore
    public let placements: PlacementStore
    public let hours: HourReportStore
    public let balances: BalanceService
    public let imports: ImportService
    public let outcomes: OutcomeStore
    public let plie: PLIEStore
    public let pathways: PathwayStore
    public let episodes: EmploymentEpisodeStore
    public let indicators: IndicatorService
    public let committee: CommitteeService
    public let dashboard: Dashboard

    init(pool: PostgresPool, config: Config, clock: any CivilClock, parsing: BackgroundWorkers) {
        plie = PLIEStore(pool: pool, profiles: config.profiles)
        pathways = PathwayStore(pool: pool, profiles: config.profiles, clock: clock)
        episodes = EmploymentEpisodeStore(pool: pool)
        participants = ParticipantStore(
            pool: pool, eligibilityValidityMonths: config.ledger.eligibilityValidityMonths, clock: clock,
            pathways: pathways)
        placements = PlacementStore(pool: pool, eligibilityValidityMonths: config.ledger.eligibilityValidityMonths)
        hours = HourReportStore(
            pool: pool, plausibleMonthlyHours: config.ledger.plausibleMonthlyHours, placements: placements, clock: clock
        )
        balances = BalanceService(
            pool: pool, countingDefaults: config.counting.table, tolerance: config.ledger.tolerance)
        imports = ImportService(
            pool: pool, plausibleMonthlyHours: config.ledger.plausibleMonthlyHours,
            rules: ImportRules(limits: config.imports.limits, dates: config.input.dates),
            workers: parsing, maxConcurrent: config.imports.maxConcurrent, clock: clock)
        outcomes = OutcomeStore(
            pool: pool, profiles: config.profiles, afterExitMonths: config.ledger.outcomeAfterExitMonths)
        indicators = IndicatorService(
            pool: pool, profiles: config.profiles, eligibilityValidityMonths: config.ledger.eligibilityValidityMonths)
        committee = CommitteeService(pool: pool, profiles: config.profiles, outcomes: outcomes, clock: clock)
        dashboard = Dashboard(pool: pool)
    }
}
