import Foundation

/// Writes each message as `<directory>/<timestamp>-<message id>.eml`: the default when no
/// SMTP server is configured. Files appear atomically (written under a temporary name
/// starting with a dot, then renamed).
public struct FileTransport: MailTransport {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public func send(_ message: MailMessage) async throws(MailError) {
        _ = try write(message)
    }

    /// Writes the message and returns the final file's URL.
    @discardableResult
    public func write(_ message: MailMessage) throws(MailError) -> URL {
        let date = message.date
        let data = try MailRenderer.render(message, date: date)
        let name = "\(Self.timestamp(date))-\(Self.sanitised(message.messageID)).eml"
        let destination = directory.appendingPathComponent(name)
        let temporary = directory.appendingPathComponent(".\(UUID().uuidString).tmp")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try data.write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw MailError(
                message: "Impossible d'écrire le courriel dans « \(directory.path) » : \(error.localizedDescription)",
                isTransient: true
            )
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw MailError(
                message: "Impossible de renommer le courriel en « \(destination.path) » : \(reason)",
                isTransient: true
            )
        }
        return destination
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        return formatter.string(from: date)
    }

    /// Keeps letters, digits and `.-_@`; everything else (including `<`, `>` and `/`) becomes `_`.
    static func sanitised(_ messageID: String) -> String {
        var id = messageID.trimmingCharacters(in: .whitespaces)
        if id.hasPrefix("<") { id.removeFirst() }
        if id.hasSuffix(">") { id.removeLast() }
        let kept = id.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "-", "_", "@": Character(scalar)
            default: "_"
            }
        }
        let result = String(kept.prefix(150))
        return result.isEmpty ? "_" : result
    }
}
