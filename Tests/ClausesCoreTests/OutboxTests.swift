import ClausesTestSupport
import Foundation
import Logging
import Mailer
import PostgresClient
import Testing

@testable import ClausesCore

private func utc(_ text: String) -> Date {
    ISO8601DateFormatter().date(from: text) ?? Date(timeIntervalSince1970: 0)
}

/// A migrated database, services whose mail goes to `sink` (in clear, as on loopback), and a clock that
/// moves when told.
private struct OutboxFixture {
    let db: TestDatabase
    let services: AppServices
    let clock: SimulatedClock

    static func make(smtpURL: String, configure: (inout Config) -> Void = { _ in }) async throws -> OutboxFixture {
        let db = try await TestDatabase.create()
        var config = Config()
        config.mail.smtpURL = smtpURL
        config.mail.smtpStartTLS = false
        config.mail.from = "clauses <alertes@clauses.test>"
        config.mail.timeoutSeconds = 10
        config.server.baseURL = "https://clauses.example.org"
        configure(&config)
        let clock = SimulatedClock(start: utc("2026-12-01T08:00:00Z"), end: utc("2027-12-31T00:00:00Z"))
        return OutboxFixture(
            db: db, services: AppServices(config: config, pool: db.pool, clock: clock, bcryptCost: 4), clock: clock)
    }

    /// Runs the `send-mail` job once, as the scheduler would.
    func send() async throws -> [String: Int] {
        let result = try await JobRunner(pool: db.pool, logger: Logger(label: "test")).run(
            .sendMail, body: services.jobBody(.sendMail), slot: nil, asOf: nil, clock: clock)
        guard case .ran(.succeeded, let counts, _) = result else {
            Issue.record("send-mail did not succeed: \(result)")
            return [:]
        }
        return counts
    }

    func status(_ id: UUID) async throws -> (status: String, attempts: Int, error: String?, code: Int?) {
        let row = try await db.pool.query(
            "SELECT status, attempts, last_error, last_smtp_code FROM mail_outbox WHERE id = $1", [id]
        ).one()
        return (
            try row.decode("status"), try row.decode("attempts"), try row.decode("last_error"),
            try row.decode("last_smtp_code")
        )
    }

    func close() async {
        await services.shutdown()
        await db.pool.shutdown()
    }
}

private func mail(_ to: String, subject: String = "Lot en retard : Voirie — lot 2") -> OutgoingMail {
    OutgoingMail(
        kind: .alert, to: [to], subject: subject, text: "Bonjour,\n\nLe lot 2 a pris du retard.",
        html: "<p>Bonjour,</p><p>Le lot 2 a pris du retard.</p>",
        attachments: [
            MailAttachment(filename: "bilan été.csv", contentType: "text/csv; charset=utf-8", data: Data("a;b\n".utf8))
        ])
}

@Suite("Mail outbox: written with the change, sent once by the send-mail job, retried, given up")
struct OutboxTests {
    @Test("a message is written in the transaction of its change: rolled back with it, sent after it commits")
    func sameTransaction() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let f = try await OutboxFixture.make(smtpURL: sink.url)
        defer { Task { await f.close() } }

        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await f.db.pool.withTransaction { connection in
                try await f.services.outbox.enqueue(mail("elodie@example.test"), on: connection, now: f.clock.now)
                throw Refused()
            }
        }
        #expect(try await f.services.outbox.counts()[.pending] == 0)

        let id = try await f.db.pool.withTransaction { connection in
            try await f.services.outbox.enqueue(mail("elodie@example.test"), on: connection, now: f.clock.now)
        }
        #expect(try await f.send() == ["released": 0, "sent": 1, "retried": 0, "failed": 0])
        #expect(try await f.status(id).status == "sent")
        // A second run sends nothing again.
        #expect(try await f.send()["sent"] == 0)

        let received = try sink.received()
        try #require(received.count == 1)
        let raw = String(decoding: received[0].raw, as: UTF8.self)
        let messageID = try await f.db.pool.query("SELECT message_id FROM mail_outbox WHERE id = $1", [id]).scalar(
            String.self)
        #expect(messageID == "<\(id.uuidString.lowercased())@clauses.example.org>")
        #expect(try sink.messageIDs() == [messageID ?? ""])
        #expect(raw.contains("\r\nSubject: =?UTF-8?B?"))
        #expect(raw.contains("\r\nAuto-Submitted: auto-generated\r\n"))
        #expect(raw.contains("Content-Type: multipart/alternative"))
        // The French footer (quoted-printable, soft line breaks removed).
        #expect(
            raw.replacingOccurrences(of: "=\r\n", with: "").contains(
                "Message envoy=C3=A9 automatiquement par clauses (https://clauses.example.org)"))
        #expect(raw.contains("filename=\"=?UTF-8?B?"))
        #expect(received[0].envelope.mail_from == "alertes@clauses.test")
    }

    @Test("a 5xx answer or a refused recipient fails that message at once, with the server's answer; the others go")
    func permanentFailures() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let f = try await OutboxFixture.make(smtpURL: sink.url)
        defer { Task { await f.close() } }
        let refused = try await f.services.outbox.enqueue(
            mail("bob@example.test", subject: "Bilan [5xx]"), now: f.clock.now)
        let unknown = try await f.services.outbox.enqueue(mail("rejete@example.test"), now: f.clock.now)
        let fine = try await f.services.outbox.enqueue(mail("elodie@example.test"), now: f.clock.now)

        #expect(try await f.send() == ["released": 0, "sent": 1, "retried": 0, "failed": 2])
        let first = try await f.status(refused)
        #expect(first.status == "failed")
        #expect(first.attempts == 1)
        #expect(first.code == 554)
        #expect(first.error?.contains("réponse du serveur : « 554 5.6.0 Message refused by policy »") == true)
        let second = try await f.status(unknown)
        #expect(second.status == "failed")
        #expect(second.code == 550)
        #expect(try await f.status(fine).status == "sent")
        #expect(try sink.received().count == 1)
        #expect(try await f.services.outbox.counts() == [.pending: 0, .sending: 0, .sent: 1, .failed: 2])
        let admin = Caller(userId: nil, role: .admin, label: "admin@test")
        let listed = try await f.services.outbox.list(admin, status: nil, limit: 10)
        #expect(listed.first?.status == .failed)
        #expect(listed.count == 3)
        let facilitator = Caller(userId: nil, role: .facilitator, label: "f@test")
        await #expect(throws: DomainError.forbidden) {
            _ = try await f.services.outbox.list(facilitator, status: nil, limit: 10)
        }
    }

    @Test("a server down is retried later with backoff, then the message is delivered once it is up")
    func downThenUp() async throws {
        let probe = try SMTPSink()
        let port = probe.port
        probe.stop()
        let f = try await OutboxFixture.make(smtpURL: "smtp://127.0.0.1:\(port)") { config in
            config.mail.retryBaseSeconds = 60
        }
        defer { Task { await f.close() } }
        let id = try await f.services.outbox.enqueue(mail("elodie@example.test"), now: f.clock.now)

        #expect(try await f.send()["retried"] == 1)
        let after = try await f.status(id)
        #expect(after.status == "pending")
        #expect(after.attempts == 1)
        #expect(after.error?.contains("connexion impossible") == true)
        let next = try await f.db.pool.query("SELECT next_attempt_at FROM mail_outbox WHERE id = $1", [id]).scalar(
            Date.self)
        let wait = next.map { $0.timeIntervalSince(f.clock.now) } ?? 0
        #expect(wait >= 45 && wait <= 75, "first retry after 60 s ± 25 %: \(wait)")
        // Not due yet: nothing is tried.
        #expect(try await f.send() == ["released": 0, "sent": 0, "retried": 0, "failed": 0])

        let sink = try SMTPSink(.init(port: port))
        defer { sink.stop() }
        f.clock.advance(by: 90)
        #expect(try await f.send()["sent"] == 1)
        #expect(try await f.status(id).status == "sent")
        #expect(try sink.received().count == 1)
    }

    @Test("a temporary refusal is retried until max_attempts, then the message fails with the last answer")
    func attemptsRunOut() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let f = try await OutboxFixture.make(smtpURL: sink.url) { config in
            config.mail.maxAttempts = 3
            config.mail.retryBaseSeconds = 10
            config.mail.retryMaxSeconds = 15
        }
        defer { Task { await f.close() } }
        let id = try await f.services.outbox.enqueue(mail("plus-tard@example.test"), now: f.clock.now)
        #expect(try await f.send()["retried"] == 1)
        f.clock.advance(by: 20)
        #expect(try await f.send()["retried"] == 1)
        f.clock.advance(by: 20)
        #expect(try await f.send()["failed"] == 1)
        let last = try await f.status(id)
        #expect(last.status == "failed")
        #expect(last.attempts == 3)
        #expect(last.code == 451)
        #expect(last.error?.contains("451 4.3.0 Try again later") == true)
    }

    @Test("a refusal every message would meet (TLS refused) stops the run: the messages wait, none is failed")
    func serverWideRefusal() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        // STARTTLS required, the server does not offer it.
        let f = try await OutboxFixture.make(smtpURL: sink.url) { config in config.mail.smtpStartTLS = true }
        defer { Task { await f.close() } }
        let first = try await f.services.outbox.enqueue(mail("a@example.test"), now: f.clock.now)
        let second = try await f.services.outbox.enqueue(mail("b@example.test"), now: f.clock.now)
        let result = try await JobRunner(pool: f.db.pool, logger: Logger(label: "test")).run(
            .sendMail, body: f.services.jobBody(.sendMail), slot: nil, asOf: nil, clock: f.clock)
        guard case .ran(.failed, _, let error) = result else {
            Issue.record("expected a failed run: \(result)")
            return
        }
        #expect(error?.hasPrefix("envoi des courriels arrêté : Échec de l'envoi du courriel via \(sink.url)") == true)
        #expect(error?.contains("le serveur ne propose pas TLS (STARTTLS) alors qu'il est exigé") == true)
        for id in [first, second] {
            let state = try await f.status(id)
            #expect(state.status == "pending")
            #expect(state.attempts == 0)
        }
        #expect(try sink.received().isEmpty)
    }

    @Test("a message left claimed by a crashed sender goes back to the queue and is sent by the next run")
    func crashLeftovers() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let f = try await OutboxFixture.make(smtpURL: sink.url)
        defer { Task { await f.close() } }
        let id = try await f.services.outbox.enqueue(mail("elodie@example.test"), now: f.clock.now)
        try await f.db.pool.query("UPDATE mail_outbox SET status = 'sending', attempts = 1 WHERE id = $1", [id])
        #expect(try await f.send() == ["released": 1, "sent": 1, "retried": 0, "failed": 0])
        #expect(try sink.received().count == 1)
    }

    @Test("prune removes sent messages past the retention, keeps recent and failed ones")
    func pruneSentMail() async throws {
        let f = try await OutboxFixture.make(smtpURL: "") { config in config.mail.retentionDays = 30 }
        defer { Task { await f.close() } }
        let old = try await f.services.outbox.enqueue(mail("a@example.test"), now: f.clock.now)
        let recent = try await f.services.outbox.enqueue(mail("b@example.test"), now: f.clock.now)
        let failed = try await f.services.outbox.enqueue(mail("c@example.test"), now: f.clock.now)
        try await f.db.pool.query(
            "UPDATE mail_outbox SET status = 'sent', sent_at = $2 WHERE id = $1", [old, utc("2026-10-01T08:00:00Z")])
        try await f.db.pool.query(
            "UPDATE mail_outbox SET status = 'sent', sent_at = $2 WHERE id = $1", [recent, utc("2026-11-20T08:00:00Z")])
        try await f.db.pool.query(
            "UPDATE mail_outbox SET status = 'failed', created_at = $2 WHERE id = $1",
            [failed, utc("2026-01-01T08:00:00Z")])
        let result = try await JobRunner(pool: f.db.pool, logger: Logger(label: "test")).run(
            .prune, body: f.services.jobBody(.prune), slot: nil, asOf: nil, clock: f.clock)
        guard case .ran(.succeeded, let counts, _) = result else {
            Issue.record("prune failed: \(result)")
            return
        }
        #expect(counts["sentMail"] == 1)
        let left = try await f.db.pool.query("SELECT id FROM mail_outbox ORDER BY id").map {
            try $0.decode(0, as: UUID.self)
        }
        #expect(Set(left) == [recent, failed])
    }

    @Test("with send_at_once, a queued message is sent at once by the running scheduler, not at the next slot")
    func sentAtOnce() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let f = try await OutboxFixture.make(smtpURL: sink.url)
        defer { Task { await f.close() } }
        let logger = Logger(label: "test")
        // The next slot is months away: only the wake-up can send the message.
        let scheduler = Scheduler(
            jobs: [
                ScheduledJob(
                    name: .sendMail, schedule: try CronSchedule(parsing: "0 0 1 1 *"),
                    body: f.services.jobBody(.sendMail))
            ],
            runner: JobRunner(pool: f.db.pool, logger: logger), clock: f.clock, logger: logger,
            wakeUps: f.services.wakeUps)
        let running = Task { try await scheduler.run() }
        defer { running.cancel() }
        let id = try await f.services.queueMail(mail("elodie@example.test"))
        let deadline = ContinuousClock.now + .seconds(20)
        while try await f.status(id).status != "sent" && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await f.status(id).status == "sent")
        #expect(try sink.received().count == 1)
    }

    @Test("a refused address is refused in French before anything is written")
    func badAddress() async throws {
        let f = try await OutboxFixture.make(smtpURL: "")
        defer { Task { await f.close() } }
        let error = await ledgerError {
            _ = try await f.services.outbox.enqueue(mail("pas-une-adresse"), now: f.clock.now)
        }
        #expect(error?.field == "to")
        #expect(error?.message == "Adresse électronique invalide : « pas-une-adresse ».")
        #expect(try await f.services.outbox.counts()[.pending] == 0)
    }
}
