import ArgumentParser
import ClausesCore
import Foundation
import Logging

/// `--config PATH`, taken by every subcommand (default `./config.toml` when present, else
/// `/etc/clauses/config.toml`); `CLAUSES_DATABASE_URL` overrides `database.url`.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Fichier de configuration (défaut : ./config.toml s'il existe, sinon /etc/clauses/config.toml).")
    var config: String?

    func loadConfig() throws(DomainError) -> Config {
        try Config.load(path: Config.defaultPath(explicit: config))
    }
}

/// What every database command needs: the configuration, a logger, a connected pool and the services
/// built on them (the same composition root as `serve`).
struct Runtime {
    let config: Config
    let logger: Logger
    let pool: PostgresPool
    let services: AppServices

    static func start(_ options: GlobalOptions, label: String = "clauses") async throws -> Runtime {
        let config = try options.loadConfig()
        Logs.bootstrap(config.log)
        let logger = Logger(label: label)
        guard !config.database.url.isEmpty else {
            throw DomainError(
                .unprocessable, code: .configInvalid,
                message:
                    "aucune base de données configurée : renseignez « database.url » ou la variable CLAUSES_DATABASE_URL",
                field: "database.url")
        }
        let pool = AppServices.openPool(config.database, logger: logger)
        try await waitForDatabase(pool, config: config.database, logger: logger)
        return Runtime(config: config, logger: logger, pool: pool, services: AppServices(config: config, pool: pool))
    }

    /// Tries to reach the database `connect_retries` more times, `connect_retry_interval_seconds` apart.
    private static func waitForDatabase(_ pool: PostgresPool, config: Config.Database, logger: Logger) async throws {
        var attempt = 0
        while true {
            do {
                try await pool.query("SELECT 1")
                return
            } catch let error as PostgresError where error.kind == .connection && attempt < config.connectRetries {
                attempt += 1
                logger.warning(
                    "database unreachable, retrying",
                    metadata: ["attempt": "\(attempt)", "of": "\(config.connectRetries)"])
                try await Task.sleep(for: .seconds(config.connectRetryIntervalSeconds))
            } catch let error as PostgresError where error.kind == .connection {
                await pool.shutdown()
                throw DomainError(
                    .unavailable, code: .databaseUnreachable,
                    message: "base de données injoignable après \(attempt + 1) tentative(s) : \(error.message)")
            }
        }
    }
}

extension Runtime {
    /// Starts, runs `body`, and always closes the pool.
    static func using<T>(_ options: GlobalOptions, _ body: (Runtime) async throws -> T) async throws -> T {
        let runtime = try await start(options)
        do {
            let value = try await body(runtime)
            await runtime.stop()
            return value
        } catch {
            await runtime.stop()
            throw error
        }
    }

    func stop() async {
        await services.shutdown()
        await pool.shutdown()
    }
}
