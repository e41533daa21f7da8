import Foundation

/// A count as a donneur d'ordre may read it (DOMAIN §8): exact, « < 3 » (below the threshold), or
/// « masqué » (hidden so that another hidden cell cannot be recomputed by subtraction).
public enum PublishedCount: Sendable, Equatable {
    case exact(Int)
    /// 1 or 2 with the default threshold of 3: the threshold is kept to print « < 3 ».
    case belowThreshold(Int)
    case masked

    /// `6`, `< 3` or `masqué`, the exact figure in `style` (JSON carries the same strings, without grouping).
    public func french(_ style: FrenchStyle = .text) -> String {
        switch self {
        case .exact(let value): French.number(Decimal(value), style, maxFraction: 0)
        case .belowThreshold(let threshold): "< \(threshold)"
        case .masked: "masqué"
        }
    }

    /// The exact value when published as such.
    public var exactValue: Int? {
        if case .exact(let value) = self { return value }
        return nil
    }
}

/// JSON: always a string (`"6"`, `"< 3"`, `"masqué"`), so a program reads every count the same way.
extension PublishedCount: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .exact(let value): try container.encode(String(value))
        default: try container.encode(french())
        }
    }
}

/// Statistical secrecy of the counts a buyer receives (DOMAIN §8, acceptance/bilan-secrecy.md). Hours are
/// never suppressed; only counts of people and contracts go through here.
public struct StatisticalSecrecy: Sendable, Equatable {
    /// Counts from 1 to `threshold − 1` are shown « < threshold » (`[reports] secrecy_threshold`, default 3).
    public let threshold: Int

    public init(threshold: Int = 3) { self.threshold = threshold }

    /// One count on its own: 0 stays 0, 1…threshold−1 become « < threshold ».
    public func count(_ value: Int) -> PublishedCount {
        value > 0 && value < threshold ? .belowThreshold(threshold) : .exact(value)
    }

    /// Whether a subject with this many people is itself below the threshold: then every cell of its
    /// breakdowns is masked, zeros included (a published 0 beside a total « < 3 » would tell the rest).
    public func isBelowThreshold(_ total: Int) -> Bool { total > 0 && total < threshold }

    /// A breakdown whose cells add up to `total` (sex, age band…), the total published. Cells below the
    /// threshold show « < 3 »; when any is hidden, further cells are masked, smallest non-zero first (the
    /// first of equal cells first), until the hidden cells add up to at least twice the threshold or all
    /// are hidden, so that no hidden cell can be recomputed by subtracting the published ones from the total.
    /// When all are hidden and their sum is still below twice the threshold, every cell is « masqué »:
    /// DOMAIN §8 stops at « all hidden », but « < 3 » cells adding up to a small total would each be known.
    public func partition(_ cells: [Int], subjectTotal: Int) -> [PublishedCount] {
        if isBelowThreshold(subjectTotal) { return cells.map { _ in .masked } }
        var published = cells.map(count)
        var hidden = cells.filter { $0 > 0 && $0 < threshold }.reduce(0, +)
        guard hidden > 0 else { return published }
        let candidates = cells.indices.filter { cells[$0] >= threshold }.sorted { (cells[$0], $0) < (cells[$1], $1) }
        for index in candidates where hidden < 2 * threshold {
            published[index] = .masked
            hidden += cells[index]
        }
        // Every non-zero cell hidden and still short of twice the threshold (a total of 3 to 5): a « < 3 »
        // is at least 1, so cells of 1 would be recomputed from the total; every cell is masked, zeros too.
        if hidden < 2 * threshold { return cells.map { _ in .masked } }
        return published
    }

    /// A breakdown whose cells overlap (a person may hold several criteria): not a partition, so each cell
    /// is published on its own, unless the subject itself is below the threshold.
    public func overlapping(_ cells: [Int], subjectTotal: Int) -> [PublishedCount] {
        if isBelowThreshold(subjectTotal) { return cells.map { _ in .masked } }
        return cells.map(count)
    }
}
