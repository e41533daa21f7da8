import Foundation
import Mailer

/// The `send-mail` job: drains the outbox. It runs under the job's lock, so it is the only sender: it
/// first gives back what a crashed sender left claimed, then claims due messages batch after batch,
/// sends each after the claim committed, and records the answer (sent, retried later, or failed).
struct MailSender: JobBody {
    let outbox: OutboxStore
    let transport: any MailTransport
    let policy: MailRetryPolicy
    let batchSize: Int
    /// Messages handed over at once: as many as the SMTP transport's threads, so one message's database
    /// update overlaps the next one's transfer.
    static let concurrency = 2

    func run(_ context: JobContext) async throws -> [String: Int] {
        var counts = ["released": try await outbox.releaseClaimed(), "sent": 0, "retried": 0, "failed": 0]
        while true {
            let batch = try await outbox.claim(limit: batchSize, now: context.clock.now)
            if batch.isEmpty { break }
            var started = 0
            var stopped: MailError?
            try await withThrowingTaskGroup(of: Delivery.self) { group in
                while started < min(Self.concurrency, batch.count) {
                    let item = batch[started]
                    group.addTask { try await deliver(item, context) }
                    started += 1
                }
                while let delivery = try await group.next() {
                    switch delivery {
                    case .done(let outcome): counts[outcome, default: 0] += 1
                    case .stopped(let error): stopped = error
                    }
                    if started < batch.count && !Task.isCancelled && stopped == nil {
                        let item = batch[started]
                        group.addTask { try await deliver(item, context) }
                        started += 1
                    }
                }
            }
            if Task.isCancelled || stopped != nil {
                let left = batch[started...].map(\.id)
                try await settle { try await outbox.unclaim(left) }
            }
            if let stopped {
                // The server or the configuration refuses every message: none is marked failed for it; they
                // wait, and the run fails so that the failure shows (log, metrics, « Courriels et tâches »).
                throw DomainError(
                    .unavailable, code: .mailFailed, message: "envoi des courriels arrêté : \(stopped.message)")
            }
            if Task.isCancelled { throw CancellationError() }
        }
        return counts
    }

    enum Delivery: Sendable {
        /// "sent", "retried" or "failed".
        case done(String)
        /// A failure every message would meet: this one is back in the queue untouched.
        case stopped(MailError)
    }

    /// Sends one message and records the answer.
    private func deliver(_ item: ClaimedMail, _ context: JobContext) async throws -> Delivery {
        let sending: Result<Void, MailError>
        do {
            try await transport.send(item.message)
            sending = .success(())
        } catch {
            sending = .failure(error)
        }
        guard case .failure(let error) = sending else {
            try await settle { try await outbox.markSent(item.id, at: context.clock.now) }
            return .done("sent")
        }
        if error.concernsEveryMessage && !error.isTransient {
            try await settle { try await outbox.unclaim([item.id]) }
            return .stopped(error)
        }
        let decision = policy.decide(
            attempts: item.attempts, createdAt: item.createdAt, now: context.clock.now,
            transient: error.isTransient, spread: Double.random(in: 0...1))
        let outcome: String
        switch decision {
        case .retry(let at):
            try await settle { try await outbox.markFailure(item.id, error: error, retry: at) }
            outcome = "retried"
        case .giveUp:
            try await settle { try await outbox.markFailure(item.id, error: error, retry: nil) }
            outcome = "failed"
        }
        // The address or the server's answer may name a person: ids and codes only in the log.
        context.logger.warning(
            "mail not sent",
            metadata: [
                "message": "\(item.id)", "outcome": "\(outcome)", "attempt": "\(item.attempts)",
                "smtp_code": "\(error.smtpCode ?? 0)", "curl_code": "\(error.curlCode ?? 0)",
            ])
        return .done(outcome)
    }

    /// Records what happened to a message even when the job is being cancelled (an unstructured task does
    /// not inherit cancellation), trying three times: once a message is handed over, its state must say so,
    /// or the next run would send it again.
    private func settle(_ record: @escaping @Sendable () async throws -> Void) async throws {
        try await uncancelled {
            for pause in [0.2, 1.0] {
                do {
                    return try await record()
                } catch {
                    try await Task.sleep(for: .seconds(pause))
                }
            }
            try await record()
        }
    }
}
