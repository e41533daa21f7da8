import Foundation
import Logging

/// Keeps every log line (message and metadata, `key=value`), so tests can check what the service writes
/// and what it never writes.
public final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    public init() {}

    public var lines: [String] { lock.withLock { stored } }

    func append(_ line: String) { lock.withLock { stored.append(line) } }

    /// A logger writing into this recorder.
    public func logger(label: String = "test") -> Logger { Logger(label: label) { _ in Handler(recorder: self) } }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(
            level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String,
            file: String,
            function: String, line: UInt
        ) {
            let all = metadata.merging(extra ?? [:]) { $1 }
            recorder.append(
                "\(level) \(message) "
                    + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
    }
}
