import Foundation

/// What a balance is asked for.
public enum BalanceSubject: Sendable, Equatable {
    case lot(UUID)
    case publicContract(UUID)
    /// The lots the company holds as contractor (titulaire): the clause is its obligation.
    case company(UUID)
    case buyer(UUID)
    case operation(UUID)

    public var kind: String {
        switch self {
        case .lot: "lot"
        case .publicContract: "publicContract"
        case .company: "company"
        case .buyer: "buyer"
        case .operation: "operation"
        }
    }

    public var id: UUID {
        switch self {
        case .lot(let id), .publicContract(let id), .company(let id), .buyer(let id), .operation(let id): id
        }
    }
}

extension LotBalance {
    /// The balance as `caller` may read it: a buyer's names no placement and counts none (DOMAIN §8, §11:
    /// a count of 1 or 2 placements or hires would point at people; hours stay exact).
    func visible(to caller: Caller) -> LotBalance {
        guard caller.role == .buyer else { return self }
        var copy = self
        copy.placementCount = nil
        copy.pendingReports = nil
        for index in copy.credit.exclusions.indices { copy.credit.exclusions[index].placementIds = nil }
        for index in copy.credit.byMode.indices {
            copy.credit.byMode[index].placementCount = nil
            copy.credit.byMode[index].hires = nil
        }
        copy.credit.explanation = copy.credit.explanation.map(\.anonymous)
        return copy
    }
}

/// One lot's balance, computed from stored facts, with the credit's detail (month by month, by mode,
/// explanation lines) and what still waits for validation.
public struct LotBalance: Encodable, Sendable, Equatable {
    public let lotId: UUID
    public let lotNumber: Int
    public let lotLabel: String
    public let publicContractId: UUID
    public let publicContractReference: String
    public let buyerId: UUID
    public let operationId: UUID?
    public let contractorId: UUID?
    public let contractorName: String?
    public let calibrationMode: String
    /// nil in a buyer's view.
    public internal(set) var placementCount: Int?
    public let balance: Balance
    public internal(set) var credit: Credit
    /// Worked + training hours of current reports declared but not validated yet (not counted).
    public let pendingHours: Decimal
    /// How many reports wait for validation; nil in a buyer's view (the hours are given).
    public internal(set) var pendingReports: Int?
}

/// Hours of a group of lots for one month.
public struct MonthTotal: Codable, Sendable, Equatable {
    public var month: YearMonth
    public var worked: Decimal
    public var training: Decimal
    public var credited: Decimal
    public var cumulativeCredited: Decimal
}

/// A balance over several lots (or one): the aggregate, the lots sorted by urgency, the month series.
public struct BalanceSummary: Encodable, Sendable, Equatable {
    public let subject: String
    public let subjectId: UUID
    public let at: LocalDate
    public let aggregate: BalanceAggregate
    /// Most urgent first (`sortedByUrgency`).
    public let lots: [LotBalance]
    public let months: [MonthTotal]
    public let pendingHours: Decimal
}
