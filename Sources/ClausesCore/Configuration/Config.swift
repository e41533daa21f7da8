import Foundation
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
    }

    public enum LogFormat: String, Sendable, CaseIterable { case text, json }
    public enum LogLevel: String, Sendable, CaseIterable { case trace, debug, info, notice, warning, error, critical }

    public struct Log: Sendable {
        public var level = LogLevel.info
        public var format = LogFormat.text
    }

    public struct Ledger: Sendable {
        public var eligibilityValidityMonths = 6
        public var tolerance: Decimal = Decimal(string: "0.10")!
        public var plausibleMonthlyHours: Decimal = 220
        public var outcomeProfile = "istres-ouest-provence-2020"
    }

    public struct Mail: Sendable {
        public var from = "clauses <clauses@localhost>"
        public var directory = "var/mail"
        public var smtpURL = ""
        public var smtpUser = ""
        public var smtpPassword = ""
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
                    .unprocessable, code: "config_unreadable",
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
                .unprocessable, code: "config_syntax",
                message:
                    "configuration : TOML invalide ligne \(error.source.begin.line), colonne \(error.source.begin.column) : \(error.description)"
            )
        } catch {
            throw DomainError(
                .unprocessable, code: "config_syntax", message: "configuration : TOML invalide : \(error)")
        }
        var root = TOMLReader(path: "", table: table)
        var c = Config()

        var server = try root.section("server")
        c.server.host = try server.string("host", c.server.host)
        c.server.port = try server.int("port", c.server.port, in: 1...65535)
        c.server.baseURL = try server.string("base_url", c.server.baseURL)
        c.server.shutdownTimeoutSeconds = try server.int(
            "shutdown_timeout_seconds", c.server.shutdownTimeoutSeconds, in: 1...600)
        c.server.sessionLifetimeHours = try server.int(
            "session_lifetime_hours", c.server.sessionLifetimeHours, in: 1...720)
        c.server.secureCookies = try server.bool("secure_cookies", c.server.secureCookies)
        c.server.trustedProxies = try server.stringArray("trusted_proxies", c.server.trustedProxies).map {
            (text: String) throws(DomainError) in
            guard let address = IPAddress.canonical(text) else {
                throw DomainError(
                    .unprocessable, code: "config_invalid",
                    message: "configuration : « server.trusted_proxies » : « \(text) » n'est pas une adresse IP",
                    field: "server.trusted_proxies")
            }
            return address
        }
        c.server.maxJSONBodyBytes = try server.int(
            "max_json_body_bytes", c.server.maxJSONBodyBytes, in: 1024...67_108_864)
        c.server.maxImportBodyBytes = try server.int(
            "max_import_body_bytes", c.server.maxImportBodyBytes, in: 1024...1_073_741_824)
        c.server.passwordHashThreads = try server.int("password_hash_threads", c.server.passwordHashThreads, in: 1...64)
        try server.rejectUnknownKeys()

        var input = try root.section("input")
        let earliest = try input.date("earliest_date", c.input.dates.earliest)
        let latest = try input.date("latest_date", c.input.dates.latest)
        guard earliest < latest else {
            throw DomainError(
                .unprocessable, code: "config_invalid",
                message: "configuration : « input.earliest_date » doit précéder « input.latest_date »",
                field: "input.earliest_date")
        }
        c.input.dates = DateWindow(earliest: earliest, latest: latest)
        try input.rejectUnknownKeys()

        var imports = try root.section("imports")
        c.imports.limits.maxLines = try imports.int("max_lines", c.imports.limits.maxLines, in: 1...10_000_000)
        c.imports.limits.maxLineBytes = try imports.int(
            "max_line_bytes", c.imports.limits.maxLineBytes, in: 80...1_048_576)
        c.imports.limits.maxColumns = try imports.int("max_columns", c.imports.limits.maxColumns, in: 5...1000)
        c.imports.maxConcurrent = try imports.int("max_concurrent", c.imports.maxConcurrent, in: 1...64)
        try imports.rejectUnknownKeys()

        var login = try root.section("login")
        c.login.throttle.windowSeconds = try login.int(
            "window_seconds", c.login.throttle.windowSeconds, in: 60...86_400)
        c.login.throttle.freeFailuresPerAccount = try login.int(
            "free_failures_per_account", c.login.throttle.freeFailuresPerAccount, in: 1...1000)
        c.login.throttle.freeFailuresPerAddress = try login.int(
            "free_failures_per_address", c.login.throttle.freeFailuresPerAddress, in: 1...100_000)
        c.login.throttle.maxAccountDelaySeconds = try login.int(
            "max_account_delay_seconds", c.login.throttle.maxAccountDelaySeconds, in: 1...3600)
        c.login.throttle.maxAddressDelaySeconds = try login.int(
            "max_address_delay_seconds", c.login.throttle.maxAddressDelaySeconds, in: 1...86_400)
        c.login.failureRetentionDays = try login.int(
            "failure_retention_days", c.login.failureRetentionDays, in: 1...3650)
        c.login.formLifetimeMinutes = try login.int("form_lifetime_minutes", c.login.formLifetimeMinutes, in: 1...1440)
        try login.rejectUnknownKeys()

        var database = try root.section("database")
        c.database.url = try secret(&database, "url", env: environment["CLAUSES_DATABASE_URL"])
        c.database.poolSize = try database.int("pool_size", c.database.poolSize, in: 1...200)
        c.database.acquireTimeoutSeconds = try database.int(
            "acquire_timeout_seconds", c.database.acquireTimeoutSeconds, in: 1...300)
        c.database.autoMigrate = try database.bool("auto_migrate", c.database.autoMigrate)
        c.database.connectRetries = try database.int("connect_retries", c.database.connectRetries, in: 0...1000)
        c.database.connectRetryIntervalSeconds = try database.int(
            "connect_retry_interval_seconds", c.database.connectRetryIntervalSeconds, in: 1...300)
        try database.rejectUnknownKeys()

        var log = try root.section("log")
        c.log.level = try log.choice("level", c.log.level)
        c.log.format = try log.choice("format", c.log.format)
        try log.rejectUnknownKeys()

        var calibration = try root.section("calibration")
        c.calibrationRounding = try calibration.choice("rounding", c.calibrationRounding)
        try calibration.rejectUnknownKeys()

        var ledger = try root.section("ledger")
        c.ledger.eligibilityValidityMonths = try ledger.int(
            "eligibility_validity_months", c.ledger.eligibilityValidityMonths, in: 1...60)
        c.ledger.tolerance = try ledger.decimal("tolerance", c.ledger.tolerance, in: 0...1)
        c.ledger.plausibleMonthlyHours = try ledger.decimal(
            "plausible_monthly_hours", c.ledger.plausibleMonthlyHours, in: 1...744)
        c.ledger.outcomeProfile = try ledger.string("outcome_profile", c.ledger.outcomeProfile)
        try ledger.rejectUnknownKeys()

        var counting = try root.section("counting")
        c.counting = try CountingDefaults.read(&counting)
        try counting.rejectUnknownKeys()

        var mail = try root.section("mail")
        c.mail.from = try mail.string("from", c.mail.from)
        c.mail.directory = try mail.string("directory", c.mail.directory)
        c.mail.smtpURL = try mail.string("smtp_url", c.mail.smtpURL)
        c.mail.smtpUser = try mail.string("smtp_user", c.mail.smtpUser)
        c.mail.smtpPassword = try secret(&mail, "smtp_password", env: environment["CLAUSES_SMTP_PASSWORD"])
        try mail.rejectUnknownKeys()

        try root.rejectUnknownKeys()
        try c.validate()
        return c
    }

    /// A secret from, in order: the environment, `KEY_file` (a file holding it), or `KEY` itself.
    private static func secret(_ reader: inout TOMLReader, _ key: String, env: String?) throws(DomainError) -> String {
        let inline = try reader.string(key, "")
        let file = try reader.string("\(key)_file", "")
        if let env, !env.isEmpty { return env }
        if !file.isEmpty {
            guard let data = FileManager.default.contents(atPath: file), let s = String(data: data, encoding: .utf8)
            else {
                throw DomainError(
                    .unprocessable, code: "config_unreadable",
                    message: "configuration : « \(reader.path).\(key)_file » : impossible de lire « \(file) »",
                    field: "\(reader.path).\(key)_file")
            }
            return s.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return inline
    }

    private func validate() throws(DomainError) {
        if !server.baseURL.hasPrefix("http://") && !server.baseURL.hasPrefix("https://") {
            throw DomainError(
                .unprocessable, code: "config_invalid",
                message: "configuration : « server.base_url » doit commencer par http:// ou https://",
                field: "server.base_url")
        }
        do {
            _ = try OutcomeProfile.named(ledger.outcomeProfile, field: "ledger.outcome_profile")
        } catch {
            throw DomainError(
                .unprocessable, code: "config_invalid", message: "configuration : \(error.message)", field: error.field)
        }
        if !mail.smtpURL.isEmpty && !mail.smtpURL.hasPrefix("smtp://") && !mail.smtpURL.hasPrefix("smtps://") {
            throw DomainError(
                .unprocessable, code: "config_invalid",
                message: "configuration : « mail.smtp_url » doit commencer par smtp:// ou smtps://",
                field: "mail.smtp_url")
        }
    }

    /// The effective configuration as TOML-like lines, secrets masked (`clauses config check`).
    public func describe() -> String {
        func mask(_ s: String) -> String { s.isEmpty ? "\"\"" : "\"********\"" }
        func maskURL(_ s: String) -> String {
            // Keep host and database visible, hide a password in a URI or keyword string.
            guard !s.isEmpty else { return "\"\"" }
            if var components = URLComponents(string: s), components.scheme != nil {
                if components.password != nil { components.password = "********" }
                return "\"\(components.string ?? s)\""
            }
            return
                "\"\(s.replacingOccurrences(of: #"password\s*=\s*[^ ]*"#, with: "password=********", options: .regularExpression))\""
        }
        return """
            # configuration effective\(source.map { " (\($0))" } ?? " (valeurs par défaut)")
            [server]
            host = "\(server.host)"
            port = \(server.port)
            base_url = "\(server.baseURL)"
            shutdown_timeout_seconds = \(server.shutdownTimeoutSeconds)
            session_lifetime_hours = \(server.sessionLifetimeHours)
            secure_cookies = \(server.secureCookies)
            trusted_proxies = [\(server.trustedProxies.map { "\"\($0)\"" }.joined(separator: ", "))]
            max_json_body_bytes = \(server.maxJSONBodyBytes)
            max_import_body_bytes = \(server.maxImportBodyBytes)
            password_hash_threads = \(server.passwordHashThreads)

            [input]
            earliest_date = "\(input.dates.earliest)"
            latest_date = "\(input.dates.latest)"

            [imports]
            max_lines = \(imports.limits.maxLines)
            max_line_bytes = \(imports.limits.maxLineBytes)
            max_columns = \(imports.limits.maxColumns)
            max_concurrent = \(imports.maxConcurrent)

            [login]
            window_seconds = \(login.throttle.windowSeconds)
            free_failures_per_account = \(login.throttle.freeFailuresPerAccount)
            free_failures_per_address = \(login.throttle.freeFailuresPerAddress)
            max_account_delay_seconds = \(login.throttle.maxAccountDelaySeconds)
            max_address_delay_seconds = \(login.throttle.maxAddressDelaySeconds)
            failure_retention_days = \(login.failureRetentionDays)
            form_lifetime_minutes = \(login.formLifetimeMinutes)

            [database]
            url = \(maskURL(database.url))
            pool_size = \(database.poolSize)
            acquire_timeout_seconds = \(database.acquireTimeoutSeconds)
            auto_migrate = \(database.autoMigrate)
            connect_retries = \(database.connectRetries)
            connect_retry_interval_seconds = \(database.connectRetryIntervalSeconds)

            [log]
            level = "\(log.level.rawValue)"
            format = "\(log.format.rawValue)"

            [calibration]
            rounding = "\(calibrationRounding.rawValue)"

            [ledger]
            eligibility_validity_months = \(ledger.eligibilityValidityMonths)
            tolerance = "\(ledger.tolerance)"
            plausible_monthly_hours = "\(ledger.plausibleMonthlyHours)"
            outcome_profile = "\(ledger.outcomeProfile)"

            [counting]
            \(counting.describe())

            [mail]
            from = "\(mail.from)"
            directory = "\(mail.directory)"
            smtp_url = \(maskURL(mail.smtpURL))
            smtp_user = "\(mail.smtpUser)"
            smtp_password = \(mask(mail.smtpPassword))
            """
    }

    /// `--config PATH`, else `./config.toml` when present, else `/etc/clauses/config.toml`.
    public static func defaultPath(explicit: String?) -> String? {
        if let explicit { return explicit }
        if FileManager.default.fileExists(atPath: "config.toml") { return "config.toml" }
        if FileManager.default.fileExists(atPath: "/etc/clauses/config.toml") { return "/etc/clauses/config.toml" }
        return nil
    }
}
