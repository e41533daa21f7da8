import Foundation
import PostgresClient

/// Who may see what, as SQL predicates over a query's aliases: the one scoping API every store uses
/// (DESIGN: scoped in SQL, never filtered afterwards). A nil predicate means everything.
///
/// Referential (buyers, operations, marchés, lots, companies):
/// - staff roles (admin, facilitator, referent) read it all;
/// - a `buyer` account its own buyer's marchés; a `company` account the lots its company holds a role on.
///
/// Ledger (participants, placements, hour reports):
/// - admin, facilitator: every participant, placement and report;
/// - referent: only the participants of whom they hold an open pathway, or the latest pathway, and
///   those participants' pathways, episodes, placements and reports;
/// - company: no participant records at all; the placements it employs (and their reports), with the
///   person shown as first name + initial of the last name (`Samira B.`), computed in SQL so the full
///   last name never leaves the database;
/// - buyer: no participant, placement or report row (aggregated balances only): `DomainError.forbidden`.
enum Scope {
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

    // MARK: - Ledger

    /// Predicate over a participants alias, or nil for everything. Throws for roles that see no participant.
    static func participants(_ caller: Caller, alias p: String, _ sql: inout SQL) throws(DomainError) -> String? {
        switch caller.role {
        case .admin, .facilitator: return nil
        case .referent:
            guard let user = caller.userId else { return "false" }
            return heldByReferent(participant: p, user: sql.bind(user))
        case .buyer, .company: throw DomainError.forbidden
        }
    }

    /// The référent (`user`, a bound parameter) holds an open pathway of the participant, or their latest one.
    static func heldByReferent(participant p: String, user: String) -> String {
        """
        EXISTS (SELECT 1 FROM pathways rpw WHERE rpw.participant_id = \(p).id AND rpw.referent_user_id = \(user)
                AND (rpw.status <> 'exited' OR NOT EXISTS (
                    SELECT 1 FROM pathways later WHERE later.participant_id = rpw.participant_id
                    AND (later.entry_date, later.id) > (rpw.entry_date, rpw.id))))
        """
    }

    /// Predicate over placements (`pl`) joined with their participant (`pa`), or nil for everything.
    static func placements(_ caller: Caller, placement pl: String, participant pa: String, _ sql: inout SQL)
        throws(DomainError) -> String?
    {
        switch caller.role {
        case .admin, .facilitator: return nil
        case .referent:
            guard let user = caller.userId else { return "false" }
            return heldByReferent(participant: pa, user: sql.bind(user))
        case .company:
            guard let company = caller.companyId else { return "false" }
            return "\(pl).company_id = \(sql.bind(company))"
        case .buyer: throw DomainError.forbidden
        }
    }

    /// The SQL expression naming the person of a placement for this caller (`PersonName`).
    static func personName(_ caller: Caller, participant pa: String) -> String {
        caller.role == .company ? PersonName.shortSQL(pa) : PersonName.fullSQL(pa)
    }

    /// Hours may be declared by staff and by the employing company (its own placements).
    static func requireDeclarer(_ caller: Caller) throws(DomainError) {
        guard caller.declaresHours else { throw DomainError.forbidden }
    }
}
