import ClausesCore
import Foundation
import Hummingbird

/// A form a signed-in person sends from a page: it carries the session's CSRF token and the page's
/// one-time token.
protocol PostedForm: Decodable {
    var _csrf: String { get }
    var _once: String { get }
}

/// Reads page forms: URL-encoded fields within the form body limit, no control character in any field,
/// decoded into a typed struct by Hummingbird's `URLEncodedFormDecoder`, the CSRF token checked, then the
/// one-time token consumed (a form sent twice is refused the second time, nothing done twice).
struct WebForms: Sendable {
    let reader: RequestReader
    let forms: FormStore
    static let decoder = URLEncodedFormDecoder()

    func decode<Form: PostedForm>(_ type: Form.Type, from request: Request, context: some PageContext)
        async throws -> Form
    {
        let text = try await Self.checkedBody(request, reader: reader)
        let form: Form
        do {
            form = try Self.decoder.decode(Form.self, from: text)
        } catch {
            throw DomainError(
                .badRequest, code: .invalidForm,
                message: "Formulaire incomplet ou illisible : rechargez la page et recommencez.")
        }
        try await checkTokens(csrf: form._csrf, once: form._once, context: context)
        return form
    }

    /// The session's CSRF token, then the page's one-time token (used up here).
    func checkTokens(csrf: String, once: String, context: some PageContext) async throws {
        guard let viewer = context.viewer, FormFields.constantTimeEqual(viewer.csrfToken, csrf) else {
            throw FormFields.expired
        }
        guard try await forms.consumeToken(once, userId: viewer.user.id) else {
            throw DomainError(
                .conflict, code: .formAlreadySent,
                message:
                    "Ce formulaire a déjà été envoyé (ou a expiré) : rien n'a été fait une seconde fois. Rechargez la page pour voir où en sont les choses."
            )
        }
    }

    /// The body of a URL-encoded form, every field name and value free of control characters.
    static func checkedBody(_ request: Request, reader: RequestReader) async throws -> String {
        let text = String(buffer: try await reader.body(request, limit: reader.jsonLimit))
        for (name, value) in FormFields.parse(text) {
            try TextInput.check(name, field: name, multiLine: false)
            try TextInput.check(value, field: name)
        }
        return text
    }
}

/// Plain form fields, for the two forms sent without a page's tokens: the login form (its own one-time
/// token) and the logout button (the CSRF token only).
enum FormFields {
    static func parse(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if let key = parts.first { out[key] = parts.count > 1 ? parts[1] : "" }
        }
        return out
    }

    static func read(_ request: Request, reader: RequestReader) async throws -> [String: String] {
        parse(try await WebForms.checkedBody(request, reader: reader))
    }

    static let expired = DomainError(
        .forbidden, code: .csrf,
        message: "Le formulaire a expiré ou ne vient pas de cette application : rechargez la page et recommencez.")

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
