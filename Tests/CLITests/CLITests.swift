import ClausesTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the built `clauses` binary like an operator would.
enum CLI {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../..")
        .standardized

    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// system(3) waits with waitpid: Foundation's Process misses the child's exit when the test runner
    /// blocks SIGCHLD. Arguments are single-quoted for the shell.
    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> Run {
        let binary = repository.appending(path: ".build/debug/clauses").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestSetupError("\(binary) is missing: build with `swift build` (make test does)")
        }
        let dir = FileManager.default.temporaryDirectory.appending(path: "clauses-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let input = dir.appending(path: "stdin")
        try (stdin ?? "").write(to: input, atomically: true, encoding: .utf8)
        let env = environment.map { "\($0.key)=\(quote($0.value))" }.joined(separator: " ")
        let command =
            "cd \(quote(repository.path)) && env \(env) \(quote(binary)) \(arguments.map(quote).joined(separator: " ")) < \(quote(input.path)) > \(quote(dir.appending(path: "out").path)) 2> \(quote(dir.appending(path: "err").path))"
        let raw = system(command)
        let status = (raw >> 8) & 0xff
        return Run(
            status: status,
            stdout: (try? String(contentsOf: dir.appending(path: "out"), encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: dir.appending(path: "err"), encoding: .utf8)) ?? "")
    }

    /// Starts the built binary with an empty signal mask (the test runner blocks some signals).
    static func spawn(_ arguments: [String], environment: [String: String]) throws -> pid_t {
        let binary = repository.appending(path: ".build/debug/clauses").path
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, binary, nil, &attributes, argv, envp)
        guard result == 0 else { throw TestSetupError("posix_spawn failed: \(result)") }
        return pid
    }

    /// A GET on loopback: the status (0 when nothing answers) and the whole response text.
    static func httpGet(port: Int, path: String) -> (status: Int, text: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return (0, "") }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        guard response.count > 12 else { return (0, "") }
        return (Int(String(decoding: response[9..<12], as: UTF8.self)) ?? 0, String(decoding: response, as: UTF8.self))
    }
}

@Suite("Command line")
struct CLITests {
    @Test("calibrate: the published example gives 833 as JSON")
    func calibrate() throws {
        let run = try CLI.run([
            "calibrate", "standard", "--amount", "1000000", "--labour-share", "0.50", "--rate", "0.05", "--hourly-cost",
            "30", "--json",
        ])
        #expect(run.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect((json["requiredHours"] as? NSNumber)?.intValue == 833)
        #expect(json["unroundedHours"] as? String == "833.333333")
        #expect(json["mode"] as? String == "standard")
        #expect((json["warnings"] as? [Any])?.isEmpty == true)
        let french = try CLI.run([
            "calibrate", "standard", "--amount", "1 000 000", "--labour-share", "50%", "--rate", "0,05",
            "--hourly-cost", "30", "--json",
        ])
        #expect(french.stdout.contains("\"requiredHours\":833"))
    }

    @Test("calibrate: refused input exits 2 with a French message naming it")
    func calibrateRefused() throws {
        let share = try CLI.run([
            "calibrate", "standard", "--amount", "1000000", "--labour-share", "1,5", "--rate", "0.05", "--hourly-cost",
            "30",
        ])
        #expect(share.status == 2)
        #expect(share.stderr.contains("erreur"))
        #expect(share.stderr.contains("main-d'œuvre"))
        let pact = try CLI.run([
            "calibrate", "cleaning-pact", "--turnover", "120000", "--months", "12", "--rate", "0.05",
            "--transferred-monthly-hours", "500",
        ])
        #expect(pact.status == 2)
        let warned = try CLI.run([
            "calibrate", "cleaning-pact", "--turnover", "50000", "--months", "12", "--rate", "0.05",
            "--transferred-monthly-hours", "0", "--json",
        ])
        #expect(warned.status == 0)
        #expect(warned.stdout.contains("150 h"))
        let unknownMode = try CLI.run(["calibrate", "magique"])
        #expect(unknownMode.status == 2)
    }

    @Test("config check prints the configuration with secrets masked, refuses an unknown key")
    func configCheck() throws {
        let ok = try CLI.run(
            ["config", "check"],
            environment: ["CLAUSES_DATABASE_URL": "postgresql://clauses:tres-secret@db.example/clauses"])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("db.example"))
        #expect(!ok.stdout.contains("tres-secret"))
        let file = FileManager.default.temporaryDirectory.appending(path: "bad-\(UUID().uuidString).toml")
        try "[database]\npool_sise = 3\n".write(to: file, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["config", "check", "--config", file.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("database.pool_sise"))
    }

    @Test("enumerated arguments are typed: an unknown value is refused in French with the values allowed")
    func enumeratedArguments() throws {
        let kind = try CLI.run(["balance", "marché", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"])
        #expect(kind.status == 2)
        #expect(kind.stderr.contains("« marché » n'est pas une valeur possible"))
        #expect(kind.stderr.contains("lot, contract, company, buyer ou operation"))
        let role = try CLI.run(["user", "add", "--email", "a@test.fr", "--role", "chef"])
        #expect(role.status == 2)
        #expect(role.stderr.contains("admin, facilitator, referent, buyer ou company"))
    }

    @Test("mail test writes one message through the configured transport (.eml files without SMTP)")
    func mailTest() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "mail-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = FileManager.default.temporaryDirectory.appending(path: "mail-\(UUID().uuidString).toml")
        defer { try? FileManager.default.removeItem(at: file) }
        try "[mail]\nfrom = \"Clauses <clauses@test.fr>\"\ndirectory = \"\(directory.path)\"\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let run = try CLI.run(["mail", "test", "--to", "bob@example.test", "--config", file.path])
        #expect(run.status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }
        #expect(names.count == 1)
        let eml = try String(contentsOf: directory.appending(path: names.first ?? ""), encoding: .utf8)
        #expect(eml.contains("From: Clauses <clauses@test.fr>"))
        #expect(eml.contains("To: bob@example.test"))
        #expect(eml.contains("Date: "))
        let refused = try CLI.run(["mail", "test", "--to", "pas-une-adresse", "--config", file.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("erreur : --to : Adresse électronique invalide : « pas-une-adresse »"))
    }

    @Test("migrate --dry-run exits 3 while migrations are pending, 0 once applied; serve refuses a pending schema")
    func migrate() async throws {
        let db = try await TestDatabase.createEmpty()
        await db.pool.shutdown()
        let env = ["CLAUSES_DATABASE_URL": db.url]
        #expect(try CLI.run(["migrate", "--dry-run"], environment: env).status == 3)
        let serve = try CLI.run(["serve", "--port", "0"], environment: env)
        #expect(serve.status == 2)
        #expect(serve.stderr.contains("migrations en attente"))
        let applied = try CLI.run(["migrate"], environment: env)
        #expect(applied.status == 0)
        #expect(applied.stdout.contains("0001_referential.sql"))
        #expect(try CLI.run(["migrate", "--dry-run"], environment: env).status == 0)
    }

    @Test("an unreachable database gives a clear message and a non-zero exit")
    func unreachable() throws {
        let file = FileManager.default.temporaryDirectory.appending(path: "noretry-\(UUID().uuidString).toml")
        try "[database]\nconnect_retries = 0\n".write(to: file, atomically: true, encoding: .utf8)
        let run = try CLI.run(
            ["migrate", "--config", file.path],
            environment: ["CLAUSES_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("base de données injoignable"))
    }

    @Test("user add, token create and the demo dataset")
    func usersTokensDemo() async throws {
        let db = try await TestDatabase.create()
        await db.pool.shutdown()
        let env = ["CLAUSES_DATABASE_URL": db.url]
        let demo = try CLI.run(["demo", "load"], environment: env)
        #expect(demo.status == 0)
        #expect(try CLI.run(["demo", "load"], environment: env).status == 2)
        #expect(try CLI.run(["demo", "load", "--if-empty"], environment: env).status == 0)
        // The demo PLIE's indicators against their targets, as JSON and CSV.
        let indicators = try CLI.run(
            ["indicators", "--profile", "istres-ouest-provence-2020", "--year", "2026", "--json"], environment: env)
        #expect(indicators.status == 0)
        let items = try #require(
            try JSONSerialization.jsonObject(with: Data(indicators.stdout.utf8)) as? [[String: Any]])
        let exits = try #require(items.first { $0["indicator"] as? String == "exits" })
        #expect(exits["numerator"] as? Int == 3 && exits["status"] as? String == "no_target")
        let rate = try #require(items.first { $0["indicator"] as? String == "positive_exit_rate" })
        #expect(rate["numerator"] as? Int == 2 && rate["denominator"] as? Int == 3)
        #expect(
            rate["value"] as? Double == 0.6667 && rate["target"] as? Double == 0.5 && rate["status"] as? String == "met"
        )
        let csv = try CLI.run(
            [
                "indicators", "--profile", "istres-ouest-provence-2020", "--from", "2026-01-01", "--to", "2026-12-31",
                "--csv",
            ],
            environment: env)
        #expect(csv.stdout.contains("indicateur;libellé;numérateur;dénominateur;valeur;objectif"))
        #expect(
            csv.stdout.contains("positive_exit_rate;Taux de sorties positives;2;3;0,6667;0,5;année;Objectif atteint"))
        let unknown = try CLI.run(["indicators", "--profile", "ailleurs"], environment: env)
        #expect(unknown.status == 2 && unknown.stderr.contains("profil PLIE inconnu « ailleurs »"))
        let backwards = try CLI.run(
            ["indicators", "--profile", "pays-d-aix", "--from", "2026-06-01", "--to", "2026-05-31"], environment: env)
        #expect(backwards.status == 2 && backwards.stderr.contains("avant de commencer"))
        // The demo's alerts, scanned on loading: listed as JSON with their figures as decimal strings.
        let alerts = try CLI.run(["alerts", "list", "--json"], environment: env)
        #expect(alerts.status == 0)
        let list = try #require(
            (try JSONSerialization.jsonObject(with: Data(alerts.stdout.utf8)) as? [String: Any])?["items"]
                as? [[String: Any]])
        let behind = try #require(list.first { $0["rule"] as? String == "lot_behind" })
        #expect((behind["subject"] as? [String: Any])?["kind"] as? String == "lot")
        #expect(behind["state"] as? String == "open" && behind["closedOn"] is NSNull && behind["openedOn"] is String)
        #expect((behind["data"] as? [String: String])?["shortfallHours"]?.contains(".") == true)
        let scan = try CLI.run(["alerts", "scan"], environment: env)
        #expect(
            scan.status == 0 && scan.stdout.contains("Tâche « alerts » réussie") && scan.stdout.contains("opened 0"))
        let text = try CLI.run(["alerts", "list", "--all"], environment: env)
        #expect(text.stdout.contains("[Critique] Lot en retard"))
        let outcomes = try CLI.run(["outcomes", "--profile", "istres-ouest-provence-2020", "--json"], environment: env)
        #expect(outcomes.status == 0 && outcomes.stdout.contains("DEMO-002"))
        let added = try CLI.run(
            ["user", "add", "--email", "Nouvelle@Test.fr", "--role", "facilitator"], environment: env,
            stdin: "un-mot-de-passe-long\n")
        #expect(added.status == 0)
        #expect(!added.stdout.contains("un-mot-de-passe-long"))
        let generated = try CLI.run(
            ["user", "add", "--email", "gen@test.fr", "--role", "referent", "--generate-password"], environment: env)
        #expect(generated.stdout.contains("Mot de passe (affiché une seule fois)"))
        let duplicate = try CLI.run(
            ["user", "add", "--email", "nouvelle@test.fr", "--role", "admin"], environment: env,
            stdin: "un-mot-de-passe-long\n")
        #expect(duplicate.status == 2)
        let token = try CLI.run(["token", "create", "--email", "nouvelle@test.fr"], environment: env)
        #expect(token.status == 0)
        #expect(token.stdout.hasPrefix("clk_"))
        let revoke = try CLI.run(
            ["token", "revoke", token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)], environment: env)
        #expect(revoke.status == 0)
    }

    @Test(
        "report: the demo buyer's bilan in each format, to a file or the standard output; bad input exits 2 in French")
    func report() async throws {
        let db = try await TestDatabase.create()
        let env = ["CLAUSES_DATABASE_URL": db.url]
        #expect(try CLI.run(["demo", "load"], environment: env).status == 0)
        let buyer = try #require(
            try await db.pool.query("SELECT buyer_id::text FROM users WHERE role = 'buyer'").first?.decode(0) as String?
        )
        await db.pool.shutdown()
        let dir = FileManager.default.temporaryDirectory.appending(path: "clauses-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for format in ["html", "csv", "json"] {
            let file = dir.appending(path: "bilan.\(format)").path
            let run = try CLI.run(
                ["report", "buyer", buyer, "--year", "2026", "--format", format, "--output", file], environment: env)
            #expect(run.status == 0 && run.stdout.isEmpty, "\(format): \(run.stderr)")
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            switch format {
            case "html": #expect(String(decoding: data, as: UTF8.self).contains("<h2>1. Synthèse</h2>"))
            case "csv": #expect(data.starts(with: Data("\u{FEFF}rubrique;objet;mesure;valeur\r\n".utf8)))
            default: #expect((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["people"] != nil)
            }
        }
        let json = try CLI.run(["report", "buyer", buyer, "--period", "2026-Q3", "--format", "json"], environment: env)
        let period = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["period"]
        #expect((period as? [String: Any])?["label"] as? String == "3e trimestre 2026")
        for (arguments, message) in [
            (["report", "contract", UUID().uuidString], "est introuvable ou hors de votre périmètre"),
            (["report", "buyer", buyer, "--period", "2026-Q5"], "période « 2026-Q5 » inconnue"),
            (["report", "buyer", buyer, "--from", "2026-01-01"], "date de début et sa date de fin"),
            (["report", "buyer", "pas-un-id"], "UUID attendu"),
            (["report", "buyer", buyer, "--output", "/nonexistent/bilan.html"], "impossible d'écrire"),
        ] {
            let run = try CLI.run(arguments, environment: env)
            #expect(run.status == 2 && run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
        #expect(try CLI.run(["report", "buyer", buyer, "--format", "pdf"], environment: env).status != 0)
    }

    @Test(
        "match and refdata: the demo need's shortlist as text and JSON with the excluded; reference files refused in French, exit 2"
    )
    func matchAndRefdata() async throws {
        let db = try await TestDatabase.create()
        let env = ["CLAUSES_DATABASE_URL": db.url]
        #expect(try CLI.run(["demo", "load"], environment: env).status == 0)
        let need = try #require(
            try await db.pool.query(
                "SELECT id::text FROM staffing_needs WHERE 'F1703' = ANY(rome_codes)"
            ).first?.decode(0) as String?)
        await db.pool.shutdown()
        let text = try CLI.run(["match", "need", need, "--limit", "3"], environment: env)
        #expect(text.status == 0 && text.stdout.contains("1. Yasmine BENALI (DEMO-010)"), "\(text.stderr)")
        #expect(text.stdout.contains("Métier : 30,00 — Compétence F1703 (Maçon / Maçonne) : le code ROME du besoin"))
        let json = try CLI.run(["match", "need", need, "--json", "--excluded"], environment: env)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let candidates = try #require(object["candidates"] as? [[String: Any]])
        #expect(candidates.first?["participantId"] is String && candidates.first?["score"] is NSNumber)
        #expect((candidates.first?["parts"] as? [[String: Any]])?.first?.keys.sorted() == ["detail", "part", "points"])
        let excluded = try #require(object["excluded"] as? [[String: Any]])
        #expect(excluded.contains { ($0["reason"] as? String)?.hasPrefix("Non éligible") == true })
        let dir = FileManager.default.temporaryDirectory.appending(path: "clauses-refdata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let wrong = dir.appending(path: "codes.csv")
        try Data("code;nom\nF1703;Maçon\n".utf8).write(to: wrong)
        for (arguments, message) in [
            (["refdata", "import", "rome", wrong.path], "n'a pas la disposition d'un référentiel connu"),
            (["refdata", "import", "rome", dir.appending(path: "absent.csv").path], "impossible de lire"),
            (["match", "need", UUID().uuidString], "n'existe pas"),
            (["match", "need", need, "--limit", "0"], "« limit » doit être compris entre 1 et 500"),
        ] {
            let run = try CLI.run(arguments, environment: env)
            #expect(run.status == 2 && run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
    }

    @Test("dates outside the window and weak or truncating passwords are refused with exit 2 and a French message")
    func badInput() async throws {
        let db = try await TestDatabase.create()
        await db.pool.shutdown()
        let env = ["CLAUSES_DATABASE_URL": db.url]
        let balance = try CLI.run(["balance", "buyer", UUID().uuidString, "--at", "0001-01-01"], environment: env)
        #expect(balance.status == 2)
        #expect(balance.stderr.contains("« at » : la date 01/01/0001 est hors de la période acceptée"))
        let outcomes = try CLI.run(["outcomes", "--as-of", "9999-12-31"], environment: env)
        #expect(outcomes.status == 2)
        #expect(outcomes.stderr.contains("hors de la période acceptée"))
        let weak = try CLI.run(
            ["user", "add", "--email", "faible@test.fr", "--role", "facilitator"], environment: env,
            stdin: "0123456789\n")
        #expect(weak.status == 2)
        #expect(weak.stderr.contains("au moins 12 caractères"))
        let nul = try CLI.run(
            ["user", "add", "--email", "nul@test.fr", "--role", "facilitator"], environment: env,
            stdin: "abc\u{1B}defghijklmnop\n")
        #expect(nul.status == 2)
        #expect(nul.stderr.contains("caractère de contrôle"))
    }
}
