import ClausesCore
import Foundation
import Metrics
import PostgresClient
import Prometheus

/// A Prometheus registry for `/metrics`, with the database pool gauges refreshed at each scrape. `serve`
/// makes one and routes swift-metrics to it (`bootstrapMetricsSystem`, once per process); a router built
/// without one (tests) gets a registry of its own.
public final class AppMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let poolSize, poolOpen, poolInUse, poolWaiting, poolTimeouts, poolReplaced: Prometheus.Gauge
    /// Messages of the outbox in each status (failed ones wait for an admin's eye).
    private let outboxMessages: [MailStatus: Prometheus.Gauge]

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        func gauge(_ name: String, _ help: String) -> Prometheus.Gauge {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "clauses", subsystem: "db_pool", metricName: name, unitName: "", helpText: help))
        }
        poolSize = gauge("size", "Maximum number of database connections")
        poolOpen = gauge("open", "Open database connections")
        poolInUse = gauge("in_use", "Database connections lent to requests")
        poolWaiting = gauge("waiting", "Requests waiting for a database connection")
        poolTimeouts = gauge("acquire_timeouts", "Requests that gave up waiting for a connection since start")
        poolReplaced = gauge("replaced", "Broken connections replaced since start")
        outboxMessages = Dictionary(
            uniqueKeysWithValues: MailStatus.allCases.map { status in
                (
                    status,
                    registry.makeGauge(
                        name: "clauses_mail_outbox_messages", labels: [("status", status.rawValue)],
                        help: "Messages of the mail outbox, by status")
                )
            })
    }

    /// Sends swift-metrics (request counts and durations) to this registry. Once per process: the metrics
    /// system refuses a second bootstrap.
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    /// The Prometheus text exposition, with the pool's and the outbox's figures as of now (the outbox's
    /// are left as they were when the database does not answer).
    func exposition(pool: PostgresPool, outbox: OutboxStore) async -> String {
        if let counts = try? await outbox.counts() {
            for (status, gauge) in outboxMessages { gauge.set(Int64(counts[status] ?? 0)) }
        }
        let stats = await pool.statistics()
        poolSize.set(Int64(stats.size))
        poolOpen.set(Int64(stats.open))
        poolInUse.set(Int64(stats.inUse))
        poolWaiting.set(Int64(stats.waiting))
        poolTimeouts.set(Int64(stats.acquireTimeouts))
        poolReplaced.set(Int64(stats.replacedConnections))
        return registry.emitToString()
    }
}
