import Foundation
import PostgresClient

/// The matching stores (DOMAIN §7): reference data, staffing needs, shortlists, proposals.
public struct MatchingServices: Sendable {
    public let referenceData: ReferenceDataStore
    public let needs: StaffingNeedStore
    public let shortlists: ShortlistService
    public let proposals: ProposalStore

    init(pool: PostgresPool, config: Config, clock: any CivilClock, placements: PlacementStore) {
        referenceData = ReferenceDataStore(pool: pool)
        needs = StaffingNeedStore(pool: pool, clock: clock)
        shortlists = ShortlistService(
            pool: pool, clock: clock, validityMonths: config.ledger.eligibilityValidityMonths,
            weights: config.matching.weights, profiles: config.profiles)
        proposals = ProposalStore(pool: pool, shortlists: shortlists, placements: placements)
    }
}
