import Foundation

extension Bilan {
    /// The bilan as one CSV table for French spreadsheets (`FrenchCSV`), in the layout docs/reports.md
    /// documents: `rubrique;objet;mesure;valeur`, one figure per line, in the HTML's order. Hours have a
    /// decimal comma; counts are a whole number, « < 3 » or « masqué »; dates are `JJ/MM/AAAA`.
    public var csv: String {
        var file = FrenchCSV(header: ["rubrique", "objet", "mesure", "valeur"])
        let figure = { (value: Decimal) in French.number(value, .csv) }
        file.row(["identification", "donneur d'ordre", "nom", buyerName])
        file.row(["identification", "périmètre", scope.frenchLabel, scopeLabel])
        if let operationName { file.row(["identification", "opération", "nom", operationName]) }
        for contract in publicContracts {
            file.row(["identification", "marché \(contract.reference)", "objet", contract.object])
        }
        file.row(["identification", "période", "libellé", period.french])
        if let from = period.from { file.row(["identification", "période", "du", from.french]) }
        file.row(["identification", "période", "au", period.to.french])
        file.row(["identification", "bilan", "situation au", at.french])
        file.row(["identification", "bilan", "établi le", generatedOn.french])
        file.row(["identification", "secret statistique", "seuil", String(secrecyThreshold)])

        func hourRows(_ section: String, _ subject: String, _ figures: BilanHours) {
            file.row([section, subject, "heures prescrites", figure(figures.requiredHours)])
            file.row([section, subject, "heures réalisées", figure(figures.workedHours)])
            file.row([section, subject, "heures valorisées", figure(figures.creditedHours)])
            file.row([section, subject, "heures valorisées sur la période", figure(figures.creditedInPeriod)])
            file.row([section, subject, "heures restantes", figure(figures.remainingHours)])
            file.row([section, subject, "heures excédentaires", figure(figures.surplusHours)])
            file.row([
                section, subject, "taux de réalisation (%)",
                figures.completionRate.map { French.number($0 * 100, .csv) } ?? "",
            ])
            file.row([section, subject, "statut", figures.status.frenchLabel])
        }
        hourRows("heures", "ensemble", hours)
        for lot in lots { hourRows("heures par lot", lot.csvName, lot.hours) }
        for contractor in contractors {
            file.row(["heures par entreprise", contractor.name, "lots", String(contractor.lotCount)])
            hourRows("heures par entreprise", contractor.name, contractor.hours)
        }
        for mode in byMode {
            file.row(["heures par modalité", mode.label, "heures réalisées", figure(mode.workedHours)])
            file.row(["heures par modalité", mode.label, "heures valorisées", figure(mode.creditedHours)])
        }
        for month in months {
            file.row(["heures par mois", month.label, "heures réalisées", figure(month.workedHours)])
            file.row(["heures par mois", month.label, "heures de formation", figure(month.trainingHours)])
            file.row(["heures par mois", month.label, "heures valorisées", figure(month.creditedHours)])
            file.row([
                "heures par mois", month.label, "heures valorisées cumulées", figure(month.cumulativeCreditedHours),
            ])
        }
        func peopleRows(_ section: String, _ subject: String, _ counts: BilanPeopleCounts) {
            file.row([section, subject, "personnes", counts.total.french(.csv)])
            for breakdown in counts.breakdowns {
                for cell in breakdown.cells {
                    file.row([section, subject, "\(breakdown.label) : \(cell.label)", cell.count.french(.csv)])
                }
            }
        }
        peopleRows("personnes", "ensemble", people)
        for lot in lots { peopleRows("personnes par lot", lot.csvName, lot.people) }
        file.row(["contrats", "ensemble", "contrats", employmentContracts.total.french(.csv)])
        for breakdown in [employmentContracts.byType, employmentContracts.qualifyingHires] {
            for cell in breakdown.cells {
                file.row(["contrats", breakdown.label, cell.label, cell.count.french(.csv)])
            }
        }
        file.row(["effet levier", "ensemble", "heures excédentaires conservées", figure(leverage.surplusHours)])
        file.row(["effet levier", "ensemble", "heures travaillées hors clause", figure(leverage.hoursBeyondClause)])
        return file.text
    }
}

extension BilanLot {
    /// `MOP-2026-014 lot 2 — Gros œuvre`.
    var csvName: String { "\(contractReference) lot \(lotNumber) — \(lotLabel)" }
}
