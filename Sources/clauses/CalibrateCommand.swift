import ArgumentParser
import ClausesCore
import Foundation

/// `clauses calibrate <mode> …`: computes the required insertion hours of a clause (DOMAIN.md §3).
/// Numbers are read the French way ("1 000 000", "0,5", "50 %"). Refused or invalid input: French
/// message on stderr, exit status 2.
struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Calcule le nombre d'heures d'insertion exigé par une clause.",
        subcommands: [Standard.self, Fixed.self, ShareOfWorkedHours.self, PerInvoicedAmount.self, CleaningPACT.self]
    )

    /// Options shared by every mode.
    struct Output: ParsableArguments {
        @Option(name: .long, help: "Arrondi à l'heure entière : half-up (défaut), down ou up.")
        var rounding: String?

        @Flag(name: .long, help: "Affiche le résultat en JSON.")
        var json = false

        @OptionGroup var global: GlobalOptions
    }

    struct Standard: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "standard",
            abstract: "Montant HT × part de main-d'œuvre × taux d'insertion ÷ coût horaire chargé.")

        @Option(name: .long, help: "Montant du marché HT en euros (ex. « 1 000 000 »).")
        var amount: String?
        @Option(name: .customLong("labour-share"), help: "Part de main-d'œuvre (ex. 0,5 ou 50 %).")
        var labourShare: String?
        @Option(name: .long, help: "Taux d'insertion (ex. 0,05 ou 5 %).")
        var rate: String?
        @Option(name: .customLong("hourly-cost"), help: "Coût horaire chargé en euros (ex. 30).")
        var hourlyCost: String?
        @OptionGroup var output: Output

        mutating func run() throws {
            let (amount, labourShare, rate, hourlyCost) = (amount, labourShare, rate, hourlyCost)
            try Calibrate.execute(output) { () throws(DomainError) in
                .standard(
                    amount: try Calibrate.decimal(amount, "amount"),
                    labourShare: try Calibrate.rate(labourShare, "labour-share"),
                    rate: try Calibrate.rate(rate, "rate"),
                    hourlyCost: try Calibrate.decimal(hourlyCost, "hourly-cost"))
            }
        }
    }

    struct Fixed: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fixed",
            abstract: "Nombre d'heures écrit dans le marché.")

        @Option(name: .long, help: "Heures d'insertion fixées au marché.")
        var hours: String?
        @OptionGroup var output: Output

        mutating func run() throws {
            let hours = hours
            try Calibrate.execute(output) { () throws(DomainError) in
                .fixed(hours: try Calibrate.decimal(hours, "hours"))
            }
        }
    }

    struct ShareOfWorkedHours: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "share-of-worked-hours",
            abstract: "Taux d'insertion × total des heures travaillées sur le lot.")

        @Option(name: .long, help: "Taux d'insertion (ex. 0,05 ou 5 %).")
        var rate: String?
        @Option(name: .customLong("worked-hours"), help: "Total des heures travaillées déclarées sur le lot.")
        var workedHours: String?
        @OptionGroup var output: Output

        mutating func run() throws {
            let (rate, workedHours) = (rate, workedHours)
            try Calibrate.execute(output) { () throws(DomainError) in
                .shareOfWorkedHours(
                    rate: try Calibrate.rate(rate, "rate"),
                    workedHours: try Calibrate.decimal(workedHours, "worked-hours"))
            }
        }
    }

    struct PerInvoicedAmount: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "per-invoiced-amount",
            abstract: "Une heure par tranche entière de N euros facturés.")

        @Option(name: .long, help: "Montant facturé (en euros) correspondant à une heure d'insertion.")
        var per: String?
        @Option(name: .long, help: "Montant facturé en euros.")
        var invoiced: String?
        @OptionGroup var output: Output

        mutating func run() throws {
            let (per, invoiced) = (per, invoiced)
            try Calibrate.execute(output) { () throws(DomainError) in
                .perInvoicedAmount(
                    per: try Calibrate.decimal(per, "per"),
                    invoiced: try Calibrate.decimal(invoiced, "invoiced"))
            }
        }
    }

    struct CleaningPACT: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cleaning-pact",
            abstract: "Propreté (PACT) : P = 1 − S×C ÷ (A÷N) ; I = P × A ÷ C × T.")

        @Option(name: .long, help: "Chiffre d'affaires sur la période en euros (A).")
        var turnover: String?
        @Option(name: .long, help: "Durée de la période en mois (N).")
        var months: String?
        @Option(name: .long, help: "Taux d'insertion (T, ex. 0,05 ou 5 %).")
        var rate: String?
        @Option(name: .customLong("transferred-monthly-hours"), help: "Heures mensuelles du personnel repris (S).")
        var transferredMonthlyHours: String?
        @Option(name: .long, help: "Coefficient (C), 25 par défaut.")
        var coefficient: String?
        @OptionGroup var output: Output

        mutating func run() throws {
            let (turnover, months, rate, transferred, coefficient) = (
                turnover, months, rate, transferredMonthlyHours, coefficient
            )
            try Calibrate.execute(output) { () throws(DomainError) in
                .cleaningPACT(
                    turnover: try Calibrate.decimal(turnover, "turnover"),
                    months: try Calibrate.integer(months, "months"),
                    rate: try Calibrate.rate(rate, "rate"),
                    transferredMonthlyHours: try Calibrate.decimal(transferred, "transferred-monthly-hours"),
                    coefficient: try Calibrate.decimal(coefficient, "coefficient", default: 25))
            }
        }
    }
}

extension Calibrate {
    static func required(_ text: String?, _ field: String) throws(DomainError) -> String {
        guard let text else {
            throw DomainError.invalid(field, "L'option --\(field) est obligatoire pour ce mode de calcul.")
        }
        return text
    }

    static func decimal(_ text: String?, _ field: String) throws(DomainError) -> Decimal {
        try FrenchNumber.parseDecimal(required(text, field), field: field)
    }

    static func decimal(_ text: String?, _ field: String, default value: Decimal) throws(DomainError) -> Decimal {
        guard let text else { return value }
        return try FrenchNumber.parseDecimal(text, field: field)
    }

    static func rate(_ text: String?, _ field: String) throws(DomainError) -> Decimal {
        try FrenchNumber.parseRate(required(text, field), field: field)
    }

    static func integer(_ text: String?, _ field: String) throws(DomainError) -> Int {
        let text = try required(text, field)
        let value = try FrenchNumber.parseDecimal(text, field: field)
        guard value == Rounding.halfUp.apply(value), let integer = Int(FrenchNumber.format(value)) else {
            throw DomainError.invalid(field, "L'option --\(field) doit être un nombre entier : « \(text) » reçu.")
        }
        return integer
    }

    /// Builds the input, computes, prints. A `DomainError` becomes "erreur : …" on stderr and exit status 2.
    static func execute(_ output: Output, _ makeInput: () throws(DomainError) -> CalibrationInput) throws {
        do throws(DomainError) {
            let rounding =
                if let text = output.rounding { try Rounding.parse(text) } else {
                    try output.global.loadConfig().calibrationRounding
                }
            let input = try makeInput()
            let result = try calibrate(input, rounding: rounding)
            if output.json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let payload = CalibrationReport(result, input: input, rounding: rounding)
                let data = try? encoder.encode(payload)
                print(data.flatMap { String(data: $0, encoding: .utf8) } ?? "{}")
            } else {
                print("Mode : \(result.mode.frenchLabel) (\(result.mode.cliName))")
                print("Heures d'insertion exigées : \(French.number(result.requiredHours, maxFraction: 6)) h")
                print("Calcul : \(result.explanation)")
                for warning in result.warnings {
                    print("Attention : \(warning)")
                }
            }
        } catch {
            FileHandle.standardError.write(Data("erreur : \(error.message)\n".utf8))
            throw ExitCode(2)
        }
    }
}
