import Foundation

/// A file attached to a message, sent base64-encoded.
public struct MailAttachment: Sendable, Equatable {
    public var filename: String
    /// MIME type, e.g. `text/csv; charset=utf-8`.
    public var contentType: String
    public var data: Data

    public init(filename: String, contentType: String, data: Data) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}

/// A message ready to be handed to a `MailTransport`.
///
/// Addresses are either bare (`alice@example.org`) or with a display name
/// (`Alice Martin <alice@example.org>`); non-ASCII display names and subjects are
/// RFC 2047-encoded when the message is rendered.
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var to: [String]
    public var cc: [String]
    public var subject: String
    public var textBody: String
    /// When present, the body is sent as multipart/alternative (text + HTML).
    public var htmlBody: String?
    public var attachments: [MailAttachment]
    /// Stable identifier chosen by the caller, e.g. `<alert-123@clauses>`, so that a resend
    /// can be recognised. Angle brackets are added when missing.
    public var messageID: String
    /// Extra headers (e.g. `Auto-Submitted`). Headers the renderer owns (From, To, Cc,
    /// Subject, Date, Message-ID, MIME-Version, Content-*) are ignored here.
    public var headers: [String: String]
    /// The `Date` header: when the message was composed, from the caller's clock.
    public var date: Date

    public init(
        from: String,
        to: [String],
        cc: [String] = [],
        subject: String,
        textBody: String,
        htmlBody: String? = nil,
        attachments: [MailAttachment] = [],
        messageID: String,
        headers: [String: String] = [:],
        date: Date
    ) {
        self.date = date
        self.from = from
        self.to = to
        self.cc = cc
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.attachments = attachments
        self.messageID = messageID
        self.headers = headers
    }
}

/// Failure to hand a message over. `message` is French and meant for humans (UI, logs).
public struct MailError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The libcurl `CURLcode`, when the failure came from libcurl.
    public var curlCode: Int?
    /// The last SMTP reply code, when one was received (0 is never stored).
    public var smtpCode: Int?
    /// True when retrying later may succeed (connection refused, timeout, 4xx reply);
    /// false for rejected recipients (5xx), bad configuration or invalid messages.
    public var isTransient: Bool
    /// True when the failure is the server's or the configuration's, not this message's (credentials
    /// refused, a certificate or TLS refused, a malformed URL): every message would fail the same way.
    public var concernsEveryMessage: Bool

    public init(
        message: String, curlCode: Int? = nil, smtpCode: Int? = nil, isTransient: Bool,
        concernsEveryMessage: Bool = false
    ) {
        self.message = message
        self.curlCode = curlCode
        self.smtpCode = smtpCode
        self.isTransient = isTransient
        self.concernsEveryMessage = concernsEveryMessage
    }

    public var description: String { message }
}

/// Something that delivers a message: SMTP, or `.eml` files when no server is configured.
public protocol MailTransport: Sendable {
    func send(_ message: MailMessage) async throws(MailError)
}
