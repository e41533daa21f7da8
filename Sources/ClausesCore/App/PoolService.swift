import PostgresClient
import ServiceLifecycle

/// The database pool as a service of `serve`'s group: started first, it waits for the graceful
/// shutdown, and being first it stops last, once HTTP has drained; then it closes the connections.
public struct PoolService: Service {
    let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    public func run() async throws {
        try? await gracefulShutdown()
        await pool.shutdown()
    }
}
