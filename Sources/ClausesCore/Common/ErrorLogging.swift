import Logging
import PostgresClient

/// What an error may put in a log line: its kind and codes, never its message, which may quote what a
/// person typed or a row's values (an address, a name in a constraint's detail).
public enum ErrorLogging {
    public static func metadata(_ error: any Error) -> Logger.Metadata {
        switch error {
        case let domain as DomainError:
            ["error": "\(domain.code.rawValue)"]
        case let postgres as PostgresError:
            ["sqlstate": "\(postgres.sqlState ?? "-")", "constraint": "\(postgres.constraint ?? "-")"]
        default:
            ["error": "\(String(reflecting: type(of: error)))"]
        }
    }
}
