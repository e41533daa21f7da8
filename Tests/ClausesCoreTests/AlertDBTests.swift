import ClausesTestSupport
import Foundation
import Testing

@testable import ClausesCore

/// `acceptance/alerts.md` AL1–AL5 and the lifecycle (open, update, close, reopen as new, acknowledge,
/// snooze and wake), against a real database.
@Suite struct AlertDBTests {
    /// Scans on `day` and returns the current and closed alerts of `rule` on `subject`.
    static func scan(_ f: LedgerFixture, _ day: String) async throws -> AlertScanResult {
        try await f.services.alertScanner.scan(at: ldate(day), now: FixedClock(ldate(day)).now)
    }

    static func alerts(_ f: LedgerFixture, _ rule: AlertRule, subject: UUID) async throws -> [Alert] {
        var filter = AlertFilter()
        filter.includeClosed = true
        filter.rules = [rule]
        filter.subjectId = subject
        return try await f.services.alerts.list(f.staff, filter).sorted { $0.id < $1.id }
    }

    /// A lot of `required` hours executed from `start` to `end`, and a placement on it whose validated
    /// reports give `hours` (month → worked hours).
    static func lot(
        _ f: LedgerFixture, number: Int, required: Decimal, start: String, end: String, hours: [(String, String)],
        penalty: Decimal? = nil
    ) async throws -> (lot: UUID, placement: Placement?) {
        let lot = try await LedgerFixture.lot(
            f.pool, contract: f.contractId, number: number, required: required, start: start, end: end,
            contractor: f.companyId)
        if let penalty {
            _ = try await f.services.clauses.put(
                f.staff, lotId: lot, .init(calibration: .fixed(hours: required), penaltyPerMissingHour: penalty))
        }
        guard !hours.isEmpty else { return (lot, nil) }
        let person = try await f.participant("AL-\(number)", criteria: [(.RSA, "2025-12-01", true)])
        let placement = try await f.placement(person, lot: lot, start: start, end: end)
        for (month, worked) in hours {
            _ = try await f.declare(placement, month, worked: ldec(worked), confirm: true, validate: true)
        }
        return (lot, placement)
    }

    @Test func al1AndAl2LotBehindOpensThenClosesWhenHoursArrive() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let (lot, lotPlacement) = try await Self.lot(
            f, number: 2, required: 600, start: "2026-03-01", end: "2026-08-31",
            hours: [("2026-03", "125"), ("2026-04", "125")])
        _ = try await Self.scan(f, "2026-05-31")
        var behind = try await Self.alerts(f, .lotBehind, subject: lot)
        #expect(behind.count == 1)
        let opened = try #require(behind.first)
        #expect(opened.state == .open && opened.severity == .warning && opened.openedOn == ldate("2026-05-31"))
        #expect(opened.data["progress"] == "0.5000")
        #expect(opened.data["expectedHours"] == "300.00")
        #expect(opened.data["thresholdHours"] == "270.00")
        #expect(opened.data["creditedHours"] == "250.00")
        #expect(opened.data["shortfallHours"] == "50.00")
        #expect(opened.path == "/lots/\(lot.uuidString.lowercased())")
        // The same day again: every finding equals its stored alert (figures compared as jsonb prints them).
        let again = try await Self.scan(f, "2026-05-31")
        #expect(again.opened == 0 && again.updated == 0 && again.closed == 0 && again.current > 0)

        // AL2: 30 h more credited; the same alert closes on 2026-06-01.
        let placement = try #require(lotPlacement)
        _ = try await f.declare(placement, "2026-05", worked: 30, confirm: true, validate: true)
        let result = try await Self.scan(f, "2026-06-01")
        #expect(result.closed >= 1)
        behind = try await Self.alerts(f, .lotBehind, subject: lot)
        #expect(behind.count == 1)
        #expect(behind.first?.id == opened.id)
        #expect(behind.first?.state == .closed && behind.first?.closedOn == ldate("2026-06-01"))
    }

    @Test func al3AndAl4EndingSoonThenNonCompliantWithPenalty() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let (lot, lotPlacement) = try await Self.lot(
            f, number: 3, required: 400, start: "2026-01-01", end: "2026-06-30",
            hours: [("2026-01", "76"), ("2026-02", "76"), ("2026-03", "76"), ("2026-04", "76"), ("2026-05", "76")],
            penalty: 40)
        _ = try await Self.scan(f, "2026-05-30")
        #expect(try await Self.alerts(f, .lotEndingSoon, subject: lot).isEmpty)
        _ = try await Self.scan(f, "2026-05-31")
        let soon = try await Self.alerts(f, .lotEndingSoon, subject: lot)
        #expect(soon.count == 1)
        #expect(soon.first?.data["daysLeft"] == "30")
        #expect(soon.first?.data["remainingHours"] == "20.00")
        #expect(try await Self.alerts(f, .lotBehind, subject: lot).isEmpty, "on track: expected 333.72")

        _ = try await Self.scan(f, "2026-07-01")
        let closed = try await Self.alerts(f, .lotEndingSoon, subject: lot)
        #expect(closed.first?.state == .closed && closed.first?.closedOn == ldate("2026-07-01"))
        let ended = try #require(try await Self.alerts(f, .lotNonCompliant, subject: lot).first)
        #expect(ended.state == .open && ended.severity == .critical)
        #expect(ended.data["missingHours"] == "20.00")
        #expect(ended.data["penalty"] == "800.00")
        #expect(ended.summary.contains("800,00 €"))
    }

    @Test func al5MissingReportAfterDayD() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let person = try await f.participant("AL-5", criteria: [(.RSA, "2026-02-01", true)])
        let placement = try await f.placement(person, start: "2026-03-01", end: "2026-03-31")
        _ = try await Self.scan(f, "2026-04-10")
        #expect(try await Self.alerts(f, .missingHourReport, subject: placement.id).isEmpty)
        _ = try await Self.scan(f, "2026-04-11")
        let missing = try await Self.alerts(f, .missingHourReport, subject: placement.id)
        #expect(missing.count == 1)
        #expect(missing.first?.subject.key == "2026-03")
        // A declared report (not yet validated) clears it.
        _ = try await f.declare(placement, "2026-03", worked: 100)
        _ = try await Self.scan(f, "2026-04-12")
        #expect(try await Self.alerts(f, .missingHourReport, subject: placement.id).first?.state == .closed)
    }

    @Test func lifecycleSnoozeWakesOnWorseAcknowledgeAndReopenAsNew() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        let (lot, lotPlacement) = try await Self.lot(
            f, number: 2, required: 600, start: "2026-03-01", end: "2026-08-31",
            hours: [("2026-03", "125"), ("2026-04", "125")])
        _ = try await Self.scan(f, "2026-05-31")
        let first = try #require(try await Self.alerts(f, .lotBehind, subject: lot).first)

        // A snooze must end after today.
        let past = await ledgerError {
            _ = try await f.services.alerts.snooze(
                f.staff, id: first.id, .init(until: ldate("2026-05-31")), today: ldate("2026-05-31"))
        }
        #expect(past?.field == "until")
        // A référent who follows nothing about this lot cannot see it.
        let hidden = await ledgerError {
            _ = try await f.services.alerts.acknowledge(f.referent, id: first.id, .init())
        }
        #expect(hidden?.kind == .notFound)

        let snoozed = try await f.services.alerts.snooze(
            f.staff, id: first.id, .init(until: ldate("2026-07-01"), comment: "Relance faite"),
            today: ldate("2026-05-31"))
        #expect(snoozed.state == .snoozed && snoozed.comment == "Relance faite")
        // Still behind, a little more: updated, still asleep.
        _ = try await Self.scan(f, "2026-06-02")
        var current = try #require(try await Self.alerts(f, .lotBehind, subject: lot).first)
        #expect(current.state == .snoozed && current.severity == .warning && current.data["shortfallHours"] != "50.00")
        // 15 June: shortfall 98.91 h of 348.91 h expected (28 % ≥ 25 %): critical, the snooze wakes.
        _ = try await Self.scan(f, "2026-06-15")
        current = try #require(try await Self.alerts(f, .lotBehind, subject: lot).first)
        #expect(current.id == first.id)
        #expect(current.state == .open && current.severity == .critical && current.snoozedUntil == nil)

        let acknowledged = try await f.services.alerts.acknowledge(
            f.staff, id: first.id, .init(comment: "Vu avec l'entreprise"))
        #expect(acknowledged.state == .acknowledged)
        _ = try await Self.scan(f, "2026-06-16")
        #expect(try await Self.alerts(f, .lotBehind, subject: lot).first?.state == .acknowledged)

        // The hours arrive: closed; acting on a closed alert is refused.
        let placement = try #require(lotPlacement)
        _ = try await f.declare(placement, "2026-05", worked: 160, confirm: true, validate: true)
        _ = try await Self.scan(f, "2026-06-17")
        #expect(try await Self.alerts(f, .lotBehind, subject: lot).first?.state == .closed)
        let closedAction = await ledgerError {
            _ = try await f.services.alerts.acknowledge(f.staff, id: first.id, .init())
        }
        #expect(closedAction?.kind == .conflict)

        // Behind again in August: a new alert opens, the old one stays closed in the history.
        _ = try await Self.scan(f, "2026-08-10")
        let history = try await Self.alerts(f, .lotBehind, subject: lot)
        #expect(history.count == 2)
        #expect(history[0].id == first.id && history[0].state == .closed)
        #expect(history[1].state == .open && history[1].openedOn == ldate("2026-08-10"))
    }

    @Test func lotWithoutPlacementProofExpiringAndQuota() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        // The fixture's lot (2026-01-01 → 2026-12-31) has no placement: 30 days after its start it alerts.
        _ = try await Self.scan(f, "2026-01-30")
        #expect(try await Self.alerts(f, .lotWithoutPlacement, subject: f.lotId).isEmpty)
        _ = try await Self.scan(f, "2026-01-31")
        #expect(try await Self.alerts(f, .lotWithoutPlacement, subject: f.lotId).first?.state == .open)

        // RSA proof of 2026-01-10: valid through 2026-07-10; a placement planned from 2026-08-01.
        let person = try await f.participant("AL-P", criteria: [(.RSA, "2026-01-10", true)])
        let placement = try await f.placement(person, start: "2026-08-01", end: "2026-12-31", nonCounting: true)
        _ = try await Self.scan(f, "2026-06-09")
        #expect(try await Self.alerts(f, .proofExpiring, subject: placement.id).isEmpty, "31 days left")
        _ = try await Self.scan(f, "2026-06-10")
        let expiring = try #require(try await Self.alerts(f, .proofExpiring, subject: placement.id).first)
        #expect(expiring.data["validUntil"] == "2026-07-10" && expiring.data["daysLeft"] == "30")
        #expect(expiring.severity == .warning)
        #expect(!expiring.summary.contains("Benali") && !expiring.subject.label.contains("Benali"))
        _ = try await Self.scan(f, "2026-07-10")
        let lastDay = try #require(try await Self.alerts(f, .proofExpiring, subject: placement.id).first)
        #expect(lastDay.state == .open && lastDay.severity == .critical && lastDay.data["daysLeft"] == "0")
        _ = try await Self.scan(f, "2026-07-11")
        #expect(try await Self.alerts(f, .proofExpiring, subject: placement.id).first?.state == .closed)
    }

    @Test func pathwayMilestonesGoToTheReferent() async throws {
        let f = try await LedgerFixture.make()
        defer { Task { await f.close() } }
        // Istres: 18 months; entered 2025-01-01, the length is reached on 2026-07-01.
        let person = try await f.participant("AL-W", referent: f.referentId, pathwayEntry: "2025-01-01")
        _ = try await Self.scan(f, "2026-05-31")
        let pathways = try await f.ledger.pathways.list(f.staff, participantId: person.id)
        let pathway = try #require(pathways.first)
        #expect(try await Self.alerts(f, .pathwayLengthReached, subject: pathway.id).isEmpty)
        _ = try await Self.scan(f, "2026-06-01")
        let soon = try #require(try await Self.alerts(f, .pathwayLengthReached, subject: pathway.id).first)
        #expect(soon.severity == .warning && soon.data["lengthReachedOn"] == "2026-07-01")
        // The référent sees it (it holds the pathway); the other référent does not.
        var mine = AlertFilter()
        mine.mine = true
        #expect(try await f.services.alerts.list(f.referent, mine).contains { $0.id == soon.id })
        #expect(try await f.services.alerts.list(f.otherReferent).allSatisfy { $0.id != soon.id })
        _ = try await Self.scan(f, "2026-07-01")
        #expect(try await Self.alerts(f, .pathwayLengthReached, subject: pathway.id).first?.severity == .critical)
        // An extension request awaiting the committee clears it.
        _ = try await f.ledger.pathways.requestExtension(
            f.staff, id: pathway.id, .init(months: 6, reason: "Formation en cours"))
        _ = try await Self.scan(f, "2026-07-02")
        #expect(try await Self.alerts(f, .pathwayLengthReached, subject: pathway.id).first?.state == .closed)
    }
}
