import Foundation
import Logging
import Mailer
import PostgresClient

/// The composition root: everything `serve`, the commands and the tests use, built the same way from
/// the configuration, a database pool, a clock and a mail transport. Call `shutdown()` when done (it
/// stops the worker threads; the pool belongs to whoever opened it: `serve` closes it once its services have stopped).
public struct AppServices: Sendable {
    public let config: Config
    public let pool: PostgresPool
    public let clock: any CivilClock
    /// SMTP when `mail.smtp_url` is set, else `.eml` files in `mail.directory`.
    public let mail: any MailTransport
    /// bcrypt, on threads of its own so a login flood never takes the request threads.
    let passwordWorkers: BackgroundWorkers
    /// CSV parsing, on a low-priority thread of its own.
    let parsingWorkers: BackgroundWorkers
    public let users: UserStore
    public let loginFailures: LoginFailureStore
    public let forms: FormStore
    public let buyers: EntityStore<Buyer>
    public let operations: EntityStore<Operation>
    public let publicContracts: EntityStore<PublicContract>
    public let lots: EntityStore<Lot>
    public let companies: EntityStore<Company>
    public let clauses: InsertionClauseStore
    public let lotCompanies: LotCompanyStore
    public let ledger: LedgerServices
    public let matching: MatchingServices
    public let outbox: OutboxStore
    public let jobRuns: JobRunStore
    public let alerts: AlertStore
    public let alertScanner: AlertScanner
    public let bilans: BilanService
    public let reportSubscriptions: ReportSubscriptionStore
    public let reportMailer: ReportMailer
    let alertMail: AlertMail
    /// Asks the scheduler's loops to run a job now (`send-mail` after a message is committed).
    public let wakeUps = JobWakeUps()

    /// `bcryptCost`: 2^cost rounds per password (11 in production, about 0.15 s; tests use 4).
    public init(
        config: Config, pool: PostgresPool, clock: any CivilClock = SystemCivilClock(),
        mail: (any MailTransport)? = nil, bcryptCost: UInt8 = 11
    ) {
        self.config = config
        self.pool = pool
        self.clock = clock
        self.mail = mail ?? Self.mailTransport(config.mail)
        passwordWorkers = BackgroundWorkers(threads: config.server.passwordHashThreads, niceness: 5)
        parsingWorkers = BackgroundWorkers(threads: 1, niceness: 10, maxQueued: config.imports.maxConcurrent)
        users = UserStore(pool: pool, passwords: PasswordHasher(workers: passwordWorkers, cost: bcryptCost))
        loginFailures = LoginFailureStore(pool: pool, throttle: config.login.throttle)
        forms = FormStore(pool: pool)
        buyers = EntityStore(pool: pool)
        operations = EntityStore(pool: pool)
        publicContracts = EntityStore(pool: pool)
        lots = EntityStore(pool: pool)
        companies = EntityStore(pool: pool)
        clauses = InsertionClauseStore(pool: pool, defaultRounding: config.calibrationRounding)
        lotCompanies = LotCompanyStore(pool: pool)
        ledger = LedgerServices(pool: pool, config: config, clock: clock, parsing: parsingWorkers)
        matching = MatchingServices(pool: pool, config: config, clock: clock, placements: ledger.placements)
        outbox = OutboxStore(pool: pool, mail: config.mail, baseURL: config.server.baseURL)
        jobRuns = JobRunStore(pool: pool)
        alerts = AlertStore(pool: pool)
        alertMail = AlertMail(baseURL: config.server.baseURL, teamAddress: config.alerts.teamAddress)
        alertScanner = AlertScanner(
            pool: pool, balances: ledger.balances, settings: config.alerts, tolerance: config.ledger.tolerance,
            countingDefaults: config.counting.table, profiles: config.profiles,
            validityMonths: config.ledger.eligibilityValidityMonths, mail: alertMail, outbox: outbox)
        bilans = BilanService(
            pool: pool, balances: ledger.balances,
            secrecy: StatisticalSecrecy(threshold: config.reports.secrecyThreshold), clock: clock)
        reportSubscriptions = ReportSubscriptionStore(pool: pool, clock: clock)
        reportMailer = ReportMailer(pool: pool, bilans: bilans, outbox: outbox, clock: clock)
    }

    /// The transport `[mail]` configures.
    public static func mailTransport(_ mail: Config.Mail) -> any MailTransport {
        guard !mail.smtpURL.isEmpty else { return FileTransport(directory: URL(fileURLWithPath: mail.directory)) }
        return SMTPTransport(
            url: mail.smtpURL, username: mail.smtpUser.isEmpty ? nil : mail.smtpUser,
            password: mail.smtpPassword.isEmpty ? nil : mail.smtpPassword,
            requireTLS: mail.smtpStartTLS, caFile: mail.smtpCAFile.isEmpty ? nil : mail.smtpCAFile,
            connectTimeout: Double(mail.connectTimeoutSeconds), timeout: Double(mail.timeoutSeconds))
    }

    /// The work of `job` (the scheduler and `clauses job run` share it).
    public func jobBody(_ job: JobName) -> any JobBody {
        switch job {
        case .sendMail:
            MailSender(
                outbox: outbox, transport: mail, policy: MailRetryPolicy(config.mail), batchSize: config.mail.batchSize)
        case .prune:
            PruneJob(
                users: users, forms: forms, outbox: outbox, failureRetentionDays: config.login.failureRetentionDays,
                mailRetentionDays: config.mail.retentionDays)
        case .alerts:
            AlertScanJob(scanner: alertScanner, committed: { [self] in mailCommitted() })
        case .digest:
            DigestJob(
                pool: pool, settings: config.alerts, mail: alertMail, outbox: outbox,
                committed: { [self] in mailCommitted() })
        case .reports:
            ReportMailingJob(
                subscriptions: reportSubscriptions, mailer: reportMailer, committed: { [self] in mailCommitted() })
        }
    }

    /// The enabled jobs of `[jobs]`, with their schedules.
    public var scheduledJobs: [ScheduledJob] {
        JobName.allCases.compactMap { name in
            guard let settings = config.jobs[name], settings.enabled else { return nil }
            return ScheduledJob(name: name, schedule: settings.schedule, body: jobBody(name))
        }
    }

    /// Writes `mail` to the outbox in a transaction of its own and, with `mail.send_at_once`, asks the
    /// sender to run now.
    @discardableResult
    public func queueMail(_ mail: OutgoingMail) async throws -> UUID {
        let id = try await outbox.enqueue(mail, now: clock.now)
        mailCommitted()
        return id
    }

    /// To call after committing a transaction that wrote to the outbox: with `mail.send_at_once`, the
    /// scheduler's sender runs now instead of at its next slot.
    public func mailCommitted() {
        if config.mail.sendAtOnce { wakeUps.wake(.sendMail) }
    }

    /// The database pool as `[database]` configures it.
    public static func openPool(_ database: Config.Database, logger: Logger) -> PostgresPool {
        PostgresPool(
            configuration: PostgresConfiguration(
                conninfo: database.url, poolSize: database.poolSize,
                acquireTimeout: .seconds(database.acquireTimeoutSeconds),
                slowQueryThreshold: .milliseconds(database.slowQueryMilliseconds)),
            logger: logger)
    }

    /// Stops the worker threads (after the last request).
    public func shutdown() async {
        await passwordWorkers.shutdown()
        await parsingWorkers.shutdown()
    }
}
