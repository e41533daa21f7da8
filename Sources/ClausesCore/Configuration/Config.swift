import Foundation
import Mailer
import TOMLKit

/// The service's configuration: `config.toml` (every key documented there with its default), with
/// secrets optionally from the environment or from files.
public struct Config: Sendable {
    public struct Server: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        public var baseURL = "http://127.0.0.1:8080"
        public var shutdownTimeoutSeconds = 10
        public var sessionLifetimeHours = 12
        public var secureCookies = false
        /// Addresses of the reverse proxies whose `X-Forwarded-For` tells the client's address.
        public var trustedProxies: [String] = []
        public var maxJSONBodyBytes = 1_048_576
        public var maxImportBodyBytes = 16_777_216
        public var passwordHashThreads = 1
    }

    /// What people, files and the command line may give (`[input]`).
    public struct Input: Sendable {
        public var dates = DateWindow.standard
    }

    /// Bounds on CSV imports (`[imports]`).
    public struct Imports: Sendable {
        public var limits = CSVLimits()
        public var maxConcurrent = 2
    }

    /// Login throttling and its records (`[login]`).
    public struct Login: Sendable {
        public var throttle = LoginThrottle()
        public var failureRetentionDays = 90
        public var formLifetimeMinutes = 120
    }

    public struct Database: Sendable {
        public var url = ""
        public var poolSize = 8
        public var acquireTimeoutSeconds = 5
        public var autoMigrate = false
        public var connectRetries = 5
        public var connectRetryIntervalSeconds = 2
        public var slowQueryMilliseconds = 500
    }

    public enum LogFormat: String, Sendable, CaseIterable { case text, json }
    public enum LogLevel: String, Sendable, CaseIterable { case trace, debug, info, notice, warning, error, critical }

    public struct Log: Sendable {
        public var level = LogLevel.info
        public var format = LogFormat.text
    }

    public struct Ledger: Sendable {
        public var eligibilityValidityMonths = 6
        public var tolerance = Decimal(sign: .plus, exponent: -2, significand: 10)
        public var plausibleMonthlyHours: Decimal = 220
        public var outcomeAfterExitMonths = 3
        /// Only read by migration 0004: the profile of the PLIE given to pathways recorded before PLIE
        /// records existed.
        public var outcomeProfile = "istres-ouest-provence-2020"
    }

    /// `[reports]`: the bilans sent to donneurs d'ordre (DOMAIN §8).
    public struct Reports: Sendable {
        /// Counts of people or contracts from 1 to threshold − 1 are shown « < threshold ».
        public var secrecyThreshold = 3
    }

    /// `[matching]`: the shortlist's score weights (DOMAIN §7).
    public struct Matching: Sendable {
        public var weights = MatchWeights()
        /// Candidates a shortlist shows unless asked for another number.
        public var shortlistLength = 20
    }

    public struct Mail: Sendable {
        public var from = "clauses <clauses@localhost>"
        public var directory = "var/mail"
        public var smtpURL = ""
        /// With `smtp://`: refuse to send unless STARTTLS succeeds; false sends in clear (a relay on loopback).
        public var smtpStartTLS = true
        public var smtpUser = ""
        public var smtpPassword = ""
        /// A private certificate authority's PEM file; empty: the system's.
        public var smtpCAFile = ""
        public var connectTimeoutSeconds = 10
        public var timeoutSeconds = 60
        /// Attempts before a message that keeps failing transiently is given up.
        public var maxAttempts = 8
        /// First wait after a transient failure; each further attempt doubles it, up to `retryMaxSeconds`.
        public var retryBaseSeconds = 60
        public var retryMaxSeconds = 3600
        /// A message still unsent this long after it was written is given up.
        public var maxAgeHours = 48
        /// Messages the sender claims at a time.
        public var batchSize = 50
        /// Days sent messages are kept (then `prune` removes them).
        public var retentionDays = 30
        /// Send a message as soon as the transaction that wrote it commits (the job catches the rest).
        public var sendAtOnce = true
    }

    public var server = Server()
    public var input = Input()
    public var imports = Imports()
    public var login = Login()
    public var database = Database()
    public var log = Log()
    public var calibrationRounding = Rounding.halfUp
    public var ledger = Ledger()
    public var counting = CountingDefaults()
    public var mail = Mail()
    /// `[jobs.NAME]`: every job, with its schedule.
    public var jobs = JobSettings.defaults
    /// `[alerts]` and `[alert_rules.NAME]`.
    public var alerts = AlertSettings()
    public var reports = Reports()
    public var matching = Matching()
    /// The PLIE profiles (`[profiles.NAME]`): the three built-in ones, as `config.toml` changes them, and
    /// any other territory's.
    public var profiles = PLIEProfiles()
    /// Where the configuration was read from (nil: built-in defaults only).
    public var source: String?

    public init() {}

    /// Loads `path`, then applies the environment: `CLAUSES_DATABASE_URL` overrides `database.url`,
    /// `CLAUSES_SMTP_PASSWORD` overrides `mail.smtp_password`; `*_file` keys read a secret from a file.
    public static func load(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(DomainError) -> Config
    {
        var text = ""
        if let path {
            guard let data = FileManager.default.contents(atPath: path), let s = String(data: data, encoding: .utf8)
            else {
                throw DomainError(
                    .unprocessable, code: .configUnreadable,
                    message: "configuration : impossible de lire le fichier « \(path) »")
            }
            text = s
        }
        var config = try parse(text, environment: environment)
        config.source = path
        return config
    }

    public static func parse(_ text: String, environment: [String: String] = [:]) throws(DomainError) -> Config {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw DomainError(
                .unprocessable, code: .configSyntax,
                message:
                    "configuration : TOML invalide ligne \(error.source.begin.line), colonne \(error.source.begin.column) : \(error.description)"
            )
        } catch {
            throw DomainError(
                .unprocessable, code: .configSyntax, message: "configuration : TOML invalide : \(error)")
        }
        var root = TOMLReader(path: "", table: table)
        var config = Config()
        var sections: [String] = []
        for key in keys where !sections.contains(key.section) { sections.append(key.section) }
        for name in sections {
            var reader = try root.section(name)
            for key in keys where key.section == name { try key.read(&reader, &config, environment) }
            try reader.rejectUnknownKeys()
        }
        var profilesReader = try root.section("profiles")
        var profiles = PLIEProfile.builtIn
        for name in profilesReader.table?.keys ?? [] {
            var reader = try profilesReader.section(name)
            let profile = try PLIEProfile.read(name: name, &reader)
            if let index = profiles.firstIndex(where: { $0.name == name }) {
                profiles[index] = profile
            } else {
                profiles.append(profile)
            }
        }
        config.profiles = PLIEProfiles(profiles)
        var jobsReader = try root.section("jobs")
        config.jobs = try JobSettings.read(&jobsReader)
        var alertRulesReader = try root.section("alert_rules")
        config.alerts.rules = try AlertSettings.readRules(&alertRulesReader)
        try root.rejectUnknownKeys()
        try config.validate()
        return config
    }

    /// Checks across keys, once every key is read.
    private func validate() throws(DomainError) {
        guard input.dates.earliest < input.dates.latest else {
            throw DomainError(
                .unprocessable, code: .configInvalid,
                message: "configuration : « input.earliest_date » doit précéder « input.latest_date »",
                field: "input.earliest_date")
        }
        if !server.baseURL.hasPrefix("http://") && !server.baseURL.hasPrefix("https://") {
            throw DomainError(
                .unprocessable, code: .configInvalid,
                message: "configuration : « server.base_url » doit commencer par http:// ou https://",
                field: "server.base_url")
        }
        do {
            _ = try profiles.named(ledger.outcomeProfile, field: "ledger.outcome_profile")
        } catch {
            throw DomainError(
                .unprocessable, code: .configInvalid, message: "configuration : \(error.message)", field: error.field)
        }
        try mail.validate()
        if !alerts.teamAddress.isEmpty, let problem = MailAddress.problem(alerts.teamAddress) {
            throw DomainError(
                .unprocessable, code: .configInvalid, message: "configuration : « alerts.team_address » : \(problem)",
                field: "alerts.team_address")
        }
        if jobs.values.contains(where: \.enabled) && database.poolSize < 4 {
            throw DomainError(
                .unprocessable, code: .configInvalid,
                message:
                    "configuration : « database.pool_size » doit valoir au moins 4 quand des tâches planifiées sont actives (le verrou d'une tâche tient une connexion pendant que d'autres font son travail)",
                field: "database.pool_size")
        }
    }

    /// The effective configuration as TOML lines, each key under its description, secrets masked
    /// (`clauses config check`).
    public func describe() -> String {
        var lines = ["# configuration effective\(source.map { " (\($0))" } ?? " (valeurs par défaut)")"]
        var section = ""
        for key in Self.keys {
            if key.section != section {
                section = key.section
                lines += ["", "[\(section)]"]
            }
            lines += ["# \(key.description)", "\(key.name) = \(key.show(self))"]
        }
        for profile in profiles.all { lines += profile.describe() }
        lines += JobSettings.describe(jobs)
        lines += AlertSettings.describe(alerts)
        return lines.joined(separator: "\n")
    }

    /// `--config PATH`, else `./config.toml` when present, else `/etc/clauses/config.toml`.
    public static func defaultPath(explicit: String?) -> String? {
        if let explicit { return explicit }
        if FileManager.default.fileExists(atPath: "config.toml") { return "config.toml" }
        if FileManager.default.fileExists(atPath: "/etc/clauses/config.toml") { return "/etc/clauses/config.toml" }
        return nil
    }
}

extension Config.Mail {
    /// Checks across `[mail]` keys: a URL with its scheme, addresses with an `@`, a CA file that can be read.
    func validate() throws(DomainError) {
        func refuse(_ key: String, _ reason: String) -> DomainError {
            DomainError(
                .unprocessable, code: .configInvalid, message: "configuration : « mail.\(key) » \(reason)",
                field: "mail.\(key)")
        }
        if !smtpURL.isEmpty && !smtpURL.hasPrefix("smtp://") && !smtpURL.hasPrefix("smtps://") {
            // Not echoed: it may carry a password.
            throw refuse("smtp_url", "doit commencer par smtp:// ou smtps://")
        }
        if let problem = MailAddress.problem(from) { throw refuse("from", ": \(problem)") }
        if !smtpCAFile.isEmpty && !FileManager.default.isReadableFile(atPath: smtpCAFile) {
            throw refuse("smtp_ca_file", ": impossible de lire « \(smtpCAFile) »")
        }
        if retryMaxSeconds < retryBaseSeconds {
            throw refuse("retry_max_seconds", "doit être au moins égal à « mail.retry_base_seconds »")
        }
        if connectTimeoutSeconds > timeoutSeconds {
            throw refuse("connect_timeout_seconds", "doit être au plus égal à « mail.timeout_seconds »")
        }
    }
}
