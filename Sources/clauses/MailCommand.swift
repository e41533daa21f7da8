import ArgumentParser
import ClausesCore
import Foundation
import Mailer

/// `clauses mail test --to ADDRESS`: sends one message through the configured transport at once (not through
/// the outbox), so an operator can check `[mail]` (SMTP server, TLS, credentials, sender) before any alert
/// depends on it; a failure prints the server's answer.
struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail", abstract: "Courriels du service.", subcommands: [Test.self])

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Envoie un courriel d'essai avec la configuration [mail] (SMTP, ou fichier .eml sans serveur).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Adresse du destinataire.") var to: String

        func run() async throws {
            let config = try global.loadConfig()
            if let problem = MailAddress.problem(to) { throw DomainError.invalid("to", "--to : \(problem)") }
            let address = to
            let clock = SystemCivilClock()
            let now = clock.now
            let message = MailMessage(
                from: config.mail.from, to: [address], subject: "clauses : courriel d'essai",
                textBody: MailFooter(baseURL: config.server.baseURL).text(
                    after: """
                        Bonjour,

                        Ce courriel d'essai a été envoyé par clauses (\(config.server.baseURL)) le \(clock.today.french) \
                        pour vérifier la configuration des envois. Il n'appelle aucune action.
                        """),
                messageID: "<test-\(UUID().uuidString.lowercased())@clauses>", date: now)
            do {
                try await AppServices.mailTransport(config.mail).send(message)
            } catch {
                throw DomainError(.unavailable, code: .mailFailed, message: "envoi impossible : \(error.message)")
            }
            print(
                config.mail.smtpURL.isEmpty
                    ? "Courriel d'essai écrit dans « \(config.mail.directory) »."
                    : "Courriel d'essai remis au serveur SMTP pour \(address).")
        }
    }
}
