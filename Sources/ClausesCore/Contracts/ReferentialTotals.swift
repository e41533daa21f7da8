import Foundation
import PostgresClient

/// Headline counts for the dashboard, scoped to what the caller may see.
public struct ReferentialTotals: Sendable, Equatable {
    public let buyers: Int
    public let publicContracts: Int
    public let lots: Int
    /// Sum of the stored required hours of the visible lots' clauses.
    public let requiredHours: Decimal

    public static func load(_ caller: Caller, pool: PostgresPool) async throws -> ReferentialTotals {
        var sql = SQL()
        let buyerScope = Scope.buyers(caller, alias: "b", &sql) ?? "true"
        let contractScope = Scope.publicContracts(caller, alias: "pc", &sql) ?? "true"
        let lotScope = Scope.lots(caller, alias: "l", &sql) ?? "true"
        sql.text = """
            SELECT (SELECT count(*) FROM buyers b WHERE \(buyerScope)) AS buyers,
                   (SELECT count(*) FROM public_contracts pc WHERE \(contractScope)) AS contracts,
                   (SELECT count(*) FROM lots l JOIN public_contracts pc ON pc.id = l.public_contract_id WHERE \(lotScope)) AS lots,
                   (SELECT coalesce(sum(ic.required_hours), 0) FROM insertion_clauses ic JOIN lots l ON l.id = ic.lot_id
                      JOIN public_contracts pc ON pc.id = l.public_contract_id WHERE \(lotScope)) AS hours
            """
        let row = try await pool.query(sql)[0]
        return ReferentialTotals(
            buyers: try row.decode("buyers"), publicContracts: try row.decode("contracts"),
            lots: try row.decode("lots"), requiredHours: try row.decode("hours"))
    }
}
