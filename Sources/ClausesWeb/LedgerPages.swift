import ClausesCore
import Foundation
import Hummingbird
import MultipartKit

/// Page models for balances, and the pages for CSV imports and positive-outcome candidates.
enum LedgerPages {
    static func percent(_ value: Decimal?) -> String {
        guard let value else { return "—" }
        return French.number(value * 100, fixedFraction: 1) + " %"
    }

    static func balanceModel(_ lot: LotBalance) -> [String: Any] {
        let b = lot.balance
        return [
            "status": b.status.rawValue, "statusLabel": b.status.frenchLabel,
            "statusExplanation": b.statusExplanation.french(),
            "required": French.hours(b.requiredHours), "worked": French.hours(b.workedHours),
            "training": French.hours(b.trainingHours), "credited": French.hours(b.creditedHours),
            "remaining": French.hours(b.remainingHours), "surplus": French.hours(b.surplusHours),
            "expected": b.expectedHours.map { French.hours($0) } ?? "—",
            "completion": percent(b.completionRate), "progress": percent(b.progress),
            "meter": Meter.svg(
                completion: b.completionRate, expected: b.progress,
                label:
                    "Heures valorisées : \(percent(b.completionRate)) des heures prescrites ; avancement attendu : \(percent(b.progress))"
            ),
            "at": b.at.french,
            "pending": lot.pendingReports > 0
                ? "\(lot.pendingReports) relevé(s) en attente de validation (\(French.hours(lot.pendingHours)), non comptés)"
                : "",
            "chart": BalanceChart.svg(months: lot.credit.months, balance: b),
            "explanation": lot.credit.explanation.map { $0.french() },
            "months": lot.credit.months.reversed().map { m -> [String: Any] in
                [
                    "month": French.month(m.month), "worked": French.hours(m.worked),
                    "training": French.hours(m.training),
                    "credited": French.hours(m.credited), "cumulative": French.hours(m.cumulativeCredited),
                ]
            },
        ]
    }

    static func aggregateModel(_ a: BalanceAggregate) -> [String: Any] {
        [
            "status": a.status.rawValue, "statusLabel": a.status.frenchLabel,
            "required": French.hours(a.requiredHours),
            "credited": French.hours(a.creditedHours), "remaining": French.hours(a.remainingHours),
            "completion": percent(a.completionRate), "lots": a.lotCount,
        ]
    }

    static func urgencyRow(_ lot: LotBalance) -> [String: Any] {
        let b = lot.balance
        return [
            "id": lot.lotId.uuidString.lowercased(), "reference": lot.publicContractReference, "number": lot.lotNumber,
            "label": lot.lotLabel, "contractor": lot.contractorName ?? "—", "status": b.status.rawValue,
            "statusLabel": b.status.frenchLabel,
            "credited": French.hours(b.creditedHours), "required": French.hours(b.requiredHours),
            "expected": b.expectedHours.map { French.hours($0) } ?? "—", "shortfall": French.hours(b.shortfallHours),
            "end": Display.date(b.executionEnd),
            "meter": Meter.svg(
                completion: b.completionRate, label: "\(percent(b.completionRate)) des heures prescrites", small: true),
        ]
    }

    static func placementRow(_ p: Placement) -> [String: Any] {
        [
            "code": p.code, "person": p.participantName, "company": p.companyName, "mode": p.executionMode.frenchLabel,
            "contract": p.contractType.frenchLabel, "period": "\(p.startDate.french) → \(Display.date(p.endDate))",
            "weekly": French.hours(p.weeklyHours), "counting": p.counting ? "" : "non comptée",
        ]
    }
}

/// `/imports` (upload a CSV of hours or participants) and `/sorties-positives` (candidates and decisions).
struct LedgerPageRoutes {
    let services: AppServices
    let pages: PageRenderer
    let reader: RequestReader

    func register(on web: RouterGroup<AppRequestContext>) {
        web.get("/imports") { _, context in
            _ = try context.requireCaller()
            return try pages.render("imports", title: "Importer un fichier", model: [:], context: context)
        }
        web.post("/imports") { request, context in try await upload(request: request, context: context) }
        web.get("/sorties-positives") { request, context in try await outcomes(request: request, context: context) }
        web.post("/sorties-positives") { request, context in
            let caller = try context.requireCaller()
            let fields = try await Form.checked(request, context: context, reader: reader)
            guard let pathway = fields["pathway"].flatMap(UUID.init(uuidString:)),
                let rule = fields["rule"].flatMap(OutcomeRule.init(rawValue:)),
                let establishedText = fields["established"],
                let decision = fields["decision"].flatMap(OutcomeDecisionValue.init(rawValue:))
            else {
                throw DomainError(.badRequest, code: .invalidForm, message: "Formulaire de décision incomplet.")
            }
            let established = try reader.dates.parse(establishedText, field: "established")
            _ = try await services.ledger.outcomes.record(
                caller, pathwayId: pathway, rule: rule, establishedOn: established, decision: decision,
                note: fields["note"], asOf: services.clock.today)
            let flash =
                decision == .proposed ? "Sortie positive proposée au comité." : "Décision du comité enregistrée."
            return try await outcomes(request: request, context: context, flash: flash)
        }
    }

    struct Upload: Decodable {
        let _csrf: String
        let kind: String
        let file: Data
        let replace: String?
        let confirm: String?
        let validate: String?
        let dryRun: String?
    }

    private func upload(request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        guard let type = request.headers[.contentType],
            let boundary = type.split(separator: ";").lazy
                .map({ $0.trimmingCharacters(in: .whitespaces) }).first(where: { $0.hasPrefix("boundary=") })?
                .dropFirst("boundary=".count)
        else {
            throw DomainError(
                .badRequest, code: .invalidForm, message: "Envoyez le fichier avec le formulaire de la page.")
        }
        let body = try await reader.body(request, limit: reader.importLimit)
        let form: Upload
        do {
            form = try FormDataDecoder().decode(
                Upload.self, from: body,
                boundary: String(boundary).trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        } catch {
            throw DomainError(
                .badRequest, code: .invalidForm,
                message: "Formulaire d'import illisible : choisissez un fichier et recommencez.")
        }
        guard let expected = context.csrfToken, Form.constantTimeEqual(expected, form._csrf) else {
            throw DomainError(
                .forbidden, code: .csrf, message: "Le formulaire a expiré : rechargez la page et recommencez.")
        }
        let data = form.file
        guard !data.isEmpty else { throw DomainError.invalid("file", "Choisissez un fichier CSV à importer.") }
        let report: ImportReport =
            switch form.kind {
            case "participants":
                try await services.ledger.imports.importParticipants(
                    data: data, caller: caller, dryRun: form.dryRun != nil,
                    validateCriteria: form.validate != nil)
            default:
                try await services.ledger.imports.importHours(
                    data: data, caller: caller, replace: form.replace != nil,
                    confirmPlausible: form.confirm != nil, dryRun: form.dryRun != nil,
                    validate: form.validate != nil)
            }
        let summary =
            switch report.status {
            case .written:
                "Import terminé : \(report.lines) ligne(s) lue(s), \(report.created) créée(s), \(report.updated) corrigée(s), \(report.unchanged) inchangée(s)."
            case .dryRun:
                "Vérification réussie, rien n'a été écrit : \(report.created) à créer, \(report.updated) à corriger, \(report.unchanged) inchangée(s)."
            case .rejected:
                "Fichier refusé : \(report.problemSummary). Rien n'a été écrit ; corrigez le fichier et recommencez."
            case .confirmationRequired:
                "Des heures dépassent le plafond plausible : vérifiez-les puis cochez « confirmer » pour importer. Rien n'a été écrit."
            }
        return try pages.render(
            "imports", title: "Importer un fichier",
            model: [
                "result": [
                    "summary": summary, "ok": report.written || report.status == .dryRun,
                    "problems": report.problems.map(\.frenchDescription),
                    "warnings": report.warnings.map(\.frenchDescription),
                    "hasProblems": !report.problems.isEmpty, "hasWarnings": !report.warnings.isEmpty,
                ]
            ], context: context, status: report.status == .rejected ? .unprocessableContent : .ok)
    }

    struct OutcomesPage {
        struct Candidate {
            let pathway: String
            let reference: String
            let name: String
            let plie: String
            let rule: String
            let ruleLabel: String
            let established: String
            let establishedFr: String
            let evidence: String
            let unvalidated: Bool
            let proposedBy: String
            let isProposed: Bool
        }

        let asOf: String
        let candidates: [Candidate]
        let hasCandidates: Bool
        /// Facilitators and admins record the committee's decision; a référent proposes.
        let decides: Bool
    }

    private func outcomes(request: Request, context: AppRequestContext, flash: String? = nil) async throws -> Response {
        let caller = try context.requireCaller()
        let asOf = try reader.date(request, "au") ?? services.clock.today
        let candidates = try await services.ledger.outcomes.candidates(caller, asOf: asOf)
        let page = OutcomesPage(
            asOf: asOf.french,
            candidates: candidates.map { c in
                OutcomesPage.Candidate(
                    pathway: c.pathwayId.uuidString.lowercased(), reference: c.reference, name: c.participantName,
                    plie: c.plieName, rule: c.candidate.rule.rawValue, ruleLabel: c.candidate.rule.frenchLabel,
                    established: c.candidate.establishedOn.description, establishedFr: c.candidate.establishedOn.french,
                    evidence: c.candidate.evidence, unvalidated: c.includesUnvalidatedHours,
                    proposedBy: c.proposedBy ?? "", isProposed: c.proposedBy != nil)
            },
            hasCandidates: !candidates.isEmpty, decides: caller.canEditReferential)
        return try pages.render(
            "outcomes", title: "Sorties positives à proposer", model: ["page": page], context: context, flash: flash)
    }
}
