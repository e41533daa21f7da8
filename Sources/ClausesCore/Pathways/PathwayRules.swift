import Foundation

/// The dates a pathway's profile sets (DOMAIN §6), for the pathway's page and the alerts that follow.
public struct PathwayMilestones: Codable, Sendable, Equatable {
    /// Entry + the profile's length + accepted extensions (nil: no maximum length).
    public var lengthReachedOn: LocalDate?
    /// The next point d'étape due (profiles with scheduled reviews), nil once exited.
    public var nextReviewDue: LocalDate?
    /// From this date a reorientation may be proposed (Nord-Ouest 91: 36 months).
    public var reorientationFrom: LocalDate?

    /// Milestones of a pathway entered on `entry`, with `extensionMonths` accepted, the reviews recorded
    /// so far, open or exited (`exited`).
    /// - Length: entry + (length + extensions) months (month arithmetic clamps to month ends).
    /// - Reviews: due at entry + k × every months (k ≥ 1, clamped to the month's end); a scheduled date is
    ///   done when a review is recorded no earlier than one month before it; the next due is the first
    ///   scheduled date not done.
    public static func of(
        profile: PLIEProfile, entry: LocalDate, extensionMonths: Int, reviews: [LocalDate], exited: Bool
    ) -> PathwayMilestones {
        let length = profile.pathwayMonths.map { entry.adding(months: $0 + extensionMonths) }
        var nextReview: LocalDate?
        if let every = profile.reviewEveryMonths, every > 0, !exited {
            let last = reviews.max()
            var k = 1
            while true {
                let due = entry.adding(months: every * k)
                if let last, due.adding(months: -1) <= last {
                    k += 1
                    continue
                }
                nextReview = due
                break
            }
        }
        return PathwayMilestones(
            lengthReachedOn: length, nextReviewDue: nextReview,
            reorientationFrom: profile.reorientationMonths.map { entry.adding(months: $0) })
    }
}

/// The extension quota of a référent (DOMAIN §6, Istres): ⌊share × file active⌋ on the decision date;
/// the numerator is the référent's open pathways already extended beyond the profile's length.
public struct ExtensionQuota: Codable, Sendable, Equatable {
    /// The référent's open pathways.
    public var fileActive: Int
    public var share: Decimal
    public var quota: Int
    /// Their open pathways with an accepted extension.
    public var extended: Int

    public init(fileActive: Int, share: Decimal, extended: Int) {
        self.fileActive = fileActive
        self.share = share
        var product = share * Decimal(fileActive)
        var floor = Decimal()
        NSDecimalRound(&floor, &product, 0, .down)
        self.quota = NSDecimalNumber(decimal: floor).intValue
        self.extended = extended
    }

    /// Whether one more extension fits.
    public var allowsOneMore: Bool { extended < quota }

    public var french: String {
        "\(extended) parcours prolongé(s) sur un quota de \(quota) (\(French.percent(share, .text)) d'une file active de \(fileActive) parcours, arrondis à l'inférieur)"
    }
}
