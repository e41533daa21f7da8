import Foundation

/// RFC 5322 / RFC 2045 / RFC 2047 helpers shared by both transports: header lines,
/// mailbox parsing and the body encoders used by the `.eml` renderer.
enum MailFormat {
    static let crlf = "\r\n"
    /// Preferred maximum line length (RFC 5322 §2.1.1 says 78; we stay below).
    static let lineLimit = 76

    // MARK: - Mailboxes

    struct Mailbox: Equatable {
        var displayName: String?
        var address: String
    }

    /// Parses `addr`, `<addr>` or `Display Name <addr>` (display name possibly quoted).
    static func parseMailbox(_ raw: String) throws(MailError) -> Mailbox {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        var display: String?
        var address = text
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            var name = text[..<open].trimmingCharacters(in: .whitespaces)
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                name = String(name.dropFirst().dropLast())
                    .replacingOccurrences(of: "\\\"", with: "\"")
                    .replacingOccurrences(of: "\\\\", with: "\\")
            }
            display = name.isEmpty ? nil : name
        }
        address = address.trimmingCharacters(in: .whitespaces)
        let forbidden = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "<>,;\""))
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            address.rangeOfCharacter(from: forbidden) == nil,
            display.map({ $0.rangeOfCharacter(from: .newlines) == nil }) ?? true
        else {
            throw MailError(message: "Adresse électronique invalide : « \(raw) ».", isTransient: false)
        }
        return Mailbox(displayName: display, address: address)
    }

    /// Renders a mailbox for a header, encoding or quoting the display name as needed.
    static func render(_ mailbox: Mailbox) -> String {
        guard let name = mailbox.displayName else { return mailbox.address }
        let phrase: String
        if needsEncoding(name) {
            phrase = encodedWords(name, firstLineBudget: lineLimit).joined(separator: " ")
        } else if name.contains(where: { "()<>[]:;@\\,.\"".contains($0) }) {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"")
            phrase = "\"\(escaped)\""
        } else {
            phrase = name
        }
        return "\(phrase) <\(mailbox.address)>"
    }

    // MARK: - Headers

    private static let ownedHeaders: Set<String> = [
        "from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version",
    ]

    /// The message's top-level header lines, without line terminators (folded lines
    /// contain `CRLF SP`). Content-Type is left to the MIME layer.
    static func headerLines(for message: MailMessage, date: Date) throws(MailError) -> [String] {
        let from = try parseMailbox(message.from)
        let to = try message.to.map { (raw) throws(MailError) in try parseMailbox(raw) }
        let cc = try message.cc.map { (raw) throws(MailError) in try parseMailbox(raw) }
        guard !to.isEmpty || !cc.isEmpty else {
            throw MailError(message: "Le message n'a aucun destinataire.", isTransient: false)
        }
        var lines = [addressHeader("From", [from])]
        if !to.isEmpty { lines.append(addressHeader("To", to)) }
        if !cc.isEmpty { lines.append(addressHeader("Cc", cc)) }
        lines.append(unstructuredHeader("Subject", message.subject))
        lines.append("Date: \(rfc5322Date(date))")
        lines.append("Message-ID: \(try normalisedMessageID(message.messageID))")
        lines.append("MIME-Version: 1.0")
        for (name, value) in message.headers.sorted(by: { $0.key < $1.key }) {
            let lower = name.lowercased()
            guard !ownedHeaders.contains(lower), !lower.hasPrefix("content-") else { continue }
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 && $0 != ":" })
            else {
                throw MailError(message: "Nom d'en-tête invalide : « \(name) ».", isTransient: false)
            }
            lines.append(unstructuredHeader(name, value))
        }
        return lines
    }

    /// Envelope recipients (bare addresses) for RCPT TO.
    static func envelopeRecipients(for message: MailMessage) throws(MailError) -> [String] {
        try (message.to + message.cc).map { (raw) throws(MailError) in try parseMailbox(raw).address }
    }

    static func normalisedMessageID(_ raw: String) throws(MailError) -> String {
        var id = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if id.hasPrefix("<") { id.removeFirst() }
        if id.hasSuffix(">") { id.removeLast() }
        guard !id.isEmpty, id.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 && $0 != "<" && $0 != ">" })
        else {
            throw MailError(message: "Identifiant de message (Message-ID) invalide : « \(raw) ».", isTransient: false)
        }
        return "<\(id)>"
    }

    static func addressHeader(_ name: String, _ mailboxes: [Mailbox]) -> String {
        var line = "\(name): "
        var current = line.count
        for (index, mailbox) in mailboxes.enumerated() {
            let item = render(mailbox) + (index < mailboxes.count - 1 ? "," : "")
            if index > 0 {
                if current + 1 + item.count > lineLimit {
                    line += crlf + " "
                    current = 1
                } else {
                    line += " "
                    current += 1
                }
            }
            line += item
            current += item.count
        }
        return line
    }

    /// `Name: value` for free text, RFC 2047-encoded when not plain ASCII, folded.
    static func unstructuredHeader(_ name: String, _ rawValue: String) -> String {
        let value = rawValue.components(separatedBy: .newlines).joined(separator: " ")
        let prefix = "\(name): "
        if needsEncoding(value) {
            let words = encodedWords(value, firstLineBudget: lineLimit - prefix.count)
            return prefix + words.joined(separator: crlf + " ")
        }
        // Plain ASCII: fold at spaces when a line would get too long.
        var result = prefix
        var current = prefix.count
        for (index, word) in value.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if index > 0 {
                if current + 1 + word.count > lineLimit, current > prefix.count {
                    result += crlf + " "
                    current = 1
                } else {
                    result += " "
                    current += 1
                }
            }
            result += word
            current += word.count
        }
        return result
    }

    static func needsEncoding(_ text: String) -> Bool {
        text.contains("=?") || text.unicodeScalars.contains { $0.value < 32 || $0.value > 126 }
    }

    /// RFC 2047 `B` encoded words, each at most 75 characters, never splitting a character.
    static func encodedWords(_ text: String, firstLineBudget: Int) -> [String] {
        let overhead = "=?UTF-8?B??=".count
        func byteBudget(_ lineBudget: Int) -> Int { max(3, (lineBudget - overhead) / 4 * 3) }
        var words: [String] = []
        var chunk: [UInt8] = []
        var budget = byteBudget(firstLineBudget)
        func flush() {
            words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
            chunk.removeAll()
            budget = byteBudget(lineLimit - 1)
        }
        for character in text {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty, chunk.count + bytes.count > budget { flush() }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { flush() }
        return words
    }

    /// Attachment file name for a `filename="…"` parameter: RFC 2047 when not ASCII.
    static func parameterFilename(_ filename: String) -> String {
        let clean = filename.components(separatedBy: .newlines).joined(separator: " ")
        if needsEncoding(clean) {
            return encodedWords(clean, firstLineBudget: 1000).joined(separator: " ")
        }
        return clean
    }

    static func headerSafe(_ value: String) -> String {
        value.components(separatedBy: .newlines).joined(separator: " ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    // MARK: - Bodies

    /// Converts any line ending (LF, CR, CRLF) to CRLF.
    static func crlfNormalised(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: crlf)
    }

    /// Quoted-printable (RFC 2045 §6.7) of UTF-8 text, CRLF line breaks, lines ≤ 76.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        let lines = crlfNormalised(text).components(separatedBy: crlf)
        for (lineIndex, line) in lines.enumerated() {
            if lineIndex > 0 { output += Array(crlf.utf8) }
            let bytes = Array(line.utf8)
            var length = 0
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let plain = byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")
                let blank = (byte == 32 || byte == 9) && !isLast
                let escaped = [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                var token = plain || blank ? [byte] : escaped
                // Keep room for a soft break "=" unless this is the last token of the line.
                if length + token.count > (isLast ? lineLimit : lineLimit - 1) {
                    output += Array("=\r\n".utf8)
                    length = 0
                }
                // A leading dot is escaped so the text survives SMTP relays unchanged.
                if length == 0 && byte == UInt8(ascii: ".") { token = escaped }
                output += token
                length += token.count
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Base64 in lines of 76 characters separated by CRLF.
    static func base64Lines(_ data: Data) -> String {
        let encoded = Array(data.base64EncodedString().utf8)
        var lines: [String] = []
        var start = 0
        while start < encoded.count {
            let end = min(start + lineLimit, encoded.count)
            lines.append(String(decoding: encoded[start..<end], as: UTF8.self))
            start = end
        }
        return lines.joined(separator: crlf)
    }
}

/// Checks an address the way the transports read it (`alice@example.org` or `Alice <alice@example.org>`).
public enum MailAddress {
    /// Nil when the address is valid, else the French reason.
    public static func problem(_ raw: String) -> String? {
        do {
            _ = try MailFormat.parseMailbox(raw)
            return nil
        } catch {
            return error.message
        }
    }
}
