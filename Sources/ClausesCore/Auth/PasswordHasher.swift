import Foundation
import HummingbirdBcrypt
import NIOConcurrencyHelpers

/// bcrypt on its own threads (`BackgroundWorkers`): a login flood queues logins there instead of
/// taking the threads that serve other requests. When too many are already waiting, the login is
/// refused with a 503 in French rather than queued without end.
public struct PasswordHasher: Sendable {
    let workers: BackgroundWorkers
    /// bcrypt cost: 2^cost rounds (11 is about 0.15 s on a server core).
    let cost: UInt8
    /// A hash of the same cost, checked when the account does not exist so that both answers take as long.
    private let timingHash = NIOLockedValueBox<String?>(nil)

    public init(workers: BackgroundWorkers, cost: UInt8) {
        self.workers = workers
        self.cost = cost
    }

    static let busy = DomainError(
        .unavailable, code: .loginBusy,
        message: "Trop de connexions sont en cours de vérification : réessayez dans quelques secondes.")

    public func hash(_ password: String) async throws -> String {
        let cost = cost
        guard let hash = try await workers.run({ Bcrypt.hash(password, cost: cost) }) else { throw Self.busy }
        return hash
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        guard let matches = try await workers.run({ Bcrypt.verify(password, hash: hash) }) else { throw Self.busy }
        return matches
    }

    /// Spends the time of a real check (one bcrypt run), for an account that does not exist. The first
    /// time, that run makes the reference hash the later calls check against.
    public func verifyNothing(_ password: String) async throws {
        if let reference = timingHash.withLockedValue({ $0 }) {
            _ = try await verify(password, hash: reference)
        } else {
            let reference = try await hash("timing-equaliser")
            timingHash.withLockedValue { $0 = reference }
        }
    }
}
