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
    /// `ledger.outcome_profile`.
    public let outcomeProfile: OutcomeProfile

    init(pool: PostgresPool, config: Config, clock: any CivilClock, parsing: BackgroundWorkers) {
        participants = ParticipantStore(
            pool: pool, eligibilityValidityMonths: config.ledger.eligibilityValidityMonths, clock: clock)
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
        outcomes = OutcomeStore(pool: pool)
        // The name was checked when the configuration was read (`Config.validate`).
        outcomeProfile = OutcomeProfile.named(config.ledger.outcomeProfile) ?? .istresOuestProvence2020
    }
}
