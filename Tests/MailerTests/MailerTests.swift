import ClausesTestSupport
import Foundation
import Mailer
import Testing

// These tests talk to a real SMTP server on loopback: `SMTPSink` (ClausesTestSupport's `smtp_sink.py`),
// built on Debian's python3-aiosmtpd. Messages are checked by parsing them back with
// Python's standard `email` package (`parse_eml.py`).

private let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

/// Debian's interpreter first: python3-aiosmtpd is installed for it, not for a pyenv one.
private func pythonCommand(_ arguments: [String]) -> (URL, [String]) {
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") {
        return (URL(fileURLWithPath: "/usr/bin/python3"), arguments)
    }
    return (URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments)
}

private struct SinkError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// What `parse_eml.py` reports about a message.
private struct ParsedMail: Decodable {
    struct Attachment: Decodable {
        var filename: String?
        var content_type: String
        var data: String
    }

    var defects: [String]
    var from: String
    var to: String
    var cc: String?
    var subject: String
    var message_id: String
    var date: String
    var mime_version: String
    var content_type: String
    var text: String?
    var text_type: String?
    var html: String?
    var attachments: [Attachment]
}

private func parse(_ eml: URL) throws -> ParsedMail {
    let (executable, arguments) = pythonCommand([testsDirectory.appendingPathComponent("parse_eml.py").path, eml.path])
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw SinkError(message: "parse_eml.py failed on \(eml.path)")
    }
    return try JSONDecoder().decode(ParsedMail.self, from: data)
}

// MARK: - Fixture

private let csv = Data("contrat;échéance;montant\n42;2025-02-12;1 250,00 €\n".utf8)

private let textBody = """
    Bonjour Élodie,

    Le contrat « Fourniture de café » arrive à échéance le 12 février : pensez à la relance, \
    à la négociation tarifaire et à l'avenant n°3 avant la date butoir fixée par la direction.
    .
    Ligne précédée d'un point seul, puis des espaces en fin de ligne :   
    Cordialement,
    L'équipe Clauses
    """

private let message = MailMessage(
    from: "Clauses — Alertes <alertes@clauses.test>",
    to: ["Élodie Müller <elodie@example.test>", "bob@example.test"],
    cc: ["\"Martin, Claire\" <claire@example.test>"],
    subject: "Échéance dépassée : contrat n°42 — relance à prévoir pour l'équipe juridique de la société",
    textBody: textBody,
    htmlBody: "<p>Bonjour <strong>Élodie</strong>, l'échéance est dépassée.</p>",
    attachments: [
        MailAttachment(filename: "echeances.csv", contentType: "text/csv; charset=utf-8", data: csv),
        MailAttachment(
            filename: "Relevé été.pdf", contentType: "application/pdf",
            data: Data([0x25, 0x50, 0x44, 0x46, 0x00, 0xFF])),
    ],
    messageID: "<alert-123@clauses>",
    headers: ["Auto-Submitted": "auto-generated", "X-Clauses-Alerte": "Échéance"],
    date: Date(timeIntervalSince1970: 1_795_000_000)
)

/// Checks shared by SMTP and `.eml` output.
private func expectFixture(_ parsed: ParsedMail, raw: Data) throws {
    #expect(parsed.defects.isEmpty)
    #expect(parsed.from == "Clauses — Alertes <alertes@clauses.test>")
    #expect(parsed.to == "Élodie Müller <elodie@example.test>, bob@example.test")
    #expect(parsed.cc == "\"Martin, Claire\" <claire@example.test>")
    #expect(parsed.subject == message.subject)
    #expect(parsed.message_id == "<alert-123@clauses>")
    #expect(parsed.mime_version == "1.0")
    #expect(!parsed.date.isEmpty)
    #expect(parsed.content_type == "multipart/mixed")
    #expect(
        parsed.text?.replacingOccurrences(of: "\r\n", with: "\n") == textBody + "\n"
            || parsed.text?.replacingOccurrences(of: "\r\n", with: "\n") == textBody)
    #expect(
        parsed.text_type?.lowercased().contains("charset=\"utf-8\"") == true
            || parsed.text_type?.lowercased().contains("charset=utf-8") == true)
    #expect(parsed.html?.contains("<strong>Élodie</strong>, l'échéance est dépassée.") == true)
    try #require(parsed.attachments.count == 2)
    #expect(parsed.attachments[0].filename == "echeances.csv")
    #expect(parsed.attachments[0].content_type == "text/csv")
    #expect(Data(base64Encoded: parsed.attachments[0].data) == csv)
    #expect(parsed.attachments[1].filename == "Relevé été.pdf")
    #expect(parsed.attachments[1].content_type == "application/pdf")
    #expect(Data(base64Encoded: parsed.attachments[1].data) == Data([0x25, 0x50, 0x44, 0x46, 0x00, 0xFF]))

    // Deterministic checks on the raw form.
    let text = String(decoding: raw, as: UTF8.self)
    #expect(text.contains("\r\nMessage-ID: <alert-123@clauses>\r\n"))
    #expect(text.contains("\r\nSubject: =?UTF-8?B?"))
    #expect(text.contains("\r\nAuto-Submitted: auto-generated\r\n"))
    #expect(text.contains("Content-Type: text/plain; charset=utf-8\r\n"))
    #expect(text.contains("Content-Transfer-Encoding: quoted-printable\r\n"))
    #expect(text.contains("Content-Type: multipart/alternative;"))
    #expect(text.contains("Bonjour =C3=89lodie,"))
    #expect(text.contains("Content-Disposition: attachment; filename=\"echeances.csv\""))
    #expect(raw.allSatisfy { $0 < 0x80 }, "the message must be 7-bit clean")
    // RFC 5322: 998 is the hard limit, 78 the recommended one (libcurl's own
    // multipart Content-Type and attachment Content-Disposition lines may be longer).
    let lines = text.components(separatedBy: "\r\n")
    #expect(lines.allSatisfy { $0.count <= 998 })
    let long = lines.filter { $0.count > 78 && !$0.contains("boundary=") && !$0.contains("filename=") }
    #expect(long.isEmpty, "lines over 78 characters: \(long)")
}

// MARK: - Tests

@Suite struct SMTPTransportTests {
    @Test func deliversAccentedMultipartMessageWithAttachment() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        try await SMTPTransport(url: sink.url, timeout: 10).send(message)

        let received = try sink.received()
        try #require(received.count == 1)
        let delivery = received[0]
        #expect(delivery.envelope.mail_from == "alertes@clauses.test")
        #expect(delivery.envelope.rcpt_tos == ["elodie@example.test", "bob@example.test", "claire@example.test"])
        let parsed = try parse(delivery.eml)
        try expectFixture(parsed, raw: delivery.raw)
        // The Date header is the message's own date (the composer's clock), not the moment of sending.
        #expect(parsed.date.hasPrefix("Wed, 18 Nov 2026 1"))
    }

    @Test func plainTextMessageWithoutAttachments() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let simple = MailMessage(
            from: "alertes@clauses.test", to: ["bob@example.test"], subject: "Rapport hebdomadaire",
            textBody: "Tout va bien, aucune échéance cette semaine.", messageID: "report-7@clauses",
            date: Date(timeIntervalSince1970: 1_795_000_000)
        )
        try await SMTPTransport(url: sink.url, timeout: 10).send(simple)

        let received = try sink.received()
        try #require(received.count == 1)
        let parsed = try parse(received[0].eml)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.subject == "Rapport hebdomadaire")
        #expect(parsed.message_id == "<report-7@clauses>")
        #expect(parsed.text?.hasPrefix("Tout va bien, aucune échéance cette semaine.") == true)
        #expect(parsed.html == nil)
        #expect(parsed.attachments.isEmpty)
    }

    @Test func closedPortIsTransientWithFrenchMessage() async throws {
        let sink = try SMTPSink()
        let url = sink.url
        sink.stop()  // Nothing listens on that port any more.

        let error = await #expect(throws: MailError.self) {
            try await SMTPTransport(url: url, timeout: 10).send(message)
        }
        #expect(error?.isTransient == true)
        #expect(error?.curlCode == 7)  // CURLE_COULDNT_CONNECT
        #expect(error?.message.hasPrefix("Échec de l'envoi du courriel via \(url) : connexion impossible") == true)
    }

    @Test func rejectedRecipientIsPermanent() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        var rejected = message
        rejected.to = ["rejete@example.test"]
        rejected.cc = []

        let error = await #expect(throws: MailError.self) {
            try await SMTPTransport(url: sink.url, timeout: 10).send(rejected)
        }
        #expect(error?.isTransient == false)
        #expect(error?.smtpCode == 550)
        #expect(error?.message.contains("refus définitif du serveur (code SMTP 550)") == true)
        // The server's own words are kept for the admin page.
        #expect(error?.message.contains("réponse du serveur : « 550 5.1.1 Mailbox unavailable »") == true)
        #expect(try sink.received().isEmpty)
    }

    @Test func temporaryRefusalIsTransient() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        var deferred = message
        deferred.to = ["plus-tard@example.test"]
        deferred.cc = []

        let error = await #expect(throws: MailError.self) {
            try await SMTPTransport(url: sink.url, timeout: 10).send(deferred)
        }
        #expect(error?.isTransient == true)
        #expect(error?.smtpCode == 451)
        #expect(error?.message.contains("refus temporaire du serveur (code SMTP 451)") == true)
    }

    @Test func requiredTLSWithoutStartTLSIsPermanent() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }

        let error = await #expect(throws: MailError.self) {
            try await SMTPTransport(url: sink.url, requireTLS: true, timeout: 10).send(message)
        }
        #expect(error?.isTransient == false)
        #expect(error?.curlCode == 64)  // CURLE_USE_SSL_FAILED
        #expect(try sink.received().isEmpty)
    }

    @Test func startTLSWithPrivateAuthorityAndAuthentication() async throws {
        let directory = try SMTPSink.temporaryDirectory("tls")
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try SMTPSink.selfSignedCertificate(in: directory)
        let sink = try SMTPSink(.init(tls: certificate, credentials: ("clauses", "mot-de-passe")))
        defer { sink.stop() }

        // Trusted through the CA file, TLS required, right credentials: delivered.
        try await SMTPTransport(
            url: sink.url, username: "clauses", password: "mot-de-passe", requireTLS: true,
            caFile: certificate.certificate, timeout: 10
        ).send(message)
        let received = try sink.received()
        try #require(received.count == 1)
        try expectFixture(try parse(received[0].eml), raw: received[0].raw)

        // Without the CA file the self-signed certificate is refused, for good.
        let untrusted = await #expect(throws: MailError.self) {
            try await SMTPTransport(
                url: sink.url, username: "clauses", password: "mot-de-passe", requireTLS: true, timeout: 10
            ).send(message)
        }
        #expect(untrusted?.isTransient == false)
        #expect(untrusted?.message.contains("certificat TLS du serveur refusé") == true)

        // A wrong password: refused for good, with the server's answer.
        let denied = await #expect(throws: MailError.self) {
            try await SMTPTransport(
                url: sink.url, username: "clauses", password: "faux", requireTLS: true,
                caFile: certificate.certificate, timeout: 10
            ).send(message)
        }
        #expect(denied?.isTransient == false)
        #expect(denied?.smtpCode == 535)
        #expect(try sink.received().count == 1)
    }

    @Test func invalidMessagesAreRejectedBeforeConnecting() async throws {
        // Port 9 (discard) on loopback: never reached, validation fails first.
        let transport = SMTPTransport(url: "smtp://127.0.0.1:9", timeout: 5)
        var noRecipient = message
        noRecipient.to = []
        noRecipient.cc = []
        let error = await #expect(throws: MailError.self) { try await transport.send(noRecipient) }
        #expect(error?.isTransient == false)
        #expect(error?.message == "Le message n'a aucun destinataire.")

        var badAddress = message
        badAddress.to = ["pas une adresse"]
        let addressError = await #expect(throws: MailError.self) { try await transport.send(badAddress) }
        #expect(addressError?.isTransient == false)
        #expect(addressError?.message.hasPrefix("Adresse électronique invalide") == true)
    }
}

@Suite struct FileTransportTests {
    @Test func writesParseableEmlAtomically() async throws {
        let root = try SMTPSink.temporaryDirectory("file")
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("outbox/eml")  // Created on demand.

        try await FileTransport(directory: directory).send(message)

        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        try #require(names.count == 1, "no temporary file may be left behind: \(names)")
        let name = names[0]
        #expect(name.range(of: #"^\d{8}T\d{6}\.\d{3}Z-alert-123@clauses\.eml$"#, options: .regularExpression) != nil)
        let eml = directory.appendingPathComponent(name)
        try expectFixture(try parse(eml), raw: try Data(contentsOf: eml))
    }

    @Test func sanitisesMessageIDInFileName() async throws {
        let directory = try SMTPSink.temporaryDirectory("file")
        defer { try? FileManager.default.removeItem(at: directory) }
        var hostile = message
        hostile.messageID = "<../../etc/passwd@x>"
        let url = try FileTransport(directory: directory).write(hostile)
        #expect(url.deletingLastPathComponent().standardizedFileURL.path == directory.standardizedFileURL.path)
        #expect(url.lastPathComponent.hasSuffix("-.._.._etc_passwd@x.eml"))
    }
}
