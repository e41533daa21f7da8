@testable import ClausesCore
import ClausesTestSupport
import Foundation
import Testing

/// Timings for the ledger's database paths (`make bench`, or `CLAUSES_BENCH=1 swift test --filter LedgerDBBench`).
/// They print figures and assert nothing about time (DESIGN: targets are measured, not asserted).
@Suite("LedgerDBBench", .enabled(if: ProcessInfo.processInfo.environment["CLAUSES_BENCH"] != nil), .serialized)
struct LedgerDBBenchmarks {
    static func milliseconds(_ body: () async throws -> Void) async rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try await body()
        let d = clock.now - start
        return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    /// `count` placements on each lot, each with validated reports for every month of 2025-01 … 2026-(months).
    static func seed(_ f: LedgerFixture, lots: [UUID], placementsPerLot: Int, months: Int) async throws {
        let person = try await f.participant("BENCH-P")
        try await f.pool.query("""
            INSERT INTO placements (code, participant_id, lot_id, company_id, execution_mode, contract_type, start_date, end_date, weekly_hours,
                                    counting, eligibility_criteria, created_by_label)
            SELECT 'MEP-2025-' || lpad(nextval('placement_code_seq')::text, 6, '0'), $1, l.lot_id, $2,
                   (ARRAY['directHire','workStudy','temporaryWork','siaeSubcontracting'])[1 + g % 4],
                   (ARRAY['cdi','professionalisation','temporaryWork','cddi'])[1 + g % 4], '2025-01-01', '2026-12-31', 20,
                   g % 10 <> 0, '{RSA}', 'bench'
            FROM unnest($3::uuid[]) AS l(lot_id) CROSS JOIN generate_series(1, $4) AS g
            """, [person.id, f.companyId, PostgresTextArray(lots.map { $0.uuidString.lowercased() }), placementsPerLot])
        try await f.pool.query("""
            INSERT INTO hour_reports (placement_id, month, worked_hours, training_hours, attested_insertion_hours, subcontract_amount, source,
                                      status, declared_by_label, validated_by_label, validated_at)
            SELECT p.id, (date '2025-01-01' + make_interval(months => m))::date, 100 + (m % 7) * 3.5, CASE WHEN m % 3 = 0 THEN 12 ELSE 0 END,
                   CASE WHEN p.execution_mode = 'siaeSubcontracting' AND m % 2 = 0 THEN 90 END,
                   CASE WHEN p.execution_mode = 'siaeSubcontracting' THEN 4000 END,
                   'facilitator', CASE WHEN m % 12 = 11 THEN 'declared' ELSE 'validated' END, 'bench',
                   CASE WHEN m % 12 = 11 THEN NULL ELSE 'bench' END, CASE WHEN m % 12 = 11 THEN NULL ELSE now() END
            FROM placements p CROSS JOIN generate_series(0, $2 - 1) AS m
            WHERE p.lot_id = ANY($1::uuid[])
            """, [PostgresTextArray(lots.map { $0.uuidString.lowercased() }), months])
        try await f.pool.query("ANALYZE")
    }

    @Test("lot balance: 100 placements × 24 months")
    func lotBalance() async throws {
        let f = try await LedgerFixture.make(requiredHours: 20_000, lotStart: "2025-01-01", lotEnd: "2026-12-31")
        defer { Task { await f.close() } }
        try await Self.seed(f, lots: [f.lotId], placementsPerLot: 100, months: 23)
        let at = ldate("2026-11-23")
        for _ in 0..<3 { _ = try await f.ledger.balances.lotBalance(f.staff, lotId: f.lotId, at: at) }
        var times: [Double] = []
        var credited: Decimal = 0
        for _ in 0..<20 {
            times.append(try await Self.milliseconds { credited = try await f.ledger.balances.lotBalance(f.staff, lotId: f.lotId, at: at).balance.creditedHours })
        }
        times.sort()
        print("BENCH lot balance (100 placements × 23 months, \(credited) h credited): median \(times[10]) ms, min \(times[0]) ms, max \(times[19]) ms")
    }

    @Test("buyer balance: 1,000 lots")
    func buyerBalance() async throws {
        let f = try await LedgerFixture.make(requiredHours: 500, lotStart: "2025-01-01", lotEnd: "2026-12-31")
        defer { Task { await f.close() } }
        let lots = try await f.pool.query("""
            WITH l AS (
                INSERT INTO lots (public_contract_id, number, label, execution_start, execution_end)
                SELECT $1, g, 'Lot ' || g, '2025-01-01', '2026-12-31' FROM generate_series(2, 1000) AS g RETURNING id
            ), c AS (
                INSERT INTO insertion_clauses (lot_id, calibration_mode, calibration_inputs, required_hours, unrounded_hours)
                SELECT id, 'fixed', '{"mode":"fixed","hours":500}', 500, 500 FROM l RETURNING lot_id
            )
            INSERT INTO lot_companies (lot_id, company_id, role) SELECT lot_id, $2, 'contractor' FROM c RETURNING lot_id
            """, [f.contractId, f.companyId]).map { try $0.decode(0, as: UUID.self) }
        try await Self.seed(f, lots: lots + [f.lotId], placementsPerLot: 3, months: 12)
        let at = ldate("2026-11-23")
        for _ in 0..<2 { _ = try await f.ledger.balances.balance(of: .buyer(f.buyerId), at: at, caller: f.buyer) }
        var times: [Double] = []
        var count = 0
        for _ in 0..<7 {
            times.append(try await Self.milliseconds { count = try await f.ledger.balances.balance(of: .buyer(f.buyerId), at: at, caller: f.buyer).lots.count })
        }
        times.sort()
        print("BENCH buyer balance (\(count) lots × 3 placements × 12 months): median \(times[3]) ms, min \(times[0]) ms, max \(times[6]) ms")
    }

    @Test("hours import: 100,000 lines")
    func import100k() async throws {
        let f = try await LedgerFixture.make(requiredHours: 500, lotStart: "2025-01-01", lotEnd: "2026-12-31")
        defer { Task { await f.close() } }
        try await Self.seed(f, lots: [f.lotId], placementsPerLot: 4348, months: 0)
        let codes = try await f.pool.query("SELECT code FROM placements ORDER BY code").map { try $0.decode(0, as: String.self) }
        var csv = "placement;mois;heures travaillées;heures de formation;commentaire\n"
        var lines = 0
        outer: for code in codes {
            for m in 0..<23 {
                let month = YearMonth(year: 2025, month: 1)!.adding(months: m)
                csv += "\(code);\(month);\(100 + m % 9),5;\(m % 4 == 0 ? "7" : "0");\n"
                lines += 1
                if lines == 100_000 { break outer }
            }
        }
        let data = Data(csv.utf8)
        var parsed = 0
        let parse = try Self.millisecondsSync { parsed = try HoursImport.parse(data, plausibleMonthlyCeiling: 220).rows.count }
        var report: ImportReport?
        let total = try await Self.milliseconds {
            report = try await f.ledger.imports.importHours(data: data, caller: f.staff, today: ldate("2026-11-23"))
        }
        let again = try await Self.milliseconds {
            report = try await f.ledger.imports.importHours(data: data, caller: f.staff, today: ldate("2026-11-23"))
        }
        if let problem = report?.problems.first { print("BENCH first problem: \(problem.frenchDescription)") }
        print("BENCH import \(parsed) lines: parse alone \(Int(parse)) ms; full import \(Int(total)) ms (\(Int(Double(lines) / total * 1000)) lines/s); re-import (all unchanged) \(Int(again)) ms; \(String(describing: report?.status)) unchanged=\(report?.unchanged ?? -1)")
        #expect(try await f.count("SELECT count(*) FROM hour_reports") == 100_000)
    }

    static func millisecondsSync(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        let d = clock.now - start
        return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }
}
