import Foundation

/// Renders a message as RFC 5322 bytes for `FileTransport`.
///
/// libcurl cannot serialise a `curl_mime` tree without performing a transfer (only the
/// HTTP, SMTP and IMAP protocols read MIME data), so this mirrors the structure
/// `SMTPTransport` builds with curl's MIME API: a multipart/mixed root holding the body
/// (text/plain, or multipart/alternative text + HTML; quoted-printable UTF-8) followed by
/// base64 attachments.
enum MailRenderer {
    static func render(_ message: MailMessage, date: Date) throws(MailError) -> Data {
        let crlf = MailFormat.crlf
        var out = try MailFormat.headerLines(for: message, date: date).joined(separator: crlf) + crlf

        var parts: [String] = []
        let text = textPart(message.textBody, subtype: "plain")
        if let html = message.htmlBody {
            parts.append(multipart("alternative", [text, textPart(html, subtype: "html")]))
        } else {
            parts.append(text)
        }
        for attachment in message.attachments {
            let filename = MailFormat.parameterFilename(attachment.filename)
                .replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"")
            parts.append(
                "Content-Type: \(MailFormat.headerSafe(attachment.contentType))" + crlf
                    + "Content-Disposition: attachment; filename=\"\(filename)\"" + crlf
                    + "Content-Transfer-Encoding: base64" + crlf + crlf
                    + MailFormat.base64Lines(attachment.data)
            )
        }
        out += multipart("mixed", parts) + crlf
        return Data(out.utf8)
    }

    private static func textPart(_ body: String, subtype: String) -> String {
        "Content-Type: text/\(subtype); charset=utf-8" + MailFormat.crlf
            + "Content-Transfer-Encoding: quoted-printable" + MailFormat.crlf + MailFormat.crlf
            + MailFormat.quotedPrintable(body)
    }

    /// A multipart entity (its Content-Type header, blank line, then the parts).
    private static func multipart(_ subtype: String, _ parts: [String]) -> String {
        let crlf = MailFormat.crlf
        // "=_" cannot occur in quoted-printable or base64 output, so no part can contain it.
        let boundary = "=_clauses_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        var out = "Content-Type: multipart/\(subtype);" + crlf + " boundary=\"\(boundary)\"" + crlf + crlf
        for part in parts {
            out += "--\(boundary)" + crlf + part + crlf
        }
        out += "--\(boundary)--"
        return out
    }
}
