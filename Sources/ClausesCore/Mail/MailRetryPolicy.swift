import Foundation

/// What the sender does after a message failed (`[mail]` max_attempts, retry_base_seconds,
/// retry_max_seconds, max_age_hours).
public struct MailRetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseSeconds: Int
    public var maxSeconds: Int
    public var maxAge: TimeInterval

    public init(_ mail: Config.Mail) {
        maxAttempts = mail.maxAttempts
        baseSeconds = mail.retryBaseSeconds
        maxSeconds = mail.retryMaxSeconds
        maxAge = TimeInterval(mail.maxAgeHours * 3600)
    }

    public enum Decision: Sendable, Equatable {
        case retry(at: Date)
        case giveUp
    }

    /// After the `attempts`-th attempt failed at `now`: a permanent failure is given up at once; a
    /// transient one is retried after base × 2^(attempts − 1) seconds, at most `maxSeconds`, spread by
    /// ±25 % (`spread` in 0…1, drawn at random by the caller) so messages failing together do not retry
    /// together, unless the attempts are spent or the retry would come after `maxAge`.
    public func decide(attempts: Int, createdAt: Date, now: Date, transient: Bool, spread: Double) -> Decision {
        guard transient, attempts < maxAttempts else { return .giveUp }
        let doubled = Double(baseSeconds) * pow(2, Double(max(0, attempts - 1)))
        let delay = min(Double(maxSeconds), doubled) * (0.75 + 0.5 * min(1, max(0, spread)))
        let retry = now.addingTimeInterval(delay)
        guard retry.timeIntervalSince(createdAt) <= maxAge else { return .giveUp }
        return .retry(at: retry)
    }
}
