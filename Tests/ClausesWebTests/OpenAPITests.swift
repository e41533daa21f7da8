import Foundation
import Hummingbird
import PostgresClient
import Testing

@testable import ClausesCore
@testable import ClausesWeb

@Suite("OpenAPI document")
struct OpenAPITests {
    /// `(METHOD, /path/{param})` pairs documented under `paths:` in openapi.yaml.
    static func documented() throws -> Set<String> {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../../openapi.yaml")
            .standardized
        let text = try String(contentsOf: url, encoding: .utf8)
        var operations: Set<String> = []
        var inPaths = false
        var currentPath: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") {
                inPaths = true
                continue
            }
            if inPaths, let first = line.first, first != " ", first != "#" { inPaths = false }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if let path = currentPath, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "patch", "delete"].contains(key) {
                    operations.insert("\(key.uppercased()) \(path)")
                }
            }
        }
        return operations
    }

    @Test("the documented error codes are exactly ErrorCode's")
    func errorCodes() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../../openapi.yaml")
            .standardized
        let text = try String(contentsOf: url, encoding: .utf8)
        let line = try #require(
            text.split(separator: "\n").first {
                $0.trimmingCharacters(in: .whitespaces).hasPrefix("enum: [already_reviewed")
            })
        let listed = line.split(separator: "[")[1].dropLast().split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        #expect(Set(listed) == Set(ErrorCode.allCases.map(\.rawValue)))
    }

    @Test("every API and health route is documented, and nothing else")
    func inStep() throws {
        let pool = PostgresPool(
            configuration: PostgresConfiguration(conninfo: "postgresql://unused@127.0.0.1:1/none", poolSize: 1))
        let router = try ClausesServer.router(services: AppServices(config: Config(), pool: pool))
        let served = Set(
            router.routes.compactMap { route -> String? in
                let path = route.path.description.split(separator: "/").map {
                    $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0)
                }
                .joined(separator: "/")
                let full = "/" + path
                guard full.hasPrefix("/api/") || ["/healthz", "/readyz", "/metrics"].contains(full) else { return nil }
                return "\(route.method) \(full)"
            })
        let documented = try Self.documented()
        #expect(!served.isEmpty)
        #expect(served.subtracting(documented).sorted() == [], "routes missing from openapi.yaml")
        #expect(documented.subtracting(served).sorted() == [], "openapi.yaml documents routes that do not exist")
    }
}
