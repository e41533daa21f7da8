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
            BalanceCommand.self, ImportCommand.self, OutcomesCommand.self, IndicatorsCommand.self, MailCommand.self,
            JobCommand.self, AlertsCommand.self, ReportCommand.self, RefdataCommand.self, MatchCommand.self,
        ])
}

extension Role: ExpressibleByArgument {}

extension Clauses {
    /// The argument parser's refusal of a value, in French: `« x » n'est pas une valeur possible pour
    /// « --role » (valeurs possibles : admin, facilitator…).` Other messages pass through.
    static func french(_ message: String) -> String {
        let pattern =
            #/The value '(?<value>.*)' is invalid for '(?<name>[^']*)'(?:\. Please provide one of (?<allowed>.*?)\.?)?$/#
        guard let match = message.firstMatch(of: pattern) else { return message }
        let allowed =
            match.allowed.map {
                " (valeurs possibles : \($0.replacingOccurrences(of: "'", with: "").replacingOccurrences(of: " or ", with: " ou ")))"
            } ?? ""
        return "« \(match.value) » n'est pas une valeur possible pour « \(match.name) »\(allowed)."
    }
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
                FileHandle.standardError.write(Data("erreur : \(Clauses.french(Clauses.message(for: error)))\n".utf8))
                exit(2)
            }
            Clauses.exit(withError: error)
        }
    }
}
