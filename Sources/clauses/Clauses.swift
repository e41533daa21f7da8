import ArgumentParser
import ClausesCore
import Foundation

/// `clauses`: the service and its operator commands.
struct Clauses: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clauses",
        abstract: "Suivi des clauses sociales d'insertion des marchés publics.",
        subcommands: [
            Serve.self, Migrate.self, ConfigCommand.self, Demo.self, UserCommand.self, TokenCommand.self,
            Calibrate.self,
            BalanceCommand.self, ImportCommand.self, OutcomesCommand.self, MailCommand.self,
        ])
}

/// Runs the command; refused input gets a French message on stderr and exit status 2, other failures 1.
@main
enum Main {
    static func main() async {
        do {
            var command = try Clauses.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as DomainError {
            FileHandle.standardError.write(Data("erreur : \(error.message)\n".utf8))
            let refused: Set<DomainError.Kind> = [.badRequest, .unprocessable, .conflict, .notFound, .forbidden]
            exit(refused.contains(error.kind) ? 2 : 1)
        } catch let error as ExitCode {
            exit(error.rawValue)
        } catch {
            let code = Clauses.exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data("erreur : \(Clauses.message(for: error))\n".utf8))
                exit(2)
            }
            Clauses.exit(withError: error)
        }
    }
}
