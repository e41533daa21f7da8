import ClausesTestSupport
import Foundation
import Testing

@testable import ClausesCore

@Suite("Clock: today is the civil date in Europe/Paris, and only the clock reads the system date")
struct ClockTests {
    /// `2026-06-30T22:30:00Z`-style instants.
    static func instant(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text) ?? Date(timeIntervalSince1970: 0)
    }

    @Test("late evening UTC is already tomorrow in Paris, in summer (UTC+2) and in winter (UTC+1)")
    func parisDates() {
        #expect(SystemCivilClock.parisDate(of: Self.instant("2026-06-30T21:59:00Z")) == LocalDate(iso: "2026-06-30"))
        #expect(SystemCivilClock.parisDate(of: Self.instant("2026-06-30T22:30:00Z")) == LocalDate(iso: "2026-07-01"))
        #expect(SystemCivilClock.parisDate(of: Self.instant("2026-12-31T22:59:00Z")) == LocalDate(iso: "2026-12-31"))
        #expect(SystemCivilClock.parisDate(of: Self.instant("2026-12-31T23:30:00Z")) == LocalDate(iso: "2027-01-01"))
        // The night of the change to summer time (29 March 2026, 02:00 → 03:00).
        #expect(SystemCivilClock.parisDate(of: Self.instant("2026-03-28T23:30:00Z")) == LocalDate(iso: "2026-03-29"))
    }

    @Test("the fixed clock's now and today agree")
    func fixedClock() throws {
        let day = try #require(LocalDate(iso: "2026-03-29"))
        let clock = FixedClock(day)
        #expect(clock.today == day)
        #expect(SystemCivilClock.parisDate(of: clock.now) == day)
    }

    @Test("no source file but the clock reads the system date")
    func onlyTheClockReadsTheDate() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../../Sources")
            .standardized
        let files =
            FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        #expect(files.count > 50)
        var readers: [String] = []
        for file in files where file.lastPathComponent != "CivilClock.swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            if text.contains("Date()") || text.contains("Date.now") || text.contains(".today()") {
                readers.append(file.lastPathComponent)
            }
        }
        #expect(readers == [])
    }
}
