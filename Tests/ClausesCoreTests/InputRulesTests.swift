import Foundation
import Testing

@testable import ClausesCore

@Suite("Input rules")
struct InputRulesTests {
    @Test("control characters are refused in text, line breaks and tabs only in multi-line fields")
    func controlCharacters() {
        #expect(TextInput.problem(in: "Zoé Simon", multiLine: false) == nil)
        #expect(
            TextInput.problem(in: "a\u{0}bcdefghijklmnop", multiLine: false)?.contains("caractère nul (U+0000)") == true
        )
        #expect(TextInput.problem(in: "ligne 1\nligne 2", multiLine: false)?.contains("saut de ligne") == true)
        #expect(TextInput.problem(in: "ligne 1\r\n\tligne 2", multiLine: true) == nil)
        #expect(TextInput.problem(in: "note\u{0}", multiLine: true) != nil)
        #expect(TextInput.problem(in: "escape \u{1B}[31m", multiLine: true)?.contains("U+001B") == true)
        #expect(TextInput.problem(in: "del \u{7F}", multiLine: false) != nil)
        let error = #expect(throws: DomainError.self) {
            try TextInput.checkJSON(["firstName": "A\u{0}", "note": "ok\nok"])
        }
        #expect(error?.field == "firstName")
        #expect(error?.code == .invalidCharacter)
        #expect(throws: Never.self) { try TextInput.checkJSON(["note": "deux\nlignes", "items": ["a", "b"]]) }
        #expect(
            (#expect(throws: DomainError.self) { try TextInput.checkJSON(["calibration": ["mode": "fixed\n"]]) })?.field
                == "calibration.mode")
    }

    @Test("passwords: twelve characters, five different, not only digits, no control character")
    func passwords() throws {
        for weak in [
            "          ", "aaaaaaaaaa", "0123456789", "aaaaaaaaaaaa", "012345678901", "abababababab",
            "a\u{0}bcdefghijklmnop",
            String(repeating: " \u{A0}\u{2002}\u{2003}\u{2009}", count: 3),
        ] {
            #expect(throws: DomainError.self, "« \(weak.debugDescription) »") { try PasswordPolicy.check(weak) }
        }
        #expect(try PasswordPolicy.check("demo-clauses") == "demo-clauses")
        #expect(try PasswordPolicy.check("mot-de-passe-buyer") == "mot-de-passe-buyer")
        #expect(
            (#expect(throws: DomainError.self) { try PasswordPolicy.check("court") })?.message
                == "Le mot de passe doit compter au moins 12 caractères.")
    }

    @Test("one rule per figure: hours and amounts with two decimals at most, birth dates not in the future")
    func fieldRules() throws {
        #expect(FieldRules.hoursProblem(Decimal(string: "151.67")!) == nil)
        #expect(FieldRules.hoursProblem(Decimal(string: "151.675")!) == "deux décimales au plus pour des heures")
        #expect(FieldRules.hoursProblem(-1) == "les heures ne peuvent pas être négatives")
        #expect(FieldRules.amountProblem(Decimal(string: "1000000.5")!) == nil)
        #expect(FieldRules.amountProblem(Decimal(string: "1e20")!) != nil)
        let today = try #require(LocalDate(iso: "2026-11-30"))
        #expect(
            FieldRules.birthDateProblem(try #require(LocalDate(iso: "9999-01-01")), today: today)
                == "date de naissance dans le futur")
        #expect(FieldRules.birthDateProblem(today, today: today) == nil)
        // The CSV import speaks the same rule.
        let csv = #expect(throws: ValidationErrors.self) {
            try HoursImport.parse(
                Data("placement;mois;heures travaillées\nMEP-1;2026-01;7,125\n".utf8), plausibleMonthlyCeiling: 220)
        }
        #expect(csv?.problems.first?.message == "deux décimales au plus pour des heures (« 7,125 »)")
    }

    @Test("login throttle: free failures, then doubling waits capped per key; an account is slowed, never locked out")
    func loginThrottle() {
        let throttle = LoginThrottle()
        let none = LoginThrottle.Failures.none
        #expect(throttle.wait(account: .init(count: 4, secondsSinceLast: 0), address: none) == 0)
        #expect(throttle.wait(account: .init(count: 5, secondsSinceLast: 0), address: none) == 1)
        #expect(throttle.wait(account: .init(count: 7, secondsSinceLast: 1), address: none) == 3)
        #expect(throttle.wait(account: .init(count: 60, secondsSinceLast: 0), address: none) == 60)
        #expect(throttle.wait(account: .init(count: 60, secondsSinceLast: 60), address: none) == 0)
        #expect(throttle.wait(account: none, address: .init(count: 9, secondsSinceLast: 0)) == 0)
        #expect(throttle.wait(account: none, address: .init(count: 100, secondsSinceLast: 10)) == 890)
        let refusal = LoginThrottle.refusal(wait: 42)
        #expect(refusal.kind == .tooManyRequests && refusal.retryAfterSeconds == 42)
        #expect(refusal.message == "Trop de tentatives de connexion échouées : réessayez dans 42 secondes.")
    }

    @Test("the client address: the peer, or behind a trusted proxy the last address it forwarded")
    func clientAddress() {
        #expect(IPAddress.canonical("2001:DB8::1") == "2001:db8::1")
        #expect(IPAddress.canonical("10.0.0.300") == nil)
        #expect(IPAddress.canonical("evil") == nil)
        let proxies: Set<String> = ["127.0.0.1"]
        #expect(
            IPAddress.client(peer: "203.0.113.9", forwardedFor: "198.51.100.1", trustedProxies: proxies)
                == "203.0.113.9")
        #expect(
            IPAddress.client(peer: "127.0.0.1", forwardedFor: "198.51.100.1, 203.0.113.7", trustedProxies: proxies)
                == "203.0.113.7")
        #expect(
            IPAddress.client(peer: "127.0.0.1", forwardedFor: "198.51.100.1, 127.0.0.1", trustedProxies: proxies)
                == "198.51.100.1")
        #expect(
            IPAddress.client(peer: "127.0.0.1", forwardedFor: "n'importe quoi", trustedProxies: proxies) == "127.0.0.1")
        #expect(IPAddress.client(peer: nil, forwardedFor: "198.51.100.1", trustedProxies: proxies) == "inconnue")
        #expect(
            (#expect(throws: DomainError.self) { try Config.parse("[server]\ntrusted_proxies = [\"proxy.local\"]\n") })?
                .field == "server.trusted_proxies")
    }

    @Test("CSV files are bounded in columns, line length and lines before anything is split")
    func csvLimits() {
        var limits = CSVLimits()
        limits.maxColumns = 10
        limits.maxLineBytes = 200
        limits.maxLines = 3
        let wide = Data(("a" + String(repeating: ";a", count: 1_000_000) + "\n1\n").utf8)
        let started = ContinuousClock.now
        #expect(
            (#expect(throws: ValidationErrors.self) { try CSVText.decode(wide, limits: limits) })?.problems.first?
                .message
                .contains("plus de 10 colonnes") == true)
        #expect(started.duration(to: .now) < .seconds(5))
        let long = Data(("a;b\n" + String(repeating: "x", count: 300) + ";1\n").utf8)
        #expect(
            (#expect(throws: ValidationErrors.self) { try CSVText.decode(long, limits: limits) })?.problems.first?.line
                == 2)
        let many = Data("a;b\n1;2\n1;2\n1;2\n1;2\n".utf8)
        #expect(
            (#expect(throws: ValidationErrors.self) { try CSVText.decode(many, limits: limits) })?.problems.first?
                .message
                .contains("plus de 3 lignes") == true)
        #expect(throws: Never.self) { try CSVText.decode(Data("a;b\n1;2\n1;2\n1;2\n".utf8), limits: limits) }
    }

    @Test("an import report lists at most a thousand problems and counts them all")
    func reportListsAreBounded() {
        let many = (1...1005).map { ValidationErrors.Problem(line: $0 + 1, column: "mois", message: "mois impossible") }
        let report = ImportReport.rejected(many, lines: 1005).listingAtMost()
        #expect(report.problems.count == 1000)
        #expect(report.problemCount == 1005)
        #expect(report.problemSummary == "1\u{202F}005 problèmes (les 1\u{202F}000 premiers sont listés)")
        let few = ImportReport.rejected(Array(many.prefix(3))).listingAtMost()
        #expect(few.problems.count == 3 && few.problemCount == 3 && few.problemSummary == "3 problèmes")
    }

    @Test("one import at a time per account, and a bounded number in all: 429 with a wait")
    func importGate() async throws {
        let gate = ImportGate(maxConcurrent: 2)
        let alice = Caller(userId: UUID(), role: .company, label: "a")
        let bob = Caller(userId: UUID(), role: .company, label: "b")
        let carol = Caller(userId: UUID(), role: .company, label: "c")
        let (started, startedSignal) = AsyncStream<Void>.makeStream()
        let (release, releaseSignal) = AsyncStream<Void>.makeStream()
        let running = Task {
            try await gate.run(for: alice) {
                startedSignal.yield()
                for await _ in release { break }
                return 1
            }
        }
        for await _ in started { break }
        let second = await #expect(throws: DomainError.self) { try await gate.run(for: alice) { 2 } }
        #expect(
            second?.kind == .tooManyRequests && second?.code == .importInProgress && second?.retryAfterSeconds != nil
        )
        #expect(try await gate.run(for: bob) { 3 } == 3)
        let bobRunning = Task {
            try await gate.run(for: bob) {
                for await _ in release { break }
                return 4
            }
        }
        while true {
            do {
                _ = try await gate.run(for: carol) { 0 }
                try await Task.sleep(for: .milliseconds(5))
            } catch let error as DomainError {
                #expect(error.code == .importsBusy)
                break
            }
        }
        releaseSignal.yield()
        releaseSignal.yield()
        releaseSignal.finish()
        #expect(try await running.value == 1)
        #expect(try await bobRunning.value == 4)
        #expect(try await gate.run(for: alice) { 5 } == 5)
    }
}
