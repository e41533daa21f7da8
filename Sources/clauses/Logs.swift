import ClausesCore
import Foundation
import Logging

/// Structured logs on stderr: plain text, or one JSON object per line for log collectors.
enum Logs {
    static func bootstrap(_ config: Config.Log) {
        let level = swiftLogLevel(config.level)
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch config.format {
                case .text: StreamLogHandler.standardError(label: label)
                case .json: JSONLogHandler(label: label, clock: SystemCivilClock())
                }
            handler.logLevel = level
            return handler
        }
    }

    static func swiftLogLevel(_ level: Config.LogLevel) -> Logger.Level {
        switch level {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }
}

struct JSONLogHandler: LogHandler {
    let label: String
    let clock: any CivilClock
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: String] = [
            "time": clock.now.formatted(.iso8601), "level": event.level.rawValue, "label": label,
            "message": "\(event.message)",
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            object[key] = "\(value)"
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }
}
