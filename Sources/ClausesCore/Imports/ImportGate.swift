/// At most one import at a time per account, and at most `maxConcurrent` in all: a second upload from
/// the same account, or one more than the service takes at once, is answered 429 in French at once
/// instead of piling files up in memory.
actor ImportGate {
    private let maxConcurrent: Int
    private var running: Set<String> = []

    init(maxConcurrent: Int) {
        self.maxConcurrent = maxConcurrent
    }

    static let busy = DomainError(
        .tooManyRequests, code: .importsBusy,
        message: "Le service traite déjà plusieurs imports : réessayez dans une minute.", retryAfterSeconds: 60)

    func run<T: Sendable>(for caller: Caller, _ body: () async throws -> T) async throws -> T {
        let key = caller.userId?.uuidString ?? caller.label
        guard !running.contains(key) else {
            throw DomainError(
                .tooManyRequests, code: .importInProgress,
                message:
                    "Un import de votre compte est déjà en cours : attendez qu'il se termine avant d'en lancer un autre.",
                retryAfterSeconds: 30)
        }
        guard running.count < maxConcurrent else { throw Self.busy }
        running.insert(key)
        defer { running.remove(key) }
        return try await body()
    }
}
