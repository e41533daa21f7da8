import Foundation

/// The SQL predicates that keep a `buyer` account to its own buyer's marchés and a `company` account to
/// the lots its company holds a role on. Staff roles (admin, facilitator, referent) read the whole referential.
enum Scopes {
    /// Lots visible to a company: the ones it is contractor, co-contractor or subcontractor on.
    static func companyLots(_ companyId: String) -> String {
        "SELECT lc.lot_id FROM lot_companies lc WHERE lc.company_id = \(companyId)"
    }

    static func buyers(_ caller: Caller, alias b: String, _ sql: inout SQL) -> String? {
        switch caller.role {
        case .buyer: return "\(b).id = \(sql.bind(caller.buyerId))"
        case .company:
            return
                "\(b).id IN (SELECT pc.buyer_id FROM public_contracts pc JOIN lots l ON l.public_contract_id = pc.id WHERE l.id IN (\(companyLots(sql.bind(caller.companyId)))))"
        default: return nil
        }
    }

    static func operations(_ caller: Caller, alias o: String, _ sql: inout SQL) -> String? {
        switch caller.role {
        case .buyer: return "\(o).buyer_id = \(sql.bind(caller.buyerId))"
        case .company:
            return
                "\(o).id IN (SELECT pc.operation_id FROM public_contracts pc JOIN lots l ON l.public_contract_id = pc.id WHERE l.id IN (\(companyLots(sql.bind(caller.companyId)))))"
        default: return nil
        }
    }

    static func publicContracts(_ caller: Caller, alias pc: String, _ sql: inout SQL) -> String? {
        switch caller.role {
        case .buyer: return "\(pc).buyer_id = \(sql.bind(caller.buyerId))"
        case .company:
            return
                "\(pc).id IN (SELECT l.public_contract_id FROM lots l WHERE l.id IN (\(companyLots(sql.bind(caller.companyId)))))"
        default: return nil
        }
    }

    /// Lots, with their public contract joined as `pc`.
    static func lots(_ caller: Caller, alias l: String, _ sql: inout SQL) -> String? {
        switch caller.role {
        case .buyer: return "pc.buyer_id = \(sql.bind(caller.buyerId))"
        case .company: return "\(l).id IN (\(companyLots(sql.bind(caller.companyId))))"
        default: return nil
        }
    }

    static func companies(_ caller: Caller, alias c: String, _ sql: inout SQL) -> String? {
        switch caller.role {
        case .buyer:
            return
                "\(c).id IN (SELECT lc.company_id FROM lot_companies lc JOIN lots l ON l.id = lc.lot_id JOIN public_contracts pc ON pc.id = l.public_contract_id WHERE pc.buyer_id = \(sql.bind(caller.buyerId)))"
        case .company: return "\(c).id = \(sql.bind(caller.companyId))"
        default: return nil
        }
    }
}
