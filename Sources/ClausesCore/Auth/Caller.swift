import Foundation

public enum Role: String, InputEnum {
    case admin, facilitator, referent, buyer, company

    public var frenchLabel: String {
        switch self {
        case .admin: "Administrateur"
        case .facilitator: "Facilitateur"
        case .referent: "Référent"
        case .buyer: "Donneur d'ordre"
        case .company: "Entreprise"
        }
    }

    /// The PLIE's own people: admin, facilitator, référent.
    public var isStaff: Bool { [.admin, .facilitator, .referent].contains(self) }
}

/// Who is asking: every store query is scoped to what this caller's role may see.
public struct Caller: Sendable, Equatable {
    public let userId: UUID?
    public let role: Role
    public let buyerId: UUID?
    public let companyId: UUID?
    /// Recorded in the audit log: the user's email, or the command that acted.
    public let label: String

    public init(userId: UUID?, role: Role, buyerId: UUID? = nil, companyId: UUID? = nil, label: String) {
        self.userId = userId
        self.role = role
        self.buyerId = buyerId
        self.companyId = companyId
        self.label = label
    }

    /// An operator acting from the command line (imports, demo data, user management).
    public static func system(_ label: String) -> Caller { Caller(userId: nil, role: .admin, label: label) }

    /// Facilitateurs and administrators maintain the referential; the other roles read it.
    public var canEditReferential: Bool { role == .admin || role == .facilitator }

    public func requireEditor() throws(DomainError) {
        guard canEditReferential else { throw DomainError.forbidden }
    }

    /// Hours are declared by staff who edit and by the employing company (its own placements).
    public var declaresHours: Bool {
        switch role {
        case .admin, .facilitator, .company: true
        case .referent, .buyer: false
        }
    }

    public func requireDeclarer() throws(DomainError) { try Scope.requireDeclarer(self) }

    /// The PLIE's own people (admin, facilitator, référent): pathways, indicators, committee lists.
    public func requireStaff() throws(DomainError) {
        guard role.isStaff else { throw DomainError.forbidden }
    }
}
