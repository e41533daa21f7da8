import ClausesCore
import Hummingbird
import Logging

/// Per-request state: who is calling (set by the auth middlewares), the web session's CSRF token, and the
/// connection's peer address (the client, or the reverse proxy in front of the service).
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller?
    public var user: User?
    public var csrfToken: String?
    public let peerAddress: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Hummingbird's own decoders are not used (`RequestReader` reads every body within its route's
    /// limit); this bound only guards them should one be used by mistake.
    public var maxUploadSize: Int { 1024 * 1024 }
}
