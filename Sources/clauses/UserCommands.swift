import ArgumentParser
import ClausesCore
import Foundation

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Comptes des personnes.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Crée un compte. Le mot de passe est lu sur l'entrée standard, ou généré et affiché une seule fois.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Adresse électronique (identifiant de connexion).") var email: String
        @Option(help: "Rôle du compte.") var role: Role
        @Option(name: .customLong("name"), help: "Nom affiché.") var displayName: String?
        @Option(name: .customLong("buyer-siret"), help: "SIRET du donneur d'ordre (rôle buyer).") var buyerSiret:
            String?
        @Option(name: .customLong("company-siret"), help: "SIRET de l'entreprise (rôle company).") var companySiret:
            String?
        @Flag(
            name: .customLong("generate-password"),
            help: "Génère le mot de passe au lieu de le lire sur l'entrée standard.")
        var generatePassword = false

        func run() async throws {
            try await Runtime.using(global) { runtime in
                // The password comes from stdin (never from the command line, where `ps` would show it).
                let typed = generatePassword ? nil : readLine(strippingNewline: true).flatMap { $0.isEmpty ? nil : $0 }
                let password = typed ?? Secrets.random(bytes: 15)
                let caller = Caller.system("cli: user add")
                let buyerId = try await id(siret: buyerSiret, table: "buyers", runtime: runtime)
                let companyId = try await id(siret: companySiret, table: "companies", runtime: runtime)
                let user = try await runtime.services.users.create(
                    caller,
                    .init(
                        email: email, displayName: displayName, role: role, password: password,
                        buyerId: buyerId,
                        companyId: companyId))
                print("Compte créé : \(user.email) (\(user.role.frenchLabel))")
                if typed == nil { print("Mot de passe (affiché une seule fois) : \(password)") }
            }
        }

        private func id(siret: String?, table: String, runtime: Runtime) async throws -> UUID? {
            guard let siret else { return nil }
            let normalized = SIRET.normalize(siret) ?? siret
            guard
                let id = try await runtime.pool.query("SELECT id FROM \(table) WHERE siret = $1", [normalized]).scalar(
                    UUID.self)
            else {
                throw DomainError.invalid(
                    table == "buyers" ? "buyer-siret" : "company-siret",
                    "aucun enregistrement avec le SIRET « \(siret) »")
            }
            return id
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Jetons d'accès à l'API.", subcommands: [Create.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Crée un jeton d'API pour un compte ; il est affiché une seule fois.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Adresse du compte.") var email: String
        @Option(help: "Nom du jeton (à quoi il sert).") var name: String = ""

        func run() async throws {
            try await Runtime.using(global) { runtime in
                let store = runtime.services.users
                guard let user = try await store.find(email: email) else {
                    throw DomainError.invalid("email", "aucun compte avec l'adresse « \(email) »")
                }
                let token = try await store.createToken(for: user, name: name, by: .system("cli: token create"))
                print(token.token)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Révoque un jeton (par son identifiant ou le jeton lui-même).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Identifiant ou jeton.") var token: String

        func run() async throws {
            try await Runtime.using(global) { runtime in
                guard try await runtime.services.users.revokeToken(token, by: .system("cli: token revoke")) else {
                    throw DomainError.notFound("aucun jeton actif ne correspond")
                }
                print("Jeton révoqué.")
            }
        }
    }
}
