import Foundation

/// An error a person can act on: a stable code for programs, a French message for people, and the
/// HTTP status it maps to. Controllers render it as `{"error": {"code", "message", "field"}}`.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Int, Sendable {
        case badRequest = 400
        case unauthorized = 401
        case forbidden = 403
        case notFound = 404
        case methodNotAllowed = 405
        case conflict = 409
        case payloadTooLarge = 413
        case unprocessable = 422
        case tooManyRequests = 429
        case internalError = 500
        case unavailable = 503
    }

    public let kind: Kind
    public let code: String
    public let message: String
    /// The input field (JSON key, CLI flag, CSV column, config key path) the message is about, if any.
    public let field: String?
    /// For `tooManyRequests`: seconds after which the same request may succeed (`Retry-After`).
    public let retryAfterSeconds: Int?

    public init(_ kind: Kind, code: String, message: String, field: String? = nil, retryAfterSeconds: Int? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.field = field
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { message }

    public static func invalid(_ field: String, _ message: String, code: String = "invalid_input") -> DomainError {
        DomainError(.unprocessable, code: code, message: message, field: field)
    }

    public static func notFound(_ message: String) -> DomainError {
        DomainError(.notFound, code: "not_found", message: message)
    }

    public static func conflict(_ message: String, field: String? = nil, code: String = "conflict") -> DomainError {
        DomainError(.conflict, code: code, message: message, field: field)
    }

    public static let forbidden = DomainError(
        .forbidden, code: "forbidden", message: "Accès refusé : votre rôle ne permet pas cette action.")
}

/// Several problems found while checking one input (a CSV file, a form): all are reported at once.
public struct ValidationErrors: Error, Sendable, Equatable {
    public struct Problem: Sendable, Equatable, Codable {
        public let line: Int?
        public let column: String?
        public let message: String
        public init(line: Int? = nil, column: String? = nil, message: String) {
            self.line = line
            self.column = column
            self.message = message
        }
    }
    public let problems: [Problem]
    public init(_ problems: [Problem]) { self.problems = problems }
}
