import ClausesCore
import Foundation

/// The month-by-month chart of a lot or of several, drawn on the server as SVG: bars of hours credited
/// each month, the cumulative line, the required level and, for one lot, the expected progress line
/// (linear over its execution).
enum BalanceChart {
    /// What the chart draws.
    struct Series {
        let credited: [YearMonth: Decimal]
        let required: Decimal
        let start: YearMonth?
        let end: YearMonth?
        let at: YearMonth
        /// One lot's expected progress is a line over its execution; several lots' is not drawn.
        let drawsExpected: Bool
    }
    static let width = 720.0, height = 260.0
    /// The left margin holds the hour labels at the phone size (`app.css` enlarges the text there).
    static let left = 84.0, right = 16.0, top = 16.0, bottom = 40.0

    /// One lot's chart.
    static func svg(months: [MonthCredit], balance: Balance) -> String {
        svg(
            Series(
                credited: Dictionary(months.map { ($0.month, $0.credited) }, uniquingKeysWith: { $1 }),
                required: balance.requiredHours, start: balance.executionStart?.yearMonth,
                end: balance.executionEnd?.yearMonth, at: balance.at.yearMonth, drawsExpected: true))
    }

    /// Several lots' chart (a marché, an operation, a buyer, a company): their months added up, against
    /// the sum of their required hours, from the first lot's start to the last one's end.
    static func svg(summary: BalanceSummary) -> String {
        let balances = summary.lots.map(\.balance)
        return svg(
            Series(
                credited: Dictionary(summary.months.map { ($0.month, $0.credited) }, uniquingKeysWith: { $1 }),
                required: summary.aggregate.requiredHours,
                start: balances.compactMap(\.executionStart).min()?.yearMonth,
                end: balances.compactMap(\.executionEnd).max()?.yearMonth, at: summary.at.yearMonth,
                drawsExpected: false))
    }

    static func svg(_ series: Series) -> String {
        let months = series.credited.keys.sorted()
        guard let first = series.start.map({ min($0, months.first ?? $0) }) ?? months.first else {
            return "<p>Aucune heure déclarée pour l'instant.</p>"
        }
        let last = max(series.end ?? first, months.last ?? first, first)
        let axis = first.through(last)
        let required = double(series.required)
        var cumulative: [Double] = []
        var running = 0.0
        for month in axis {
            running += double(series.credited[month] ?? 0)
            cumulative.append(running)
        }
        let maxBar = axis.map { double(series.credited[$0] ?? 0) }.max() ?? 0
        let top = max(required, cumulative.last ?? 0, maxBar, 1) * 1.08
        let plotW = width - left - right
        let plotH = height - self.top - bottom
        let step = plotW / Double(max(axis.count, 1))
        func x(_ i: Int) -> Double { left + step * Double(i) }
        func y(_ v: Double) -> Double { self.top + plotH * (1 - v / top) }

        var svg = """
            <svg class="chart" viewBox="0 0 \(fmt(width)) \(fmt(height))" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">
            <title id="chart-title">Heures valorisées par mois et cumul, comparés aux heures prescrites et à l'avancement attendu</title>
            """
        for fraction in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let value = top / 1.08 * fraction
            svg +=
                "<line class=\"grid\" x1=\"\(fmt(left))\" x2=\"\(fmt(width - right))\" y1=\"\(fmt(y(value)))\" y2=\"\(fmt(y(value)))\"/>"
            svg +=
                "<text class=\"tick\" x=\"\(fmt(left - 6))\" y=\"\(fmt(y(value) + 4))\" text-anchor=\"end\">\(French.number(Decimal(Int(value.rounded())), maxFraction: 0))</text>"
        }
        for (i, month) in axis.enumerated() {
            let credited = series.credited[month] ?? 0
            let value = double(credited)
            if value > 0 {
                svg +=
                    "<rect class=\"bar\" x=\"\(fmt(x(i) + step * 0.15))\" y=\"\(fmt(y(value)))\" width=\"\(fmt(step * 0.7))\" height=\"\(fmt(y(0) - y(value)))\"><title>\(French.month(month)) : \(French.number(credited, maxFraction: 6)) h valorisées</title></rect>"
            }
            if axis.count <= 18 || i % max(1, axis.count / 12) == 0 {
                // On a phone only every third month is labelled (`.minor` is hidden there).
                svg +=
                    "<text class=\"tick\(i % 3 == 0 ? "" : " minor")\" x=\"\(fmt(x(i) + step / 2))\" y=\"\(fmt(height - bottom + 16))\" text-anchor=\"middle\">\(String(format: "%02d/%02d", month.month, month.year % 100))</text>"
            }
        }
        if required > 0 {
            svg +=
                "<line class=\"required\" x1=\"\(fmt(left))\" x2=\"\(fmt(width - right))\" y1=\"\(fmt(y(required)))\" y2=\"\(fmt(y(required)))\"/>"
            svg +=
                "<text class=\"legend\" x=\"\(fmt(width - right))\" y=\"\(fmt(y(required) - 4))\" text-anchor=\"end\">prescrites : \(French.number(series.required, maxFraction: 6)) h</text>"
            if series.drawsExpected, let start = series.start, let end = series.end,
                let i0 = axis.firstIndex(of: start), let i1 = axis.firstIndex(of: end)
            {
                svg +=
                    "<line class=\"expected\" x1=\"\(fmt(x(i0)))\" y1=\"\(fmt(y(0)))\" x2=\"\(fmt(x(i1) + step))\" y2=\"\(fmt(y(required)))\"/>"
            }
        }
        let shown = axis.indices.filter { axis[$0] <= series.at }
        if !shown.isEmpty {
            let points = shown.map { "\(fmt(x($0) + step / 2)),\(fmt(y(cumulative[$0])))" }.joined(separator: " ")
            svg += "<polyline class=\"cumulative\" points=\"\(points)\"/>"
        }
        svg +=
            "<line class=\"axis\" x1=\"\(fmt(left))\" x2=\"\(fmt(width - right))\" y1=\"\(fmt(y(0)))\" y2=\"\(fmt(y(0)))\"/>"
        svg += "</svg>"
        return svg
    }

    private static func double(_ d: Decimal) -> Double { NSDecimalNumber(decimal: d).doubleValue }
    private static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }
}
