/// Runs `work` to its end even when the calling task is being cancelled (an unstructured task does not
/// inherit cancellation): what a cancelled job must still record, such as how it ended or that a message
/// was handed over.
func uncancelled<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await Task { try await work() }.value
}
