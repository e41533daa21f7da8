import Foundation

/// What a bilan is about: a marché, an operation, or all of a buyer's marchés (DOMAIN §8).
public enum ReportScope: Sendable, Equatable {
    case publicContract(UUID)
    case operation(UUID)
    case buyer(UUID)

    /// The scope's name in paths, the CLI and JSON.
    public enum Kind: String, InputEnum {
        case contract, operation, buyer

        public var frenchLabel: String {
            switch self {
            case .contract: "Marché"
            case .operation: "Opération"
            case .buyer: "Tous les marchés du donneur d'ordre"
            }
        }

        /// `Le marché`, `L'opération`, `Le donneur d'ordre`: the subject of a sentence.
        public var definite: String {
            switch self {
            case .contract: "Le marché"
            case .operation: "L'opération"
            case .buyer: "Le donneur d'ordre"
            }
        }
    }

    public init(kind: Kind, id: UUID) {
        switch kind {
        case .contract: self = .publicContract(id)
        case .operation: self = .operation(id)
        case .buyer: self = .buyer(id)
        }
    }

    public var kind: Kind {
        switch self {
        case .publicContract: .contract
        case .operation: .operation
        case .buyer: .buyer
        }
    }

    public var id: UUID {
        switch self {
        case .publicContract(let id), .operation(let id), .buyer(let id): id
        }
    }

    var balanceSubject: BalanceSubject {
        switch self {
        case .publicContract(let id): .publicContract(id)
        case .operation(let id): .operation(id)
        case .buyer(let id): .buyer(id)
        }
    }
}

/// The formats a bilan is offered in.
public enum ReportFormat: String, InputEnum {
    case html, csv, json

    public var contentType: String {
        switch self {
        case .html: "text/html; charset=utf-8"
        case .csv: "text/csv; charset=utf-8"
        case .json: "application/json; charset=utf-8"
        }
    }
}

/// Hours of a lot, a contractor or the whole scope at the bilan's date, as the balance service computed
/// them (DOMAIN §4): never suppressed.
public struct BilanHours: Encodable, Sendable, Equatable {
    public var requiredHours: Decimal
    public var workedHours: Decimal
    public var creditedHours: Decimal
    /// Hours credited for the months of the period (the others are since the start of execution).
    public var creditedInPeriod: Decimal
    public var remainingHours: Decimal
    public var surplusHours: Decimal
    public var completionRate: Decimal?
    public var status: LotStatus
}

public struct BilanLot: Encodable, Sendable, Equatable {
    public var contractReference: String
    public var lotNumber: Int
    public var lotLabel: String
    public var contractorName: String?
    public var executionStart: LocalDate?
    public var executionEnd: LocalDate?
    public var hours: BilanHours
    /// People on the lot in the period: total, sex and age band.
    public var people: BilanPeopleCounts
}

public struct BilanContractor: Encodable, Sendable, Equatable {
    public var name: String
    public var lotCount: Int
    public var hours: BilanHours
}

public struct BilanModeHours: Encodable, Sendable, Equatable {
    public var mode: ExecutionMode
    public var label: String
    public var workedHours: Decimal
    public var creditedHours: Decimal
}

public struct BilanMonth: Encodable, Sendable, Equatable {
    public var month: YearMonth
    public var label: String
    public var workedHours: Decimal
    public var trainingHours: Decimal
    public var creditedHours: Decimal
    public var cumulativeCreditedHours: Decimal
}

/// One published breakdown: its cells' counts after statistical secrecy.
public struct Breakdown: Encodable, Sendable, Equatable {
    public struct Cell: Encodable, Sendable, Equatable {
        public var key: String
        public var label: String
        public var count: PublishedCount
    }

    public var key: String
    public var label: String
    /// true: the cells add up to the total (complementary masking applies); false: they overlap.
    public var partition: Bool
    public var cells: [Cell]
}

/// A subject's people: the total and its breakdowns.
public struct BilanPeopleCounts: Encodable, Sendable, Equatable {
    public var total: PublishedCount
    public var breakdowns: [Breakdown]
}

public struct BilanContracts: Encodable, Sendable, Equatable {
    public var total: PublishedCount
    public var byType: Breakdown
    public var qualifyingHires: Breakdown
}

/// The effet levier (DOMAIN §8): surplus hours kept beyond the clause, and the hours the clause's
/// employees worked in the period beyond the clause (validated hours of their other placements, and the
/// monthly hours of their recorded employment episodes).
public struct BilanLeverage: Encodable, Sendable, Equatable {
    public var surplusHours: Decimal
    public var hoursBeyondClause: Decimal
}

/// A compliance report for a donneur d'ordre (DOMAIN §8): aggregates only, counts under statistical
/// secrecy, no name, birth date, commune, placement code or any other identifier of a person.
public struct Bilan: Encodable, Sendable, Equatable {
    /// A marché of the scope.
    public struct Contract: Encodable, Sendable, Equatable {
        public var reference: String
        public var object: String
    }

    public var scope: ReportScope.Kind
    /// The marché's reference and object, the operation's or the buyer's name.
    public var scopeLabel: String
    public var buyerName: String
    public var operationName: String?
    public var publicContracts: [Contract]
    public var period: ReportPeriod
    /// The date the balances are judged at: the period's end, or today when it has not ended.
    public var at: LocalDate
    public var generatedOn: LocalDate
    public var secrecyThreshold: Int
    public var hours: BilanHours
    public var lots: [BilanLot]
    public var contractors: [BilanContractor]
    public var byMode: [BilanModeHours]
    public var months: [BilanMonth]
    public var people: BilanPeopleCounts
    public var employmentContracts: BilanContracts
    public var leverage: BilanLeverage
}

extension Bilan {
    /// The bilan in `format`: the bytes the CLI writes, the API returns and the page offers to download.
    public func document(_ format: ReportFormat) throws -> Data {
        switch format {
        case .html: Data(html.utf8)
        case .csv: Data(csv.utf8)
        case .json: try JSONCoding.encode(self)
        }
    }

    /// `bilan-2026-Q3.csv`: the file's name when downloaded or attached.
    public func fileName(_ format: ReportFormat) -> String { "bilan-\(period.code).\(format.rawValue)" }
}
