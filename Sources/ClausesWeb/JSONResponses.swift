import ClausesCore
import Foundation
import Hummingbird

/// JSON out with the project's one JSON style, and decoding failures explained in French.
enum JSONBody {
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONCoding.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A French message naming the JSON field that could not be read.
    static func explain(_ error: DecodingError) -> DomainError {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return DomainError.invalid(field, "Champ obligatoire manquant : « \(field) ».", code: .missingField)
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return DomainError.invalid(
                field, "Type invalide pour « \(field) » : \(frenchTypeName(type)) attendu.", code: .invalidType)
        case .valueNotFound(_, let context):
            let field = path(context.codingPath)
            return DomainError.invalid(field, "« \(field) » ne peut pas être nul.", code: .missingField)
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.isEmpty {
                return DomainError(
                    .badRequest, code: .invalidJson, message: "Le corps de la requête n'est pas un JSON valide.")
            }
            let code: ErrorCode = context.underlyingError is DateOutsideAcceptedWindow ? .dateOutOfRange : .invalidValue
            let sentence =
                context.debugDescription.hasSuffix(".") ? context.debugDescription : context.debugDescription + "."
            return DomainError.invalid(field, "« \(field) » : \(sentence)", code: code)
        @unknown default:
            return DomainError(
                .badRequest, code: .invalidJson, message: "Le corps de la requête n'est pas un JSON valide.")
        }
    }

    private static func frenchTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "une chaîne de caractères"
        case is Int.Type: "un nombre entier"
        case is Bool.Type: "true ou false"
        case is Decimal.Type, is Double.Type: "un nombre"
        case is [Any].Type: "une liste"
        default: "une autre valeur (\(type))"
        }
    }
}

extension Request {
    /// Query parameters as a plain dictionary (last value wins).
    var queryDictionary: [String: String] {
        var out: [String: String] = [:]
        for (key, value) in uri.queryParameters { out[String(key)] = String(value) }
        return out
    }

    /// Query parameters for typed list filters.
    var query: QueryParameters { QueryParameters(queryDictionary) }

    func pageRequest() throws(DomainError) -> PageRequest {
        let query = queryDictionary
        return try PageRequest(limit: query["limit"], cursor: query["cursor"])
    }
}

extension Parameters {
    /// A path parameter that must be a UUID; a malformed one is a 404 like an unknown one.
    func uuid(_ name: String) throws(DomainError) -> UUID {
        guard let raw = get(name), let id = UUID(uuidString: raw) else {
            throw DomainError.notFound("Identifiant inconnu « \(get(name) ?? "") ».")
        }
        return id
    }
}

extension RequestContext {
    func uuid(_ name: String) throws(DomainError) -> UUID { try parameters.uuid(name) }
}
