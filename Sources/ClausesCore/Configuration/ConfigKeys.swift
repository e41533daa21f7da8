import Foundation

/// One key of `config.toml`, declared once: its place, its description, how it is read (type, bounds;
/// the default is the value `Config()` holds) and shown. The parser, `describe()` (`clauses config
/// check`) and the test that diffs the keys against `config.toml` all walk `Config.keys`.
struct ConfigKey: Sendable {
    let section: String
    let name: String
    let description: String
    /// Read from the environment variable `environment`, else from `name_file`, else from the key; masked
    /// when shown.
    let secret: (environment: String, isURL: Bool)?
    let read: @Sendable (inout TOMLReader, inout Config, [String: String]) throws(DomainError) -> Void
    let show: @Sendable (Config) -> String

    var path: String { "\(section).\(name)" }

    /// A plain key: `read` takes the reader, the key's name and the current (default) value.
    static func value<T>(
        _ section: String, _ name: String, _ keyPath: any WritableKeyPath<Config, T> & Sendable,
        _ description: String,
        read: @escaping @Sendable (inout TOMLReader, String, T) throws(DomainError) -> T,
        show: @escaping @Sendable (T) -> String
    ) -> ConfigKey {
        ConfigKey(
            section: section, name: name, description: description, secret: nil,
            read: { reader, config, _ throws(DomainError) in
                config[keyPath: keyPath] = try read(&reader, name, config[keyPath: keyPath])
            }, show: { show($0[keyPath: keyPath]) })
    }

    static func int(
        _ section: String, _ name: String, _ keyPath: any WritableKeyPath<Config, Int> & Sendable,
        in range: ClosedRange<Int>, _ description: String
    ) -> ConfigKey {
        value(
            section, name, keyPath, description, read: { r, n, v throws(DomainError) in try r.int(n, v, in: range) },
            show: { "\($0)" })
    }

    static func bool(
        _ section: String, _ name: String, _ keyPath: any WritableKeyPath<Config, Bool> & Sendable,
        _ description: String
    ) -> ConfigKey {
        value(
            section, name, keyPath, description, read: { r, n, v throws(DomainError) in try r.bool(n, v) },
            show: { "\($0)" })
    }

    static func string(
        _ section: String, _ name: String, _ keyPath: any WritableKeyPath<Config, String> & Sendable,
        _ description: String
    ) -> ConfigKey {
        value(
            section, name, keyPath, description, read: { r, n, v throws(DomainError) in try r.string(n, v) },
            show: quoted)
    }

    /// A URL that may hold a password (`smtps://user:password@host`): shown with the password masked.
    static func url(
        _ section: String, _ name: String, _ keyPath: any WritableKeyPath<Config, String> & Sendable,
        _ description: String
    ) -> ConfigKey {
        value(
            section, name, keyPath, description, read: { r, n, v throws(DomainError) in try r.string(n, v) },
            show: maskedURL)
    }

    /// A decimal, shown as a string so its exact value is obvious.
    static func decimal(
        _ section: String, _ name: String, _ keyPath: any WritableKeyPath<Config, Decimal> & Sendable,
        in range: ClosedRange<Decimal>, _ description: String
    ) -> ConfigKey {
        value(
            section, name, keyPath, description,
            read: { r, n, v throws(DomainError) in try r.decimal(n, v, in: range) }, show: { quoted("\($0)") })
    }

    static func choice<T: RawRepresentable & CaseIterable & Sendable>(
        _ section: String, _ name: String, _ keyPath: any WritableKeyPath<Config, T> & Sendable, _ description: String
    ) -> ConfigKey where T.RawValue == String {
        value(
            section, name, keyPath, description, read: { r, n, v throws(DomainError) in try r.choice(n, v) },
            show: { quoted($0.rawValue) })
    }

    static func date(
        _ section: String, _ name: String, _ keyPath: any WritableKeyPath<Config, LocalDate> & Sendable,
        _ description: String
    ) -> ConfigKey {
        value(
            section, name, keyPath, description, read: { r, n, v throws(DomainError) in try r.date(n, v) },
            show: { quoted($0.description) })
    }

    /// A list of IP addresses, stored in canonical form.
    static func addresses(
        _ section: String, _ name: String, _ keyPath: any WritableKeyPath<Config, [String]> & Sendable,
        _ description: String
    ) -> ConfigKey {
        value(
            section, name, keyPath, description,
            read: { reader, name, current throws(DomainError) in
                try reader.stringArray(name, current).map { (text: String) throws(DomainError) in
                    guard let address = IPAddress.canonical(text) else {
                        throw DomainError(
                            .unprocessable, code: .configInvalid,
                            message: "configuration : « \(section).\(name) » : « \(text) » n'est pas une adresse IP",
                            field: "\(section).\(name)")
                    }
                    return address
                }
            }, show: { "[\($0.map(quoted).joined(separator: ", "))]" })
    }

    /// A secret: from `environment`, else the file named by `name_file`, else the key itself.
    static func secret(
        _ section: String, _ name: String, _ keyPath: any WritableKeyPath<Config, String> & Sendable,
        environment: String, isURL: Bool = false, _ description: String
    ) -> ConfigKey {
        ConfigKey(
            section: section, name: name, description: description, secret: (environment, isURL),
            read: { reader, config, env throws(DomainError) in
                let inline = try reader.string(name, config[keyPath: keyPath])
                let file = try reader.string("\(name)_file", "")
                if let value = env[environment], !value.isEmpty {
                    config[keyPath: keyPath] = value
                } else if !file.isEmpty {
                    guard let data = FileManager.default.contents(atPath: file),
                        let text = String(data: data, encoding: .utf8)
                    else {
                        throw DomainError(
                            .unprocessable, code: .configUnreadable,
                            message: "configuration : « \(section).\(name)_file » : impossible de lire « \(file) »",
                            field: "\(section).\(name)_file")
                    }
                    config[keyPath: keyPath] = text.trimmingCharacters(in: .whitespacesAndNewlines)
                } else {
                    config[keyPath: keyPath] = inline
                }
            },
            show: { config in isURL ? maskedURL(config[keyPath: keyPath]) : masked(config[keyPath: keyPath]) })
    }

    /// A TOML string as `config check` shows it (profile keys too).
    static func quoted(_ text: String) -> String { "\"\(text)\"" }

    private static func masked(_ text: String) -> String { text.isEmpty ? "\"\"" : "\"********\"" }

    /// Keeps host and database visible, hides a password in a URI or a keyword string.
    private static func maskedURL(_ text: String) -> String {
        guard !text.isEmpty else { return "\"\"" }
        if var components = URLComponents(string: text), components.scheme != nil {
            if components.password != nil { components.password = "********" }
            return quoted(components.string ?? text)
        }
        return quoted(
            text.replacingOccurrences(
                of: #"password\s*=\s*[^ ]*"#, with: "password=********", options: .regularExpression))
    }
}

extension Config {
    /// Every key of `config.toml`, in file order.
    static let keys: [ConfigKey] = [
        .string("server", "host", \.server.host, "Address the HTTP server listens on."),
        .int("server", "port", \.server.port, in: 1...65535, "TCP port the HTTP server listens on."),
        .string("server", "base_url", \.server.baseURL, "Public URL of the service, for absolute links in emails."),
        .int(
            "server", "shutdown_timeout_seconds", \.server.shutdownTimeoutSeconds, in: 1...600,
            "Seconds allowed to drain requests and a running job on SIGTERM."),
        .int(
            "server", "session_lifetime_hours", \.server.sessionLifetimeHours, in: 1...720,
            "Lifetime of a login session."),
        .bool("server", "secure_cookies", \.server.secureCookies, "Secure cookie and HSTS (HTTPS deployments)."),
        .addresses(
            "server", "trusted_proxies", \.server.trustedProxies,
            "Reverse proxies whose X-Forwarded-For names the client."),
        .int(
            "server", "max_json_body_bytes", \.server.maxJSONBodyBytes, in: 1024...67_108_864,
            "Largest JSON request body."),
        .int(
            "server", "max_import_body_bytes", \.server.maxImportBodyBytes, in: 1024...1_073_741_824,
            "Largest CSV import body."),
        .int(
            "server", "password_hash_threads", \.server.passwordHashThreads, in: 1...64,
            "Threads that check passwords (bcrypt)."),
        .date("input", "earliest_date", \.input.dates.earliest, "Earliest date accepted from people and files."),
        .date("input", "latest_date", \.input.dates.latest, "Latest date accepted from people and files."),
        .int("imports", "max_lines", \.imports.limits.maxLines, in: 1...10_000_000, "Most lines in a CSV import."),
        .int(
            "imports", "max_line_bytes", \.imports.limits.maxLineBytes, in: 80...1_048_576,
            "Longest line of a CSV import."),
        .int("imports", "max_columns", \.imports.limits.maxColumns, in: 5...1000, "Most columns of a CSV import."),
        .int("imports", "max_concurrent", \.imports.maxConcurrent, in: 1...64, "Imports parsed at the same time."),
        .int(
            "login", "window_seconds", \.login.throttle.windowSeconds, in: 60...86_400,
            "Window over which failed logins are counted."),
        .int(
            "login", "free_failures_per_account", \.login.throttle.freeFailuresPerAccount, in: 1...1000,
            "Failures per account before logins slow down."),
        .int(
            "login", "free_failures_per_address", \.login.throttle.freeFailuresPerAddress, in: 1...100_000,
            "Failures per address before logins slow down."),
        .int(
            "login", "max_account_delay_seconds", \.login.throttle.maxAccountDelaySeconds, in: 1...3600,
            "Longest wait imposed on one account."),
        .int(
            "login", "max_address_delay_seconds", \.login.throttle.maxAddressDelaySeconds, in: 1...86_400,
            "Longest wait imposed on one address."),
        .int(
            "login", "failure_retention_days", \.login.failureRetentionDays, in: 1...3650,
            "Days failed logins are kept for administrators."),
        .int(
            "login", "form_lifetime_minutes", \.login.formLifetimeMinutes, in: 1...1440,
            "Minutes a login form stays valid."),
        .secret(
            "database", "url", \.database.url, environment: "CLAUSES_DATABASE_URL", isURL: true,
            "PostgreSQL connection string, given to libpq."),
        .int("database", "pool_size", \.database.poolSize, in: 1...200, "Most PostgreSQL connections."),
        .int(
            "database", "acquire_timeout_seconds", \.database.acquireTimeoutSeconds, in: 1...300,
            "Longest wait for a free connection."),
        .bool("database", "auto_migrate", \.database.autoMigrate, "Apply pending migrations when serving."),
        .int(
            "database", "connect_retries", \.database.connectRetries, in: 0...1000,
            "Connection attempts at startup before giving up."),
        .int(
            "database", "connect_retry_interval_seconds", \.database.connectRetryIntervalSeconds, in: 1...300,
            "Seconds between connection attempts."),
        .int(
            "database", "slow_query_milliseconds", \.database.slowQueryMilliseconds, in: 1...600_000,
            "Queries slower than this are logged with their duration (never their values)."),
        .choice("log", "level", \.log.level, "Lowest level logged."),
        .choice("log", "format", \.log.format, "Log lines as text or JSON."),
        .choice("calibration", "rounding", \.calibrationRounding, "Default rounding of calibrated hours."),
        .int(
            "ledger", "eligibility_validity_months", \.ledger.eligibilityValidityMonths, in: 1...60,
            "Months an eligibility proof stays valid."),
        .decimal(
            "ledger", "tolerance", \.ledger.tolerance, in: 0...1, "Share a lot may lag before it is behind."),
        .decimal(
            "ledger", "plausible_monthly_hours", \.ledger.plausibleMonthlyHours, in: 1...744,
            "Monthly hours above which a report needs confirmation."),
        .int(
            "ledger", "outcome_after_exit_months", \.ledger.outcomeAfterExitMonths, in: 0...24,
            "Months after a pathway's exit during which its positive outcomes may still be decided."),
        .string(
            "ledger", "outcome_profile", \.ledger.outcomeProfile,
            "Profile of the PLIE the upgrade gives to pathways recorded before PLIE records (migration 0004)."),
        .decimal(
            "counting", "training_cap_share", \.counting.trainingCapShare, in: 0...1,
            "Share of the required hours training may credit."),
        .decimal(
            "counting", "hire_bonus_hours", \.counting.hireBonusHours, in: 0...10_000,
            "Hours credited per qualifying hire."),
        .decimal(
            "counting", "subcontract_labour_share", \.counting.subcontractLabourShare, in: 0...1,
            "Labour share of an amount paid to an SIAE."),
        .decimal(
            "counting", "subcontract_hourly_cost", \.counting.subcontractHourlyCost, in: 1...1_000,
            "Hourly cost converting an SIAE amount into hours."),
        .string("mail", "from", \.mail.from, "Sender of every email."),
        .string("mail", "directory", \.mail.directory, "Where emails are written as .eml files without SMTP."),
        .url("mail", "smtp_url", \.mail.smtpURL, "SMTP server (smtp:// or smtps://); empty: .eml files."),
        .bool(
            "mail", "smtp_starttls", \.mail.smtpStartTLS,
            "With smtp://, require STARTTLS (false: send in clear, for a relay on loopback)."),
        .string("mail", "smtp_user", \.mail.smtpUser, "SMTP user name; empty: no authentication."),
        .secret(
            "mail", "smtp_password", \.mail.smtpPassword, environment: "CLAUSES_SMTP_PASSWORD", "SMTP password."),
        .string(
            "mail", "smtp_ca_file", \.mail.smtpCAFile,
            "PEM file of the authority that signed the SMTP server's certificate; empty: the system's."),
        .int(
            "mail", "connect_timeout_seconds", \.mail.connectTimeoutSeconds, in: 1...300,
            "Longest wait to connect to the SMTP server."),
        .int("mail", "timeout_seconds", \.mail.timeoutSeconds, in: 1...600, "Longest time to send one message."),
        .int(
            "mail", "max_attempts", \.mail.maxAttempts, in: 1...100,
            "Attempts before a message failing transiently is given up."),
        .int(
            "mail", "retry_base_seconds", \.mail.retryBaseSeconds, in: 1...86_400,
            "Wait after a first transient failure (doubled at each attempt)."),
        .int(
            "mail", "retry_max_seconds", \.mail.retryMaxSeconds, in: 1...86_400, "Longest wait between two attempts."),
        .int(
            "mail", "max_age_hours", \.mail.maxAgeHours, in: 1...720,
            "Hours after which a message still unsent is given up."),
        .int("mail", "batch_size", \.mail.batchSize, in: 1...10_000, "Messages the sender claims at a time."),
        .int("mail", "retention_days", \.mail.retentionDays, in: 1...3650, "Days sent messages are kept."),
        .bool(
            "mail", "send_at_once", \.mail.sendAtOnce,
            "Send a message as soon as it is committed (the send-mail job catches the rest)."),
        .string(
            "alerts", "team_address", \.alerts.teamAddress,
            "The team's address: it receives the digest of every alert; empty: none."),
        .bool(
            "alerts", "digest_when_nothing_new", \.alerts.digestWhenNothingNew,
            "Send a digest even when no alert is new or worse since the last one."),
        .int(
            "reports", "secrecy_threshold", \.reports.secrecyThreshold, in: 2...100,
            "Counts of people or contracts below it are shown « < N » in bilans and to buyers (DOMAIN §8)."),
        .int(
            "matching", "shortlist_length", \.matching.shortlistLength, in: 1...500,
            "Candidates a shortlist shows unless asked for another number."),
        .decimal(
            "matching", "trade_same_code", \.matching.weights.tradeSameCode, in: 0...100,
            "Points when a skill or target job is the need's ROME code."),
        .decimal(
            "matching", "trade_same_domain", \.matching.weights.tradeSameDomain, in: 0...100,
            "Points for the same professional domain (first three characters)."),
        .decimal(
            "matching", "trade_same_large_domain", \.matching.weights.tradeSameLargeDomain, in: 0...100,
            "Points for the same large domain (first letter)."),
        .decimal(
            "matching", "distance", \.matching.weights.distance, in: 0...100,
            "Points at 0 km, decreasing linearly to none at distance_reference_km."),
        .int(
            "matching", "distance_reference_km", \.matching.weights.distanceReferenceKm, in: 1...500,
            "Distance from which no distance points are given."),
        .decimal(
            "matching", "plie_participant", \.matching.weights.plieParticipant, in: 0...100,
            "Points for an open PLIE pathway (the protocols' first public)."),
        .decimal("matching", "rsa", \.matching.weights.rsa, in: 0...100, "Points for a valid RSA criterion."),
        .decimal(
            "matching", "qpv_on_anru", \.matching.weights.qpvOnANRU, in: 0...100,
            "Points for QPV residents on an ANRU operation's lots."),
        .decimal(
            "matching", "women", \.matching.weights.women, in: 0...100,
            "Points for women when the buyer recorded that goal with its basis."),
        .decimal(
            "matching", "seniors", \.matching.weights.seniors, in: 0...100,
            "Points for people aged 50 or more when the buyer recorded that goal with its basis."),
        .decimal(
            "matching", "waiting", \.matching.weights.waiting, in: 0...100,
            "Points for waiting since the last placement (or the pathway's entry), full at waiting_full_months."),
        .int(
            "matching", "waiting_full_months", \.matching.weights.waitingFullMonths, in: 1...120,
            "Months of waiting that give all the waiting points."),
        .decimal(
            "matching", "pathway_urgency", \.matching.weights.pathwayUrgency, in: 0...100,
            "Points growing over the last urgency_months before the pathway's length is reached."),
        .int(
            "matching", "urgency_months", \.matching.weights.urgencyMonths, in: 1...60,
            "Months before the pathway's length over which urgency points grow."),
        .decimal(
            "matching", "project_validated", \.matching.weights.projectValidated, in: 0...100,
            "Points when the référent validated the professional project."),
    ]
}
