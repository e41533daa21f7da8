import ClausesTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `clauses serve` under a fake systemd: readiness through NOTIFY_SOCKET, then SIGTERM.
@Suite("Service lifecycle")
struct ServeLifecycleTests {
    @Test("serve tells systemd it is ready, answers, and stops cleanly on SIGTERM")
    func readyAndGracefulStop() async throws {
        let db = try await TestDatabase.create()
        await db.pool.shutdown()
        let socketPath = FileManager.default.temporaryDirectory.appending(path: "notify-\(UUID().uuidString.prefix(8))")
            .path
        let notify = try NotifySocket(path: socketPath)
        defer { notify.close() }
        let port = 18_000 + Int.random(in: 0..<2000)
        let pid = try CLI.spawn(
            ["serve", "--port", "\(port)"],
            environment: [
                "CLAUSES_DATABASE_URL": db.url, "NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "2000000",
            ])

        let ready = notify.receive(until: "READY=1", timeoutSeconds: 30)
        #expect(ready.contains("READY=1"))
        #expect(notify.receive(until: "WATCHDOG=1", timeoutSeconds: 5).contains("WATCHDOG=1"))
        #expect(CLI.httpGet(port: port, path: "/healthz").status == 200)
        #expect(CLI.httpGet(port: port, path: "/readyz").status == 200)

        let started = Date()
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        #expect((status >> 8) & 0xff == 0)
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(notify.receive(until: "STOPPING=1", timeoutSeconds: 2).contains("STOPPING=1"))
    }
}

/// A unix datagram socket standing in for systemd's notification socket.
final class NotifySocket: @unchecked Sendable {
    let fd: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, byte) in path.utf8.enumerated() { buffer[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw TestSetupError("cannot bind \(path)") }
    }

    /// Messages received until one contains `text` or the time runs out, joined.
    func receive(until text: String, timeoutSeconds: Int) -> String {
        var seen = ""
        let deadline = Date().addingTimeInterval(TimeInterval(timeoutSeconds))
        while Date() < deadline, !seen.contains(text) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 256)
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { seen += String(decoding: buffer[0..<n], as: UTF8.self) + "\n" }
        }
        return seen
    }

    func close() {
        Glibc.close(fd)
        unlink(path)
    }
}
