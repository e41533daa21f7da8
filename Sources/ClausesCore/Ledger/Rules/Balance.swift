import Foundation

/// What a lot's balance is computed from.
public struct BalanceInput: Sendable, Equatable {
    public var requiredHours: Decimal
    public var workedHours: Decimal
    public var trainingHours: Decimal
    public var creditedHours: Decimal
    public var executionStart: LocalDate?
    public var executionEnd: LocalDate?
    /// The date the balance is judged at (usually today).
    public var at: LocalDate
    /// Fraction of the expected hours a lot may lag before it is behind (0.10 = 10 %).
    public var tolerance: Decimal

    public init(
        requiredHours: Decimal, workedHours: Decimal, trainingHours: Decimal, creditedHours: Decimal,
        executionStart: LocalDate?, executionEnd: LocalDate?, at: LocalDate, tolerance: Decimal
    ) {
        self.requiredHours = requiredHours
        self.workedHours = workedHours
        self.trainingHours = trainingHours
        self.creditedHours = creditedHours
        self.executionStart = executionStart
        self.executionEnd = executionEnd
        self.at = at
        self.tolerance = tolerance
    }

    public init(
        requiredHours: Decimal, credit: Credit, executionStart: LocalDate?, executionEnd: LocalDate?, at: LocalDate,
        tolerance: Decimal
    ) {
        self.init(
            requiredHours: requiredHours, workedHours: credit.workedHours, trainingHours: credit.trainingHours,
            creditedHours: credit.creditedHours, executionStart: executionStart, executionEnd: executionEnd,
            at: at, tolerance: tolerance)
    }
}

/// Where a lot stands against its clause at a date (DOMAIN §4 "Progress and shortfall", §8).
public struct Balance: Encodable, Sendable, Equatable {
    public var requiredHours: Decimal
    public var workedHours: Decimal
    public var trainingHours: Decimal
    public var creditedHours: Decimal
    /// max(required − credited, 0).
    public var remainingHours: Decimal
    /// max(credited − required, 0): kept, the first half of the effet levier.
    public var surplusHours: Decimal
    /// credited ÷ required, 4 decimals; nil when nothing is required.
    public var completionRate: Decimal?
    /// Share of the execution period elapsed at the end of day `at` (days counted inclusively, clamped to
    /// [0, 1], 4 decimals); nil when the start or the end of execution is unknown.
    public var progress: Decimal?
    /// required × progress, 2 decimals; nil when progress is unknown.
    public var expectedHours: Decimal?
    /// max(expected − credited, 0); 0 when expected is unknown.
    public var shortfallHours: Decimal
    public var status: LotStatus
    /// Why the status, with its figures.
    public var statusExplanation: BalanceExplanation
    public var executionStart: LocalDate?
    public var executionEnd: LocalDate?
    public var at: LocalDate
}

/// Computes a lot's balance. The status is decided in this order:
/// 1. `done` when credited ≥ required > 0 (or nothing was required and execution has ended);
/// 2. `non_compliant` when `at` is after the execution end and credited < required;
/// 3. `not_started` when `at` is before the execution start, or no dates are known and nothing is credited;
/// 4. `behind` when credited < expected × (1 − tolerance) (strictly: exactly at the tolerance is on track);
/// 5. `on_track` otherwise (including when expected hours cannot be computed).
public func computeBalance(_ input: BalanceInput) -> Balance {
    let required = input.requiredHours
    let credited = input.creditedHours

    let completion: Decimal? = required > 0 ? French.round(credited / required, scale: 4) : nil
    var progress: Decimal?
    if let start = input.executionStart, let end = input.executionEnd {
        let total = start.days(until: end) + 1
        let elapsed = start.days(until: input.at) + 1
        if total <= 0 {
            progress = input.at >= start ? 1 : 0
        } else {
            let share = Decimal(min(max(elapsed, 0), total)) / Decimal(total)
            progress = French.round(share, scale: 4)
        }
    }
    let expected = progress.map { French.round(required * $0, scale: 2) }
    let shortfall = expected.map { max($0 - credited, 0) } ?? 0
    let ended = input.executionEnd.map { input.at > $0 } ?? false

    let status: LotStatus
    let why: BalanceExplanation
    if (required > 0 && credited >= required) || (required == 0 && ended) {
        status = .done
        why = .done(credited: credited, required: required)
    } else if ended, credited < required, let end = input.executionEnd {
        status = .nonCompliant
        why = .ended(end: end, credited: credited, required: required)
    } else if let start = input.executionStart, input.at < start {
        status = .notStarted
        why = .notStarted(start: start)
    } else if input.executionStart == nil, input.executionEnd == nil, credited == 0 {
        status = .notStarted
        why = .noDates
    } else if let expected, let progress {
        let behind = credited < expected * (1 - input.tolerance)
        status = behind ? .behind : .onTrack
        why = .progress(
            behind: behind, credited: credited, expected: expected, progress: progress, tolerance: input.tolerance)
    } else {
        status = .onTrack
        why = .incompletePeriod(credited: credited, required: required)
    }

    return Balance(
        requiredHours: required, workedHours: input.workedHours, trainingHours: input.trainingHours,
        creditedHours: credited, remainingHours: max(required - credited, 0), surplusHours: max(credited - required, 0),
        completionRate: completion, progress: progress, expectedHours: expected, shortfallHours: shortfall,
        status: status, statusExplanation: why,
        executionStart: input.executionStart, executionEnd: input.executionEnd, at: input.at)
}

/// Why a lot has its status, as values (`french(_:)` renders it; JSON carries the rule, the figures and
/// the text).
public enum BalanceExplanation: Sendable, Equatable {
    case done(credited: Decimal, required: Decimal)
    /// Execution ended on `end` short of the required hours.
    case ended(end: LocalDate, credited: Decimal, required: Decimal)
    case notStarted(start: LocalDate)
    /// No execution dates and nothing credited.
    case noDates
    /// Credited against expected hours at this point of the period, behind or within the tolerance.
    case progress(behind: Bool, credited: Decimal, expected: Decimal, progress: Decimal, tolerance: Decimal)
    /// One execution date is missing: no expected hours can be computed.
    case incompletePeriod(credited: Decimal, required: Decimal)

    public var rule: String {
        switch self {
        case .done: "done"
        case .ended: "ended"
        case .notStarted: "notStarted"
        case .noDates: "noDates"
        case .progress(let behind, _, _, _, _): behind ? "behind" : "onTrack"
        case .incompletePeriod: "incompletePeriod"
        }
    }

    public func french(_ style: FrenchStyle = .page) -> String {
        let h = { (value: Decimal) in French.hours(value, style) }
        switch self {
        case .done(let credited, let required):
            return "Objectif atteint : \(h(credited)) valorisées pour \(h(required)) prescrites."
        case .ended(let end, let credited, let required):
            return
                "Exécution terminée le \(French.date(end)) avec \(h(credited)) valorisées pour \(h(required)) prescrites : \(h(required - credited)) manquantes."
        case .notStarted(let start):
            return "Exécution non commencée (début prévu le \(French.date(start)))."
        case .noDates:
            return "Aucune date d'exécution connue et aucune heure valorisée."
        case .progress(let behind, let credited, let expected, let progress, let tolerance):
            let elapsed = "\(French.percent(progress, style)) de la période écoulée"
            let allowance = "tolérance de \(French.percent(tolerance, style))"
            return behind
                ? "En retard : \(h(credited)) valorisées pour \(h(expected)) attendues à ce stade (\(elapsed)), au-delà de la \(allowance)."
                : "Dans les temps : \(h(credited)) valorisées pour \(h(expected)) attendues à ce stade (\(elapsed), \(allowance))."
        case .incompletePeriod(let credited, let required):
            return
                "Dans les temps : \(h(credited)) valorisées pour \(h(required)) prescrites ; période d'exécution incomplète, pas d'heures attendues calculables."
        }
    }
}

extension BalanceExplanation: Encodable {
    private enum Key: String, CodingKey {
        case rule, text, credited, required, end, start, expected, progress, tolerance
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(rule, forKey: .rule)
        switch self {
        case .done(let credited, let required), .incompletePeriod(let credited, let required):
            try c.encode(credited, forKey: .credited)
            try c.encode(required, forKey: .required)
        case .ended(let end, let credited, let required):
            try c.encode(end, forKey: .end)
            try c.encode(credited, forKey: .credited)
            try c.encode(required, forKey: .required)
        case .notStarted(let start):
            try c.encode(start, forKey: .start)
        case .noDates:
            break
        case .progress(_, let credited, let expected, let progress, let tolerance):
            try c.encode(credited, forKey: .credited)
            try c.encode(expected, forKey: .expected)
            try c.encode(progress, forKey: .progress)
            try c.encode(tolerance, forKey: .tolerance)
        }
        try c.encode(french(.text), forKey: .text)
    }
}

// MARK: - Aggregates

public struct StatusCounts: Codable, Sendable, Equatable {
    public var onTrack = 0, behind = 0, done = 0, nonCompliant = 0, notStarted = 0

    public init() {}

    public subscript(status: LotStatus) -> Int {
        get {
            switch status {
            case .onTrack: onTrack
            case .behind: behind
            case .done: done
            case .nonCompliant: nonCompliant
            case .notStarted: notStarted
            }
        }
        set {
            switch status {
            case .onTrack: onTrack = newValue
            case .behind: behind = newValue
            case .done: done = newValue
            case .nonCompliant: nonCompliant = newValue
            case .notStarted: notStarted = newValue
            }
        }
    }
}

/// Several lots' balances added up (a marché, a company, a buyer, an operation).
public struct BalanceAggregate: Codable, Sendable, Equatable {
    public var lotCount: Int
    public var requiredHours: Decimal
    public var workedHours: Decimal
    public var trainingHours: Decimal
    public var creditedHours: Decimal
    /// Sum of the lots' remaining hours: one lot's surplus never makes up for another lot's shortfall,
    /// each clause being its own obligation.
    public var remainingHours: Decimal
    /// Sum of the lots' surplus hours.
    public var surplusHours: Decimal
    /// Total credited ÷ total required, 4 decimals; nil when nothing is required.
    public var completionRate: Decimal?
    /// Sum of the expected hours of the lots that have one; nil when none has.
    public var expectedHours: Decimal?
    public var shortfallHours: Decimal
    public var status: LotStatus
    public var statusCounts: StatusCounts
}

/// The status of a group of lots:
/// - `non_compliant` if any lot is non-compliant, else `behind` if any lot is behind (the worst wins:
///   the group needs attention as soon as one lot does);
/// - `done` only when every lot is done, `not_started` only when no lot has started (or the group is empty);
/// - `on_track` otherwise: a mix of on-track, done and not-started lots is a group in progress.
/// A plain "worst of" order (non_compliant > behind > on_track > not_started > done) would call a group
/// with one done lot and one lot not yet started "not started", which it is not.
public func aggregateStatus(_ statuses: [LotStatus]) -> LotStatus {
    if statuses.contains(.nonCompliant) { return .nonCompliant }
    if statuses.contains(.behind) { return .behind }
    if statuses.isEmpty || statuses.allSatisfy({ $0 == .notStarted }) { return .notStarted }
    if statuses.allSatisfy({ $0 == .done }) { return .done }
    return .onTrack
}

public func aggregateBalances(_ balances: [Balance]) -> BalanceAggregate {
    let sum: (KeyPath<Balance, Decimal>) -> Decimal = { path in balances.reduce(Decimal(0)) { $0 + $1[keyPath: path] } }
    let required = sum(\.requiredHours)
    let credited = sum(\.creditedHours)
    let expectedValues = balances.compactMap(\.expectedHours)
    var counts = StatusCounts()
    for balance in balances { counts[balance.status] += 1 }
    return BalanceAggregate(
        lotCount: balances.count, requiredHours: required, workedHours: sum(\.workedHours),
        trainingHours: sum(\.trainingHours), creditedHours: credited, remainingHours: sum(\.remainingHours),
        surplusHours: sum(\.surplusHours),
        completionRate: required > 0 ? French.round(credited / required, scale: 4) : nil,
        expectedHours: expectedValues.isEmpty ? nil : expectedValues.reduce(0, +),
        shortfallHours: sum(\.shortfallHours),
        status: aggregateStatus(balances.map(\.status)), statusCounts: counts)
}

// MARK: - Urgency

/// Sort key for "lots sorted by urgency" (smaller is more urgent):
/// 1. by status: non-compliant, behind, on track, not started, done;
/// 2. within non-compliant, most missing hours first; within behind, largest shortfall (expected − credited) first;
/// 3. then the lot ending soonest (unknown end last).
public struct UrgencyKey: Comparable, Sendable {
    public var statusRank: Int
    public var gapHours: Decimal
    public var endDayNumber: Int

    public static func < (lhs: UrgencyKey, rhs: UrgencyKey) -> Bool {
        if lhs.statusRank != rhs.statusRank { return lhs.statusRank < rhs.statusRank }
        if lhs.gapHours != rhs.gapHours { return lhs.gapHours > rhs.gapHours }
        return lhs.endDayNumber < rhs.endDayNumber
    }
}

extension LotStatus {
    /// 0 is the most urgent.
    public var urgencyRank: Int {
        switch self {
        case .nonCompliant: 0
        case .behind: 1
        case .onTrack: 2
        case .notStarted: 3
        case .done: 4
        }
    }
}

extension Balance {
    public var urgencyKey: UrgencyKey {
        let gap: Decimal =
            switch status {
            case .nonCompliant: remainingHours
            case .behind: shortfallHours
            default: 0
            }
        return UrgencyKey(
            statusRank: status.urgencyRank, gapHours: gap, endDayNumber: executionEnd?.dayNumber ?? Int.max)
    }
}

/// Sorts items (lots) by the urgency of their balance; ties keep their input order.
public func sortedByUrgency<T>(_ items: [T], balance: (T) -> Balance) -> [T] {
    // Sorts indices, not the items: a lot's balance is a large value to move around.
    let keys = items.map { balance($0).urgencyKey }
    return items.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }.map { items[$0] }
}
