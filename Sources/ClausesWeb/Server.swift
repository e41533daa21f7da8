import ClausesCore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Assembles the HTTP application and runs it with the database pool and the watchdog as services.
public enum ClausesServer {
    /// The router with every route and middleware; tests drive it directly.
    public static func router(services: AppServices, metrics: AppMetrics = AppMetrics()) throws -> Router<
        AppRequestContext
    > {
        let pages = try PageRenderer(forms: services.forms)
        let reader = RequestReader(config: services.config)
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: SecurityHeadersMiddleware(strictTransport: services.config.server.secureCookies))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware(pages: pages, users: services.users))
        router.add(middleware: QueryTextMiddleware())
        HealthRoutes(services: services, metrics: metrics).register(on: router)
        APIRoutes(services: services, reader: reader).register(on: router)
        PageRoutes(services: services, pages: pages, reader: reader).register(on: router)
        return router
    }

    public static func application(
        services: AppServices, host: String, port: Int, logger: Logger, metrics: AppMetrics = AppMetrics(),
        onRunning: @escaping @Sendable () async -> Void = {}
    ) throws -> some ApplicationProtocol {
        Application(
            router: try router(services: services, metrics: metrics),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "clauses"),
            onServerRunning: { _ in await onRunning() },
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then drains requests within the configured time and closes the pool.
    /// Services start in order (the scheduler, then HTTP) and are told to stop in reverse: the scheduler's
    /// shutdown notice, last in the list, stops its waiting at once; HTTP drains; a running job then gets
    /// what is left of `server.shutdown_timeout_seconds` before it is cancelled. The pool closes once every
    /// service has returned (a cancelled job still records how it ended). `metrics` is this process's
    /// registry (already bootstrapped by the caller).
    public static func run(services: AppServices, host: String, port: Int, logger: Logger, metrics: AppMetrics)
        async throws
    {
        let app = try application(services: services, host: host, port: port, logger: logger, metrics: metrics) {
            logger.info("serving", metadata: ["url": "http://\(host):\(port)"])
            Systemd.notify("READY=1")
        }
        let scheduler = Scheduler(
            jobs: services.scheduledJobs, runner: JobRunner(pool: services.pool, logger: logger),
            clock: services.clock, logger: logger, wakeUps: services.wakeUps)
        var serviceList: [any Service] = [scheduler, app]
        if let interval = Systemd.watchdogInterval() { serviceList.append(WatchdogService(interval: interval)) }
        serviceList.append(scheduler.shutdownNotice)
        var configuration = ServiceGroupConfiguration(
            services: serviceList.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(services.config.server.shutdownTimeoutSeconds)
        let group = ServiceGroup(configuration: configuration)
        do {
            try await group.run()
        } catch {
            Systemd.notify("STOPPING=1")
            await services.shutdown()
            await services.pool.shutdown()
            throw error
        }
        Systemd.notify("STOPPING=1")
        await services.shutdown()
        await services.pool.shutdown()
        logger.info("stopped")
    }
}
