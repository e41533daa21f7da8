import ClausesCore
import Foundation
import Hummingbird

/// Reads what requests carry, within the configured bounds: a body larger than its route's limit is
/// answered 413 in French, from `Content-Length` before anything is read, or as soon as the limit is
/// passed; JSON is decoded with dates held to the accepted window and no control character in any
/// string; query dates are parsed the same way.
struct RequestReader: Sendable {
    let decoder: JSONDecoder
    let dates: DateWindow
    /// JSON bodies and forms.
    let jsonLimit: Int
    /// CSV files (API body or multipart upload).
    let importLimit: Int

    init(config: Config) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        if let key = CodingUserInfoKey.acceptedDates { decoder.userInfo[key] = config.input.dates.range }
        self.decoder = decoder
        dates = config.input.dates
        jsonLimit = config.server.maxJSONBodyBytes
        importLimit = config.server.maxImportBodyBytes
    }

    /// The whole body, refused with 413 beyond `limit` bytes.
    func body(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw Self.tooLarge(limit)
        }
        var collected = ByteBuffer()
        for try await chunk in request.body {
            guard collected.readableBytes + chunk.readableBytes <= limit else { throw Self.tooLarge(limit) }
            var chunk = chunk
            collected.writeBuffer(&chunk)
        }
        return collected
    }

    static func tooLarge(_ limit: Int) -> DomainError {
        DomainError(
            .payloadTooLarge, code: .payloadTooLarge,
            message:
                "Requête trop volumineuse : \(French.number(Decimal(limit / 1024), maxFraction: 6)) Kio au plus pour cette adresse."
        )
    }

    /// A JSON body decoded into `type`, every problem explained in French with its field.
    func json<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let data = Data(buffer: try await body(request, limit: jsonLimit))
        guard !data.isEmpty else {
            throw DomainError(
                .badRequest, code: .emptyBody, message: "Le corps de la requête est vide : un objet JSON est attendu."
            )
        }
        // Control characters hide in JSON escapes (\u0000): checked on the document before typing it.
        guard let document = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw DomainError(
                .badRequest, code: .invalidJson, message: "Le corps de la requête n'est pas un JSON valide.")
        }
        try TextInput.checkJSON(document)
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw JSONBody.explain(error)
        }
    }

    /// The raw CSV file sent as the request body.
    func csv(_ request: Request) async throws -> Data {
        let data = Data(buffer: try await body(request, limit: importLimit))
        guard !data.isEmpty else {
            throw DomainError(
                .badRequest, code: .emptyBody, message: "Le corps de la requête est vide : envoyez le fichier CSV.")
        }
        return data
    }

    /// A page's date field (`au`, `du`): empty is none; a refusal names the field as the page labels it.
    func pageDate(_ request: Request, _ name: String, label: String) throws(DomainError) -> LocalDate? {
        guard let text = request.queryDictionary[name], !text.isEmpty else { return nil }
        return try dates.parse(text, field: label)
    }

    /// A `YYYY-MM-DD` query parameter within the accepted window, refused in French otherwise.
    func date(_ request: Request, _ name: String) throws(DomainError) -> LocalDate? {
        try request.queryDictionary[name].map { text throws(DomainError) in try dates.parse(text, field: name) }
    }
}
