import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A running `smtp_sink.py` (next to this file, on Debian's python3-aiosmtpd): a real SMTP server on
/// loopback that keeps what it receives. Call `stop()` when done.
public final class SMTPSink: @unchecked Sendable {
    public struct Options: Sendable {
        /// A fixed port (to restart a sink where a sender expects it); nil: a free one.
        public var port: Int?
        /// STARTTLS required, with this certificate and key (PEM files).
        public var tls: (certificate: String, key: String)?
        /// AUTH required with these credentials.
        public var credentials: (user: String, password: String)?
        /// Seconds the sink waits before accepting each message's DATA.
        public var dataDelay: Double = 0

        public init(
            port: Int? = nil, tls: (certificate: String, key: String)? = nil,
            credentials: (user: String, password: String)? = nil, dataDelay: Double = 0
        ) {
            self.port = port
            self.tls = tls
            self.credentials = credentials
            self.dataDelay = dataDelay
        }
    }

    public let directory: URL
    public let port: Int
    private let process: Process
    private let input = Pipe()

    public init(_ options: Options = Options(), directory: URL? = nil) throws {
        self.directory = try directory ?? Self.temporaryDirectory("smtp")
        var arguments = [
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("smtp_sink.py").path,
            self.directory.appendingPathComponent("mail").path,
        ]
        if let port = options.port { arguments += ["--port", "\(port)"] }
        if let tls = options.tls { arguments += ["--tls", tls.certificate, tls.key] }
        if let credentials = options.credentials {
            arguments += ["--auth", "\(credentials.user):\(credentials.password)"]
        }
        if options.dataDelay > 0 { arguments += ["--data-delay", "\(options.dataDelay)"] }
        process = Process()
        // Debian's interpreter: python3-aiosmtpd is installed for it, not for another python3 on PATH.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = input  // The sink exits when this pipe closes.
        let log = self.directory.appendingPathComponent("sink.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()

        // The sink prints its port once it is listening.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            try? input.fileHandleForWriting.close()
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let stderr = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw TestSetupError("smtp_sink.py did not start (python3-aiosmtpd installed?): \(stderr)")
        }
        self.port = port
    }

    public var url: String { "smtp://127.0.0.1:\(port)" }

    /// Stops the sink; `keepFiles` leaves what it received (a sink restarted on the same directory).
    public func stop(keepFiles: Bool = false) {
        try? input.fileHandleForWriting.close()
        // A process spawned meanwhile may hold a copy of the pipe (no EOF then): SIGTERM too, the sink has
        // nothing to flush (each message is written whole when it arrives).
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning && ContinuousClock.now < deadline {
            usleep(20_000)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        if !keepFiles { try? FileManager.default.removeItem(at: directory) }
    }

    /// Messages received so far: raw bytes, path and envelope.
    public func received() throws -> [(eml: URL, raw: Data, envelope: Envelope)] {
        let mail = directory.appendingPathComponent("mail")
        guard FileManager.default.fileExists(atPath: mail.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: mail.path)
            .filter { $0.hasSuffix(".eml") }
            .sorted()
            .map { name in
                let eml = mail.appendingPathComponent(name)
                let json = eml.deletingPathExtension().appendingPathExtension("json")
                let envelope = try JSONDecoder().decode(Envelope.self, from: Data(contentsOf: json))
                return (eml, try Data(contentsOf: eml), envelope)
            }
    }

    /// The `Message-ID` header of each message received.
    public func messageIDs() throws -> [String] {
        try received().compactMap { item in
            String(decoding: item.raw, as: UTF8.self).components(separatedBy: "\r\n")
                .first { $0.lowercased().hasPrefix("message-id:") }
                .map { String($0.dropFirst("Message-ID:".count)).trimmingCharacters(in: .whitespaces) }
        }
    }

    public struct Envelope: Decodable, Sendable {
        public var mail_from: String
        public var rcpt_tos: [String]
    }

    public static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("clauses-tests-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A self-signed certificate for 127.0.0.1 and localhost, made with `openssl` into `directory`.
    public static func selfSignedCertificate(in directory: URL) throws -> (certificate: String, key: String) {
        let certificate = directory.appendingPathComponent("smtp-cert.pem").path
        let key = directory.appendingPathComponent("smtp-key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", certificate,
        ]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestSetupError("openssl could not make a certificate") }
        return (certificate, key)
    }
}
