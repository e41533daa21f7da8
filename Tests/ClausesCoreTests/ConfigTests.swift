import Foundation
import Testing

@testable import ClausesCore

@Suite("Configuration")
struct ConfigTests {
    static var repositoryConfig: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../../config.toml").standardized
            .path
    }

    @Test("the documented config.toml loads and equals the built-in defaults")
    func documentedDefaults() throws {
        let loaded = try Config.load(path: Self.repositoryConfig, environment: [:])
        let defaults = try Config.parse("")
        #expect(
            loaded.describe().split(separator: "\n").dropFirst()
                == defaults.describe().split(separator: "\n").dropFirst())
    }

    @Test("an unknown key is refused with its path")
    func unknownKey() {
        let error = #expect(throws: DomainError.self) { try Config.parse("[database]\npool_sise = 4\n") }
        #expect(error?.field == "database.pool_sise")
        #expect(error?.message.contains("clé inconnue") == true)
        let top = #expect(throws: DomainError.self) { try Config.parse("[serveur]\nport = 1\n") }
        #expect(top?.field == "serveur")
    }

    @Test("bad values are refused naming the key")
    func badValues() {
        #expect(
            (#expect(throws: DomainError.self) { try Config.parse("[server]\nport = 70000\n") })?.field == "server.port"
        )
        #expect(
            (#expect(throws: DomainError.self) { try Config.parse("[server]\nport = \"8080\"\n") })?.field
                == "server.port")
        #expect(
            (#expect(throws: DomainError.self) { try Config.parse("[calibration]\nrounding = \"nearest\"\n") })?.field
                == "calibration.rounding")
        #expect(
            (#expect(throws: DomainError.self) { try Config.parse("[ledger]\ntolerance = 1.5\n") })?.field
                == "ledger.tolerance")
        #expect(
            (#expect(throws: DomainError.self) { try Config.parse("[ledger]\noutcome_profile = \"ailleurs\"\n") })?
                .field == "ledger.outcome_profile")
        #expect((#expect(throws: DomainError.self) { try Config.parse("[server\n") })?.code == "config_syntax")
    }

    @Test("decimals stay exact and secrets come from the environment or files")
    func decimalsAndSecrets() throws {
        let config = try Config.parse(
            "[ledger]\ntolerance = 0.1\n[counting]\ntraining_cap_share = \"0.25\"\n",
            environment: ["CLAUSES_DATABASE_URL": "postgresql://u:secret@db/clauses"])
        #expect(config.ledger.tolerance == Decimal(string: "0.1")!)
        #expect(config.counting.trainingCapShare == Decimal(string: "0.25")!)
        #expect(config.database.url == "postgresql://u:secret@db/clauses")
        #expect(config.describe().contains("u:********@db/clauses"))
        #expect(!config.describe().contains("secret"))

        let file = FileManager.default.temporaryDirectory.appending(path: "clauses-smtp-\(UUID().uuidString)").path
        try "mot-de-passe-smtp\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try Config.parse("[mail]\nsmtp_password_file = \"\(file)\"\n")
        #expect(fromFile.mail.smtpPassword == "mot-de-passe-smtp")
        #expect(!fromFile.describe().contains("mot-de-passe-smtp"))
        let missing = #expect(throws: DomainError.self) {
            try Config.parse("[database]\nurl_file = \"/nonexistent/secret\"\n")
        }
        #expect(missing?.field == "database.url_file")
    }
}
