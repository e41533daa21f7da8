import Foundation
import TOMLKit
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

    @Test("the declared key table and config.toml list the same keys, with the same default values")
    func keyTableMatchesConfigFile() throws {
        let text = try String(contentsOfFile: Self.repositoryConfig, encoding: .utf8)
        let file = try TOMLTable(string: text)
        var fileKeys: Set<String> = []
        // `[profiles.NAME]`, `[jobs.NAME]` and `[alert_rules.NAME]` tables have their own tests.
        for section in file.keys where !["profiles", "jobs", "alert_rules"].contains(section) {
            for key in file[section]?.table?.keys ?? [] { fileKeys.insert("\(section).\(key)") }
        }
        var declared: Set<String> = []
        for key in Config.keys {
            declared.insert(key.path)
            if key.secret != nil { declared.insert(key.path + "_file") }
        }
        #expect(declared == fileKeys)
        // Each key's default, as `config check` shows it, is what the file says.
        let defaults = Config()
        for key in Config.keys where key.secret == nil {
            let line = "\(key.name) = \(key.show(defaults))"
            #expect(text.contains("\n\(line)\n"), "config.toml: \(line)")
        }
        #expect(Set(Config.keys.map(\.path)).count == Config.keys.count)
    }

    @Test("config.toml lists every key of every built-in PLIE profile, and their targets")
    func profileTables() throws {
        let text = try String(contentsOfFile: Self.repositoryConfig, encoding: .utf8)
        let profiles = try #require(try TOMLTable(string: text)["profiles"]?.table)
        #expect(Set(profiles.keys) == Set(PLIEProfile.builtIn.map(\.name)))
        for profile in PLIEProfile.builtIn {
            let table = try #require(profiles[profile.name]?.table)
            #expect(Set(table.keys) == Set(PLIEProfile.keys.map(\.name) + ["targets"]), "\(profile.name)")
            #expect(Set(table["targets"]?.table?.keys ?? []) == Set(profile.targets.keys.map(\.rawValue)))
        }
    }

    @Test("a profile table changes what it lists; a new territory must give every key; bad values name the key")
    func profileValues() throws {
        let changed = try Config.parse(
            """
            [profiles.pays-d-aix]
            senior_age = 55
            activity_windows = ["600/6"]

            [profiles.pays-d-aix.targets]
            entries = { value = "300", period = "year" }
            """)
        let aix = try #require(changed.profiles.named("pays-d-aix"))
        #expect(aix.seniorAge == 55 && aix.activityWindows == [ActivityWindow(hours: 600, months: 6)])
        #expect(aix.activityContinuous && aix.partTimeWeeklyHours == PLIEProfile.paysDAix.partTimeWeeklyHours)
        #expect(aix.targets == [.entries: IndicatorTarget(300, .year)])
        let partial = #expect(throws: DomainError.self) {
            try Config.parse("[profiles.ailleurs]\nlabel = \"PLIE d'ailleurs\"\n")
        }
        #expect(partial?.field == "profiles.ailleurs.committee")
        let contract = #expect(throws: DomainError.self) {
            try Config.parse("[profiles.nord-ouest-91]\nexcluded_contract_types = [\"cddx\"]\n")
        }
        #expect(contract?.field == "profiles.nord-ouest-91.excluded_contract_types")
        #expect(contract?.message.contains("« cddx »") == true)
        let window = #expect(throws: DomainError.self) {
            try Config.parse("[profiles.nord-ouest-91]\nactivity_windows = [\"624 heures\"]\n")
        }
        #expect(window?.field == "profiles.nord-ouest-91.activity_windows")
        let unknown = #expect(throws: DomainError.self) {
            try Config.parse("[profiles.nord-ouest-91]\nsenior = 50\n")
        }
        #expect(unknown?.field == "profiles.nord-ouest-91.senior")
        let target = #expect(throws: DomainError.self) {
            try Config.parse("[profiles.nord-ouest-91.targets]\nentries = { value = \"400\", period = \"decade\" }\n")
        }
        #expect(target?.field == "profiles.nord-ouest-91.targets.entries.period")
    }

    @Test("config check shows each key under its description")
    func describeShowsDescriptions() {
        let lines = Config().describe().split(separator: "\n").map(String.init)
        let port = lines.firstIndex(of: "port = 8080")
        #expect(port.map { lines[$0 - 1] } == "# TCP port the HTTP server listens on.")
    }

    @Test("config.toml lists every job with its built-in schedule; a job's table changes its schedule")
    func jobTables() throws {
        let text = try String(contentsOfFile: Self.repositoryConfig, encoding: .utf8)
        let jobs = try #require(try TOMLTable(string: text)["jobs"]?.table)
        #expect(Set(jobs.keys) == Set(JobName.allCases.map(\.rawValue)))
        for name in JobName.allCases {
            #expect(jobs[name.rawValue]?.table?["schedule"]?.string == name.defaultSchedule, "\(name)")
            #expect(jobs[name.rawValue]?.table?["enabled"]?.bool == true)
        }
        let config = try Config.parse("[jobs.prune]\nschedule = \"30 7 * * mon-fri\"\nenabled = false\n")
        #expect(config.jobs[.prune]?.schedule.expression == "30 7 * * mon-fri")
        #expect(config.jobs[.prune]?.enabled == false)
        #expect(config.jobs[.sendMail]?.schedule.expression == "* * * * *")
        #expect(
            config.describe().contains(
                "[jobs.prune]\n# \(JobName.prune.frenchSummary)\nschedule = \"30 7 * * mon-fri\""))
    }

    @Test("alert rules: config.toml documents each with its defaults; a table changes them")
    func alertRuleTables() throws {
        let text = try String(contentsOfFile: Self.repositoryConfig, encoding: .utf8)
        let rules = try #require(try TOMLTable(string: text)["alert_rules"]?.table)
        #expect(Set(rules.keys) == Set(AlertRule.allCases.map(\.rawValue)))
        let parsed = try Config.parse(text)
        for rule in AlertRule.allCases { #expect(parsed.alerts.settings(rule) == rule.defaultSettings, "\(rule)") }
        let config = try Config.parse(
            "[alert_rules.lot_ending_soon]\ndays = 45\nseverity = \"info\"\n[alert_rules.lot_behind]\nenabled = false\n"
        )
        #expect(config.alerts.settings(.lotEndingSoon).int(.days) == 45)
        #expect(config.alerts.settings(.lotEndingSoon).severity == .info)
        #expect(config.alerts.settings(.lotBehind).enabled == false)
    }

    @Test("an unknown alert rule, severity or parameter, a bad team address: refused naming the key")
    func alertRefusals() {
        let rule = #expect(throws: DomainError.self) { try Config.parse("[alert_rules.lot_late]\ndays = 3\n") }
        #expect(rule?.field == "alert_rules.lot_late")
        #expect(rule?.message.contains("règle d'alerte inconnue (règles : lot_behind, lot_ending_soon") == true)
        let severity = #expect(throws: DomainError.self) {
            try Config.parse("[alert_rules.lot_behind]\nseverity = \"urgent\"\n")
        }
        #expect(severity?.field == "alert_rules.lot_behind.severity")
        #expect(severity?.message.contains("« info », « warning », « critical » (reçu « urgent »)") == true)
        let lower = #expect(throws: DomainError.self) {
            try Config.parse("[alert_rules.lot_behind]\nseverity = \"critical\"\nescalated_severity = \"info\"\n")
        }
        #expect(lower?.field == "alert_rules.lot_behind.escalated_severity")
        let parameter = #expect(throws: DomainError.self) { try Config.parse("[alert_rules.lot_behind]\ndays = 3\n") }
        #expect(parameter?.field == "alert_rules.lot_behind.days")
        let range = #expect(throws: DomainError.self) {
            try Config.parse("[alert_rules.missing_hour_report]\nreport_day = 31\n")
        }
        #expect(range?.field == "alert_rules.missing_hour_report.report_day")
        let team = #expect(throws: DomainError.self) { try Config.parse("[alerts]\nteam_address = \"equipe\"\n") }
        #expect(team?.field == "alerts.team_address")
    }

    @Test("a bad schedule, an unknown job, a bad address, an unreadable CA file: refused naming the key")
    func jobAndMailRefusals() {
        let schedule = #expect(throws: DomainError.self) {
            try Config.parse("[jobs.prune]\nschedule = \"61 * * * *\"\n")
        }
        #expect(schedule?.field == "jobs.prune.schedule")
        #expect(
            schedule?.message
                == "configuration : « jobs.prune.schedule » : expression cron « 61 * * * * » invalide : champ minute « 61 » : 61 hors de 0–59"
        )
        let unknown = #expect(throws: DomainError.self) {
            try Config.parse("[jobs.alertes]\nschedule = \"* * * * *\"\n")
        }
        #expect(unknown?.field == "jobs.alertes")
        #expect(
            unknown?.message.contains("tâche inconnue « alertes » (tâches : send-mail, prune, alerts, digest, reports)")
                == true)
        let key = #expect(throws: DomainError.self) { try Config.parse("[jobs.prune]\nhoraire = \"* * * * *\"\n") }
        #expect(key?.field == "jobs.prune.horaire")
        let from = #expect(throws: DomainError.self) { try Config.parse("[mail]\nfrom = \"clauses.example.org\"\n") }
        #expect(from?.field == "mail.from")
        let scheme = #expect(throws: DomainError.self) {
            try Config.parse("[mail]\nsmtp_url = \"mail.example.org:587\"\n")
        }
        #expect(scheme?.field == "mail.smtp_url")
        #expect(scheme?.message.contains("doit commencer par smtp:// ou smtps://") == true)
        let ca = #expect(throws: DomainError.self) {
            try Config.parse("[mail]\nsmtp_ca_file = \"/nonexistent/ca.pem\"\n")
        }
        #expect(ca?.field == "mail.smtp_ca_file")
        #expect(ca?.message.contains("impossible de lire « /nonexistent/ca.pem »") == true)
        let password = #expect(throws: DomainError.self) {
            try Config.parse("[mail]\nsmtp_password_file = \"/nonexistent/password\"\n")
        }
        #expect(password?.field == "mail.smtp_password_file")
        let pool = #expect(throws: DomainError.self) { try Config.parse("[database]\npool_size = 2\n") }
        #expect(pool?.field == "database.pool_size")
        let quiet = try? Config.parse(
            """
            [database]
            pool_size = 2
            [jobs.send-mail]
            enabled = false
            [jobs.prune]
            enabled = false
            [jobs.alerts]
            enabled = false
            [jobs.digest]
            enabled = false
            [jobs.reports]
            enabled = false
            """)
        #expect(quiet?.database.poolSize == 2)
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
        #expect((#expect(throws: DomainError.self) { try Config.parse("[server\n") })?.code == .configSyntax)
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
        let smtp = try Config.parse("[mail]\nsmtp_url = \"smtps://alertes:motdepasse@smtp.example:465\"\n")
        #expect(smtp.mail.smtpURL.contains("motdepasse"))
        #expect(smtp.describe().contains("smtps://alertes:********@smtp.example:465"))
        #expect(!smtp.describe().contains("motdepasse"))
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
