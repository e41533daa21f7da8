import Foundation
import Testing

@testable import ClausesCore

private let hoursHeader = "placement;mois;heures travaillées;heures de formation;commentaire"

private func utf8(_ text: String) -> Data { Data(text.utf8) }

private func hours(_ text: String, ceiling: Decimal = 220) throws(ValidationErrors)
    -> (rows: [HoursImportRow], warnings: [ValidationErrors.Problem])
{
    try HoursImport.parse(utf8(text), plausibleMonthlyCeiling: ceiling)
}

/// The problems a parse throws (fails the test when it does not throw).
private func problems(_ body: () throws -> Void) -> [ValidationErrors.Problem] {
    do {
        try body()
        Issue.record("expected validation errors")
        return []
    } catch let error as ValidationErrors {
        return error.problems
    } catch {
        Issue.record("unexpected error \(error)")
        return []
    }
}

private func dec(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }
private func month(_ y: Int, _ m: Int) -> YearMonth { YearMonth(year: y, month: m)! }
private let today = LocalDate(year: 2026, month: 3, day: 15)!

@Suite struct CSVDecodingTests {
    @Test func utf8WithoutAndWithBOM() throws {
        let text = "\(hoursHeader)\nMEP-2026-00042;2026-01;151,67;0;é\n"
        for data in [utf8(text), Data([0xEF, 0xBB, 0xBF]) + utf8(text)] {
            let csv = try CSVText.decode(data)
            #expect(csv.encoding == "UTF-8")
            #expect(csv.separator == ";")
            #expect(csv.header.first == "placement")
            #expect(csv.records == [CSVRecord(line: 2, fields: ["MEP-2026-00042", "2026-01", "151,67", "0", "é"])])
        }
    }

    @Test func windows1252() throws {
        // "Heures travaillées" with é = 0xE9 and a comment with € = 0x80 and ’ = 0x92.
        var bytes = Array("placement;mois;Heures travaill".utf8) + [0xE9] + Array("es;commentaire\r\n".utf8)
        bytes += Array("MEP-1;2026-01;7,5;prime 100 ".utf8) + [0x80, 0x20, 0x92, 0x0D, 0x0A]
        let csv = try CSVText.decode(Data(bytes))
        #expect(csv.encoding == "Windows-1252")
        #expect(csv.header[2] == "Heures travaillées")
        #expect(csv.records[0].fields[3] == "prime 100 € \u{2019}")
        let parsed = try HoursImport.parse(Data(bytes), plausibleMonthlyCeiling: 220)
        #expect(parsed.rows[0].workedHours == dec("7.5"))
    }

    @Test func undefinedWindows1252ByteIsRefusedWithItsLine() {
        let bytes =
            Array("placement;mois;heures\nMEP-1;2026-01;7\nMEP-2;2026-01;".utf8) + [0xE9, 0x81] + Array("\n".utf8)
        let found = problems { _ = try CSVText.decode(Data(bytes)) }
        #expect(found.map(\.line) == [3])
    }

    @Test func utf16IsRefused() {
        let text = "\(hoursHeader)\nMEP-1;2026-01;7;0;\n"
        let withBOM = Data([0xFF, 0xFE]) + text.data(using: .utf16LittleEndian)!
        let withoutBOM = text.data(using: .utf16LittleEndian)!
        for data in [withBOM, withoutBOM] {
            let found = problems { _ = try CSVText.decode(data) }
            #expect(found.count == 1)
            #expect(found.first?.message.hasPrefix("encodage non pris en charge : UTF-16") == true)
        }
    }

    @Test func commaSeparatorWithQuotedDecimals() throws {
        let text = "placement,mois,heures travaillees\nMEP-1,01/2026,\"7,5\"\n\"MEP-2\",02/2026,\"1 234,5\"\n"
        let csv = try CSVText.decode(utf8(text))
        #expect(csv.separator == ",")
        #expect(csv.records.map(\.fields) == [["MEP-1", "01/2026", "7,5"], ["MEP-2", "02/2026", "1 234,5"]])
    }

    @Test func tabSeparatorAndCRLF() throws {
        let csv = try CSVText.decode(utf8("placement\tmois\theures\r\nMEP-1\t2026-01\t7\r\nMEP-2\t2026-02\t8\r\n"))
        #expect(csv.separator == "\t")
        #expect(csv.records.map(\.line) == [2, 3])
        #expect(csv.records[1].fields == ["MEP-2", "2026-02", "8"])
    }

    @Test func lastLineWithoutLineBreakKeepsItsEmptyLastField() throws {
        let csv = try CSVText.decode(utf8("a;b;c\n1;2;"))
        #expect(csv.records[0].fields == ["1", "2", ""])
    }

    @Test func quotedFieldWithLineBreakSeparatorAndDoubledQuotes() throws {
        let text = """
            \(hoursHeader)
            MEP-1;2026-01;7,5;0;"absent le 12 ; « malade »
            retour le 14, dit ""ok""
            fin"
            MEP-2;2026-01;10;2;
            """
        let csv = try CSVText.decode(utf8(text))
        #expect(csv.records.map(\.line) == [2, 5])
        #expect(csv.records[0].fields[4] == "absent le 12 ; « malade »\nretour le 14, dit \"ok\"\nfin")
        let parsed = try hours(text)
        #expect(parsed.rows.map(\.line) == [2, 5])
        #expect(parsed.rows[0].comment?.hasPrefix("absent le 12") == true)
    }

    @Test func linesAfterAMultilineFieldAreNumberedPhysically() {
        let text = "\(hoursHeader)\nMEP-1;2026-01;7;0;\"a\nb\"\nMEP-2;2026-01;-3;0;\n"
        let found = problems { _ = try hours(text) }
        #expect(found.map(\.line) == [4])
    }

    @Test func emptyFileAndHeaderOnly() {
        for text in ["", "  \n\n", hoursHeader, "\(hoursHeader)\n\n;;;;\n"] {
            let found = problems { _ = try CSVText.decode(utf8(text)) }
            #expect(found.count == 1, "\(text)")
        }
    }

    @Test func blankLineInTheMiddleIsAnError() {
        let text = "\(hoursHeader)\nMEP-1;2026-01;7;0;\n\nMEP-2;2026-01;7;0;\n"
        let found = problems { _ = try CSVText.decode(utf8(text)) }
        #expect(found == [.init(line: 3, message: "ligne vide")])
        #expect(found[0].frenchDescription == "ligne 3 : ligne vide")
    }

    @Test func trailingBlankLinesAndSeparatorOnlyRowsAreIgnored() throws {
        let text = "\(hoursHeader)\r\nMEP-1;2026-01;7;0;\r\n;;;;\r\n\r\n ;;; ;\r\n\r\n"
        let parsed = try hours(text)
        #expect(parsed.rows.count == 1)
    }

    @Test func wrongFieldCount() {
        let text = "\(hoursHeader)\nMEP-1;2026-01;7\nMEP-2;2026-01;7;0;ok;en trop\nMEP-3;2026-01;7;0;;\n"
        let found = problems { _ = try CSVText.decode(utf8(text)) }
        // Line 4 has an extra non-empty field; line 5 only an extra empty one, which is tolerated.
        #expect(found.map(\.line) == [2, 3])
        #expect(found[0].message.hasPrefix("3 champs au lieu de 5"))
    }

    @Test func unclosedQuote() {
        let text = "\(hoursHeader)\nMEP-1;2026-01;7;0;ok\nMEP-2;2026-01;7;0;\"pas fermé\nMEP-3;2026-01;7;0;\n"
        let found = problems { _ = try CSVText.decode(utf8(text)) }
        #expect(found == [.init(line: 3, message: "guillemet ouvert jamais fermé")])
    }

    @Test func strayQuote() {
        let found = problems { _ = try CSVText.decode(utf8("a;b\n1;2\n3;écran 15\" pouces\n")) }
        #expect(found.map(\.line) == [3])
    }
}

@Suite struct CellParserTests {
    @Test func frenchDecimals() throws {
        #expect(try CellParsers.hours("7,5").get() == dec("7.5"))
        #expect(try CellParsers.hours("7.5").get() == dec("7.5"))
        #expect(try CellParsers.hours("151,67").get() == dec("151.67"))
        #expect(try CellParsers.hours("1 234,5").get() == dec("1234.5"))
        #expect(try CellParsers.hours("1\u{202F}234,5").get() == dec("1234.5"))
        #expect(try CellParsers.hours(",5").get() == dec("0.5"))
        #expect(try CellParsers.hours("35").get() == 35)
        for bad in ["7h30", "7,5,1", "abc", ",", "1.234,5", "7,333"] {
            #expect(throws: CellProblem.self, "\(bad)") { try CellParsers.hours(bad).get() }
        }
        #expect(CellParsers.hours("-2") == .failure(CellProblem("les heures ne peuvent pas être négatives (« -2 »)")))
    }

    @Test func dates() throws {
        let jan31 = LocalDate(year: 2026, month: 1, day: 31)!
        #expect(try CellParsers.date("31/01/2026").get() == jan31)
        #expect(try CellParsers.date("2026-01-31").get() == jan31)
        #expect(try CellParsers.date("31/01/2026 00:00:00").get() == jan31)
        #expect(try CellParsers.date("1/2/2026").get() == LocalDate(year: 2026, month: 2, day: 1)!)
        #expect(CellParsers.date("31/02/2026") == .failure(CellProblem("date impossible : « 31/02/2026 »")))
        #expect(try CellParsers.date("29/02/2028").get() == LocalDate(year: 2028, month: 2, day: 29)!)
        // LibreOffice's French short date writes two-digit years, read in its 1930–2029 window.
        #expect(try CellParsers.date("31/01/26").get() == jan31)
        #expect(try CellParsers.date("14/03/88").get() == LocalDate(year: 1988, month: 3, day: 14)!)
        #expect(try CellParsers.date("01/01/29").get() == LocalDate(year: 2029, month: 1, day: 1)!)
        #expect(try CellParsers.date("01/01/30").get() == LocalDate(year: 1930, month: 1, day: 1)!)
        for bad in ["31/01/026", "2026/01/31", "demain", "31-01", "31/01/2"] {
            #expect(throws: CellProblem.self, "\(bad)") { try CellParsers.date(bad).get() }
        }
    }

    @Test func months() throws {
        #expect(try CellParsers.month("2026-01").get() == month(2026, 1))
        #expect(try CellParsers.month("01/2026").get() == month(2026, 1))
        #expect(try CellParsers.month("1/2026").get() == month(2026, 1))
        #expect(try CellParsers.month("31/01/2026").get() == month(2026, 1))
        #expect(try CellParsers.month("2026-01-31").get() == month(2026, 1))
        #expect(CellParsers.month("13/2026") == .failure(CellProblem("mois impossible : « 13/2026 »")))
        #expect(CellParsers.month("30/02/2026") == .failure(CellProblem("date impossible : « 30/02/2026 »")))
        #expect(throws: CellProblem.self) { try CellParsers.month("janvier").get() }
        // What LibreOffice Calc (French locale) and Excel write in a month column.
        let october = month(2026, 10)
        for spelling in [
            "01/10/26", "10/26", "octobre 2026", "Octobre 2026", "oct. 2026", "oct.-26", "oct-26", "OCT-26",
            "oct 2026",
        ] {
            #expect(try CellParsers.month(spelling).get() == october, "\(spelling)")
        }
        #expect(try CellParsers.month("févr.-27").get() == month(2027, 2))
        #expect(try CellParsers.month("août 2026").get() == month(2026, 8))
        #expect(try CellParsers.month("déc. 2026").get() == month(2026, 12))
        #expect(try CellParsers.month("janv.-26").get() == month(2026, 1))
        for bad in ["octobr 2026", "oct.", "oct.-2", "13/26", "brumaire 2026"] {
            #expect(throws: CellProblem.self, "\(bad)") { try CellParsers.month(bad).get() }
        }
    }

    @Test func yesNo() throws {
        for yes in ["oui", "OUI", "o", "1", "true", "x", "X", "Vrai"] {
            #expect(try CellParsers.yesNo(yes).get() == true)
        }
        for no in ["non", "N", "0", "false", "Faux"] { #expect(try CellParsers.yesNo(no).get() == false) }
        #expect(throws: CellProblem.self) { try CellParsers.yesNo("peut-être").get() }
    }

    @Test func communeCodes() throws {
        #expect(try CellParsers.communeCode("69123").get() == "69123")
        #expect(try CellParsers.communeCode("2a004").get() == "2A004")
        #expect(try CellParsers.communeCode("2B033").get() == "2B033")
        for bad in ["1053", "2C004", "6912", "691234", "Lyon"] {
            #expect(throws: CellProblem.self, "\(bad)") { try CellParsers.communeCode(bad).get() }
        }
    }

    @Test func siret() throws {
        #expect(SIRET.isValid("73282932000074"))
        #expect(SIRET.isValid("732 829 320 00074"))
        #expect(SIRET.normalize("732 829 320 00074") == "73282932000074")
        #expect(!SIRET.isValid("73282932000075"))  // wrong Luhn key
        #expect(!SIRET.isValid("7328293200007"))  // 13 digits
        #expect(!SIRET.isValid("7328293200007A"))
        // La Poste: digits add up to a multiple of 5 although the Luhn key is wrong.
        #expect(SIRET.isValid("35600000000001"))
        #expect(!SIRET.luhn("35600000000001".compactMap(\.wholeNumberValue)))
        #expect(!SIRET.isValid("35600000000002"))
        #expect(SIRET.isValid("35600000000048"))  // La Poste head office follows Luhn
        #expect(try CellParsers.siret("443 061 841 00047").get() == "44306184100047")
        #expect(throws: CellProblem.self) { try CellParsers.siret("44306184100048").get() }
    }

    @Test func headerNormalization() {
        let forms = [
            "Heures travaillées", "heures_travaillees", "HEURES-TRAVAILLEES", " heures  travaillées ",
            "Heures Travaillées (h)",
        ]
        #expect(Set(forms.map(ColumnSchema.normalizedName)).count == 2)  // "(h)" adds an "h"
        #expect(ColumnSchema.normalizedName("Mise à l’emploi") == ColumnSchema.normalizedName("mise a l'emploi"))
    }
}

@Suite struct HoursImportTests {
    @Test func parsesTypedRows() throws {
        let text = """
            \(hoursHeader)
            mep-2026-00042;2026-01;151,67;7,5;RAS
            MEP-2026-00043;02/2026;35;;
            MEP-2026-00042;31/03/2026;0;0;
            """
        let parsed = try hours(text)
        #expect(parsed.warnings.isEmpty)
        #expect(
            parsed.rows == [
                HoursImportRow(
                    line: 2, placementCode: "MEP-2026-00042", month: month(2026, 1), workedHours: dec("151.67"),
                    trainingHours: dec("7.5"), comment: "RAS"),
                HoursImportRow(
                    line: 3, placementCode: "MEP-2026-00043", month: month(2026, 2), workedHours: 35,
                    trainingHours: 0, comment: nil),
                HoursImportRow(
                    line: 4, placementCode: "MEP-2026-00042", month: month(2026, 3), workedHours: 0,
                    trainingHours: 0, comment: nil),
            ])
    }

    @Test func headerMatchingIgnoresCaseAccentsAndUsesAliases() throws {
        let text = "Mise à l’emploi;PERIODE;HEURES-TRAVAILLEES;heures_de_formation\nMEP-1;2026-01;7;1\n"
        let parsed = try hours(text)
        #expect(parsed.rows[0].trainingHours == 1)
        let csv = "  Placement ;Mois;Heures réalisées\nMEP-1;2026-01;7\n"
        #expect(try hours(csv).rows[0].workedHours == 7)
    }

    @Test func missingExtraAndDuplicatedColumns() {
        let missing = problems { _ = try hours("placement;mois\nMEP-1;2026-01\n") }
        #expect(
            missing == [
                .init(
                    line: 1, column: "heures travaillées",
                    message: "colonne obligatoire manquante : « heures travaillées »")
            ])

        let extra = problems { _ = try hours("placement;mois;heures;Bonus\nMEP-1;2026-01;7;3\n") }
        #expect(extra.count == 1)
        #expect(extra.first?.line == 1)
        #expect(extra.first?.column == "Bonus")
        #expect(extra.first?.message.hasPrefix("colonne inconnue « Bonus »") == true)

        let duplicated = problems { _ = try hours("placement;mois;Heures travaillées;heures\nMEP-1;2026-01;7;7\n") }
        #expect(
            duplicated == [
                .init(
                    line: 1, column: "heures",
                    message: "colonne « heures » en double (même colonne que « Heures travaillées »)")
            ])
    }

    @Test func duplicatedPlacementAndMonth() {
        let text = "\(hoursHeader)\nMEP-1;2026-01;7;0;\nMEP-2;2026-01;7;0;\nmep-1;01/2026;8;0;\n"
        let found = problems { _ = try hours(text) }
        #expect(found.count == 1)
        #expect(found.first?.line == 4)
        #expect(found.first?.column == "placement")
        #expect(found.first?.message.hasPrefix("doublon de la ligne 2") == true)
    }

    @Test func negativeHours() {
        let found = problems { _ = try hours("\(hoursHeader)\nMEP-1;2026-01;-7;0;\n") }
        #expect(
            found == [
                .init(
                    line: 2, column: "heures travaillées", message: "les heures ne peuvent pas être négatives (« -7 »)")
            ])
    }

    @Test func monthlyMaximumIsAnError() throws {
        let found = problems { _ = try hours("\(hoursHeader)\nMEP-1;2026-01;745;0;\nMEP-2;2026-02;600;100;\n") }
        #expect(found.map(\.line) == [2, 3])
        #expect(found[0].message.contains("744"))
        #expect(found[1].message.contains("672"))  // February 2026 has 28 days
        // Exactly 31 × 24 passes (with a warning).
        #expect(try hours("\(hoursHeader)\nMEP-1;2026-01;744;0;\n").warnings.count == 1)
    }

    @Test func aboveThePlausibleCeilingIsAWarning() throws {
        let parsed = try hours("\(hoursHeader)\nMEP-1;2026-01;200;30;\nMEP-2;2026-01;220;0;\n", ceiling: 220)
        #expect(parsed.rows.count == 2)
        #expect(parsed.warnings.count == 1)
        #expect(parsed.warnings.first?.line == 2)
        #expect(parsed.warnings.first?.message.hasPrefix("230 h déclarées") == true)
    }

    @Test func requiredCells() {
        let found = problems { _ = try hours("\(hoursHeader)\n;;;;rien\n") }
        #expect(found.map(\.column) == ["placement", "mois", "heures travaillées"])
        #expect(found.allSatisfy { $0.line == 2 })
    }

    @Test func everyProblemIsReportedAtOnce() {
        let text = """
            \(hoursHeader)
            MEP-1;2026-01;7;0;
            MEP-2;2026-13;7;0;
            MEP-3;2026-01;7;0;
            MEP-4;2026-01;sept;0;
            MEP-5;2026-01;7;-1;
            MEP-6;2026-01;7;0;
            """
        let found = problems { _ = try hours(text) }
        #expect(found.map(\.line) == [3, 5, 6])
        #expect(found.map(\.column) == ["mois", "heures travaillées", "heures de formation"])
    }

    @Test func structureAndCellProblemsAreReportedTogether() {
        let text = "\(hoursHeader)\nMEP-1;2026-01;x;0;\n\nMEP-2;2026-01;7\n"
        let found = problems { _ = try hours(text) }
        #expect(found.map(\.line) == [2, 3, 4])
    }
}

@Suite struct ParticipantsImportTests {
    let header =
        "Référence;Nom;Prénom;Date de naissance;Sexe;Commune;QPV;Niveau de qualification;Prescripteur;"
        + "Entrée PLIE;Permis;Véhicule;Distance max (km);Disponible le;Métiers;Critères;Date justificatif"

    @Test func parsesTypedRows() throws {
        let text = """
            \(header)
            P-001;Martin;Léa;12/05/1990;F;69123;oui;CAP;France Travail;2025-09-01;o;non;25;01/04/2026;"F1703, F1602";"rsa | DELD";10/01/2026
            P-002;Durand;Karim;;H;2A004;;;;;;;;;;;
            """
        let rows = try ParticipantsImport.parse(utf8(text), today: today)
        #expect(rows.count == 2)
        #expect(
            rows[0]
                == ParticipantImportRow(
                    line: 2, reference: "P-001", lastName: "Martin", firstName: "Léa",
                    birthDate: LocalDate(year: 1990, month: 5, day: 12), sex: .female, communeCode: "69123",
                    priorityArea: .qpv, qualificationLevel: .level3, prescriber: .franceTravail,
                    pathwayEntryDate: LocalDate(year: 2025, month: 9, day: 1),
                    hasDrivingLicence: true, hasVehicle: false, maxDistanceKm: 25,
                    availableFrom: LocalDate(year: 2026, month: 4, day: 1),
                    romeCodes: ["F1703", "F1602"], criteria: ["RSA", "DELD"],
                    criteriaProofDate: LocalDate(year: 2026, month: 1, day: 10)))
        #expect(
            rows[1]
                == ParticipantImportRow(
                    line: 3, reference: "P-002", lastName: "Durand", firstName: "Karim",
                    sex: .male, communeCode: "2A004"))
    }

    @Test func minimalColumns() throws {
        let rows = try ParticipantsImport.parse(utf8("reference,nom,prenom\nP-1,Petit,Anne\n"), today: today)
        #expect(rows.map(\.reference) == ["P-1"])
    }

    @Test func unknownCriterionFutureProofAndOtherCellProblems() {
        let text = """
            reference;nom;prenom;criteres;date justificatif;metiers;commune;distance max km;sexe
            P-1;Petit;Anne;RSA, CHOMEUR;01/01/2026;;;;
            P-2;Roux;Paul;RQTH;16/03/2026;;;;
            P-3;Blanc;Marc;AAH;;;;;
            P-4;Noir;Lina;;;F170, Z1234;1053;-3;X
            P-1;Vert;Ali;;;;;;
            """
        let found = problems { _ = try ParticipantsImport.parse(utf8(text), today: today) }
        #expect(found.map(\.line) == [2, 3, 4, 5, 5, 5, 5, 6])
        #expect(found[0].column == "criteres")
        #expect(found[0].message.hasPrefix("critère « CHOMEUR » inconnu ; codes acceptés : DELD, DETLD, RSA"))
        #expect(found[1] == .init(line: 3, column: "date justificatif", message: "justificatif daté dans le futur"))
        #expect(found[2].message == "date du justificatif obligatoire lorsque des critères sont indiqués")
        #expect(found[3].column == "metiers")
        #expect(found[3].message.contains("« F170 »") && found[3].message.contains("« Z1234 »"))
        // Within a line, problems follow the file's column order.
        #expect(found[4].column == "commune")
        #expect(found[5].column == "distance max km")
        #expect(found[6].column == "sexe")
        #expect(found[7].message.hasPrefix("doublon de la ligne 2"))
    }

    @Test func proofDatedTodayIsAccepted() throws {
        let text =
            "reference;nom;prenom;criteres;date justificatif\nP-1;Petit;Anne;e2c_epide REASONED_OPINION;2026-03-15\n"
        let rows = try ParticipantsImport.parse(utf8(text), today: today)
        #expect(rows[0].criteria == ["E2C_EPIDE", "REASONED_OPINION"])
    }
}

@Suite struct ExampleFilesTests {
    /// The files shipped in docs/examples parse without problems.
    @Test func examplesParse() throws {
        let docs = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/examples")
        let parsed = try HoursImport.parse(
            Data(contentsOf: docs.appendingPathComponent("heures.csv")), plausibleMonthlyCeiling: 220)
        #expect(!parsed.rows.isEmpty)
        let participants = try ParticipantsImport.parse(
            Data(contentsOf: docs.appendingPathComponent("participants.csv")), today: today)
        #expect(!participants.isEmpty)
    }

    /// Files as LibreOffice Calc (French locale, « Texte CSV » with its defaults: UTF-8, commas, dates as
    /// shown, `01/10/26`) and Excel (« CSV (séparateur : point-virgule) »: Windows-1252, CRLF, months as
    /// formatted, `oct.-26` and `octobre 2026`) save them.
    @Test func spreadsheetFiles() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let october = YearMonth(year: 2026, month: 10)
        let libre = try HoursImport.parse(
            Data(contentsOf: fixtures.appendingPathComponent("heures-libreoffice.csv")), plausibleMonthlyCeiling: 220)
        #expect(libre.rows.map(\.month) == [october, october])
        #expect(libre.rows.map(\.workedHours) == [Decimal(string: "151.67"), Decimal(string: "84.5")])
        let excel = try HoursImport.parse(
            Data(contentsOf: fixtures.appendingPathComponent("heures-excel.csv")), plausibleMonthlyCeiling: 220)
        #expect(excel.rows.map(\.month) == [october, october, YearMonth(year: 2027, month: 2)])
        let people = try ParticipantsImport.parse(
            Data(contentsOf: fixtures.appendingPathComponent("participants-libreoffice.csv")), today: today)
        #expect(people.first?.birthDate == LocalDate(year: 1988, month: 3, day: 14))
    }
}
