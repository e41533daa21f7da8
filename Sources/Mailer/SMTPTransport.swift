import CCurl
import Foundation
import NIOPosix

/// `curl_global_init` must run once before any other libcurl call; Swift initialises
/// globals lazily and exactly once, in a thread-safe way.
private let curlGlobalInitResult: CURLcode = ccurl_global_init_default()

/// The threads blocking SMTP transfers run on: at most two messages are handed over at a time, the others
/// wait their turn (a burst of mail never spawns a thread per message). Started on first use, for the
/// life of the process.
private let smtpThreads: NIOThreadPool = {
    let pool = NIOThreadPool(numberOfThreads: 2)
    pool.start()
    return pool
}()

/// Sends mail through an SMTP server with libcurl (one easy handle per message): `smtp://` with STARTTLS
/// (required unless `requireTLS` is false, then in clear), or `smtps://` (TLS from the start), the server's
/// certificate always verified (against `caFile` when given), PLAIN or LOGIN authentication as the server
/// offers.
///
/// The message is built with curl's MIME API: a multipart/mixed root holding the body
/// (text/plain, or multipart/alternative text + HTML, quoted-printable UTF-8) then base64
/// attachments; top-level headers go through `CURLOPT_HTTPHEADER`, which is how libcurl
/// attaches mail headers to a MIME body. The blocking transfer runs on `smtpThreads`, never on
/// the Swift concurrency pool.
public struct SMTPTransport: MailTransport {
    /// `smtp://host:port` (STARTTLS) or `smtps://host:port` (implicit TLS).
    public var url: String
    public var username: String?
    public var password: String?
    /// With `smtp://`: true refuses to send unless STARTTLS succeeds (`CURLUSESSL_ALL`); false never starts
    /// TLS (a relay on loopback).
    public var requireTLS: Bool
    /// PEM file of the authority that signed the server's certificate; nil: the system's authorities.
    public var caFile: String?
    /// Seconds to connect, and for the whole transfer.
    public var connectTimeout: Double
    public var timeout: Double

    public init(
        url: String,
        username: String? = nil,
        password: String? = nil,
        requireTLS: Bool = false,
        caFile: String? = nil,
        connectTimeout: Double = 10,
        timeout: Double = 60
    ) {
        self.url = url
        self.username = username
        self.password = password
        self.requireTLS = requireTLS
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    public func send(_ message: MailMessage) async throws(MailError) {
        let envelopeFrom = try MailFormat.parseMailbox(message.from).address
        let recipients = try MailFormat.envelopeRecipients(for: message)
        let headers = try MailFormat.headerLines(for: message, date: message.date)
        let transport = self
        let result: Result<Void, MailError>
        do {
            result = try await smtpThreads.runIfActive {
                transport.perform(message, envelopeFrom: envelopeFrom, recipients: recipients, headers: headers)
            }
        } catch {
            throw MailError(message: "Envoi du courriel impossible : le service s'arrête.", isTransient: true)
        }
        try result.get()
    }

    // MARK: - Blocking transfer (dedicated thread)

    private func perform(
        _ message: MailMessage, envelopeFrom: String, recipients: [String], headers: [String]
    ) -> Result<Void, MailError> {
        guard curlGlobalInitResult == CURLE_OK else {
            return .failure(Self.error(code: curlGlobalInitResult, smtpCode: 0, detail: "", url: url))
        }
        guard let handle = curl_easy_init() else {
            return .failure(MailError(message: "Impossible d'initialiser libcurl.", isTransient: true))
        }
        defer { curl_easy_cleanup(handle) }

        var recipientList: UnsafeMutablePointer<curl_slist>?
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer {
            curl_slist_free_all(recipientList)
            curl_slist_free_all(headerList)
        }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }
        let refusal = UnsafeMutablePointer<ccurl_reply>.allocate(capacity: 1)
        refusal.initialize(to: ccurl_reply())
        defer { refusal.deallocate() }
        guard let mime = curl_mime_init(handle) else {
            return .failure(MailError(message: "Impossible de construire le message MIME.", isTransient: true))
        }
        defer { curl_mime_free(mime) }

        var code = CURLE_OK
        func step(_ result: CURLcode) {
            if code == CURLE_OK { code = result }
        }

        for recipient in recipients {
            guard let list = curl_slist_append(recipientList, "<\(recipient)>") else {
                return .failure(MailError(message: "Mémoire insuffisante.", isTransient: true))
            }
            recipientList = list
        }
        for header in headers {
            guard let list = curl_slist_append(headerList, header) else {
                return .failure(MailError(message: "Mémoire insuffisante.", isTransient: true))
            }
            headerList = list
        }

        step(Self.buildBody(of: message, into: mime, handle: handle))

        step(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        step(ccurl_setopt_string(handle, CURLOPT_URL, url))
        step(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        let timeoutMilliseconds = max(1, Int(timeout * 1000))
        step(ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds))
        step(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(timeoutMilliseconds, Int(connectTimeout * 1000))))
        let tls = requireTLS ? CURLUSESSL_ALL : CURLUSESSL_NONE
        step(ccurl_setopt_long(handle, CURLOPT_USE_SSL, Int(tls.rawValue)))
        step(ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        step(ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        if let caFile { step(ccurl_setopt_string(handle, CURLOPT_CAINFO, caFile)) }
        step(ccurl_capture_refusals(handle, refusal))
        if let username {
            step(ccurl_setopt_string(handle, CURLOPT_USERNAME, username))
            step(ccurl_setopt_string(handle, CURLOPT_PASSWORD, password ?? ""))
        }
        step(ccurl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(envelopeFrom)>"))
        step(ccurl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipientList))
        step(ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        step(ccurl_setopt_mime(handle, mime))
        step(ccurl_setopt_long(handle, CURLOPT_UPLOAD, 1))
        guard code == CURLE_OK else {
            return .failure(Self.error(code: code, smtpCode: 0, detail: String(cString: errorBuffer), url: url))
        }

        code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            var smtpCode = 0
            _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &smtpCode)
            let reply = withUnsafeBytes(of: refusal.pointee.text) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            return .failure(
                Self.error(
                    code: code, smtpCode: smtpCode, detail: String(cString: errorBuffer), url: url, serverReply: reply)
            )
        }
        return .success(())
    }

    /// Root multipart/mixed: body (text or alternative text + HTML), then attachments.
    private static func buildBody(of message: MailMessage, into mime: OpaquePointer, handle: UnsafeMutableRawPointer)
        -> CURLcode
    {
        if let html = message.htmlBody {
            guard let alternative = curl_mime_init(handle) else { return CURLE_OUT_OF_MEMORY }
            var code = addTextPart(message.textBody, subtype: "plain", to: alternative)
            if code == CURLE_OK { code = addTextPart(html, subtype: "html", to: alternative) }
            guard code == CURLE_OK, let container = curl_mime_addpart(mime) else {
                curl_mime_free(alternative)
                return code == CURLE_OK ? CURLE_OUT_OF_MEMORY : code
            }
            code = curl_mime_subparts(container, alternative)
            guard code == CURLE_OK else {
                curl_mime_free(alternative)  // Not owned by the part when attaching failed.
                return code
            }
            code = curl_mime_type(container, "multipart/alternative")
            if code != CURLE_OK { return code }
        } else {
            let code = addTextPart(message.textBody, subtype: "plain", to: mime)
            if code != CURLE_OK { return code }
        }
        for attachment in message.attachments {
            guard let part = curl_mime_addpart(mime) else { return CURLE_OUT_OF_MEMORY }
            var code = setData(attachment.data, on: part)
            if code == CURLE_OK { code = curl_mime_filename(part, MailFormat.parameterFilename(attachment.filename)) }
            if code == CURLE_OK { code = curl_mime_type(part, MailFormat.headerSafe(attachment.contentType)) }
            if code == CURLE_OK { code = curl_mime_encoder(part, "base64") }
            if code != CURLE_OK { return code }
        }
        return CURLE_OK
    }

    private static func addTextPart(_ body: String, subtype: String, to mime: OpaquePointer) -> CURLcode {
        guard let part = curl_mime_addpart(mime) else { return CURLE_OUT_OF_MEMORY }
        // CRLF line breaks, so the quoted-printable encoder sees real line ends.
        var code = setData(Data(MailFormat.crlfNormalised(body).utf8), on: part)
        if code == CURLE_OK { code = curl_mime_type(part, "text/\(subtype); charset=utf-8") }
        if code == CURLE_OK { code = curl_mime_encoder(part, "quoted-printable") }
        return code
    }

    /// `curl_mime_data` copies the bytes; an empty body still needs a non-NULL pointer.
    private static func setData(_ data: Data, on part: OpaquePointer) -> CURLcode {
        if data.isEmpty {
            return "".withCString { curl_mime_data(part, $0, 0) }
        }
        return data.withUnsafeBytes { buffer in
            curl_mime_data(part, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), buffer.count)
        }
    }

    // MARK: - Errors

    /// Maps a libcurl failure to a French `MailError`. SMTP replies decide first
    /// (4xx transient, 5xx permanent); otherwise network trouble is transient and
    /// configuration problems are permanent.
    static func error(code: CURLcode, smtpCode: Int, detail: String, url: String, serverReply: String = "")
        -> MailError
    {
        let curlCode = Int(code.rawValue)
        var reason: String
        var transient: Bool
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST:
            (reason, transient) = ("nom d'hôte introuvable", true)
        case CURLE_COULDNT_CONNECT:
            (reason, transient) = ("connexion impossible (serveur arrêté ou injoignable)", true)
        case CURLE_OPERATION_TIMEDOUT:
            (reason, transient) = ("délai d'attente dépassé", true)
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING:
            (reason, transient) = ("échange interrompu avec le serveur", true)
        case CURLE_WEIRD_SERVER_REPLY:
            (reason, transient) = ("réponse inattendue du serveur", true)
        case CURLE_SSL_CONNECT_ERROR:
            (reason, transient) = ("échec de la négociation TLS", true)
        case CURLE_USE_SSL_FAILED:
            (reason, transient) = ("le serveur ne propose pas TLS (STARTTLS) alors qu'il est exigé", false)
        case CURLE_LOGIN_DENIED:
            (reason, transient) = ("authentification refusée (identifiant ou mot de passe)", false)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            (reason, transient) = ("certificat TLS du serveur refusé", false)
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_NOT_BUILT_IN:
            (reason, transient) = ("adresse du serveur invalide (attendu smtp://hôte:port ou smtps://hôte:port)", false)
        default:
            (reason, transient) = ("erreur libcurl \(curlCode)", true)
        }
        if (400..<500).contains(smtpCode) {
            reason = "refus temporaire du serveur (code SMTP \(smtpCode))"
            transient = true
        } else if (500..<600).contains(smtpCode) {
            reason = "refus définitif du serveur (code SMTP \(smtpCode))"
            transient = false
        }
        var message = "Échec de l'envoi du courriel via \(redacted(url)) : \(reason)"
        if !detail.isEmpty { message += " [\(detail)]" }
        if !serverReply.isEmpty { message += " ; réponse du serveur : « \(serverReply) »" }
        message += "."
        let everyMessage: Set<CURLcode> = [
            CURLE_LOGIN_DENIED, CURLE_USE_SSL_FAILED, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_CERTPROBLEM, CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_NOT_BUILT_IN,
        ]
        return MailError(
            message: message,
            curlCode: curlCode,
            smtpCode: smtpCode == 0 ? nil : smtpCode,
            isTransient: transient,
            concernsEveryMessage: everyMessage.contains(code)
        )
    }

    /// The URL without a user name or password it may carry (`smtps://user:secret@host`), for messages.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.user != nil || components.password != nil
        else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? url
    }
}
