import Foundation
import Testing

@testable import ClausesCore

/// Exact decimal from a plain string (test helper).
private func d(_ text: String) -> Decimal {
    Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!
}

// MARK: - Acceptance cases from shared/acceptance/calibration.json

/// One case of the shared acceptance file, with its inputs re-encoded as a `CalibrationInput` JSON object.
struct CalibrationAcceptanceCase: Sendable, CustomTestStringConvertible {
    let name: String
    let inputJSON: Data
    let rounding: String?
    let requiredHours: Int?
    let unroundedHours: String?
    let expectsWarning: Bool
    let refused: Bool

    var testDescription: String { name }
}

enum CalibrationAcceptance {
    /// `shared/` sits beside the repository: `<repo>/Tests/ClausesCoreTests/ThisFile.swift` → `<repo>/../shared/…`.
    /// Symlinks are resolved so a scratch package linking this file still finds it.
    static func fileURL(filePath: String = #filePath) -> URL? {
        let direct = URL(fileURLWithPath: filePath)
        let candidates = [direct.resolvingSymlinksInPath(), direct].map {
            $0.deletingLastPathComponent()  // ClausesCoreTests
                .deletingLastPathComponent()  // Tests
                .deletingLastPathComponent()  // repository root
                .deletingLastPathComponent()  // folder holding the repository and shared/
                .appendingPathComponent("shared/acceptance/calibration.json")
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    static func load() throws -> [CalibrationAcceptanceCase] {
        guard let url = fileURL() else { throw CocoaError(.fileNoSuchFile) }
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let cases = root?["cases"] as? [[String: Any]] ?? []
        return try cases.map { item in
            var inputs = item["inputs"] as? [String: Any] ?? [:]
            inputs["mode"] = item["mode"]
            let warnings = item["warnings"] as? [String] ?? []
            return CalibrationAcceptanceCase(
                name: item["name"] as? String ?? "?",
                inputJSON: try JSONSerialization.data(withJSONObject: inputs),
                rounding: item["rounding"] as? String,
                requiredHours: (item["requiredHours"] as? NSNumber)?.intValue,
                unroundedHours: item["unroundedHours"] as? String,
                expectsWarning: !warnings.isEmpty,
                refused: item["refused"] as? Bool ?? false)
        }
    }

    static let cases: [CalibrationAcceptanceCase] = (try? load()) ?? []
}

@Suite struct CalibrationAcceptanceTests {
    @Test func acceptanceFileIsFoundAndComplete() throws {
        let cases = try CalibrationAcceptance.load()
        #expect(cases.count >= 13)
        #expect(cases.contains { $0.refused })
        #expect(cases.contains { $0.expectsWarning })
    }

    @Test(arguments: CalibrationAcceptance.cases)
    func acceptanceCase(_ c: CalibrationAcceptanceCase) throws {
        let input = try JSONDecoder().decode(CalibrationInput.self, from: c.inputJSON)
        let rounding = try c.rounding.map { try Rounding.parse($0) } ?? .halfUp
        if c.refused {
            #expect(throws: DomainError.self) { try calibrate(input, rounding: rounding) }
            return
        }
        let result = try calibrate(input, rounding: rounding)
        if let expected = c.requiredHours {
            #expect(result.requiredHours == Decimal(expected))
        }
        if let unrounded = c.unroundedHours {
            #expect(FrenchNumber.format(result.unroundedHours) == unrounded)
        }
        if c.expectsWarning {
            #expect(result.warnings.contains { $0.contains("150 h") })
        } else {
            #expect(result.warnings.isEmpty)
        }
        #expect(!result.explanation.isEmpty)
    }
}

// MARK: - Calibration rules

@Suite struct CalibrationRuleTests {
    @Test func publishedExampleExplanation() throws {
        let result = try calibrate(
            .standard(amount: 1_000_000, labourShare: d("0.50"), rate: d("0.05"), hourlyCost: 30))
        #expect(result.mode == .standard)
        #expect(result.requiredHours == 833)
        #expect(result.unroundedHours == d("833.333333"))
        #expect(FrenchNumber.format(result.unroundedHours) == "833.333333")
        let nb = "\u{202F}"
        #expect(
            result.explanation
                == "1\(nb)000\(nb)000 € × 50 % × 5 % ÷ 30 €/h = 833,333333 h, arrondi au plus proche : 833 h")
    }

    @Test(arguments: [
        ("2.5", Rounding.halfUp, "3"), ("2.4999", .halfUp, "2"), ("2.5", .down, "2"), ("2.9999", .down, "2"),
        ("2.0001", .up, "3"), ("2", .up, "2"), ("2", .down, "2"), ("0", .up, "0"), ("832.5", .halfUp, "833"),
    ])
    func roundingApply(_ value: String, _ rounding: Rounding, _ expected: String) {
        #expect(rounding.apply(d(value)) == d(expected))
    }

    @Test func halfUpBoundaryThroughStandard() throws {
        // 1000 × 1 × 1 ÷ 400 = 2.5 exactly.
        let input = CalibrationInput.standard(amount: 1000, labourShare: 1, rate: 1, hourlyCost: 400)
        #expect(try calibrate(input).requiredHours == 3)
        #expect(try calibrate(input, rounding: .down).requiredHours == 2)
        #expect(try calibrate(input, rounding: .up).requiredHours == 3)
        // 999.96 ÷ 400 = 2.4999 → 2 half-up.
        let below = CalibrationInput.standard(amount: d("999.96"), labourShare: 1, rate: 1, hourlyCost: 400)
        #expect(try calibrate(below).requiredHours == 2)
        #expect(try calibrate(below).unroundedHours == d("2.4999"))
        #expect(try calibrate(below, rounding: .up).requiredHours == 3)
    }

    @Test func fixedHoursAreRoundedOnlyWhenFractional() throws {
        #expect(try calibrate(.fixed(hours: 500)).requiredHours == 500)
        #expect(try calibrate(.fixed(hours: d("500.5"))).requiredHours == 501)
        #expect(try calibrate(.fixed(hours: d("500.5")), rounding: .down).requiredHours == 500)
        #expect(try calibrate(.fixed(hours: d("500.5"))).unroundedHours == d("500.5"))
    }

    @Test func perInvoicedAmountIsAlwaysFloor() throws {
        let input = CalibrationInput.perInvoicedAmount(per: 2000, invoiced: 3999)
        for rounding in Rounding.allCases {
            #expect(try calibrate(input, rounding: rounding).requiredHours == 1)
        }
        #expect(try calibrate(input).unroundedHours == d("1.9995"))
        #expect(try calibrate(.perInvoicedAmount(per: 2000, invoiced: 4000)).requiredHours == 2)
        #expect(try calibrate(.perInvoicedAmount(per: d("0.3"), invoiced: d("0.9"))).requiredHours == 3)
    }

    @Test func zeroInputsGiveZeroHours() throws {
        #expect(
            try calibrate(.standard(amount: 0, labourShare: d("0.5"), rate: d("0.05"), hourlyCost: 30)).requiredHours
                == 0)
        #expect(
            try calibrate(.standard(amount: 1000, labourShare: 0, rate: d("0.05"), hourlyCost: 30)).requiredHours == 0)
        #expect(
            try calibrate(.standard(amount: 1000, labourShare: d("0.5"), rate: 0, hourlyCost: 30)).requiredHours == 0)
        #expect(try calibrate(.fixed(hours: 0)).requiredHours == 0)
        #expect(try calibrate(.shareOfWorkedHours(rate: d("0.05"), workedHours: 0)).requiredHours == 0)
        #expect(try calibrate(.perInvoicedAmount(per: 2000, invoiced: 0)).requiredHours == 0)
    }

    @Test func boundariesOfRatesAreAccepted() throws {
        #expect(try calibrate(.standard(amount: 300, labourShare: 1, rate: 1, hourlyCost: 30)).requiredHours == 10)
        #expect(try calibrate(.shareOfWorkedHours(rate: 1, workedHours: 12)).requiredHours == 12)
    }

    static let refusedInputs: [(CalibrationInput, String)] = [
        (.standard(amount: -1, labourShare: d("0.5"), rate: d("0.05"), hourlyCost: 30), "amount"),
        (.standard(amount: 1000, labourShare: d("1.5"), rate: d("0.05"), hourlyCost: 30), "labour-share"),
        (.standard(amount: 1000, labourShare: d("-0.1"), rate: d("0.05"), hourlyCost: 30), "labour-share"),
        (.standard(amount: 1000, labourShare: d("0.5"), rate: d("1.01"), hourlyCost: 30), "rate"),
        (.standard(amount: 1000, labourShare: d("0.5"), rate: d("-0.05"), hourlyCost: 30), "rate"),
        (.standard(amount: 1000, labourShare: d("0.5"), rate: d("0.05"), hourlyCost: 0), "hourly-cost"),
        (.standard(amount: 1000, labourShare: d("0.5"), rate: d("0.05"), hourlyCost: -30), "hourly-cost"),
        (.fixed(hours: -1), "hours"),
        (.shareOfWorkedHours(rate: d("0.05"), workedHours: -1), "worked-hours"),
        (.shareOfWorkedHours(rate: 2, workedHours: 100), "rate"),
        (.perInvoicedAmount(per: 0, invoiced: 1000), "per"),
        (.perInvoicedAmount(per: -5, invoiced: 1000), "per"),
        (.perInvoicedAmount(per: 2000, invoiced: -1), "invoiced"),
        (.cleaningPACT(turnover: -1, months: 12, rate: d("0.05"), transferredMonthlyHours: 0), "turnover"),
        (.cleaningPACT(turnover: 0, months: 12, rate: d("0.05"), transferredMonthlyHours: 0), "turnover"),
        (.cleaningPACT(turnover: 300_000, months: 0, rate: d("0.05"), transferredMonthlyHours: 0), "months"),
        (.cleaningPACT(turnover: 300_000, months: 12, rate: d("1.5"), transferredMonthlyHours: 0), "rate"),
        (
            .cleaningPACT(turnover: 300_000, months: 12, rate: d("0.05"), transferredMonthlyHours: -1),
            "transferred-monthly-hours"
        ),
        (
            .cleaningPACT(turnover: 300_000, months: 12, rate: d("0.05"), transferredMonthlyHours: 0, coefficient: 0),
            "coefficient"
        ),
    ]

    @Test(arguments: refusedInputs)
    func invalidInputsAreRefusedNamingTheField(_ input: CalibrationInput, _ field: String) {
        do {
            _ = try calibrate(input)
            Issue.record("expected a refusal for \(field)")
        } catch {
            #expect(error.field == field)
            #expect(error.message.contains(field))
            #expect(error.message.contains("reçu"))
        }
    }

    @Test func labourShareAboveOneMessage() {
        do {
            _ = try calibrate(.standard(amount: 1000, labourShare: d("1.5"), rate: d("0.05"), hourlyCost: 30))
            Issue.record("expected a refusal")
        } catch {
            #expect(
                error.message
                    == "La part de main-d'œuvre (labour-share) doit être comprise entre 0 et 100 % (0 et 1) : 1,5 reçu."
            )
            #expect(error.kind == .unprocessable)
        }
    }

    @Test func hugeAmountsStayExact() throws {
        let result = try calibrate(
            .standard(amount: d("1000000000000000"), labourShare: d("0.5"), rate: d("0.05"), hourlyCost: 30))
        #expect(result.requiredHours == d("833333333333"))
        #expect(FrenchNumber.format(result.unroundedHours) == "833333333333.333333")

        let exact = try calibrate(.standard(amount: d("999999999999999.99"), labourShare: 1, rate: 1, hourlyCost: 1))
        #expect(FrenchNumber.format(exact.unroundedHours) == "999999999999999.99")
        #expect(exact.requiredHours == d("1000000000000000"))
        #expect(
            try calibrate(
                .standard(amount: d("999999999999999.99"), labourShare: 1, rate: 1, hourlyCost: 1), rounding: .down
            ).requiredHours == d("999999999999999"))

        let enormous = try calibrate(
            .standard(amount: d("1000000000000000000000000"), labourShare: d("0.5"), rate: d("0.05"), hourlyCost: 30))
        #expect(FrenchNumber.format(enormous.unroundedHours) == "833333333333333333333.333333")
    }

    @Test func cleaningPACTRefusesWhenStaffTakenOverExceedsTheMarket() {
        for hours: Decimal in [500, 400] {  // 400 h × 25 = 10 000 € = the monthly turnover: P = 0
            do {
                _ = try calibrate(
                    .cleaningPACT(turnover: 120_000, months: 12, rate: d("0.05"), transferredMonthlyHours: hours))
                Issue.record("expected a refusal for \(hours) h")
            } catch {
                #expect(error.code == .calibrationRefused)
                #expect(error.field == "transferred-monthly-hours")
                #expect(error.message.contains("dépasse"))
            }
        }
    }

    @Test func cleaningPACTWarningAndDefaultCoefficient() throws {
        let below = try calibrate(
            .cleaningPACT(turnover: 50_000, months: 12, rate: d("0.05"), transferredMonthlyHours: 0))
        #expect(below.requiredHours == 100)
        #expect(below.warnings.count == 1)
        #expect(below.warnings.first?.contains("150 h") == true)

        let at = try calibrate(.cleaningPACT(turnover: 75_000, months: 12, rate: d("0.05"), transferredMonthlyHours: 0))
        #expect(at.requiredHours == 150)
        #expect(at.warnings.isEmpty)

        let withStaff = try calibrate(
            .cleaningPACT(turnover: 300_000, months: 36, rate: d("0.05"), transferredMonthlyHours: 200))
        #expect(withStaff.requiredHours == 240)
        #expect(withStaff.explanation.contains("P = 1 − 200 h × 25"))
        #expect(withStaff.explanation.contains("= 0,4 ;"))
    }

    @Test func modeParsing() throws {
        #expect(try CalibrationMode.parse("share-of-worked-hours") == .shareOfWorkedHours)
        #expect(try CalibrationMode.parse("shareOfWorkedHours") == .shareOfWorkedHours)
        #expect(try CalibrationMode.parse("cleaning-pact") == .cleaningPACT)
        #expect(try CalibrationMode.parse("cleaningPACT") == .cleaningPACT)
        #expect(try CalibrationMode.parse("per-invoiced-amount") == .perInvoicedAmount)
        do {
            _ = try CalibrationMode.parse("magic")
            Issue.record("expected a refusal")
        } catch {
            #expect(error.message.contains("« magic »"))
            #expect(error.message.contains("inconnu"))
            #expect(error.message.contains("standard"))
            #expect(error.message.contains("cleaning-pact"))
        }
        #expect(try Rounding.parse("half-up") == .halfUp)
        #expect(throws: DomainError.self) { try Rounding.parse("nearest") }
    }

    @Test func inputCodableIsFlatWithDecimalStrings() throws {
        let input = CalibrationInput.standard(
            amount: d("1000000.5"), labourShare: d("0.5"), rate: d("0.05"), hourlyCost: 30)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(input), as: UTF8.self)
        #expect(
            json == #"{"amount":"1000000.5","hourlyCost":"30","labourShare":"0.5","mode":"standard","rate":"0.05"}"#)
        #expect(try JSONDecoder().decode(CalibrationInput.self, from: Data(json.utf8)) == input)

        let pact = CalibrationInput.cleaningPACT(
            turnover: 300_000, months: 36, rate: d("0.05"), transferredMonthlyHours: 200)
        #expect(try JSONDecoder().decode(CalibrationInput.self, from: encoder.encode(pact)) == pact)

        let lenient =
            #"{"mode": "cleaning-pact", "turnover": "300 000", "months": 36, "rate": "5 %", "transferredMonthlyHours": 200}"#
        #expect(try JSONDecoder().decode(CalibrationInput.self, from: Data(lenient.utf8)) == pact)

        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(
                CalibrationInput.self,
                from: Data(
                    #"{"mode": "standard", "amount": "12a", "labourShare": "0.5", "rate": "0.05", "hourlyCost": "30"}"#
                        .utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CalibrationInput.self, from: Data(#"{"mode": "nope"}"#.utf8))
        }
    }
}

// MARK: - French numbers

@Suite struct FrenchNumberTests {
    @Test(arguments: [
        ("1000000", "1000000"), ("1 000 000", "1000000"), ("1\u{00A0}000\u{00A0}000", "1000000"),
        ("1\u{202F}000\u{202F}000,5", "1000000.5"), ("1000000,00", "1000000"), ("1000000.5", "1000000.5"),
        ("-3", "-3"), ("- 3", "-3"), ("+7", "7"), (" 42 ", "42"), ("0,05", "0.05"), (",5", "0.5"),
        ("999 999 999 999 999,99", "999999999999999.99"),
    ])
    func parsesDecimals(_ text: String, _ expected: String) throws {
        #expect(try FrenchNumber.parseDecimal(text, field: "amount") == d(expected))
    }

    @Test(arguments: [
        "abc", "", "   ", "1,2,3", "12a", "1.000.000", "1 0000", "10 00", "1e5", "12,", "-", "1,2.3", "1  000", "€12",
    ])
    func refusesGarbage(_ text: String) {
        do {
            _ = try FrenchNumber.parseDecimal(text, field: "amount")
            Issue.record("expected a refusal for \(text)")
        } catch {
            #expect(error.field == "amount")
            #expect(error.code == .invalidInput)
            #expect(error.message.contains("« amount »"))
            if !FrenchNumber.trim(text).isEmpty {
                #expect(error.message.contains("« \(text) »"))
            }
        }
    }

    @Test(arguments: [
        ("0.5", "0.5"), ("0,5", "0.5"), ("50%", "0.5"), ("50 %", "0.5"), ("5,5 %", "0.055"),
        ("5,5\u{202F}%", "0.055"), ("100 %", "1"), ("0", "0"), ("-5 %", "-0.05"),
    ])
    func parsesRates(_ text: String, _ expected: String) throws {
        #expect(try FrenchNumber.parseRate(text, field: "rate") == d(expected))
    }

    @Test(arguments: ["%", "abc %", "5 %%", "", "cinq", "5,5,5 %"])
    func refusesBadRates(_ text: String) {
        do {
            _ = try FrenchNumber.parseRate(text, field: "rate")
            Issue.record("expected a refusal for \(text)")
        } catch {
            #expect(error.field == "rate")
            #expect(error.message.contains("« rate »"))
        }
    }

    @Test(arguments: [
        ("833.33333333333333", 6, "833.333333"), ("1000", 6, "1000"), ("1000.000", 6, "1000"), ("1.5", 6, "1.5"),
        ("0.0000005", 6, "0.000001"), ("0.0000004", 6, "0"), ("2.5", 0, "3"), ("-0.0000001", 6, "0"),
        ("-2.25", 1, "-2.3"), ("100000000000000000000", 6, "100000000000000000000"),
    ])
    func formatsPlain(_ value: String, _ digits: Int, _ expected: String) {
        #expect(FrenchNumber.format(d(value), maxFractionDigits: digits) == expected)
    }

    @Test func formatsFrench() {
        let nb = "\u{202F}"
        #expect(French.number(d("1000000.5"), maxFraction: 6) == "1\(nb)000\(nb)000,5")
        #expect(French.number(d("999"), maxFraction: 6) == "999")
        #expect(French.number(d("1000"), maxFraction: 6) == "1\(nb)000")
        #expect(French.number(d("-1234.5"), maxFraction: 6) == "-1\(nb)234,5")
        #expect(French.number(d("12.5"), fixedFraction: 2) == "12,50")
        #expect(French.number(d("12.345"), fixedFraction: 2) == "12,35")
        #expect(French.number(d("12.5"), fixedFraction: 0) == "13")
        #expect(French.number(d("833.333333333"), maxFraction: 6) == "833,333333")
        #expect(French.number(0, maxFraction: 6) == "0")
    }

    @Test func roundTripsThroughFrenchFormatting() throws {
        for text in ["0", "1", "12.5", "1000000.25", "999999999999999.99"] {
            let value = d(text)
            #expect(try FrenchNumber.parseDecimal(French.number(value, maxFraction: 6), field: "x") == value)
        }
    }
}
