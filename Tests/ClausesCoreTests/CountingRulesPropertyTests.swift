import Foundation
import PostgresClient
import Testing

@testable import ClausesCore

/// `CreditCalculator` (the Decimal reference) and `creditHours` (the fixed-point engine, Decimal fallback)
/// against the straightforward all-Decimal count written before either, kept here as an independent oracle
/// with its own French lines: random facts from a seeded generator, compared value by value, through their
/// JSON text (same Decimal representation) and through the rendered explanation.
@Suite("Counting rules: fixed-point engine and Decimal calculator equal the reference")
struct CountingRulesPropertyTests {
    /// SplitMix64: deterministic across platforms and runs.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func dec(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }

    /// Hours with 2 decimals, often round, sometimes zero; `oddScale` adds a third decimal now and then
    /// (those cases take the Decimal fallback).
    static func hours(_ g: inout SeededGenerator, max: Int = 74_400, oddScale: Bool) -> Decimal {
        switch Int.random(in: 0..<10, using: &g) {
        case 0, 1: return 0
        case 2: return Decimal(Int.random(in: 1...200, using: &g))
        case 3 where oddScale:
            return Decimal(sign: .plus, exponent: -3, significand: Decimal(Int.random(in: 1...744_000, using: &g)))
        case 4: return Decimal(sign: .plus, exponent: -1, significand: Decimal(Int.random(in: 1...max / 10, using: &g)))
        default: return Decimal(sign: .plus, exponent: -2, significand: Decimal(Int.random(in: 1...max, using: &g)))
        }
    }

    static func randomCase(_ g: inout SeededGenerator) -> (
        placements: [PlacementFacts], required: Decimal, rules: CountingRuleTable, through: YearMonth?
    ) {
        let oddScale = Int.random(in: 0..<8, using: &g) == 0
        var rules = CountingRuleTable.defaults
        rules.trainingCapShare = dec(["0", "0.1", "0.25", "0.3", "0.333", "1", "0.05"].randomElement(using: &g)!)
        rules.labourShare = dec(["0.5", "0.45", "0.333", "1", "0", "0.6"].randomElement(using: &g)!)
        rules.hourlyCost = dec(["25", "23.5", "17.33", "31", "0.7", "0"].randomElement(using: &g)!)
        for mode in ExecutionMode.allCases {
            var rule = rules.rule(for: mode)
            if Int.random(in: 0..<4, using: &g) == 0 { rule.countWorkedHours.toggle() }
            if Int.random(in: 0..<4, using: &g) == 0 { rule.countTrainingHours.toggle() }
            if Int.random(in: 0..<5, using: &g) == 0 { rule.convertSubcontractAmount.toggle() }
            rule.hireBonusHours = dec(
                ["0", "0", "35", "70", "12.5", "151.67", oddScale ? "0.333" : "7"].randomElement(using: &g)!)
            rules.rules[mode] = rule
        }
        let required = dec(["0", "100", "1000", "2500", "12345", "607", "50000"].randomElement(using: &g)!)
        let base = YearMonth(year: 2025, month: 1)!.index
        let through: YearMonth? =
            Bool.random(using: &g) ? nil : YearMonth(index: base + Int.random(in: 0...30, using: &g))
        let contracts: [EmploymentContractType] = [.cdi, .cdd, .cddChantier, .temporaryWork, .apprenticeship, .cddi]
        var placements: [PlacementFacts] = []
        for _ in 0..<Int.random(in: 0...14, using: &g) {
            // Ids from a small pool: duplicates happen (the tie order must not change the figures).
            let id = String(format: "MEP-2025-%05d", Int.random(in: 1...40, using: &g))
            let start = LocalDate(
                year: 2024 + Int.random(in: 0...2, using: &g), month: Int.random(in: 1...12, using: &g),
                day: Int.random(in: 1...28, using: &g))!
            let end: LocalDate? =
                Int.random(in: 0..<4, using: &g) == 0
                ? nil
                : start.adding(months: Int.random(in: 1...14, using: &g)).adding(
                    days: Int.random(in: -2...2, using: &g))
            let mode = ExecutionMode.allCases.randomElement(using: &g)!
            var months: [MonthFacts] = []
            var used = Set<Int>()
            for _ in 0..<Int.random(in: 0...30, using: &g) {
                let index = base + Int.random(in: -6...30, using: &g)
                guard used.insert(index).inserted else { continue }
                let siae = mode.isSIAEPurchase || Int.random(in: 0..<6, using: &g) == 0
                months.append(
                    MonthFacts(
                        month: YearMonth(index: index), workedHours: hours(&g, oddScale: oddScale),
                        trainingHours: hours(&g, max: 20_000, oddScale: oddScale),
                        attestedInsertionHours: siae && Bool.random(using: &g) ? hours(&g, oddScale: oddScale) : nil,
                        subcontractAmount: siae && Int.random(in: 0..<3, using: &g) > 0
                            ? hours(&g, max: 10_000_000, oddScale: oddScale) : nil))
            }
            months.shuffle(using: &g)
            placements.append(
                PlacementFacts(
                    id: id, mode: mode, contractType: contracts.randomElement(using: &g)!, start: start, end: end,
                    eligibleAtStart: Int.random(in: 0..<6, using: &g) > 0,
                    onClauseOperation: Int.random(in: 0..<6, using: &g) > 0,
                    months: months))
        }
        return (placements, required, rules, through)
    }

    static func json(_ credit: Credit) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(credit), as: UTF8.self)
    }

    @Test("600 random lots: the Decimal calculator equals the reference, the fixed-point engine equals both")
    func matchesReference() throws {
        var g = SeededGenerator(state: 20_261_123)
        var fixedPath = 0
        for n in 0..<600 {
            let c = Self.randomCase(&g)
            let expected = referenceCreditHours(
                placements: c.placements, requiredHours: c.required, rules: c.rules, through: c.through)
            let reference = CreditCalculator.credit(
                placements: c.placements, requiredHours: c.required, rules: c.rules, through: c.through)
            #expect(reference == expected.credit, "case \(n)")
            #expect(try Self.json(reference) == Self.json(expected.credit), "case \(n)")
            #expect(reference.explanation.map { $0.french(.text) } == expected.lines, "case \(n)")
            let actual = creditHours(
                placements: c.placements, requiredHours: c.required, rules: c.rules, through: c.through)
            #expect(actual == expected.credit, "case \(n)")
            #expect(try Self.json(actual) == Self.json(expected.credit), "case \(n)")
            // The balance queries' entry (reports already in hundredths) agrees too, with month totals matching the series.
            if let counted = HundredthsPlacement.from(c.placements) {
                let (credit, months) = creditHours(
                    hundredths: counted, requiredHours: c.required, rules: c.rules, through: c.through)
                #expect(try Self.json(credit) == Self.json(expected.credit), "case \(n)")
                if let months {
                    fixedPath += 1
                    #expect(
                        months.map { YearMonth(index: $0.month) } == expected.credit.months.map(\.month), "case \(n)")
                    #expect(
                        months.map { Hundredths.decimal($0.credited) } == expected.credit.months.map(\.credited),
                        "case \(n)")
                    #expect(
                        months.map { Hundredths.decimal($0.worked) } == expected.credit.months.map(\.worked),
                        "case \(n)")
                    #expect(
                        months.map { Hundredths.decimal($0.training) } == expected.credit.months.map(\.training),
                        "case \(n)")
                }
            }
        }
        // Most cases take the fixed-point engine, some the Decimal reference.
        #expect(fixedPath > 400 && fixedPath < 600)
    }

    @Test("French.number in text style groups thousands with a space and keeps at most 2 decimals")
    func frenchTextNumbers() {
        var g = SeededGenerator(state: 7)
        let samples: [Int64] =
            [0, 1, 5, 10, 50, 99, 100, 105, 110, 999_999, 100_000, 123_456_789, -5, -150, -100_050, Hundredths.limit]
            + (0..<2000).map { _ in Int64.random(in: -10_000_000_000...10_000_000_000, using: &g) }
        for value in samples {
            let magnitude = value.magnitude
            var integer = String(magnitude / 100)
            var grouped = ""
            while integer.count > 3 {
                grouped = " " + integer.suffix(3) + grouped
                integer.removeLast(3)
            }
            grouped = integer + grouped
            var fraction = String(format: "%02d", Int(magnitude % 100))
            while fraction.hasSuffix("0") { fraction.removeLast() }
            let expected = (value < 0 ? "-" : "") + grouped + (fraction.isEmpty ? "" : "," + fraction)
            #expect(French.number(Hundredths.decimal(value), .text) == expected, "\(value)")
        }
    }

    @Test("exact conversion to hundredths, nil beyond 2 decimals or the limit")
    func exactHundredths() {
        #expect(Hundredths.exact(Self.dec("151.67")) == 15_167)
        #expect(Hundredths.exact(Self.dec("-3")) == -300)
        #expect(Hundredths.exact(Self.dec("0.5")) == 50)
        #expect(Hundredths.exact(Self.dec("1200")) == 120_000)
        #expect(Hundredths.exact(0) == 0)
        #expect(Hundredths.exact(Self.dec("0.333")) == nil)
        #expect(Hundredths.exact(Self.dec("1e30")) == nil)
        #expect(Hundredths.exact(Self.dec("12345678901234567890.12")) == nil)
        #expect(NumericText.integer("15167".utf8) == 15_167)
        #expect(NumericText.integer("-42".utf8) == -42)
        #expect(NumericText.integer("".utf8) == nil)
        #expect(NumericText.integer("1.5".utf8) == nil)
        #expect(NumericText.integer("1234567890123456789".utf8) == nil)
        #expect(NumericText.hundredths(text: "151.67".utf8) == 15_167)
        #expect(NumericText.hundredths(text: "0.00".utf8) == 0)
        #expect(NumericText.hundredths(text: "12.5".utf8) == 1_250)
        #expect(NumericText.hundredths(text: "744".utf8) == 74_400)
        #expect(NumericText.hundredths(text: "-3.05".utf8) == -305)
        #expect(NumericText.hundredths(text: "999999999999.99".utf8) == 99_999_999_999_999)
        #expect(NumericText.hundredths(text: "1.005".utf8) == nil)
        #expect(NumericText.hundredths(text: "1.2.3".utf8) == nil)
        #expect(NumericText.hundredths(text: "".utf8) == nil)
        #expect(NumericText.hundredths(text: ".".utf8) == nil)
    }
}

// MARK: - Reference

/// The count as it was written over Decimal before the integer rewrite (kept verbatim, for these tests only).
private func referenceCreditHours(
    placements: [PlacementFacts], requiredHours: Decimal, rules: CountingRuleTable, through: YearMonth? = nil
) -> (credit: Credit, lines: [String]) {
    struct MonthAcc {
        var worked: Decimal = 0, training: Decimal = 0, countedWorked: Decimal = 0
        var countedTraining: Decimal = 0, bonus: Decimal = 0, converted: Decimal = 0
    }
    struct ModeAcc {
        var placements = 0, hires = 0
        var worked: Decimal = 0, countedWorked: Decimal = 0, uncountedWorked: Decimal = 0, attested: Decimal = 0
        var training: Decimal = 0, trainingCandidate: Decimal = 0, uncountedTraining: Decimal = 0,
            countedTraining: Decimal = 0
        var bonus: Decimal = 0, amount: Decimal = 0, converted: Decimal = 0, excluded: Decimal = 0
    }
    struct TrainingCandidate {
        let month: YearMonth
        let placementId: String
        let mode: ExecutionMode
        let hours: Decimal
    }

    var byMonth: [YearMonth: MonthAcc] = [:]
    var byMode: [ExecutionMode: ModeAcc] = [:]
    var excluded: [ExclusionReason: (hours: Decimal, ids: [String])] = [:]
    var candidates: [TrainingCandidate] = []

    for placement in placements.sorted(by: { $0.id < $1.id }) {
        let rule = rules.rule(for: placement.mode)
        let reason: ExclusionReason? =
            !placement.eligibleAtStart
            ? .notEligibleAtStart
            : !placement.onClauseOperation ? .offOperation : nil
        var mode = byMode[placement.mode, default: ModeAcc()]
        mode.placements += 1
        var placementExcluded: Decimal = 0

        let reports = placement.months
            .filter { through == nil || $0.month <= through! }
            .sorted { $0.month < $1.month }
        for report in reports {
            var month = byMonth[report.month, default: MonthAcc()]
            let attested = placement.mode.isSIAEPurchase ? report.attestedInsertionHours : nil
            let worked = attested ?? report.workedHours
            month.worked += worked
            month.training += report.trainingHours
            mode.worked += worked
            mode.training += report.trainingHours

            if reason != nil {
                placementExcluded += worked + report.trainingHours
            } else {
                if rule.countWorkedHours {
                    month.countedWorked += worked
                    mode.countedWorked += worked
                    if attested != nil { mode.attested += worked }
                } else {
                    mode.uncountedWorked += worked
                }
                if rule.convertSubcontractAmount, let amount = report.subcontractAmount, amount > 0,
                    !(rule.countWorkedHours && worked > 0), rules.hourlyCost > 0
                {
                    let hours = French.round(amount * rules.labourShare / rules.hourlyCost, scale: 2)
                    month.converted += hours
                    mode.converted += hours
                    mode.amount += amount
                }
                if report.trainingHours > 0 {
                    if rule.countTrainingHours {
                        candidates.append(
                            TrainingCandidate(
                                month: report.month, placementId: placement.id, mode: placement.mode,
                                hours: report.trainingHours))
                        mode.trainingCandidate += report.trainingHours
                    } else {
                        mode.uncountedTraining += report.trainingHours
                    }
                }
            }
            byMonth[report.month] = month
        }

        if reason == nil, rule.hireBonusHours > 0, placement.qualifiesForHireBonus,
            through == nil || placement.start.yearMonth <= through!
        {
            byMonth[placement.start.yearMonth, default: MonthAcc()].bonus += rule.hireBonusHours
            mode.bonus += rule.hireBonusHours
            mode.hires += 1
        }
        if let reason {
            mode.excluded += placementExcluded
            var entry = excluded[reason] ?? (hours: 0, ids: [])
            entry.hours += placementExcluded
            entry.ids.append(placement.id)
            excluded[reason] = entry
        }
        byMode[placement.mode] = mode
    }

    // Training cap, over the whole clause, chronologically.
    let capHours = French.round(max(rules.trainingCapShare, 0) * max(requiredHours, 0), scale: 2)
    var capLeft = capHours
    let candidateTotal = candidates.reduce(Decimal(0)) { $0 + $1.hours }
    for candidate in candidates.sorted(by: { ($0.month, $0.placementId) < ($1.month, $1.placementId) }) {
        let credited = min(candidate.hours, capLeft)
        capLeft -= credited
        byMonth[candidate.month, default: MonthAcc()].countedTraining += credited
        byMode[candidate.mode, default: ModeAcc()].countedTraining += credited
    }

    // Month series.
    var cumulative: Decimal = 0
    let series: [MonthCredit] = byMonth.keys.sorted().map { key in
        let m = byMonth[key]!
        let credited = m.countedWorked + m.countedTraining + m.bonus + m.converted
        cumulative += credited
        return MonthCredit(
            month: key, worked: m.worked, training: m.training, countedWorked: m.countedWorked,
            countedTraining: m.countedTraining, bonus: m.bonus, converted: m.converted,
            credited: credited, cumulativeCredited: cumulative)
    }

    // By mode.
    let modes: [ModeCredit] = ExecutionMode.allCases.compactMap { key in
        guard let m = byMode[key] else { return nil }
        return ModeCredit(
            mode: key, placementCount: m.placements, workedHours: m.worked, countedWorkedHours: m.countedWorked,
            uncountedWorkedHours: m.uncountedWorked, attestedHours: m.attested, trainingHours: m.training,
            countableTrainingHours: m.trainingCandidate, uncountedTrainingHours: m.uncountedTraining,
            countedTrainingHours: m.countedTraining,
            bonusHours: m.bonus, hires: m.hires, subcontractAmount: m.amount, convertedHours: m.converted,
            excludedHours: m.excluded,
            creditedHours: m.countedWorked + m.countedTraining + m.bonus + m.converted)
    }

    let exclusions = ExclusionReason.allCases.compactMap { reason in
        excluded[reason].map { Exclusion(reason: reason, hours: $0.hours, placementIds: $0.ids) }
    }
    let sum: (KeyPath<ModeCredit, Decimal>) -> Decimal = { path in modes.reduce(Decimal(0)) { $0 + $1[keyPath: path] } }
    let countedWorked = sum(\.countedWorkedHours)
    let countedTraining = sum(\.countedTrainingHours)
    let bonus = sum(\.bonusHours)
    let converted = sum(\.convertedHours)
    let credited = countedWorked + countedTraining + bonus + converted

    // Explanation.
    let h = { (value: Decimal) in French.hours(value, .text) }
    var lines: [String] = []
    for exclusion in exclusions {
        let rule = exclusion.reason == .notEligibleAtStart ? "règle 1" : "règle 2"
        let count = (exclusion.placementIds ?? []).count
        lines.append(
            "Exclues : \(h(exclusion.hours)) de \(count) mise\(count > 1 ? "s" : "") à l'emploi, \(exclusion.reason.frenchLabel) (\(rule))."
        )
    }
    for key in ExecutionMode.allCases {
        guard let m = byMode[key] else { continue }
        let label = key.frenchLabel
        if m.countedWorked > 0 {
            let attested = m.attested > 0 ? " (dont \(h(m.attested)) attestées par la SIAE)" : ""
            lines.append("\(label) : \(h(m.countedWorked)) travaillées valorisées\(attested).")
        }
        if m.uncountedWorked > 0 {
            lines.append(
                "\(label) : \(h(m.uncountedWorked)) travaillées non valorisées (règle de comptage de la clause).")
        }
        if m.trainingCandidate > 0 {
            if m.countedTraining == m.trainingCandidate {
                lines.append("\(label) : \(h(m.countedTraining)) de formation valorisées.")
            } else {
                lines.append(
                    "\(label) : \(h(m.trainingCandidate)) de formation déclarées, \(h(m.countedTraining)) valorisées (plafond de formation)."
                )
            }
        }
        if m.uncountedTraining > 0 {
            lines.append(
                "\(label) : \(h(m.uncountedTraining)) de formation non valorisées (règle de comptage de la clause).")
        }
        if m.bonus > 0 {
            let perHire = rules.rule(for: key).hireBonusHours
            lines.append(
                "\(label) : bonus de \(h(perHire)) par embauche en CDI ou en CDD d'au moins 6 mois × \(m.hires) = \(h(m.bonus))."
            )
        }
        if m.converted > 0 {
            lines.append(
                "\(label) : \(French.euros(m.amount, .text)) × \(French.percent(rules.labourShare, .text)) ÷ \(French.number(rules.hourlyCost, .text)) €/h = \(h(m.converted)) (montant payé à la SIAE converti en heures, faute d'heures attestées)."
            )
        }
    }
    if candidateTotal > 0 {
        if candidateTotal > capHours {
            lines.append(
                "Heures de formation plafonnées à \(French.percent(rules.trainingCapShare, .text)) des heures prescrites (\(h(capHours))) : \(h(candidateTotal)) déclarées, \(h(countedTraining)) valorisées."
            )
        } else {
            lines.append(
                "Heures de formation : \(h(countedTraining)) valorisées, sous le plafond de \(French.percent(rules.trainingCapShare, .text)) des heures prescrites (\(h(capHours)))."
            )
        }
    }
    var parts: [String] = []
    if countedWorked > 0 { parts.append("\(h(countedWorked)) travaillées") }
    if countedTraining > 0 { parts.append("\(h(countedTraining)) de formation") }
    if bonus > 0 { parts.append("\(h(bonus)) de bonus d'embauche") }
    if converted > 0 { parts.append("\(h(converted)) converties") }
    if parts.count > 1 {
        lines.append("Heures valorisées : \(parts.joined(separator: " + ")) = \(h(credited)).")
    } else {
        lines.append("Heures valorisées : \(h(credited)).")
    }
    if requiredHours > 0, credited > requiredHours {
        lines.append(
            "Excédent conservé : \(h(credited - requiredHours)) au-delà des \(h(requiredHours)) prescrites (effet levier)."
        )
    }

    var credit = Credit(
        workedHours: sum(\.workedHours), countedWorkedHours: countedWorked,
        trainingHours: sum(\.trainingHours), countableTrainingHours: candidateTotal,
        countedTrainingHours: countedTraining,
        trainingCapHours: capHours, bonusHours: bonus, convertedHours: converted, creditedHours: credited,
        excludedHours: exclusions.reduce(Decimal(0)) { $0 + $1.hours }, exclusions: exclusions,
        months: series, byMode: modes, explanation: [])
    credit.explanation = CreditExplanation.lines(for: credit, rules: rules, requiredHours: requiredHours)
    return (credit, lines)
}

@Suite("Balance facts: packed reports as the facts query sends them")
struct ReportsTextTests {
    @Test func validatedAndPendingReports() throws {
        let text = ReportsText(packed: "24313:v:151.67:7::;24314:d:20.5:0::;24315:v:0:0:80:1200.5")
        let parsed = try text.parse()
        #expect(parsed.validated.map(\.month) == [24313, 24315])
        #expect(parsed.validated.first?.worked == 15_167)
        #expect(parsed.validated.last?.attested == 8_000)
        #expect(parsed.validated.last?.amount == 120_050)
        #expect(parsed.pendingHundredths == 2_050)
        #expect(parsed.pendingCount == 1)
        #expect(try ReportsText(packed: nil).parse().validated.isEmpty)
    }

    @Test("too few or too many fields, or a figure with 3 decimals, is a decoding error, not a crash")
    func malformed() {
        for packed in ["24313:v:1:2:3", "24313:v", "24313:v:1:2:3:4:5", "24313:v:1.005:0::", "x:v:1:0::"] {
            #expect(throws: PostgresError.self) { try ReportsText(packed: packed).parse() }
        }
    }

    @Test("figures beyond the engine's limit (read from text) take the Decimal reference instead of overflowing")
    func hugeAmountsFallBack() throws {
        var rules = CountingRuleTable.defaults
        rules.labourShare = 0
        let month = try #require(YearMonth(year: 2026, month: 3))
        let start = try #require(LocalDate(year: 2026, month: 1, day: 1))
        let huge: Int64 = 9_999_999_999_999_999
        let placements = (0..<3).map { n in
            HundredthsPlacement(
                facts: PlacementFacts(id: "MEP-\(n)", mode: .siaeSubcontracting, contractType: .cdi, start: start),
                months: [HundredthsReport(month: month.index, worked: 0, training: 0, attested: nil, amount: huge)])
        }
        #expect(FixedPointCredit.count(placements, requiredHours: 100, rules: rules, through: nil) == nil)
        let (credit, months) = creditHours(hundredths: placements, requiredHours: 100, rules: rules, through: nil)
        #expect(months == nil)
        #expect(credit.byMode.first?.subcontractAmount == Hundredths.decimal(huge) * 3)
    }
}
