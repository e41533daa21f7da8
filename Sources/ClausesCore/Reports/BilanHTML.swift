import Foundation

extension Bilan {
    /// The bilan as one self-contained French HTML document (its style inside, no script, no external
    /// resource), to read on screen, to print on A4 (each page headed with the buyer and the period, page
    /// numbers at the foot) and to attach to a mail. Built from typed values, every text escaped.
    public var html: String {
        var page = HTMLDocument()
        let title = "Bilan de la clause sociale — \(scopeLabel) — \(period.french)"
        page.raw("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">")
        page.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        page.element("title", title)
        page.raw("<style>\(BilanStyle.css(header: "\(buyerName) — bilan, \(period.french)"))</style></head><body>")
        page.raw(
            "<header class=\"cover\"><p class=\"kicker\">Clause sociale d'insertion · bilan au donneur d'ordre</p>")
        page.element("h1", scopeLabel)
        page.raw("<dl class=\"ident\">")
        page.term("Donneur d'ordre", buyerName)
        if let operationName, scope != .operation { page.term("Opération", operationName) }
        page.term("Périmètre", scope.frenchLabel)
        page.term("Période", period.french)
        page.term("Situation des heures au", at.french)
        page.term("Établi le", generatedOn.french)
        page.raw("</dl></header>")

        summary(&page)
        lotsSection(&page)
        contractorsSection(&page)
        modesAndMonths(&page)
        peopleSection(&page)
        contractsAndLeverage(&page)
        method(&page)
        page.raw("</body></html>\n")
        return page.text
    }

    private func summary(_ page: inout HTMLDocument) {
        page.raw("<section id=\"synthese\"><h2>1. Synthèse</h2><div class=\"figures\">")
        page.figure("Heures prescrites", French.hours(hours.requiredHours))
        page.figure("Heures valorisées", French.hours(hours.creditedHours))
        page.figure("Dont sur la période", French.hours(hours.creditedInPeriod))
        page.figure("Heures restantes", French.hours(hours.remainingHours))
        page.figure("Taux de réalisation", hours.completionRate.map { French.percent($0) } ?? "—")
        page.figure("Situation", hours.status.frenchLabel)
        page.figure("Personnes mises à l'emploi", people.total.french(.page))
        page.figure("Contrats de travail", employmentContracts.total.french(.page))
        page.raw("</div>")
        page.element(
            "p",
            "\(French.count(lots.count, "lot", "lots")) sous clause sociale, \(French.count(publicContracts.count, "marché", "marchés")). Les heures sont arrêtées au \(at.french), depuis le début de l'exécution ; « sur la période » compte les mois \(period.kind == .sinceStart ? "jusqu'au \(period.to.french)" : "de la période").",
            class: "lead")
        page.raw("</section>")
    }

    private func lotsSection(_ page: inout HTMLDocument) {
        page.raw("<section id=\"lots\"><h2>2. Avancement par lot</h2>")
        if lots.isEmpty {
            page.element("p", "Aucun lot sous clause sociale dans ce périmètre pour cette période.")
        } else {
            page.raw(BilanChart.svg(lots))
            page.table(
                caption: "État des heures par lot",
                header: [
                    "Marché", "Lot", "Titulaire", "Prescrites", "Valorisées", "Sur la période", "Restantes", "Taux",
                    "Situation", "Excédent",
                ],
                numeric: [3, 4, 5, 6, 7, 9],
                rows: lots.map { lot in
                    [
                        lot.contractReference, "\(lot.lotNumber) — \(lot.lotLabel)", lot.contractorName ?? "—",
                        French.hours(lot.hours.requiredHours), French.hours(lot.hours.creditedHours),
                        French.hours(lot.hours.creditedInPeriod), French.hours(lot.hours.remainingHours),
                        lot.hours.completionRate.map { French.percent($0) } ?? "—", lot.hours.status.frenchLabel,
                        French.hours(lot.hours.surplusHours),
                    ]
                })
        }
        page.raw("</section>")
    }

    private func contractorsSection(_ page: inout HTMLDocument) {
        guard !contractors.isEmpty else { return }
        page.raw("<section id=\"entreprises\"><h2>3. Par entreprise titulaire</h2>")
        page.table(
            caption: "Heures par entreprise titulaire",
            header: ["Entreprise", "Lots", "Prescrites", "Réalisées", "Valorisées", "Restantes", "Taux", "Situation"],
            numeric: [1, 2, 3, 4, 5, 6],
            rows: contractors.map { c in
                [
                    c.name, String(c.lotCount), French.hours(c.hours.requiredHours), French.hours(c.hours.workedHours),
                    French.hours(c.hours.creditedHours), French.hours(c.hours.remainingHours),
                    c.hours.completionRate.map { French.percent($0) } ?? "—", c.hours.status.frenchLabel,
                ]
            })
        page.raw("</section>")
    }

    private func modesAndMonths(_ page: inout HTMLDocument) {
        page.raw("<section id=\"modalites\"><h2>4. Heures par modalité et par mois</h2>")
        page.table(
            caption: "Heures par modalité d'exécution (depuis le début de l'exécution)",
            header: ["Modalité", "Réalisées", "Valorisées"], numeric: [1, 2],
            rows: byMode.map { [$0.label, French.hours($0.workedHours), French.hours($0.creditedHours)] },
            empty: "Aucune heure déclarée.")
        page.table(
            caption: "Heures mois par mois (mois de la période)",
            header: ["Mois", "Réalisées", "Formation", "Valorisées", "Cumul valorisé"], numeric: [1, 2, 3, 4],
            rows: months.map {
                [
                    $0.label, French.hours($0.workedHours), French.hours($0.trainingHours),
                    French.hours($0.creditedHours), French.hours($0.cumulativeCreditedHours),
                ]
            }, empty: "Aucune heure validée pour les mois de la période.")
        page.raw("</section>")
    }

    private func peopleSection(_ page: inout HTMLDocument) {
        page.raw("<section id=\"personnes\"><h2>5. Les personnes</h2>")
        page.element(
            "p",
            "Personnes distinctes ayant travaillé sur ces lots pendant la période : \(people.total.french(.page)). Les effectifs inférieurs à \(secrecyThreshold) sont affichés « < \(secrecyThreshold) » et certains autres « masqué », pour qu'aucune personne ne puisse être reconnue.",
            class: "lead")
        page.raw("<div class=\"breakdowns\">")
        for breakdown in people.breakdowns { page.breakdown(breakdown) }
        page.raw("</div>")
        if !lots.isEmpty {
            let columns = lots.first?.people.breakdowns.flatMap { $0.cells.map(\.label) } ?? []
            page.table(
                caption: "Personnes par lot (sexe, âge à la première mise à l'emploi)",
                header: ["Lot", "Personnes"] + columns, numeric: Array(1...(columns.count + 1)),
                rows: lots.map { lot in
                    [lot.csvName, lot.people.total.french(.page)]
                        + lot.people.breakdowns.flatMap { $0.cells.map { $0.count.french(.page) } }
                }, small: true)
        }
        page.raw("</section>")
    }

    private func contractsAndLeverage(_ page: inout HTMLDocument) {
        page.raw("<section id=\"contrats\"><h2>6. Contrats de travail et effet levier</h2><div class=\"breakdowns\">")
        page.breakdown(employmentContracts.byType, total: employmentContracts.total)
        page.breakdown(employmentContracts.qualifyingHires, total: employmentContracts.total)
        page.raw("</div><div class=\"figures\">")
        page.figure("Heures excédentaires conservées", French.hours(leverage.surplusHours))
        page.figure("Heures travaillées hors clause", French.hours(leverage.hoursBeyondClause))
        page.raw("</div>")
        page.element(
            "p",
            "Effet levier : les heures valorisées au-delà des heures prescrites, et les heures que les personnes de ce bilan ont travaillées pendant la période hors de ces lots (autres chantiers, emploi après la clause), telles qu'elles sont enregistrées."
        )
        page.raw("</section>")
    }

    private func method(_ page: inout HTMLDocument) {
        page.raw("<section id=\"methode\"><h2>Méthode</h2><ul>")
        for line in [
            "Heures : relevés mensuels validés par le facilitateur, comptés selon les règles de la clause (éligibilité au démarrage, heures sur l'opération, modalités, plafond de formation, bonus d'embauche).",
            "Situation d'un lot : « En retard » quand les heures valorisées sont sous les heures attendues à cette date (au prorata de l'exécution), moins la tolérance ; « Non conforme » quand l'exécution est finie sans atteindre les heures prescrites.",
            "Personnes : comptées une fois chacune, avec les critères d'éligibilité retenus sur leurs mises à l'emploi ; l'âge est celui de leur première mise à l'emploi du périmètre.",
            "Situation après la mise à l'emploi : un emploi ou une formation enregistrés à la date, sinon la sortie du PLIE ; « inconnue » quand rien n'est enregistré.",
            "Secret statistique : aucun nom, date de naissance, commune ni identifiant de personne ; un effectif de 1 à \(secrecyThreshold - 1) est affiché « < \(secrecyThreshold) », et d'autres cases du même tableau sont « masqué » pour qu'il ne puisse pas être retrouvé par soustraction. Les heures ne sont jamais masquées.",
        ] {
            page.element("li", line)
        }
        page.raw("</ul></section>")
    }
}

/// A small HTML writer: every text goes through `HTMLText.escape`.
struct HTMLDocument {
    private(set) var text = ""

    mutating func raw(_ html: String) { text += html }

    mutating func element(_ name: String, _ content: String, class className: String? = nil) {
        text += "<\(name)\(className.map { " class=\"\($0)\"" } ?? "")>\(HTMLText.escape(content))</\(name)>"
    }

    mutating func term(_ name: String, _ value: String) {
        text += "<dt>\(HTMLText.escape(name))</dt><dd>\(HTMLText.escape(value))</dd>"
    }

    mutating func figure(_ label: String, _ value: String) {
        text +=
            "<div class=\"figure\"><span class=\"value\">\(HTMLText.escape(value))</span><span class=\"label\">\(HTMLText.escape(label))</span></div>"
    }

    /// A table; `numeric` columns are right-aligned; its header repeats on each printed page.
    mutating func table(
        caption: String, header: [String], numeric: [Int], rows: [[String]], empty: String? = nil, small: Bool = false
    ) {
        if rows.isEmpty, let empty {
            element("p", "\(caption) : \(empty)")
            return
        }
        let align = { (index: Int) in numeric.contains(index) ? " class=\"num\"" : "" }
        text += "<table\(small ? " class=\"small\"" : "")><caption>\(HTMLText.escape(caption))</caption><thead><tr>"
        for (index, cell) in header.enumerated() {
            text += "<th scope=\"col\"\(align(index))>\(HTMLText.escape(cell))</th>"
        }
        text += "</tr></thead><tbody>"
        for row in rows {
            text += "<tr>"
            for (index, cell) in row.enumerated() { text += "<td\(align(index))>\(HTMLText.escape(cell))</td>" }
            text += "</tr>"
        }
        text += "</tbody></table>"
    }

    /// A breakdown as a two-column table, its total last when given.
    mutating func breakdown(_ breakdown: Breakdown, total: PublishedCount? = nil) {
        var rows = breakdown.cells.map { [$0.label, $0.count.french(.page)] }
        if let total { rows.append(["Total", total.french(.page)]) }
        table(
            caption: breakdown.label + (breakdown.partition ? "" : " (une personne peut en avoir plusieurs)"),
            header: ["Catégorie", "Nombre"], numeric: [1], rows: rows, empty: "aucun.")
    }
}

/// The bilan's style: screen and A4 print (the header and page numbers in the page margins).
enum BilanStyle {
    static func css(header: String) -> String {
        """
        @page { size: A4; margin: 20mm 14mm 18mm 14mm;
          @top-left { content: "\(cssString(header))"; font: 8.5pt "DejaVu Sans", sans-serif; color: #444; }
          @bottom-right { content: "page " counter(page) " / " counter(pages); font: 8.5pt "DejaVu Sans", sans-serif; color: #444; } }
        body { font: 10.5pt/1.45 "DejaVu Sans", "Liberation Sans", sans-serif; color: #1b1b1b; margin: 0 auto; max-width: 60rem; padding: 1rem; }
        h1 { font-size: 18pt; margin: .2rem 0 .6rem; } h2 { font-size: 13pt; border-bottom: 2px solid #000091; padding-bottom: .2rem; margin-top: 1.6rem; break-after: avoid; }
        .kicker { text-transform: uppercase; letter-spacing: .06em; font-size: 8.5pt; color: #000091; margin: 0; }
        .ident { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
        .ident dt { font-weight: bold; } .ident dd { margin: 0; }
        .cover { border-bottom: 1px solid #999; padding-bottom: .8rem; }
        .figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: .5rem; margin: .6rem 0; break-inside: avoid; }
        .figure { border: 1px solid #ccd; border-radius: 4px; padding: .4rem .5rem; }
        .figure .value { display: block; font-size: 13pt; font-weight: bold; } .figure .label { font-size: 8.5pt; color: #444; }
        .lead { color: #333; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: 9pt; }
        table.small { font-size: 8pt; }
        caption { text-align: left; font-weight: bold; padding: .2rem 0; }
        th, td { border-bottom: 1px solid #ddd; padding: .2rem .35rem; text-align: left; vertical-align: top; }
        thead th { border-bottom: 2px solid #555; background: #f2f2f9; }
        .num { text-align: right; white-space: nowrap; }
        tr { break-inside: avoid; } thead { display: table-header-group; }
        .breakdowns { display: grid; grid-template-columns: repeat(2, 1fr); gap: 0 1.2rem; align-items: start; }
        .breakdowns table, .figures, section > p { break-inside: avoid; }
        svg { width: 100%; height: auto; break-inside: avoid; } svg text { font: 9px "DejaVu Sans", sans-serif; }
        @media (max-width: 40rem) { .figures, .breakdowns { grid-template-columns: 1fr 1fr; } table { font-size: 8pt; } }
        @media print { body { max-width: none; padding: 0; } }
        """
    }

    /// Text inside a CSS string: backslashes and quotes escaped, no line break, no `<` (the style element
    /// must not be closed by a name).
    static func cssString(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\", "\"", "<", ">", "\n", "\r": out += "\\" + String(scalar.value, radix: 16) + " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Horizontal bars, one per lot: the required hours as an outline, the credited hours filled. At most
/// `limit` lots, those with the most required hours, said under the chart.
enum BilanChart {
    static let limit = 30

    static func svg(_ lots: [BilanLot]) -> String {
        let shown =
            lots.count > limit
            ? Array(
                lots.sorted { ($0.hours.requiredHours, $1.csvName) > ($1.hours.requiredHours, $0.csvName) }.prefix(
                    limit))
            : lots
        let scale = shown.map { max($0.hours.requiredHours, $0.hours.creditedHours) }.max() ?? 0
        let rowHeight = 18.0
        let labelWidth = 230.0
        let width = 720.0
        let barWidth = width - labelWidth - 90
        let height = Double(shown.count) * rowHeight + 24
        var svg =
            "<figure><svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"Heures prescrites et valorisées par lot\">"
        for (index, lot) in shown.enumerated() {
            let y = Double(index) * rowHeight + 4
            let required = scale > 0 ? barWidth * ratio(lot.hours.requiredHours, scale) : 0
            let credited = scale > 0 ? barWidth * ratio(lot.hours.creditedHours, scale) : 0
            let label = "\(lot.contractReference) lot \(lot.lotNumber)"
            svg += "<text x=\"0\" y=\"\(fmt(y + 12))\">\(HTMLText.escape(String(label.prefix(40))))</text>"
            svg +=
                "<rect x=\"\(fmt(labelWidth))\" y=\"\(fmt(y + 2))\" width=\"\(fmt(credited))\" height=\"12\" fill=\"#000091\"/>"
            svg +=
                "<rect x=\"\(fmt(labelWidth))\" y=\"\(fmt(y + 1))\" width=\"\(fmt(required))\" height=\"14\" fill=\"none\" stroke=\"#c9191e\" stroke-width=\"1.2\"/>"
            svg +=
                "<text x=\"\(fmt(labelWidth + max(required, credited) + 6))\" y=\"\(fmt(y + 12))\">\(HTMLText.escape(lot.hours.completionRate.map { French.percent($0) } ?? "—"))</text>"
        }
        let legendY = Double(shown.count) * rowHeight + 18
        svg +=
            "<rect x=\"\(fmt(labelWidth))\" y=\"\(fmt(legendY - 9))\" width=\"12\" height=\"10\" fill=\"#000091\"/><text x=\"\(fmt(labelWidth + 16))\" y=\"\(fmt(legendY))\">heures valorisées</text>"
        svg +=
            "<rect x=\"\(fmt(labelWidth + 140))\" y=\"\(fmt(legendY - 9))\" width=\"12\" height=\"10\" fill=\"none\" stroke=\"#c9191e\"/><text x=\"\(fmt(labelWidth + 156))\" y=\"\(fmt(legendY))\">heures prescrites</text>"
        svg += "</svg>"
        if lots.count > limit {
            svg +=
                "<figcaption>Les \(limit) lots aux heures prescrites les plus élevées, sur \(lots.count) ; tous figurent dans le tableau.</figcaption>"
        }
        return svg + "</figure>"
    }

    /// A bar's share of the scale, for drawing only (the figures printed stay exact decimals).
    private static func ratio(_ value: Decimal, _ scale: Decimal) -> Double {
        NSDecimalNumber(decimal: min(value / scale, 1)).doubleValue
    }

    private static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }
}
