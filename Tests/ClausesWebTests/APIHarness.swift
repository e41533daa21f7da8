import ClausesTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import ClausesCore
@testable import ClausesWeb

/// A migrated database, the application's router, and one API token per role.
struct APIHarness {
    /// This test process's metrics registry, bootstrapped once like `serve`'s (request metrics included).
    static let metrics: AppMetrics = {
        let metrics = AppMetrics()
        metrics.bootstrapMetricsSystem()
        return metrics
    }()

    let db: TestDatabase
    let services: AppServices
    var tokens: [String: String] = [:]
    var buyerA: UUID
    var buyerB: UUID
    var companyX: UUID

    static let sirets = (
        buyerA: "21130047500012", buyerB: "21130056500010", companyX: "73282932000074", companyY: "44306184100047"
    )

    static func make(config: Config = Config(), clock: any CivilClock = SystemCivilClock()) async throws -> APIHarness {
        let db = try await TestDatabase.create()
        let services = AppServices(config: config, pool: db.pool, clock: clock, bcryptCost: 4)
        let system = Caller.system("test")
        let buyerA = try await services.buyers.create(system, .init(siret: sirets.buyerA, name: "Acheteur A")).id
        let buyerB = try await services.buyers.create(system, .init(siret: sirets.buyerB, name: "Acheteur B")).id
        let companyX = try await services.companies.create(
            system, .init(siret: sirets.companyX, name: "Entreprise X", kind: .ordinary)
        ).id
        var harness = APIHarness(db: db, services: services, buyerA: buyerA, buyerB: buyerB, companyX: companyX)
        for (role, buyer, company) in [
            ("admin", nil, nil), ("facilitator", nil, nil), ("referent", nil, nil),
            ("buyer", buyerA, nil), ("company", nil, companyX),
        ] as [(String, UUID?, UUID?)] {
            let user = try await services.users.create(
                system,
                .init(
                    email: "\(role)@test.fr", role: Role(rawValue: role), password: "mot-de-passe-\(role)",
                    buyerId: buyer, companyId: company))
            harness.tokens[role] = try await services.users.createToken(for: user, name: "test", by: system).token
        }
        return harness
    }

    func run(logger: Logger = Logger(label: "test"), _ body: @Sendable @escaping (Client) async throws -> Void)
        async throws
    {
        let app = try ClausesServer.application(
            services: services, host: "127.0.0.1", port: 0, logger: logger, metrics: Self.metrics)
        try await app.test(.router) { client in try await body(Client(client: client, tokens: tokens)) }
        await services.shutdown()
        await db.pool.shutdown()
    }

    struct Client: Sendable {
        let client: any TestClientProtocol
        let tokens: [String: String]

        struct Reply {
            let status: HTTPResponse.Status
            let json: Any?
            let text: String
            var headers: HTTPFields = [:]
            var object: [String: Any] { json as? [String: Any] ?? [:] }
            var items: [[String: Any]] { object["items"] as? [[String: Any]] ?? [] }
            var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
            var errorField: String? { (object["error"] as? [String: Any])?["field"] as? String }
            var errorMessage: String? { (object["error"] as? [String: Any])?["message"] as? String }
        }

        /// Calls the API as `role` (nil: no token) with an optional JSON body.
        func call(
            _ method: HTTPRequest.Method, _ path: String, as role: String?, json: Any? = nil, rawBody: String? = nil,
            headers extra: HTTPFields = [:]
        ) async throws -> Reply {
            var headers = extra
            if let role { headers[.authorization] = "Bearer \(tokens[role] ?? role)" }
            var body: ByteBuffer?
            if let json {
                headers[.contentType] = "application/json"
                body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
            } else if let rawBody {
                headers[.contentType] = "application/json"
                body = ByteBuffer(string: rawBody)
            }
            return try await client.execute(uri: path, method: method, headers: headers, body: body) { response in
                let text = String(buffer: response.body)
                return Reply(
                    status: response.status, json: try? JSONSerialization.jsonObject(with: Data(text.utf8)), text: text,
                    headers: response.headers)
            }
        }
    }
}
