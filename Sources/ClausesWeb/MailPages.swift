import ClausesCore
import Foundation
import Hummingbird

/// « Courriels et tâches » for admins: the outbox (failed messages first, with the server's last answer)
/// and each scheduled job's schedule, next and latest runs.
struct MailPages {
    let services: AppServices
    let pages: PageRenderer

    func register(on admins: RouterGroup<AdminContext>) {
        admins.get(RouterPath(Web.mail.pattern)) { request, context in
            let caller = context.caller
            let counts = try await services.outbox.counts()
            let messages = try await services.outbox.list(caller, status: nil, limit: 200)
            let jobs = try await services.jobOverviews().map { job in
                MailPage.Job(
                    name: job.name.rawValue, summary: job.name.frenchSummary,
                    schedule: job.settings.schedule.expression,
                    next: job.settings.enabled ? job.next.map(French.dateTime) ?? "jamais" : "désactivée",
                    last: job.latest?.frenchSummary ?? "jamais")
            }
            return try await pages.render(
                MailPage(
                    counts: MailStatus.allCases.map { .init(label: $0.frenchLabel, count: counts[$0] ?? 0) },
                    messages: messages.map(MailPage.Message.init), jobs: jobs),
                request: request, context: context)
        }
    }

    struct MailPage: PageModel {
        static let template = "mail"
        struct Count: Codable, Sendable {
            let label: String
            let count: Int
        }
        struct Message: Codable, Sendable {
            let created: String
            let kind: String
            let recipients: String
            let subject: String
            let status: String
            let failed: Bool
            let attempts: Int
            /// When it was sent, or when it will be tried next.
            let when: String
            let lastError: String?

            init(_ entry: OutboxEntry) {
                created = French.dateTime(entry.createdAt)
                kind = entry.kind.frenchLabel
                recipients = entry.recipients.joined(separator: ", ")
                subject = entry.subject
                status = entry.status.frenchLabel
                failed = entry.status == .failed
                attempts = entry.attempts
                when =
                    switch entry.status {
                    case .sent: entry.sentAt.map { "envoyé le \(French.dateTime($0))" } ?? ""
                    case .pending: "prochain essai le \(French.dateTime(entry.nextAttemptAt))"
                    case .sending: "en cours"
                    case .failed: "abandonné"
                    }
                lastError = entry.lastError
            }
        }
        struct Job: Codable, Sendable {
            let name: String
            let summary: String
            let schedule: String
            let next: String
            let last: String
        }
        var title = "Courriels et tâches"
        let counts: [Count]
        let messages: [Message]
        let jobs: [Job]
    }
}
