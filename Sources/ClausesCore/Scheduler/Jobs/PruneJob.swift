import Foundation

/// The `prune` job: removes expired sessions, login-form and page-form tokens, unimported import drafts,
/// failed logins past `login.failure_retention_days`, and sent mail past `mail.retention_days`.
struct PruneJob: JobBody {
    let users: UserStore
    let forms: FormStore
    let outbox: OutboxStore
    let failureRetentionDays: Int
    let mailRetentionDays: Int

    func run(_ context: JobContext) async throws -> [String: Int] {
        let now = context.clock.now
        var counts = try await users.pruneExpired(now: now, failureRetentionDays: failureRetentionDays)
        counts.merge(try await forms.pruneExpired(now: now)) { $0 + $1 }
        counts["sentMail"] = try await outbox.pruneSent(
            before: now.addingTimeInterval(-TimeInterval(mailRetentionDays) * 86_400))
        return counts
    }
}
