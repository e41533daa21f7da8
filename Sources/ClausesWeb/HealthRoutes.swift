import ClausesCore
import Foundation
import Hummingbird
import Logging

/// `/healthz` (the process answers), `/readyz` (database reachable and schema current), `/metrics`.
struct HealthRoutes {
    let services: AppServices
    let metrics: AppMetrics

    func register(on router: Router<AppRequestContext>) {
        router.get("/healthz") { _, _ in
            try JSONBody.response(["status": "ok"])
        }
        router.get("/readyz") { _, context in
            do {
                let status = try await Migrator(pool: services.pool, logger: context.logger).status()
                guard status.isCurrent else {
                    return try JSONBody.response(
                        [
                            "status": "schema_not_current",
                            "message": "Le schéma de la base n'est pas à jour pour ce binaire.",
                        ],
                        status: .serviceUnavailable)
                }
                return try JSONBody.response(["status": "ready"])
            } catch {
                return try JSONBody.response(
                    ["status": "database_unavailable", "message": "La base de données est injoignable."],
                    status: .serviceUnavailable)
            }
        }
        router.get("/metrics") { _, _ in
            let text = await metrics.exposition(pool: services.pool, outbox: services.outbox)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
