import ClausesCore
import Foundation
import Hummingbird
import Mustache

/// Renders French pages: a page template inside the shared layout (navigation, flash message, CSRF).
public struct PageRenderer: Sendable {
    let library: MustacheLibrary

    public init() throws {
        var library = MustacheLibrary()
        for file in EmbeddedAssets.files where file.name.hasSuffix(".mustache") {
            try library.register(file.text, named: String(file.name.dropLast(".mustache".count)))
        }
        self.library = library
    }

    /// The text of an embedded static file (CSS, JS), by name.
    static func asset(_ name: String) -> String? { EmbeddedAssets.files.first { $0.name == name }?.text }

    /// `page` is the template name; `model` its values. The layout adds the user, navigation and CSRF token.
    func render(
        _ page: String, title: String, model: [String: Any], context: AppRequestContext,
        flash: String? = nil, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        var values = model
        values["csrf"] = context.csrfToken ?? ""
        // Mustache cannot ask whether a list is empty: `hasItems` is true when `items` has any.
        for (key, value) in model {
            if let list = value as? [Any] {
                values["has" + key.prefix(1).uppercased() + key.dropFirst()] = !list.isEmpty
            }
        }
        guard let body = library.render(values, withTemplate: page) else {
            throw DomainError(.internalError, code: .templateMissing, message: "Modèle de page introuvable : \(page)")
        }
        var layout: [String: Any] = ["title": title, "body": body, "csrf": context.csrfToken ?? ""]
        if let user = context.user {
            layout["user"] = [
                "email": user.email, "role": user.role.frenchLabel,
                "isStaff": [.admin, .facilitator, .referent].contains(user.role),
            ]
        }
        if let flash { layout["flash"] = flash }
        let html = library.render(layout, withTemplate: "layout") ?? body
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    func errorPage(_ error: DomainError, context: AppRequestContext) throws -> Response {
        let title =
            switch error.kind {
            case .notFound: "Page introuvable"
            case .forbidden: "Accès refusé"
            case .internalError: "Erreur interne"
            case .unavailable: "Service indisponible"
            default: "Requête refusée"
            }
        return try render(
            "error", title: title, model: ["message": error.message, "title": title],
            context: context, status: HTTPResponse.Status(code: error.kind.rawValue))
    }
}

/// Figures that may be missing on pages (an em dash then), through `French`.
enum Display {
    static func euros(_ value: Decimal?) -> String {
        value.map { French.euros($0, cents: true) } ?? "—"
    }
    static func date(_ value: LocalDate?) -> String { value?.french ?? "—" }
}
