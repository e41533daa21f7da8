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
    public let code: ErrorCode
    public let message: String
    /// The input field (JSON key, CLI flag, CSV column, config key path) the message is about, if any.
    public let field: String?
    /// For `tooManyRequests`: seconds after which the same request may succeed (`Retry-After`).
    public let retryAfterSeconds: Int?

    public init(_ kind: Kind, code: ErrorCode, message: String, field: String? = nil, retryAfterSeconds: Int? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.field = field
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { message }

    public static func invalid(_ field: String, _ message: String, code: ErrorCode = .invalidInput) -> DomainError {
        DomainError(.unprocessable, code: code, message: message, field: field)
    }

    public static func notFound(_ message: String) -> DomainError {
        DomainError(.notFound, code: .notFound, message: message)
    }

    public static func conflict(_ message: String, field: String? = nil, code: ErrorCode = .conflict) -> DomainError {
        DomainError(.conflict, code: code, message: message, field: field)
    }

    public static let forbidden = DomainError(
        .forbidden, code: .forbidden, message: "Accès refusé : votre rôle ne permet pas cette action.")
}

/// The stable codes programs match on (`error.code` in JSON bodies, the OpenAPI document lists them);
/// people read the French message instead.
public enum ErrorCode: String, Sendable, CaseIterable, Codable {
    case alreadyReviewed = "already_reviewed"
    case badRequest = "bad_request"
    case calibrationRefused = "calibration_refused"
    case configInvalid = "config_invalid"
    case configSyntax = "config_syntax"
    case configUnknownKey = "config_unknown_key"
    case configUnreadable = "config_unreadable"
    case conflict = "conflict"
    case csrf = "csrf"
    case databaseUnavailable = "database_unavailable"
    case databaseUnreachable = "database_unreachable"
    case dateOutOfRange = "date_out_of_range"
    case demoFile = "demo_file"
    case duplicate = "duplicate"
    case emptyBody = "empty_body"
    case extensionQuota = "extension_quota"
    case forbidden = "forbidden"
    case formAlreadySent = "form_already_sent"
    case implausibleHours = "implausible_hours"
    case importInProgress = "import_in_progress"
    case importsBusy = "imports_busy"
    case internalError = "internal_error"
    case invalidCharacter = "invalid_character"
    case invalidCredentials = "invalid_credentials"
    case invalidForm = "invalid_form"
    case invalidInput = "invalid_input"
    case invalidJson = "invalid_json"
    case invalidSiret = "invalid_siret"
    case invalidToken = "invalid_token"
    case invalidType = "invalid_type"
    case invalidValue = "invalid_value"
    case loginBusy = "login_busy"
    case loginThrottled = "login_throttled"
    case jobBusy = "job_busy"
    case jobFailed = "job_failed"
    case mailFailed = "mail_failed"
    case methodNotAllowed = "method_not_allowed"
    case migrationEdited = "migration_edited"
    case migrationFailed = "migration_failed"
    case migrationsPending = "migrations_pending"
    case missingField = "missing_field"
    case notEligible = "not_eligible"
    case notEmpty = "not_empty"
    case notFound = "not_found"
    case outOfRange = "out_of_range"
    case overlappingPlacement = "overlapping_placement"
    case pathwayOpen = "pathway_open"
    case payloadTooLarge = "payload_too_large"
    case reportExists = "report_exists"
    case schemaAhead = "schema_ahead"
    case staleForm = "stale_form"
    case superseded = "superseded"
    case templateMissing = "template_missing"
    case unauthenticated = "unauthenticated"
    case unknownJob = "unknown_job"
    case unknownReference = "unknown_reference"
    case weakPassword = "weak_password"
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
