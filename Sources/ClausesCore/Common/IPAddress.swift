#if canImport(Glibc)
    import Glibc
#endif

/// IPv4 and IPv6 addresses as text: client addresses (login throttling) and `server.trusted_proxies`.
public enum IPAddress {
    /// The canonical form of an address (`::ffff:10.0.0.1` stays as given by the system's own printer;
    /// `2001:DB8::1` becomes `2001:db8::1`), or nil when the text is not an IP address.
    public static func canonical(_ text: some StringProtocol) -> String? {
        let trimmed = String(text).trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 64 else { return nil }
        // Large enough for either family; inet_pton writes 4 or 16 bytes.
        var bytes = [UInt8](repeating: 0, count: 16)
        for (family, length) in [(AF_INET, Int(INET_ADDRSTRLEN)), (AF_INET6, Int(INET6_ADDRSTRLEN))]
        where inet_pton(family, trimmed, &bytes) == 1 {
            var buffer = [CChar](repeating: 0, count: length)
            guard inet_ntop(family, bytes, &buffer, socklen_t(length)) != nil else { return nil }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return nil
    }

    /// The client of a request: the connection's peer, or, when that peer is a trusted reverse proxy, the
    /// right-most address of `X-Forwarded-For` that is not itself a trusted proxy (what the proxy saw).
    public static func client(peer: String?, forwardedFor: String?, trustedProxies: Set<String>) -> String {
        let peer = peer.flatMap(canonical) ?? "inconnue"
        guard trustedProxies.contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { canonical($0) }
        for hop in hops.reversed() {
            guard let hop else { return peer }
            if !trustedProxies.contains(hop) { return hop }
        }
        return peer
    }
}
