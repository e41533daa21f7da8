import ClausesCore
import Foundation

/// How balances read on pages: typed views of the balance service's figures, every figure in French.
enum Percent {
    static func text(_ value: Decimal?) -> String {
        guard let value else { return "—" }
        return French.number(value * 100, fixedFraction: 1) + " %"
    }
}

/// One lot's balance: the figures, the meter and chart, the months, and the hours awaiting validation.
struct LotBalanceView: Codable, Sendable {
    struct Month: Codable, Sendable {
        let month: String
        let worked: String
        let training: String
        let credited: String
        let cumulative: String
    }

    let status: String
    let statusLabel: String
    let statusExplanation: String
    let required: String
    let worked: String
    let training: String
    let credited: String
    let remaining: String
    let surplus: String
    let expected: String
    let completion: String
    let progress: String
    let meter: String
    let at: String
    let chart: String
    let explanation: [String]
    let months: [Month]

    init(_ lot: LotBalance) {
        let b = lot.balance
        status = b.status.rawValue
        statusLabel = b.status.frenchLabel
        statusExplanation = b.statusExplanation.french()
        required = French.hours(b.requiredHours)
        worked = French.hours(b.workedHours)
        training = French.hours(b.trainingHours)
        credited = French.hours(b.creditedHours)
        remaining = French.hours(b.remainingHours)
        surplus = French.hours(b.surplusHours)
        expected = b.expectedHours.map { French.hours($0) } ?? "—"
        completion = Percent.text(b.completionRate)
        progress = Percent.text(b.progress)
        meter = Meter.svg(
            completion: b.completionRate, expected: b.progress,
            label:
                "Heures valorisées : \(Percent.text(b.completionRate)) des heures prescrites ; avancement attendu : \(Percent.text(b.progress))"
        )
        at = b.at.french
        chart = BalanceChart.svg(months: lot.credit.months, balance: b)
        explanation = lot.credit.explanation.map { $0.french() }
        months = lot.credit.months.reversed().map { m in
            Month(
                month: French.month(m.month), worked: French.hours(m.worked), training: French.hours(m.training),
                credited: French.hours(m.credited), cumulative: French.hours(m.cumulativeCredited))
        }
    }
}

/// The total of several lots (a marché, an operation, a buyer, a company).
struct AggregateView: Codable, Sendable {
    let status: String
    let statusLabel: String
    let required: String
    let credited: String
    let remaining: String
    let completion: String
    let lots: Int
    let meter: String

    init(_ a: BalanceAggregate) {
        status = a.status.rawValue
        statusLabel = a.status.frenchLabel
        required = French.hours(a.requiredHours)
        credited = French.hours(a.creditedHours)
        remaining = French.hours(a.remainingHours)
        completion = Percent.text(a.completionRate)
        lots = a.lotCount
        meter = Meter.svg(
            completion: a.completionRate, label: "\(Percent.text(a.completionRate)) des heures prescrites valorisées")
    }
}

/// A lot in a list of balances, most urgent first.
struct UrgentLotRow: Codable, Sendable {
    let link: String
    let reference: String
    let number: Int
    let label: String
    let contractor: String
    let status: String
    let statusLabel: String
    let credited: String
    let required: String
    let expected: String
    let shortfall: String
    let end: String
    /// « N relevé(s) à valider » (a distinct name: a nil field would let Mustache read the page's own).
    let awaitingValidation: String?
    let meter: String

    init(_ lot: LotBalance) {
        let b = lot.balance
        link = Web.lot.path(lot.lotId)
        reference = lot.publicContractReference
        number = lot.lotNumber
        label = lot.lotLabel
        contractor = lot.contractorName ?? "—"
        status = b.status.rawValue
        statusLabel = b.status.frenchLabel
        credited = French.hours(b.creditedHours)
        required = French.hours(b.requiredHours)
        expected = b.expectedHours.map { French.hours($0) } ?? "—"
        shortfall = French.hours(b.shortfallHours)
        end = Display.date(b.executionEnd)
        awaitingValidation =
            if let count = lot.pendingReports, count > 0 {
                "\(count) relevé(s) à valider"
            } else if lot.pendingHours > 0 {
                "\(French.hours(lot.pendingHours)) à valider"
            } else {
                nil
            }
        meter = Meter.svg(
            completion: b.completionRate, label: "\(Percent.text(b.completionRate)) des heures prescrites", small: true)
    }
}

/// A balance summary page's body: the total, the lots most urgent first, the « bilan au » date.
struct SummaryView: Codable, Sendable {
    let at: String
    let atISO: String
    let total: AggregateView
    let lots: [UrgentLotRow]
    let pendingHours: String?
    /// The lots' months added up (`BalanceChart`).
    let chart: String

    init(_ summary: BalanceSummary) {
        at = summary.at.french
        atISO = summary.at.description
        total = AggregateView(summary.aggregate)
        lots = summary.lots.map(UrgentLotRow.init)
        chart = BalanceChart.svg(summary: summary)
        pendingHours =
            summary.pendingHours > 0
            ? "\(French.hours(summary.pendingHours)) déclarées attendent une validation et ne sont pas comptées." : nil
    }
}

/// A placement on a lot's page.
struct PlacementRow: Codable, Sendable {
    let code: String
    let person: String
    let company: String
    let mode: String
    let contract: String
    let period: String
    let weekly: String
    /// « non comptée » for a placement outside the clause's count; empty otherwise (no tag shown).
    let notCounting: Bool

    init(_ p: Placement) {
        code = p.code
        person = p.participantName
        company = p.companyName
        mode = p.executionMode.frenchLabel
        contract = p.contractType.frenchLabel
        period = "\(p.startDate.french) → \(Display.date(p.endDate))"
        weekly = French.hours(p.weeklyHours)
        notCounting = !p.counting
    }
}
