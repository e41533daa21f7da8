import Foundation
import Testing

@testable import ClausesCore

private func day(_ text: String) -> LocalDate { LocalDate(iso: text)! }
private func month(_ text: String) -> YearMonth { YearMonth(text: text)! }
private func dec(_ text: String) -> Decimal { Decimal(string: text)! }

private func placement(
    _ id: String, _ mode: ExecutionMode, contract: EmploymentContractType = .cdd,
    start: String = "2026-01-05", end: String? = "2026-03-31",
    eligible: Bool = true, onOperation: Bool = true, months: [MonthFacts]
) -> PlacementFacts {
    PlacementFacts(
        id: id, mode: mode, contractType: contract, start: day(start), end: end.map(day),
        eligibleAtStart: eligible, onClauseOperation: onOperation, months: months)
}

@Suite("Counting rules (DOMAIN §4)")
struct CountingRulesTests {
    static let expectedPerMode: [(ExecutionMode, Decimal)] = [
        (.directHire, 100), (.workStudy, 120), (.temporaryWork, 100), (.insertionTempWork, 100),
        (.associationSecondment, 100), (.geiq, 120), (.siaeSubcontracting, 100), (.siaeServicePurchase, 100),
        (.training, 20),
    ]

    @Test(arguments: expectedPerMode)
    func defaultRulePerMode(mode: ExecutionMode, expected: Decimal) {
        let p = placement(
            "p1", mode, months: [MonthFacts(month: month("2026-01"), workedHours: 100, trainingHours: 20)])
        let credit = creditHours(placements: [p], requiredHours: 1000, rules: .defaults)
        #expect(credit.creditedHours == expected)
        #expect(credit.workedHours == 100)
        #expect(credit.trainingHours == 20)
        #expect(credit.byMode.map(\.mode) == [mode])
        #expect(credit.byMode[0].creditedHours == expected)
        #expect(
            credit.explanationText.last == "Heures valorisées : "
                + (expected == 120 ? "100 h travaillées + 20 h de formation = 120 h." : "\(expected) h."))
    }

    @Test func defaultsTable() {
        let table = CountingRuleTable.defaults
        #expect(table.rules.count == ExecutionMode.allCases.count)
        #expect(table.trainingCapShare == dec("0.3"))
        #expect(table.labourShare == dec("0.5"))
        #expect(table.hourlyCost == 25)
        #expect(table.rule(for: .training) == CountingRule(countWorkedHours: false, countTrainingHours: true))
        #expect(table.rule(for: .siaeSubcontracting).convertSubcontractAmount)
        #expect(!table.rule(for: .directHire).convertSubcontractAmount)
        #expect(ExecutionMode.allCases.allSatisfy { table.rule(for: $0).hireBonusHours == 0 })
    }

    @Test func uncountedHoursAreExplained() {
        let p = placement(
            "p1", .temporaryWork, months: [MonthFacts(month: month("2026-01"), workedHours: 100, trainingHours: 20)])
        let t = placement(
            "p2", .training, months: [MonthFacts(month: month("2026-01"), workedHours: 30, trainingHours: 10)])
        let credit = creditHours(placements: [p, t], requiredHours: 1000, rules: .defaults)
        #expect(credit.creditedHours == 110)
        #expect(
            credit.explanationText.contains(
                "Intérim (ETT) : 20 h de formation non valorisées (règle de comptage de la clause)."))
        #expect(
            credit.explanationText.contains(
                "Formation préalable : 30 h travaillées non valorisées (règle de comptage de la clause)."))
        #expect(credit.explanationText.contains("Formation préalable : 10 h de formation valorisées."))
    }

    @Test func trainingExactlyAtCapIsFullyCredited() {
        let p = placement(
            "p1", .workStudy,
            months: [
                MonthFacts(month: month("2026-01"), trainingHours: 150),
                MonthFacts(month: month("2026-02"), trainingHours: 150),
            ])
        let credit = creditHours(placements: [p], requiredHours: 1000, rules: .defaults)
        #expect(credit.trainingCapHours == 300)
        #expect(credit.countedTrainingHours == 300)
        #expect(
            credit.explanationText.contains(
                "Heures de formation : 300 h valorisées, sous le plafond de 30 % des heures prescrites (300 h)."))
    }

    @Test func trainingBeyondCapIsCutChronologicallyAndAMonthMayBePartlyCredited() {
        let p = placement(
            "p1", .workStudy,
            months: [
                MonthFacts(month: month("2026-02"), workedHours: 50, trainingHours: dec("200.5")),
                MonthFacts(month: month("2026-01"), workedHours: 50, trainingHours: 200),
                MonthFacts(month: month("2026-03"), workedHours: 50, trainingHours: 10),
            ])
        let credit = creditHours(placements: [p], requiredHours: 1000, rules: .defaults)
        #expect(credit.trainingHours == dec("410.5"))
        #expect(credit.countedTrainingHours == 300)
        #expect(credit.months.map(\.countedTraining) == [200, 100, 0])
        #expect(credit.months.map(\.credited) == [250, 150, 50])
        #expect(credit.months.map(\.cumulativeCredited) == [250, 400, 450])
        #expect(credit.creditedHours == 450)
        #expect(
            credit.explanationText.contains(
                "Heures de formation plafonnées à 30 % des heures prescrites (300 h) : 410,5 h déclarées, 300 h valorisées."
            ))
        #expect(
            credit.explanationText.contains(
                "Alternance : 410,5 h de formation déclarées, 300 h valorisées (plafond de formation)."))
    }

    @Test func trainingCapIsSharedByAllPlacementsInMonthOrder() {
        let later = placement("a", .training, months: [MonthFacts(month: month("2026-02"), trainingHours: 200)])
        let earlier = placement("b", .geiq, months: [MonthFacts(month: month("2026-01"), trainingHours: 200)])
        let credit = creditHours(placements: [later, earlier], requiredHours: 1000, rules: .defaults)
        #expect(credit.countedTrainingHours == 300)
        #expect(credit.byMode.first { $0.mode == .geiq }?.countedTrainingHours == 200)
        #expect(credit.byMode.first { $0.mode == .training }?.countedTrainingHours == 100)
    }

    @Test func overriddenCap() {
        let rules = CountingRuleTable.defaults.overriding(with: CountingRuleOverrides(trainingCapShare: dec("0.1")))
        let p = placement("p1", .training, months: [MonthFacts(month: month("2026-01"), trainingHours: 200)])
        let credit = creditHours(placements: [p], requiredHours: 833, rules: rules)
        #expect(credit.trainingCapHours == dec("83.3"))
        #expect(credit.countedTrainingHours == dec("83.3"))
        #expect(
            credit.explanationText.contains(
                "Heures de formation plafonnées à 10 % des heures prescrites (83,3 h) : 200 h déclarées, 83,3 h valorisées."
            ))
    }

    @Test func placementNotEligibleAtStartIsExcluded() {
        let ok = placement("ok", .directHire, months: [MonthFacts(month: month("2026-01"), workedHours: 100)])
        let ko = placement(
            "ko", .directHire, eligible: false,
            months: [MonthFacts(month: month("2026-01"), workedHours: 80, trainingHours: 5)])
        let credit = creditHours(placements: [ok, ko], requiredHours: 1000, rules: .defaults)
        #expect(credit.workedHours == 180)
        #expect(credit.countedWorkedHours == 100)
        #expect(credit.creditedHours == 100)
        #expect(credit.excludedHours == 85)
        #expect(credit.exclusions == [Exclusion(reason: .notEligibleAtStart, hours: 85, placementIds: ["ko"])])
        #expect(credit.months.first?.worked == 180)
        #expect(credit.byMode.first?.excludedHours == 85)
        #expect(
            credit.explanationText.first
                == "Exclues : 85 h de 1 mise à l'emploi, personne non éligible au démarrage de la mise à l'emploi (règle 1)."
        )
    }

    @Test func hoursOffTheOperationAreExcluded() {
        let off = placement(
            "off", .temporaryWork, onOperation: false, months: [MonthFacts(month: month("2026-01"), workedHours: 70)])
        let off2 = placement(
            "off2", .temporaryWork, onOperation: false, months: [MonthFacts(month: month("2026-02"), workedHours: 30)])
        let both = placement(
            "both", .temporaryWork, eligible: false, onOperation: false,
            months: [MonthFacts(month: month("2026-02"), workedHours: 10)])
        let credit = creditHours(placements: [off, off2, both], requiredHours: 1000, rules: .defaults)
        #expect(credit.creditedHours == 0)
        #expect(credit.excludedHours == 110)
        #expect(
            credit.exclusions == [
                Exclusion(reason: .notEligibleAtStart, hours: 10, placementIds: ["both"]),
                Exclusion(reason: .offOperation, hours: 100, placementIds: ["off", "off2"]),
            ])
        #expect(
            credit.explanationText.contains(
                "Exclues : 100 h de 2 mises à l'emploi, heures réalisées hors de l'opération portant la clause (règle 2)."
            ))
        #expect(credit.explanationText.last == "Heures valorisées : 0 h.")
    }

    private var bonusRules: CountingRuleTable {
        CountingRuleTable.defaults.overriding(
            with: CountingRuleOverrides(rules: [.directHire: PartialCountingRule(hireBonusHours: 35)]))
    }

    @Test func hireBonusOnCDIInStartMonthEvenWithoutReports() {
        let cdi = placement("cdi", .directHire, contract: .cdi, start: "2026-03-16", end: nil, months: [])
        let credit = creditHours(placements: [cdi], requiredHours: 500, rules: bonusRules)
        #expect(credit.bonusHours == 35)
        #expect(credit.creditedHours == 35)
        #expect(credit.months.map(\.month) == [month("2026-03")])
        #expect(credit.months[0].bonus == 35)
        #expect(
            credit.explanationText.contains(
                "Embauche directe : bonus de 35 h par embauche en CDI ou en CDD d'au moins 6 mois × 1 = 35 h."))
    }

    @Test(
        arguments: [
            (EmploymentContractType.cdd, "2026-01-01", "2026-06-30", true),
            (.cddChantier, "2026-01-15", "2026-07-14", true),
            (.cdd, "2026-01-01", "2026-06-29", false),
            (.cdd, "2026-01-01", "2026-05-31", false),
            (.cdd, "2026-01-01", nil, false),
            (.temporaryWork, "2026-01-01", "2026-12-31", false),
            (.cddi, "2026-01-01", "2026-12-31", false),
            (.cdi, "2026-01-01", nil, true),
        ] as [(EmploymentContractType, String, String?, Bool)])
    func hireBonusQualification(contract: EmploymentContractType, start: String, end: String?, qualifies: Bool) {
        let p = placement(
            "p", .directHire, contract: contract, start: start, end: end,
            months: [MonthFacts(month: month(String(start.prefix(7))), workedHours: 10)])
        #expect(p.qualifiesForHireBonus == qualifies)
        let credit = creditHours(placements: [p], requiredHours: 500, rules: bonusRules)
        #expect(credit.bonusHours == (qualifies ? 35 : 0))
        #expect(credit.creditedHours == (qualifies ? 45 : 10))
    }

    @Test func hireBonusNotForExcludedPlacementsNorBeyondThrough() {
        let excluded = placement(
            "x", .directHire, contract: .cdi, start: "2026-01-01", end: nil, eligible: false, months: [])
        #expect(creditHours(placements: [excluded], requiredHours: 500, rules: bonusRules).bonusHours == 0)
        let late = placement("y", .directHire, contract: .cdi, start: "2026-04-01", end: nil, months: [])
        #expect(
            creditHours(placements: [late], requiredHours: 500, rules: bonusRules, through: month("2026-03")).bonusHours
                == 0)
        #expect(
            creditHours(placements: [late], requiredHours: 500, rules: bonusRules, through: month("2026-04")).bonusHours
                == 35)
    }

    @Test func siaeSubcontractAmountIsConverted() {
        let p = placement(
            "s", .siaeSubcontracting, contract: .cddi,
            months: [
                MonthFacts(month: month("2026-01"), subcontractAmount: 6000),
                MonthFacts(month: month("2026-02"), subcontractAmount: 4000),
            ])
        let credit = creditHours(placements: [p], requiredHours: 1000, rules: .defaults)
        #expect(credit.convertedHours == 200)
        #expect(credit.creditedHours == 200)
        #expect(credit.months.map(\.converted) == [120, 80])
        #expect(credit.byMode.first?.subcontractAmount == 10000)
        #expect(
            credit.explanationText.contains(
                "Sous-traitance ou co-traitance à une SIAE : 10 000 € × 50 % ÷ 25 €/h = 200 h (montant payé à la SIAE converti en heures, faute d'heures attestées)."
            ))
        #expect(credit.explanationText.last == "Heures valorisées : 200 h.")
    }

    @Test func siaeAttestedHoursReplaceReportedHoursAndPreventConversion() {
        let p = placement(
            "s", .siaeServicePurchase,
            months: [
                MonthFacts(
                    month: month("2026-01"), workedHours: 90, attestedInsertionHours: 150, subcontractAmount: 10000),
                MonthFacts(month: month("2026-02"), workedHours: 40, subcontractAmount: 10000),
            ])
        let credit = creditHours(placements: [p], requiredHours: 1000, rules: .defaults)
        #expect(credit.workedHours == 190)
        #expect(credit.countedWorkedHours == 190)
        #expect(credit.convertedHours == 0)
        #expect(credit.byMode.first?.attestedHours == 150)
        #expect(
            credit.explanationText.contains(
                "Achat de prestation à une SIAE : 190 h travaillées valorisées (dont 150 h attestées par la SIAE)."))
    }

    @Test func attestedHoursIgnoredOutsideSIAEModes() {
        let p = placement(
            "d", .directHire,
            months: [
                MonthFacts(
                    month: month("2026-01"), workedHours: 90, attestedInsertionHours: 150, subcontractAmount: 10000)
            ])
        let credit = creditHours(placements: [p], requiredHours: 1000, rules: .defaults)
        #expect(credit.creditedHours == 90)
        #expect(credit.convertedHours == 0)
    }

    @Test func conversionRoundsToCentsAndFollowsOverrides() {
        let p = placement(
            "s", .siaeSubcontracting, months: [MonthFacts(month: month("2026-01"), subcontractAmount: 1000)])
        let rules = CountingRuleTable.defaults.overriding(
            with: CountingRuleOverrides(labourShare: dec("0.5"), hourlyCost: 30))
        #expect(creditHours(placements: [p], requiredHours: 100, rules: rules).convertedHours == dec("16.67"))
        let off = CountingRuleTable.defaults.overriding(
            with: CountingRuleOverrides(rules: [
                .siaeSubcontracting: PartialCountingRule(convertSubcontractAmount: false)
            ]))
        #expect(creditHours(placements: [p], requiredHours: 100, rules: off).convertedHours == 0)
    }

    @Test func surplusIsKept() {
        let p = placement("p", .directHire, months: [MonthFacts(month: month("2026-01"), workedHours: 1200)])
        let credit = creditHours(placements: [p], requiredHours: 1000, rules: .defaults)
        #expect(credit.creditedHours == 1200)
        #expect(
            credit.explanationText.last == "Excédent conservé : 200 h au-delà des 1 000 h prescrites (effet levier).")
    }

    @Test func monthSeriesSortedCumulativeAndThroughLimit() {
        let a = placement(
            "a", .directHire,
            months: [
                MonthFacts(month: month("2026-03"), workedHours: 30),
                MonthFacts(month: month("2026-01"), workedHours: 10),
            ])
        let b = placement(
            "b", .temporaryWork,
            months: [
                MonthFacts(month: month("2026-02"), workedHours: 20),
                MonthFacts(month: month("2026-01"), workedHours: 5),
            ])
        let credit = creditHours(placements: [a, b], requiredHours: 100, rules: .defaults)
        #expect(credit.months.map(\.month) == [month("2026-01"), month("2026-02"), month("2026-03")])
        #expect(credit.months.map(\.credited) == [15, 20, 30])
        #expect(credit.months.map(\.cumulativeCredited) == [15, 35, 65])
        #expect(credit.byMode.map(\.mode) == [.directHire, .temporaryWork])
        #expect(credit.byMode.map(\.creditedHours) == [40, 25])
        let partial = creditHours(placements: [a, b], requiredHours: 100, rules: .defaults, through: month("2026-02"))
        #expect(partial.creditedHours == 35)
        #expect(partial.months.count == 2)
    }

    @Test func overridesMergeFieldByFieldAndDecodeFromJSON() throws {
        let json =
            #"{"rules": {"workStudy": {"countTrainingHours": false}, "directHire": {"hireBonusHours": 70}}, "trainingCapShare": 0.2}"#
        let overrides = try JSONDecoder().decode(CountingRuleOverrides.self, from: Data(json.utf8))
        let table = CountingRuleTable.defaults.overriding(with: overrides)
        #expect(table.rule(for: .workStudy) == CountingRule(countWorkedHours: true, countTrainingHours: false))
        #expect(table.rule(for: .directHire).hireBonusHours == 70)
        #expect(table.rule(for: .directHire).countWorkedHours)
        #expect(table.trainingCapShare == dec("0.2"))
        #expect(table.labourShare == dec("0.5"))
        #expect(table.rule(for: .geiq) == CountingRuleTable.defaults.rule(for: .geiq))
        #expect(CountingRuleTable.defaults.overriding(with: CountingRuleOverrides()) == .defaults)
    }

    @Test func unknownModeInOverridesIsRejected() {
        let json = #"{"rules": {"interim": {"countWorkedHours": false}}}"#
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CountingRuleOverrides.self, from: Data(json.utf8))
        }
    }

    @Test func tableRoundTripsThroughJSONKeyedByMode() throws {
        let data = try JSONEncoder().encode(CountingRuleTable.defaults)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect((object?["rules"] as? [String: Any])?["siaeServicePurchase"] != nil)
        #expect(try JSONDecoder().decode(CountingRuleTable.self, from: data) == .defaults)
    }

    @Test func validation() throws {
        try CountingRuleTable.defaults.validate()
        let bad = CountingRuleTable.defaults.overriding(with: CountingRuleOverrides(hourlyCost: 0))
        #expect(throws: DomainError.invalid("hourlyCost", "Le coût horaire doit être strictement positif.")) {
            try bad.validate()
        }
        let share = CountingRuleTable.defaults.overriding(with: CountingRuleOverrides(labourShare: dec("1.5")))
        #expect(throws: DomainError.self) { try share.validate() }
        let bonus = CountingRuleTable.defaults.overriding(
            with: CountingRuleOverrides(rules: [.geiq: PartialCountingRule(hireBonusHours: -1)]))
        #expect(throws: DomainError.self) { try bonus.validate() }
    }

    @Test func emptyFacts() {
        let credit = creditHours(placements: [], requiredHours: 100, rules: .defaults)
        #expect(credit.creditedHours == 0)
        #expect(credit.months.isEmpty)
        #expect(credit.byMode.isEmpty)
        #expect(credit.explanationText == ["Heures valorisées : 0 h."])
    }

    @Test func labels() {
        #expect(ExecutionMode.allCases.map(\.frenchLabel).count == Set(ExecutionMode.allCases.map(\.frenchLabel)).count)
        #expect(ExecutionMode.insertionTempWork.frenchLabel == "Mise à disposition par une ETTI")
        #expect(EmploymentContractType.professionalisation.frenchLabel == "Contrat de professionnalisation")
        #expect(LotStatus.nonCompliant.rawValue == "non_compliant")
        #expect(LotStatus(rawValue: "not_started") == .notStarted)
        #expect(LotStatus.onTrack.frenchLabel == "Dans les temps")
    }
}

extension Credit {
    /// The explanation as the plain-text renderer writes it.
    var explanationText: [String] { explanation.map { $0.french(.text) } }
}
