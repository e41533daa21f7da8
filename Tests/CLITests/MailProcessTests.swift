import ClausesTestSupport
import Foundation
import PostgresClient
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Mail through real processes: two `clauses serve` on one database, and a sender killed mid-send.
@Suite("Mail and jobs across processes")
struct MailProcessTests {
    /// A configuration file sending to `smtpURL` in clear (a sink on loopback), and its path.
    private func configFile(smtpURL: String) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appending(path: "clauses-\(UUID().uuidString).toml")
        try """
        [mail]
        from = "clauses <alertes@clauses.test>"
        smtp_url = "\(smtpURL)"
        smtp_starttls = false
        timeout_seconds = 30
        """.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// `count` messages waiting in the outbox, as a change would have written them.
    private func queue(_ count: Int, in pool: PostgresPool) async throws {
        try await pool.query(
            """
            INSERT INTO mail_outbox (message_id, kind, recipients, subject, text_body, created_at, next_attempt_at)
            SELECT '<m' || n || '@clauses.test>', 'alert', ARRAY['equipe' || n || '@example.test'],
                   'Alerte n° ' || n, 'Bonjour', now(), now()
            FROM generate_series(1, $1) AS n
            """, [count])
    }

    private func waitUntilSent(_ pool: PostgresPool, seconds: Int) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let waiting = try await pool.query("SELECT count(*) FROM mail_outbox WHERE status <> 'sent'").scalar(
                Int.self)
            if waiting == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await pool.query("SELECT count(*) FROM mail_outbox WHERE status = 'sent'").scalar(Int.self) ?? 0
    }

    private func stop(_ pid: pid_t) {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    @Test("two serve processes on one database run each job once per slot and send each message once")
    func twoInstances() async throws {
        let db = try await TestDatabase.create()
        defer { Task { await db.pool.shutdown() } }
        let sink = try SMTPSink()
        defer { sink.stop() }
        let config = try configFile(smtpURL: sink.url)
        defer { try? FileManager.default.removeItem(at: config) }
        try await queue(40, in: db.pool)
        // Both jobs last ran long ago: each instance finds the latest missed slot due at start.
        try await db.pool.query(
            """
            INSERT INTO job_runs (job, slot, started_at, finished_at, outcome, instance)
            VALUES ('send-mail', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', 'succeeded', 'x'),
                   ('prune', '2026-01-01T00:17:00Z', '2026-01-01T00:17:00Z', '2026-01-01T00:17:01Z', 'succeeded', 'x')
            """)
        let base = 20_000 + Int.random(in: 0..<2000)
        let first = try CLI.spawn(
            ["serve", "--config", config.path, "--port", "\(base)"], environment: ["CLAUSES_DATABASE_URL": db.url])
        let second = try CLI.spawn(
            ["serve", "--config", config.path, "--port", "\(base + 1)"], environment: ["CLAUSES_DATABASE_URL": db.url])
        let sent = try await waitUntilSent(db.pool, seconds: 60)
        // Leave time for a doubled run to show, then read both instances' metrics and stop them.
        try await Task.sleep(for: .seconds(1))
        let metrics = [
            CLI.httpGet(port: base, path: "/metrics").text, CLI.httpGet(port: base + 1, path: "/metrics").text,
        ]
        stop(first)
        stop(second)
        // The instance that sent reports it in its metrics: runs by outcome and messages sent.
        func sum(_ line: String) -> Int {
            metrics.map { text in
                text.split(separator: "\n").first { $0.hasPrefix(line + " ") }.flatMap {
                    Int($0.split(separator: " ").last ?? "")
                } ?? 0
            }.reduce(0, +)
        }
        #expect(sum(#"clauses_job_items_total{job="send-mail",item="sent"}"#) == 40)
        #expect(sum(#"clauses_job_runs_total{job="prune",outcome="succeeded"}"#) == 1)
        #expect(
            metrics.allSatisfy { $0.contains("clauses_job_duration_seconds") || !$0.contains("clauses_job_runs_total") }
        )

        #expect(sent == 40)
        let ids = try sink.messageIDs()
        #expect(ids.count == 40, "each message delivered once")
        #expect(Set(ids) == Set((1...40).map { "<m\($0)@clauses.test>" }))
        // One run a slot, whatever instance took it; the catch-up slots ran once each.
        let perSlot = try await db.pool.query(
            "SELECT job, slot, count(*) AS n FROM job_runs WHERE slot IS NOT NULL GROUP BY job, slot HAVING count(*) > 1"
        )
        #expect(perSlot.isEmpty)
        let catchUps = try await db.pool.query(
            "SELECT job, outcome FROM job_runs WHERE slot > '2026-01-02' AND outcome <> 'succeeded'")
        #expect(catchUps.isEmpty)
        let runs = try await db.pool.query("SELECT count(DISTINCT job) FROM job_runs WHERE slot > '2026-01-02'").scalar(
            Int.self)
        #expect(runs == 2)
    }

    @Test(
        "a sender killed in the middle of a send loses nothing: the next run sends the message again, same Message-ID")
    func killedMidSend() async throws {
        let db = try await TestDatabase.create()
        defer { Task { await db.pool.shutdown() } }
        // The server takes its time to accept the message: long enough to kill the sender meanwhile, even on a
        // busy machine.
        let slow = try SMTPSink(.init(dataDelay: 60))
        defer { slow.stop() }
        let slowConfig = try configFile(smtpURL: slow.url)
        defer { try? FileManager.default.removeItem(at: slowConfig) }
        try await queue(1, in: db.pool)

        let sender = try CLI.spawn(
            ["job", "run", "send-mail", "--config", slowConfig.path], environment: ["CLAUSES_DATABASE_URL": db.url])
        // Wait until the message is claimed and being handed over, then kill the process outright.
        let deadline = ContinuousClock.now + .seconds(20)
        while try await db.pool.query("SELECT count(*) FROM mail_outbox WHERE status = 'sending'").scalar(Int.self)
            == 0,
            ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(300))
        kill(sender, SIGKILL)
        var status: Int32 = 0
        waitpid(sender, &status, 0)
        #expect(try await db.pool.query("SELECT status FROM mail_outbox").scalar(String.self) == "sending")

        let fast = try SMTPSink()
        defer { fast.stop() }
        let fastConfig = try configFile(smtpURL: fast.url)
        defer { try? FileManager.default.removeItem(at: fastConfig) }
        let rerun = try CLI.run(
            ["job", "run", "send-mail", "--config", fastConfig.path], environment: ["CLAUSES_DATABASE_URL": db.url])
        #expect(rerun.status == 0)
        #expect(rerun.stdout.contains("released 1, retried 0, sent 1"))
        #expect(try fast.messageIDs() == ["<m1@clauses.test>"])
        #expect(try await db.pool.query("SELECT status FROM mail_outbox").scalar(String.self) == "sent")
        // The interrupted run is on record as such.
        let outcomes = try await db.pool.query("SELECT outcome FROM job_runs ORDER BY id").map {
            try $0.decode(0, as: String.self)
        }
        #expect(outcomes == ["interrupted", "succeeded"])
        // The slow server never got to accept the first attempt.
        #expect(try slow.messageIDs().isEmpty)
    }
}
